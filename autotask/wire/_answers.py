"""Reading the API's answers: envelopes, error texts and error classes. Pure functions.

Every response body the client uses goes through one of the ``parse_*`` functions here, and
every failed answer through :func:`error_for_answer`, which maps it onto the error tree and
tells the retry policy what kind of failure it was (CONTRACTS §3). Each ``parse_*`` takes the
decoded body and, for the error it raises on an unexpected shape, the operation and entity: a
``ServerError`` for reads, an ``OutcomeUnknown`` for writes (a 2xx was received, so the write
may have been applied). Shapes: fact sheet §3.4,
§4, §5, §11 and the real payloads in ``../shared/fixtures/real``.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from autotask.errors import (
    AuthenticationError,
    AutotaskError,
    InvalidRequest,
    NotFound,
    OutcomeUnknown,
    PaginationError,
    PermissionDenied,
    RateLimited,
    ServerError,
    ThreadLimitExceeded,
    TransportError,
)
from autotask.retry import Failure, Operation

__all__ = [
    "QUERY_TOO_LONG",
    "api_texts",
    "error_for_answer",
    "is_query_too_long",
    "oversized_answer",
    "parse_count",
    "parse_fields",
    "parse_info",
    "parse_item",
    "parse_item_id",
    "parse_json",
    "parse_page",
    "parse_usage",
    "read_answer",
    "retry_after_seconds",
]

# The thread-limit rejection names "thread threshold" (and internally Itgenatr005); it is a
# 429, but other clients also match the text under any status (fact sheet §11.1).
_THREAD_TEXT = re.compile(r"thread\s+threshold|itgenatr005", re.IGNORECASE)
# The hourly-threshold rejection: "Request Threshold Exceeded" (the alert's subject; its HTTP
# body was never captured, fact sheet §11.1 (b)). Recognised under any status, as the thread
# text is: a tenant or proxy answering it with a 500 must still be retried and slow the budget.
_HOURLY_TEXT = re.compile(r"request\s+threshold", re.IGNORECASE)
# 500s that are really authentication failures: only the texts the fact sheet records (§2,
# fixtures error_500_invalid_integration_code.json, error_500_invalid_username.json). A looser
# pattern also caught validation texts of Resources and ClientPortalUsers writes ("userName is
# invalid", "The user name ... already exists or is invalid"): issue 7 item 9.
_AUTH_TEXT = re.compile(
    r"integrationcode is invalid|zone information could not be determined", re.IGNORECASE
)
# 500s that are permission failures ("The logged in Resource does not have the adequate
# permissions", fact sheet §5). Deletes of missing rows also mention permissions, but lead
# with "No matching records found": those stay InvalidRequest.
_PERMISSION_TEXT = re.compile(
    r"does not have (the )?(adequate|required|sufficient|necessary) permission", re.IGNORECASE
)
_NO_MATCH_TEXT = re.compile(r"no matching records found", re.IGNORECASE)
# IIS refuses a URL whose query string passes its maxQueryString (2,048 by default) with an
# HTML 404.15 page: "HTTP Error 404.15 - Not Found ... The request filtering module is
# configured to deny a request where the query string is too long." (issue 7 item 6).
_QUERY_TOO_LONG_BODY = re.compile(rb"404\.15|query string is too long", re.IGNORECASE)
QUERY_TOO_LONG = "the URL's query string is too long for the server (IIS 404.15)"
# Autotask's own unexpected failure comes in the usual errors[] envelope: "An unexpected error
# has occurred.  If the problem persists, please contact Autotask Support and reference Error
# ID: NNNN" (issue 8 item 3). It is a server failure, not a refusal of the request: a read may
# be resent, and a write may have been applied before it failed.
_UNEXPECTED_TEXT = re.compile(r"an unexpected error has occurred", re.IGNORECASE)


def parse_json(data: bytes) -> Any:
    """Decode a JSON body (UTF-8). Raises ``ValueError`` on an empty or garbled body, and on
    one nested too deeply to decode (a hostile answer must not escape as ``RecursionError``)."""
    if not data:
        raise ValueError("empty body")
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _get(body: Mapping[str, Any], key: str) -> Any:
    # The live API is camelCase, but key case is not significant to it (fact sheet §3.2), and
    # a proxy or an older zone may differ: read exact first, then case-insensitively.
    if key in body:
        return body[key]
    folded = key.lower()
    for name, value in body.items():
        if isinstance(name, str) and name.lower() == folded:
            return value
    raise KeyError(key)


def _unexpected(
    what: str, body: Any, operation: Operation | None, entity: str | None
) -> AutotaskError:
    message = f"unexpected answer: expected {what}, got {_shown(body)}"
    op = None if operation is None else operation.value
    if operation is not None and operation.is_write:
        # The server accepted the write (2xx) but its answer is not what a write answers, so
        # nobody can say whether it was applied; resending could duplicate it.
        return OutcomeUnknown(
            f"{message}; the {operation.value.lower()} may have been applied",
            operation=op,
            entity=entity,
        )
    return ServerError(message, operation=op, entity=entity)


def _shown(body: Any) -> str:
    """At most 200 characters of an unexpected body, whatever it holds."""
    if isinstance(body, bytes):
        return repr(body[:200])
    try:
        return json.dumps(body)[:200]
    except (ValueError, RecursionError):  # nested deeper than the encoder goes
        return f"a {type(body).__name__} nested too deeply to show"


def parse_item(
    body: Any, operation: Operation | None = None, entity: str | None = None
) -> dict[str, Any] | None:
    """The record of a GET-by-id answer, or None for a missing id.

    ``{"item": {...}}``; ``{"item": null}`` for a missing id (fact sheet §11.2); and
    ``{"items": [...]}``, which attachment GETs use even for one id (fact sheet §11.3).
    """
    if isinstance(body, Mapping):
        try:
            item = _get(body, "item")
        except KeyError:
            try:
                items = _get(body, "items")
            except KeyError:
                raise _unexpected("an item", body, operation, entity) from None
            if isinstance(items, list):
                if not items:
                    return None
                if isinstance(items[0], dict):
                    return items[0]
            raise _unexpected("an item", body, operation, entity) from None
        if item is None or isinstance(item, dict):
            return item
    raise _unexpected("an item", body, operation, entity)


def parse_page(
    body: Any, operation: Operation | None = None, entity: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """``(records, nextPageUrl)`` of a query or child-list answer (fact sheet §3.4).

    The envelope is read case-insensitively throughout (``items``, ``pageDetails``,
    ``nextPageUrl``). Only ``pageDetails.nextPageUrl`` being null says "last page": records
    without it (no ``pageDetails``, no ``nextPageUrl`` in it, or a bare list) raise
    ``PaginationError``, never a silent last page (issue 7 item 5). An empty page needs none.
    """
    if not isinstance(body, (Mapping, list)):
        raise _unexpected("a page of items", body, operation, entity)
    if isinstance(body, list):
        items: Any = body
        details: Any = None
    else:
        try:
            items = _get(body, "items")
        except KeyError:
            raise _unexpected("a page of items", body, operation, entity) from None
        details = _optional(body, "pageDetails")
    if not _is_records(items):
        raise _unexpected("a list of records", body, operation, entity)
    if not isinstance(details, Mapping) or not _has(details, "nextPageUrl"):
        if not items:
            return items, None  # nothing to lose
        raise PaginationError(
            f"a page of {len(items)} records without pageDetails.nextPageUrl: whether more "
            "pages follow is unknown, so paging stops here instead of returning part of the "
            "result as if it were all",
            operation=None if operation is None else operation.value,
            entity=entity,
        )
    next_url = _get(details, "nextPageUrl")
    if next_url is not None and not isinstance(next_url, str):
        raise _unexpected("a nextPageUrl string", body, operation, entity)
    return items, next_url or None


def _optional(body: Mapping[str, Any], key: str) -> Any:
    try:
        return _get(body, key)
    except KeyError:
        return None


def _has(body: Mapping[str, Any], key: str) -> bool:
    try:
        _get(body, key)
    except KeyError:
        return False
    return True


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_record(value: Any) -> bool:
    return isinstance(value, dict)


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _member(
    body: Any,
    key: str,
    valid: Callable[[Any], bool],
    shape: str,
    *,
    operation: Operation | None,
    entity: str | None,
) -> Any:
    """``body[key]`` (key case-insensitive) when ``valid`` accepts it, else the error for it."""
    if isinstance(body, Mapping):
        try:
            value = _get(body, key)
        except KeyError:
            value = None
        if valid(value):
            return value
    raise _unexpected(shape, body, operation, entity)


def parse_item_id(body: Any, operation: Operation | None = None, entity: str | None = None) -> int:
    """The ``itemId`` of a create/update/delete answer (fact sheet §4.1)."""
    value: int = _member(
        body, "itemId", _is_int, '{"itemId": <int>}', operation=operation, entity=entity
    )
    return value


def parse_count(body: Any, operation: Operation | None = None, entity: str | None = None) -> int:
    """The ``queryCount`` of a ``query/count`` answer (fact sheet §3.1)."""
    value: int = _member(
        body, "queryCount", _is_int, '{"queryCount": <int>}', operation=operation, entity=entity
    )
    return value


def parse_fields(
    body: Any, operation: Operation | None = None, entity: str | None = None
) -> list[dict[str, Any]]:
    """The ``fields`` list of an ``entityInformation/fields`` or ``/userDefinedFields`` answer."""
    fields: list[dict[str, Any]] = _member(
        body, "fields", _is_records, '{"fields": [...]}', operation=operation, entity=entity
    )
    return fields


def parse_info(
    body: Any, operation: Operation | None = None, entity: str | None = None
) -> dict[str, Any]:
    """The ``info`` object of an ``entityInformation`` answer (fact sheet §4.4)."""
    info: dict[str, Any] = _member(
        body, "info", _is_record, '{"info": {...}}', operation=operation, entity=entity
    )
    return info


_USAGE_KEYS = (
    "externalRequestThreshold",
    "requestThresholdTimeframe",
    "currentTimeframeRequestCount",
)


def parse_usage(body: Any, operation: Operation | None = None) -> dict[str, int]:
    """The ThresholdInformation figures: a bare object of three ints (fact sheet §11.8)."""
    if isinstance(body, Mapping):
        try:
            values = {key: _get(body, key) for key in _USAGE_KEYS}
        except KeyError:
            values = {}
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values.values()):
            return values
    raise _unexpected("the ThresholdInformation figures", body, operation, "ThresholdInformation")


def api_texts(body: bytes) -> list[str]:
    """The API's own error texts from an error body.

    ``{"errors": ["..."]}`` (strings; objects with a ``message`` are tolerated), or the ASP.NET
    Web API shape ``{"Message": "..."}`` (fact sheet §5). A body that is not JSON gives none.
    """
    errors, messages = _texts(body)
    return errors + messages


def _texts(body: bytes) -> tuple[list[str], list[str]]:
    """``(errors[] texts, ASP.NET Message texts)`` of an error body."""
    try:
        decoded = parse_json(body) if body else None
    except ValueError:
        return [], []
    errors: list[str] = []
    messages: list[str] = []
    if isinstance(decoded, Mapping):
        for key, value in decoded.items():
            folded = str(key).lower()
            if folded == "errors" and isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        errors.append(item)
                    elif isinstance(item, Mapping) and isinstance(item.get("message"), str):
                        errors.append(item["message"])
            elif folded in ("message", "exceptionmessage") and isinstance(value, str):
                messages.append(value)
    return [t for t in errors if t.strip()], [t for t in messages if t.strip()]


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date; None when absent or garbled."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_for_answer(
    status: int,
    body: bytes,
    retry_after: str | None,
    operation: Operation,
    entity: str | None,
) -> tuple[Failure, AutotaskError]:
    """Map a non-2xx answer onto the error tree and a retry :class:`~autotask.retry.Failure`.

    Args:
        status: the HTTP status.
        body: the raw body (``errors[]`` or the ASP.NET ``Message`` shape, or anything else).
        retry_after: the ``Retry-After`` header, if any.
        operation: what the request did.
        entity: the entity acted on.

    ``applied`` is False whenever the server answered before applying anything (4xx, 429,
    auth, validation); for writes answered with a bare 5xx it is None, because a server error
    after the write is indistinguishable from one before it.
    """
    error_texts, messages = _texts(body)
    texts = error_texts + messages
    joined = " ".join(texts)
    op, write = operation.value, operation.is_write
    wait = retry_after_seconds(retry_after)

    def make(cls: type[AutotaskError], message: str, applied: bool | None = False) -> AutotaskError:
        return cls(
            message,
            status=status,
            errors=texts,
            operation=op,
            entity=entity,
            applied=applied,
            retry_after=wait,
        )

    if _THREAD_TEXT.search(joined):
        return Failure.THREAD_LIMIT, make(ThreadLimitExceeded, "thread threshold exceeded")
    if status == 429 or _HOURLY_TEXT.search(joined):
        return Failure.RATE_LIMIT, make(RateLimited, "request threshold exceeded")
    if status == 401:
        return Failure.FINAL, make(AuthenticationError, "credentials refused")
    if status == 403:
        return Failure.FINAL, make(PermissionDenied, "permission denied")
    if status == 404:
        if _QUERY_TOO_LONG_BODY.search(body):
            return Failure.FINAL, make(NotFound, QUERY_TOO_LONG)
        return Failure.FINAL, make(NotFound, "no such route")
    if status in (502, 503, 504):
        return Failure.UNAVAILABLE, make(
            ServerError, "server unavailable", None if write else False
        )
    if 400 <= status < 500:
        return Failure.FINAL, make(InvalidRequest, "request refused")
    if status >= 500 and _UNEXPECTED_TEXT.search(joined):
        return Failure.UNAVAILABLE, make(
            ServerError, "unexpected server failure", None if write else False
        )
    # Only errors[] text makes a 500 a refused request; the ASP.NET {"Message": "An error has
    # occurred."} is an unhandled server error (CONTRACTS §3: "500s with no errors[] text").
    if error_texts and status == 500:
        if _AUTH_TEXT.search(joined):
            return Failure.FINAL, make(AuthenticationError, "credentials refused")
        if _PERMISSION_TEXT.search(joined) and not _NO_MATCH_TEXT.search(joined):
            return Failure.FINAL, make(PermissionDenied, "permission denied")
        return Failure.FINAL, make(InvalidRequest, "request refused")
    if 300 <= status < 400:
        return Failure.FINAL, make(ServerError, "unexpected redirect (redirects are not followed)")
    # An unhandled failure like the one above (a read may be resent; a write may be applied).
    return Failure.UNAVAILABLE, make(
        ServerError, "server error without an error text", None if write else False
    )


def is_query_too_long(error: AutotaskError) -> bool:
    """True for the server's refusal of an over-long query string (IIS 404.15)."""
    return isinstance(error, NotFound) and error.message == QUERY_TOO_LONG


def read_answer(
    status: int,
    body: bytes,
    retry_after: str | None,
    operation: Operation,
    entity: str | None,
) -> tuple[Failure | None, AutotaskError | None, Any]:
    """What one HTTP answer means: ``(None, None, decoded JSON)`` for a readable 2xx, else
    ``(failure, error, None)`` (see :func:`error_for_answer`, which takes the same arguments).

    A 2xx whose body is cut off or garbled is a ``TransportError`` with no answer: the request
    arrived, so for a write the outcome is unknown (``applied=None``).
    """
    if 200 <= status < 300:
        try:
            return None, None, parse_json(body)
        except ValueError as exc:
            unreadable = _unusable(
                f"unreadable answer ({len(body)} bytes): {exc}", status, operation, entity
            )
            unreadable.__cause__ = exc
            return Failure.NO_ANSWER, unreadable, None
    failure, error = error_for_answer(status, body, retry_after, operation, entity)
    return failure, error, None


def oversized_answer(
    status: int, limit: int, operation: Operation, entity: str | None
) -> tuple[Failure, AutotaskError]:
    """A 2xx answer longer than ``limit`` bytes (``RequestConfig.max_answer_bytes``), read no
    further: a ``TransportError`` that is not retried (the same request would bring the same
    answer), and for a write an unknown outcome (it arrived, but its answer was not read)."""
    message = f"answer larger than max_answer_bytes ({limit:,} bytes); not read further"
    return Failure.FINAL, _unusable(message, status, operation, entity)


def _unusable(
    message: str, status: int, operation: Operation, entity: str | None
) -> TransportError:
    # A 2xx came back, so a write arrived: without its answer nobody can say whether it was
    # applied (the transport raises OutcomeUnknown for applied=None).
    return TransportError(
        message,
        status=status,
        operation=operation.value,
        entity=entity,
        applied=None if operation.is_write else False,
    )
