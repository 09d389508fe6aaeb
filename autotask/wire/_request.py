"""Requests as values: what the entities hand to :meth:`autotask.wire.transport.Transport.send`.

Also the pure steps of preparing one: the JSON encoding every body uses, and the URL a request
goes to (relative paths below the zone's ``V1.0/``, absolute links only on the zone's origin).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from autotask.errors import ConfigError, InvalidRequest, PaginationError
from autotask.retry import Operation
from autotask.wire.origins import origin_of

__all__ = ["Request", "StreamBody", "json_bytes", "request_url"]


@dataclass(frozen=True, slots=True)
class StreamBody:
    """A request body streamed from a factory, with a known length (no chunked encoding).

    Autotask's side of chunked bodies is unknown and the emulator refuses them with 411
    (fact sheet §11.7), so the length must be known up front. ``open`` is called once per
    attempt, so a retry can rebuild the body: return a fresh iterable or a re-opened file
    each time.

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
        operation: what it does (decides retries, impersonation and ``applied`` on errors).
        method: the HTTP method.
        path: below ``.../V1.0/`` (``"Tickets/query"``), or an absolute URL on the zone's origin
            (a ``nextPageUrl``), or for ``ZONE`` the lookup URL.
        entity: the entity acted on, decided where the request is built: it is the request's
            thread-gate bucket (``TicketNotes`` for ``Tickets/5/Notes``, CONTRACTS §5) and is
            named in its errors. None only for a ``ZONE`` lookup, which is exempt.
        body: a JSON-able value, pre-encoded ``bytes``, or a :class:`StreamBody`.
        params: query-string parameters.
        impersonate: a resource id for ``ImpersonationResourceId`` (writes only).
        stream: hand back an unread :class:`~autotask.wire.transport.StreamedResponse` instead of
            decoded JSON.
        budgeted: False only for the budget's own ThresholdInformation checks.
        upload_bytes: the decoded attachment bytes the request carries, counted once against
            the attachment byte window (fact sheet §7) before it is sent.
    """

    operation: Operation
    method: str
    path: str
    entity: str | None
    body: Any = None
    params: Mapping[str, str] | None = None
    impersonate: int | None = None
    stream: bool = False
    budgeted: bool = True
    upload_bytes: int = 0

    def __post_init__(self) -> None:
        if not self.entity and self.operation is not Operation.ZONE:
            raise ConfigError(
                f"a {self.operation.value} request to {self.path!r} needs the entity it acts on",
                operation=self.operation.value,
            )


def json_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON: how every JSON request body is sent.

    Raises:
        InvalidRequest: ``value`` holds what JSON cannot carry (NaN or an infinity, text with a
            lone surrogate) or is nested beyond what the encoder handles; nothing was sent.
    """
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode()
    except (ValueError, RecursionError) as exc:  # UnicodeEncodeError is a ValueError
        raise InvalidRequest(f"cannot send this body as JSON: {exc}") from None


def request_url(request: Request, zone_url: str) -> str:
    """The URL ``request`` goes to, given the zone URL (``.../ATServicesRest/``).

    An absolute path (a ``nextPageUrl``) must be on the zone's origin: credentials never go
    anywhere else (CONTRACTS §4).

    Args:
        request: what to send; its ``path`` and ``params`` make the URL.
        zone_url: the zone in use.

    Raises:
        PaginationError: a query's next-page link points off the zone's origin.
        ConfigError: any other absolute URL off the zone's origin.
    """
    if "://" in request.path:
        url = request.path
        cls = PaginationError if request.operation is Operation.QUERY else ConfigError
        try:
            target = origin_of(url)
        except ConfigError as exc:
            raise cls(
                exc.message, operation=request.operation.value, entity=request.entity
            ) from None
        if target != origin_of(zone_url):
            raise cls(
                f"refusing to send credentials to {target[1]!r}: not the zone's "
                f"origin {origin_of(zone_url)[1]!r}",
                operation=request.operation.value,
                entity=request.entity,
            )
    else:
        url = f"{zone_url}V1.0/{request.path}"
    if request.params:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(request.params)
    return url
