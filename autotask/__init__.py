"""Autotask PSA REST API (V1.0) client.

The public names are exported lazily (PEP 562), so ``python -m autotask.emulator`` runs with
the standard library alone and ``import autotask`` costs nothing until a name is used
(CONTRACTS §7)::

    from autotask import AutotaskClient, RequestConfig, F

    with AutotaskClient.from_env() as client:
        for ticket in client.tickets.query(F("status") == 1, fields=["id", "title"]):
            print(ticket["id"], ticket["title"])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from autotask._version import __version__

# Public name -> module that defines it. The meta tests check that each resolves.
_EXPORTS: dict[str, str] = {
    "AutotaskClient": "autotask.client",
    "AttachmentData": "autotask.attachments",
    "RequestConfig": "autotask.config",
    "RetryPolicy": "autotask.retry",
    "Credentials": "autotask.config",
    "F": "autotask.core.query",
    "Condition": "autotask.core.query",
    "Group": "autotask.core.query",
    "udf": "autotask.core.records",
    "parse_datetime": "autotask.core.records",
    "AutotaskError": "autotask.errors",
    "ConfigError": "autotask.errors",
    "AuthenticationError": "autotask.errors",
    "PermissionDenied": "autotask.errors",
    "NotFound": "autotask.errors",
    "InvalidRequest": "autotask.errors",
    "RateLimited": "autotask.errors",
    "ThreadLimitExceeded": "autotask.errors",
    "ServerError": "autotask.errors",
    "TransportError": "autotask.errors",
    "OutcomeUnknown": "autotask.errors",
    "TooManyRecords": "autotask.errors",
    "PaginationError": "autotask.errors",
    "ItemResult": "autotask.batch",
    "Progress": "autotask.batch",
    "ExportStats": "autotask.export",
    "ExportProgress": "autotask.export",
}

__all__ = [
    "AttachmentData",
    "AuthenticationError",
    "AutotaskClient",
    "AutotaskError",
    "Condition",
    "ConfigError",
    "Credentials",
    "ExportProgress",
    "ExportStats",
    "F",
    "Group",
    "InvalidRequest",
    "ItemResult",
    "NotFound",
    "OutcomeUnknown",
    "PaginationError",
    "PermissionDenied",
    "Progress",
    "RateLimited",
    "RequestConfig",
    "RetryPolicy",
    "ServerError",
    "ThreadLimitExceeded",
    "TooManyRecords",
    "TransportError",
    "__version__",
    "parse_datetime",
    "udf",
]

if TYPE_CHECKING:
    from autotask.attachments import AttachmentData
    from autotask.batch import ItemResult, Progress
    from autotask.client import AutotaskClient
    from autotask.config import Credentials, RequestConfig
    from autotask.core.query import Condition, F, Group
    from autotask.core.records import parse_datetime, udf
    from autotask.errors import (
        AuthenticationError,
        AutotaskError,
        ConfigError,
        InvalidRequest,
        NotFound,
        OutcomeUnknown,
        PaginationError,
        PermissionDenied,
        RateLimited,
        ServerError,
        ThreadLimitExceeded,
        TooManyRecords,
        TransportError,
    )
    from autotask.export import ExportProgress, ExportStats
    from autotask.retry import RetryPolicy


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autotask' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # resolve once; later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
