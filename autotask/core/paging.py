"""Lazy paging: follow ``nextPageUrl`` until the last page, never truncating silently.

After a POST query the next-page URL is POSTed again with the same body (a GET gives 405, and a
bodiless POST a 500 "Parameter name: filters": fact sheet §3.4, §11.4). The URL must stay on the
zone's origin (checked in the transport before credentials are attached). Pages are fetched
only as the caller iterates, so memory stays flat however many records match.

**Keyset continuation.** A live next-page link carries the whole query in its ``search``
parameter (§3.4), so a long filter (a 500-value ``in`` list) makes a link of several KB, which
an IIS front refuses with 404.15 (its default ``maxQueryString`` is 2,048). When following a
link fails that way, or the link's query string is longer than :data:`MAX_LINK_QUERY`, paging
continues with the original query AND ``id > {last id seen}``, same page size (records come in
id order; the keyset paging peers use, §3.4). Each record still comes exactly once.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from autotask._log import get_logger
from autotask.errors import NotFound, PaginationError
from autotask.wire._answers import is_query_too_long, parse_page
from autotask.wire.transport import Request, Transport

__all__ = ["MAX_LINK_QUERY", "Keyset", "iter_pages", "iter_records", "merge_by_id"]

#: The longest next-page link query string followed as is: IIS's default ``maxQueryString``.
MAX_LINK_QUERY = 2048

#: Builds the request for "the original query AND id > last_id" (same fields, same page size).
Keyset = Callable[[Any], Request]

_log = get_logger(__name__)


def iter_pages(
    transport: Transport,
    first: Request,
    keyset: Keyset | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Yield each page's records, starting with ``first`` and following ``nextPageUrl``.

    Args:
        transport: sends each page's request (retries, limits and the origin check included).
        first: the first page's request; later pages repeat it with the link as the path.
        keyset: builds the continuation by id (see the module docs), or None when the
            query cannot be continued so (a list-only route). A link whose query string is
            longer than :data:`MAX_LINK_QUERY` is not followed but continued by it.

    Raises:
        PaginationError: a next-page link repeats (the server would loop) or leaves the zone,
            or continuing by id makes no progress.
        NotFound: the server refused a link as too long and there is no keyset to continue by.
    """
    request = first
    seen: set[str] = set()
    last_id: Any = None
    resumed_from: Any = None  # the last id a keyset continuation started after
    while True:
        try:
            answer = transport.send(request)
        except NotFound as exc:
            if "://" not in request.path or not is_query_too_long(exc):
                raise  # only a link can be too long; anything else is the caller's error
            request = _resume(first, keyset, last_id, resumed_from, exc)
            resumed_from = last_id
            continue
        records, next_url = parse_page(answer, request.operation, request.entity)
        yield records
        if records:
            last_id = records[-1].get("id", last_id)
        if next_url is None:
            return
        if next_url in seen:
            raise PaginationError(
                f"the next-page link repeats after {len(seen)} pages; stopping instead of looping",
                operation=request.operation.value,
                entity=request.entity,
            )
        seen.add(next_url)
        # Measured without parsing: a hostile link may not parse (brackets that are no IPv6
        # address); the transport's origin check refuses it with a PaginationError.
        query_length = len(next_url.partition("?")[2].partition("#")[0])
        if keyset is not None and last_id is not None and query_length > MAX_LINK_QUERY:
            _log.info(
                "next-page link of %s has a %d-character query string (over %d): continuing "
                "with id > %s instead",
                request.entity,
                query_length,
                MAX_LINK_QUERY,
                last_id,
            )
            request = _resume(first, keyset, last_id, resumed_from, None)
            resumed_from = last_id
            continue
        # Same method, same body; only the URL changes (fact sheet §3.4).
        request = dataclasses.replace(first, path=next_url, params=None)


def _resume(
    first: Request,
    keyset: Keyset | None,
    last_id: Any,
    resumed_from: Any,
    refusal: NotFound | None,
) -> Request:
    """The keyset continuation after ``last_id``, or the error saying why there is none."""
    if keyset is None or last_id is None:
        assert refusal is not None  # a long link is only skipped when a keyset exists
        raise refusal
    if resumed_from is not None and last_id == resumed_from:
        raise PaginationError(
            f"continuing by id after {last_id!r} returned no further records but another link; "
            "stopping instead of looping",
            operation=first.operation.value,
            entity=first.entity,
        )
    if refusal is not None:
        _log.info(
            "the server refused the next-page link of %s (%s): continuing with id > %s",
            first.entity,
            refusal.message,
            last_id,
        )
    return keyset(last_id)


def iter_records(
    pages: Iterator[list[dict[str, Any]]], limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the records of ``pages`` (from :func:`iter_pages`), stopping after ``limit``
    records (None: all of them); pages past it are never asked for."""
    if limit is not None and limit <= 0:
        return
    count = 0
    for records in pages:
        for record in records:
            yield record
            count += 1
            if limit is not None and count >= limit:
                return


def _record_id(record: dict[str, Any]) -> Any:
    return record.get("id", 0)


def merge_by_id(streams: Iterable[Iterator[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Merge id-ordered record streams into one id-ordered stream without duplicates.

    Used when an oversized ``in`` list is split into several queries (CONTRACTS §2).
    """
    last: Any = None
    for record in heapq.merge(*streams, key=_record_id):
        record_id = record.get("id")
        if record_id is not None and record_id == last:
            continue
        last = record_id
        yield record
