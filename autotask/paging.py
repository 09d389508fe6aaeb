"""Lazy paging: follow ``nextPageUrl`` until the last page, never truncating silently.

After a POST query the next-page URL is POSTed again with the same body (a GET gives 405, and a
bodiless POST a 500 "Parameter name: filters": fact sheet §3.4, §11.4). The URL must stay on the
zone's origin (checked in the transport before credentials are attached). Pages are fetched
only as the caller iterates, so memory stays flat however many records match.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterable, Iterator
from typing import Any

from autotask._answers import parse_page
from autotask.errors import PaginationError
from autotask.transport import Request, Transport

__all__ = ["iter_pages", "iter_records", "merge_by_id"]


def iter_pages(transport: Transport, first: Request) -> Iterator[list[dict[str, Any]]]:
    """Yield each page's records, starting with ``first`` and following ``nextPageUrl``.

    Args:
        transport: sends each page's request (retries, limits and the origin check included).
        first: the first page's request; later pages repeat it with the link as the path.

    Raises:
        PaginationError: a next-page link repeats (the server would loop) or leaves the zone.
    """
    request = first
    seen: set[str] = set()
    while True:
        answer = transport.send(request)
        records, next_url = parse_page(answer, request.operation, request.entity)
        yield records
        if next_url is None:
            return
        if next_url in seen:
            raise PaginationError(
                f"the next-page link repeats after {len(seen)} pages; stopping instead of looping",
                operation=request.operation.value,
                entity=request.entity,
            )
        seen.add(next_url)
        # Same method, same body; only the URL changes (fact sheet §3.4).
        request = dataclasses.replace(first, path=next_url, params=None)


def iter_records(
    transport: Transport, first: Request, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """Yield records across pages, stopping after ``limit`` records (None: all of them).

    Args:
        transport: as for :func:`iter_pages`.
        first: as for :func:`iter_pages`.
        limit: the most records to yield; pages past it are never asked for.
    """
    if limit is not None and limit <= 0:
        return
    count = 0
    for records in iter_pages(transport, first):
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
