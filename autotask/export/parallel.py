"""Parallel queries: one query split into id ranges, paged concurrently, every record once.

How the work is split (issue 13):

1. The query's first page and a ``count`` go out together. The first page gives the lowest ids
   and how densely ids are spread; the count says how many records match.
2. The rest is cut into ``partitions`` id ranges holding whole pages each (by that density), so
   no range ends with a part-filled page that costs an extra request. The first range goes on
   following the first page's links; the others start their own queries bounded by
   ``id gt``/``id lt``, a fraction of a page's time apart (pages that arrive together are
   answered and parsed one after another, so lockstep costs every range a wait each round).
3. A worker that runs out of work re-splits the range with the most work left, once a ``count``
   of that range confirms at least two pages remain (a range is counted at most once).

Every request goes through the transport, so the client's thread gate keeps at most
``RequestConfig.concurrency`` of them in flight per entity however many partitions run. Ranges
never overlap and a range hands on only the ids below its end, so each record is delivered
exactly once; pages pass through a bounded queue, so memory holds a few pages at most.

Each :class:`Page` carries the work still left after it (``spans``): an exporter that commits
pages in the order they come can save that as its resume point (see ``run.py``). The queue is
filled under the engine's lock, so pages arrive in the order their spans were taken.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from autotask.core.query import Condition, FilterLike, Group, split_in_lists
from autotask.errors import InvalidRequest
from autotask.retry import Operation

if TYPE_CHECKING:
    from autotask.core.entities import Entity

__all__ = ["Page", "Span", "check_partitions", "iter_parallel_pages", "query_parallel"]

Record = dict[str, Any]
Terms = tuple[Condition | Group, ...]

_POLL = 0.05  # seconds between checks of the stop flag while waiting


@dataclass(frozen=True, slots=True)
class Span:
    """Ids above ``after`` and below ``before`` (None: no bound on that side)."""

    after: int | None = None
    before: int | None = None

    def terms(self) -> tuple[Condition, ...]:
        """The ``id gt``/``id lt`` conditions that bound a query to this span."""
        bounds = []
        if self.after is not None:
            bounds.append(Condition("id", "gt", self.after))
        if self.before is not None:
            bounds.append(Condition("id", "lt", self.before))
        return tuple(bounds)

    def to_json(self) -> list[int | None]:
        """``[after, before]`` for a checkpoint file."""
        return [self.after, self.before]

    @classmethod
    def from_json(cls, raw: Any) -> Span:
        """The span written by :meth:`to_json`.

        Raises:
            ValueError: not a pair of ints or nulls.
        """
        after, before = raw
        for value in (after, before):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError(f"not a span: {raw!r}")
        return cls(after, before)


@dataclass(frozen=True, slots=True)
class Page:
    """Records handed on by one range, and the work left once they are committed.

    Attributes:
        records: the page's records (possibly none: a range just finished).
        spans: every range still to do after this page, as from :meth:`Span.to_json`.
        total: what the opening ``count`` said (None when resuming).
        requests: requests the query has sent so far (pages and counts).
    """

    records: list[Record]
    spans: tuple[Span, ...]
    total: int | None
    requests: int


class _Range:
    __slots__ = (
        "after",
        "before",
        "delivered",
        "done",
        "first_after",
        "not_before",
        "running",
        "settled",
    )

    def __init__(self, after: int | None, before: int | None) -> None:
        self.after = after
        self.before = before
        self.first_after = after
        self.delivered = 0  # records handed on
        self.running = False
        self.done = False
        self.settled = False  # counted once and found too small to split: never counted again
        self.not_before = 0.0  # monotonic time before which it is not started

    def span(self) -> Span:
        return Span(self.after, self.before)

    def density(self, default: Fraction) -> Fraction:
        """Ids per record seen in this range so far (``default`` before two records)."""
        if self.delivered < 2 or self.after is None or self.first_after is None:
            return default
        return Fraction(self.after - self.first_after, self.delivered)


_END = object()


class _Engine:
    """The workers, the ranges and the queue of one parallel query."""

    def __init__(
        self,
        entity: Entity,
        terms: Terms,
        fields: Sequence[str] | None,
        *,
        size: int,
        partitions: int,
        spans: Sequence[Span] | None,
    ) -> None:
        self.entity = entity
        self.terms = terms
        self.fields = fields
        self.size = size
        self.partitions = partitions
        self.out: queue.Queue[Any] = queue.Queue(maxsize=max(2, partitions))
        self.stop = threading.Event()
        self.lock = threading.Condition()
        self.requests = 0
        self.total: int | None = None
        self.density = Fraction(1)
        self.delivered = 0
        if spans is None:
            self.planned = False
            self.ranges = [_Range(None, None)]
        else:
            self.planned = True
            self.ranges = [_Range(s.after, s.before) for s in spans]
        self._counted = threading.Event()
        self._count_error: BaseException | None = None
        self.threads: list[threading.Thread] = []

    # -- life ------------------------------------------------------------------------------

    def start(self) -> None:
        if not self.planned:
            counter = threading.Thread(target=self._count_all, name="export-count", daemon=True)
            self.threads.append(counter)
        for n in range(self.partitions):
            self.threads.append(
                threading.Thread(target=self._work, name=f"export-partition-{n}", daemon=True)
            )
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        with self.lock:
            self.lock.notify_all()
        for thread in self.threads:
            thread.join()

    def _put(self, item: Any) -> None:
        """Hand ``item`` to the consumer, waiting while the queue is full (unless stopped)."""
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=_POLL)
                return
            except queue.Full:
                continue

    def _fail(self, exc: BaseException) -> None:
        with self.lock:
            if not self.stop.is_set():
                self._put(exc)
            self.stop.set()
            self.lock.notify_all()

    # -- counting --------------------------------------------------------------------------

    def _count(self, span: Span) -> int:
        count = self.entity.count([*self.terms, *span.terms()])
        with self.lock:
            self.requests += 1
        return count

    def _count_all(self) -> None:
        try:
            total = self._count(Span())
            with self.lock:
                self.total = total
        except BaseException as exc:
            self._count_error = exc
        finally:
            self._counted.set()

    # -- workers ---------------------------------------------------------------------------

    def _work(self) -> None:
        try:
            while not self.stop.is_set():
                chosen = self._next_range()
                if chosen is None:
                    return
                self._run(chosen)
        except BaseException as exc:
            self._fail(exc)

    def _next_range(self) -> _Range | None:
        """A range to page: one not yet started, else a re-split; None when all is done."""
        while not self.stop.is_set():
            with self.lock:
                now = time.monotonic()
                waits = []
                for candidate in self.ranges:
                    if not candidate.running and not candidate.done:
                        if candidate.not_before > now:
                            waits.append(candidate.not_before - now)
                            continue
                        candidate.running = True
                        return candidate
                if waits:
                    self.lock.wait(min(*waits, _POLL))
                    continue
                if not self.ranges:
                    return None
                victim = self._victim() if self.planned else None
                if victim is None:
                    self.lock.wait(_POLL)
                    continue
                victim.settled = True  # counted at most once
                counted_from = victim.span()
                delivered_then = victim.delivered
            left = self._count(counted_from)
            with self.lock:
                thief = self._split(victim, left - (victim.delivered - delivered_then))
                if thief is not None:
                    return thief
        return None

    def _estimate(self, r: _Range) -> float:
        """Records believed left in ``r`` (not yet handed on)."""
        if r.before is not None:
            if r.after is None:
                return 0.0  # not started: nothing known about it
            return float((r.before - r.after - 1) / r.density(self.density))
        others = sum(self._estimate(o) for o in self.ranges if o is not r and o.before is not None)
        return max(0.0, (self.total or 0) - self.delivered - others)

    def _victim(self) -> _Range | None:
        candidates = [
            (self._estimate(r), n)
            for n, r in enumerate(self.ranges)
            if r.running and not r.done and not r.settled and r.after is not None
        ]
        if not candidates:
            return None
        estimate, n = max(candidates)
        return self.ranges[n] if estimate >= 2 * self.size else None

    def _split(self, victim: _Range, left: int) -> _Range | None:
        """Give the upper part of ``victim`` (``left`` records remain in it) to a new range."""
        if victim.done or victim.after is None or left < 2 * self.size:
            return None
        pages = -(-left // self.size)
        keep = (pages - pages // 2) * self.size  # the victim keeps whole pages
        start = victim.after + int(victim.density(self.density) * keep) + 1
        if start <= victim.after + 1 or (victim.before is not None and start >= victim.before):
            return None
        thief = _Range(start - 1, victim.before)
        thief.running = True
        victim.before = start
        self.ranges.append(thief)
        return thief

    def _plan(self, first: _Range, records: list[Record], page_seconds: float) -> None:
        """Cut the rest of the query into ranges of whole pages (see the module docstring)."""
        self._counted.wait()
        if self._count_error is not None:
            raise self._count_error
        with self.lock:
            self.planned = True
            total = self.total or 0
            if len(records) < self.size or len(records) < 2:
                return
            low, high = int(records[0]["id"]), int(records[-1]["id"])
            self.density = Fraction(high - low, len(records) - 1) or Fraction(1)
            pages = -(-(total - len(records)) // self.size)
            shares = min(self.partitions, pages)
            if shares < 2:
                return
            bounds = []
            offset = 0
            for n in range(shares - 1):
                offset += (pages // shares + (1 if n < pages % shares else 0)) * self.size
                bounds.append(high + int(self.density * offset) + 1)
            first.before = bounds[0]
            # Start the ranges a fraction of a page's time apart: pages that arrive together
            # are answered and parsed one after another (on the server and here), which costs
            # every range that wait in every round; apart, they keep out of each other's way.
            step = page_seconds / shares
            now = time.monotonic()
            for n, (start, end) in enumerate(zip(bounds, [*bounds[1:], None], strict=True), 1):
                new = _Range(start - 1, end)
                new.not_before = now + n * step
                self.ranges.append(new)
            self.lock.notify_all()

    def _run(self, r: _Range) -> None:
        # The range's bounds are terms of the query, so a continuation by id stays inside it.
        pages = self.entity._pages((*self.terms, *r.span().terms()), self.fields, self.size)
        asked = time.monotonic()
        try:
            for records in pages:
                if self.stop.is_set():
                    return
                if not self.planned:
                    self._plan(r, records, time.monotonic() - asked)
                with self.lock:
                    self.requests += 1
                    if self._deliver(r, records):
                        return
        finally:
            close = getattr(pages, "close", None)  # a generator: stop its paging now
            if close is not None:
                close()
        with self.lock:
            self._finish(r, [])

    def _deliver(self, r: _Range, records: list[Record]) -> bool:
        """Hand on the records below the range's end (under the lock); True when it is done."""
        end = r.before
        kept = records if end is None else [rec for rec in records if int(rec["id"]) < end]
        if kept:
            if r.first_after is None:
                r.first_after = int(kept[0]["id"]) - 1
            r.after = int(kept[-1]["id"])
            r.delivered += len(kept)
            self.delivered += len(kept)
        # Past the end, or the next id would be: the rest belongs to the next range.
        if len(kept) < len(records) or (
            end is not None and r.after is not None and r.after + 1 >= end
        ):
            self._finish(r, kept)
            return True
        if kept:
            self._put(self._page(kept))
        return False

    def _finish(self, r: _Range, records: list[Record]) -> None:
        """Retire ``r`` (under the lock) and hand on its last records with the work left."""
        r.done = True
        self.ranges.remove(r)
        self._put(self._page(records))
        if not self.ranges:
            self._put(_END)
        self.lock.notify_all()

    def _page(self, records: list[Record]) -> Page:
        return Page(records, tuple(x.span() for x in self.ranges), self.total, self.requests)


def check_partitions(partitions: object) -> None:
    """Raise ``InvalidRequest`` unless ``partitions`` is a whole number >= 1."""
    if not isinstance(partitions, int) or isinstance(partitions, bool) or partitions < 1:
        raise InvalidRequest(f"partitions must be a whole number >= 1, not {partitions!r}")


def _checked_terms(entity: Entity, filter: FilterLike | None) -> Terms:
    terms = entity._terms(filter)
    if entity.routing.list_only:
        raise InvalidRequest(
            f"{entity.routing.base_path} is listed with GET and cannot be split by id; use query()"
        )
    if split_in_lists(terms) is not None:
        raise InvalidRequest(
            "query_parallel() cannot split an in list over MAX_OR_CONDITIONS values or an "
            "empty in list; use query()"
        )
    return terms


def iter_parallel_pages(
    entity: Entity,
    filter: FilterLike | None = None,
    *,
    partitions: int = 3,
    fields: Sequence[str] | None = None,
    page_size: int | None = None,
    spans: Sequence[Span] | None = None,
) -> Iterator[Page]:
    """Pages of ``filter``'s records from ``partitions`` concurrent id ranges (unordered).

    Nothing is sent until the first page is asked for. Closing the iterator (or leaving a
    ``for`` loop early) stops the workers; a worker's error is raised here.

    Args:
        entity: the entity to query.
        filter: as for :meth:`Entity.query`.
        partitions: id ranges paged at once (the thread gate still bounds requests in flight).
        fields: as for :meth:`Entity.query`.
        page_size: as for :meth:`Entity.query`.
        spans: resume with these ranges (from a checkpoint) instead of planning new ones.

    Raises:
        InvalidRequest: a bad filter or argument, or a query that cannot be split by id.
    """
    with entity._checking(Operation.QUERY):
        check_partitions(partitions)
        terms = _checked_terms(entity, filter)
        size = entity._page_size(page_size, None)
    return _pages(_Engine(entity, terms, fields, size=size, partitions=partitions, spans=spans))


def _pages(engine: _Engine) -> Iterator[Page]:
    if not engine.ranges:
        return
    engine.start()
    try:
        while True:
            item = engine.out.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        engine.close()


def query_parallel(
    entity: Entity,
    filter: FilterLike | None = None,
    partitions: int = 3,
    fields: Sequence[str] | None = None,
    page_size: int | None = None,
) -> Iterator[Record]:
    """Every record of ``filter`` once, from concurrent id ranges, in no particular order.

    See :meth:`autotask.core.entities.Entity.query_parallel`.
    """
    pages = iter_parallel_pages(
        entity, filter, partitions=partitions, fields=fields, page_size=page_size
    )
    return _records(pages)


def _records(pages: Iterator[Page]) -> Iterator[Record]:
    try:
        for page in pages:
            yield from page.records
    finally:
        close = getattr(pages, "close", None)  # stop the workers now, not when collected
        if close is not None:
            close()
