"""Requests as values: what the entities hand to :meth:`autotask.transport.Transport.send`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from autotask.retry import Operation

__all__ = ["Request", "StreamBody"]


@dataclass(frozen=True, slots=True)
class StreamBody:
    """A request body streamed from a factory, with a known length (no chunked encoding).

    Autotask's side of chunked bodies is unknown and the emulator refuses them with 411
    (fact sheet §11.7), so the length must be known up front. ``open`` is called once per
    attempt, so a retry can rebuild the body.

    Args:
        open: returns the body as an iterable of ``bytes`` chunks or a binary file object.
        length: the exact number of bytes it yields (sent as ``Content-Length``).
        content_type: the ``Content-Type`` header.
    """

    open: Callable[[], Iterable[bytes] | IO[bytes]]
    length: int
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Request:
    """One API request, as a value.

    Args:
        operation: what it does (decides retries and impersonation).
        method: the HTTP method.
        path: below ``.../V1.0/`` (``"Tickets/query"``), or an absolute URL on the zone's origin
            (a ``nextPageUrl``), or for ``ZONE`` the lookup URL.
        entity: the entity acted on (the thread-gate bucket); derived from ``path`` if None.
        body: a JSON-able value, pre-encoded ``bytes``, or a :class:`StreamBody`.
        params: query-string parameters.
        impersonate: a resource id for ``ImpersonationResourceId`` (writes only).
        stream: hand back an unread :class:`StreamedResponse` instead of decoded JSON.
        budgeted: False only for the budget's own ThresholdInformation checks.
    """

    operation: Operation
    method: str
    path: str
    entity: str | None = None
    body: Any = None
    params: Mapping[str, str] | None = None
    impersonate: int | None = None
    stream: bool = False
    budgeted: bool = True
