"""The batch engine: one operation per item, as fast as the transport underneath allows.

Autotask REST has no batch endpoint (fact sheet §8), so a batch is many single-record requests
driven by a few worker threads. The engine is generic: it runs the per-item callables of a
:class:`Job` (a create, update, delete, upload, and a lookup for dedupe) and imports no entity,
transport or CLI code (ARCHITECTURE "The batch engine is generic"; a meta test checks it). The
limits come from the transport the callables send through: its thread gate keeps 3 requests in
flight per entity however many workers wait on it, so the engine adds no limiter of its own.

What :func:`run` guarantees (CONTRACTS §8):

- any iterable, generators and file streams included, with at most ``batch_size`` items held at
  a time; one :class:`ItemResult` per item, in input order;
- a failure of one item is a result, never an exception (only bad arguments, a bad journal, an
  error of the caller's own code, or Ctrl-C raise);
- ``progress`` is called from the calling thread with a :class:`Progress` after every item;
- ``on_result`` (optional) is called from the calling thread with each result, in input order,
  as soon as it and every result before it are in; the results are then not held (the run
  returns an empty list), so a batch of any size runs in flat memory;
- ``fail_fast`` stops taking items at the first item that is not ok and returns what finished;
- an error about the job rather than the item (:func:`stops_the_run`: credentials refused, no
  permission for the entity, the API unreachable after the transport's retries, the hourly
  budget used up) stops taking items the same way, whatever ``fail_fast`` says: every later
  item would fail alike, and sending them would only spend the tenant's hourly budget and the
  run's time. What finished is returned (resume with the journal once the cause is fixed);
- Ctrl-C (``KeyboardInterrupt``) stops taking items, lets the ones in flight finish (a second
  Ctrl-C stops waiting: they stay in doubt), flushes the journal and re-raises;
- with a ``journal``, a ``sending`` line is on disk before each write, so a run killed at any
  moment can be resumed with the same journal and input: finished items are ``skipped``, items
  that certainly failed are sent again, and an item in doubt is looked up when the job has a
  lookup (taken when found, sent when not) and otherwise reported ``unknown``, never resent.
  An ``OutcomeUnknown`` during a run is handled the same way, after ``settle`` seconds.

Example (the entities bind it for you: ``client.tickets.batch_create(items)``)::

    job = Job("create", "Tickets", "created", send=client.tickets.create)
    for result in run(items, job, batch_size=200, concurrency=3):
        if not result:
            print(result.index, result.status, result.error)
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from autotask._log import get_logger
from autotask.batch.journal import Journal, item_key
from autotask.errors import (
    AuthenticationError,
    AutotaskError,
    ConfigError,
    InvalidRequest,
    OutcomeUnknown,
    PermissionDenied,
    RateLimited,
    ThreadLimitExceeded,
    TransportError,
)

__all__ = ["STATUSES", "ItemResult", "Job", "Progress", "run", "stops_the_run"]

T = TypeVar("T")
_log = get_logger(__name__)

#: Every ``ItemResult.status``. The first five (and ``valid``, ``skipped``) are ok.
STATUSES = (
    "created",
    "updated",
    "replaced",
    "deleted",
    "uploaded",
    "valid",
    "invalid",
    "failed",
    "skipped",
    "unknown",
)
_NOT_OK = frozenset({"invalid", "failed", "unknown"})
_SENDING = "sending"
#: Lookups after an ``OutcomeUnknown`` that found nothing and led to a resend, per item.
MAX_RESENDS = 3


def stops_the_run(error: BaseException | None) -> bool:
    """True for an error about the job, not the item: every later item would fail alike.

    Credentials refused, the API user lacking the permission, a client set up wrongly, the
    hourly budget used up after its bounded wait, or the API unreachable after the transport's
    own retries (nothing was sent: refused connection, DNS, an untrusted certificate). A
    thread-limit rejection, a validation refusal or an unknown outcome is about one item.
    """
    if isinstance(error, (AuthenticationError, PermissionDenied, ConfigError)):
        return True
    if isinstance(error, RateLimited):
        return not isinstance(error, ThreadLimitExceeded)
    return isinstance(error, TransportError) and error.applied is False and error.status is None


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What happened to one item of a batch (CONTRACTS §8).

    ``bool(result)`` is ``result.ok``, and a result adds as 1 when ok and 0 when not, so
    ``sum(results)`` counts the successes.

    Attributes:
        index: the item's position in the input (0-based).
        ok: the item is done: written, found written, skipped as done earlier, or valid.
        item_id: the record's id (new, updated, deleted, found or journaled), or None.
        status: one of :data:`STATUSES`; ``unknown`` means the write may or may not have been
            applied (reconcile by looking the record up).
        error: the error for ``invalid``, ``failed`` and ``unknown`` (an ``OutcomeUnknown``
            for ``unknown``), else None.
        attempts: requests sent for this item (retries and dedupe lookups included; 0 when
            refused before sending or skipped).
    """

    index: int
    ok: bool
    item_id: int | None
    status: str
    error: AutotaskError | None = None
    attempts: int = 0

    def __bool__(self) -> bool:
        return self.ok

    # A result counts as 1 when ok, so sum(results) is the number of successes.
    def __int__(self) -> int:
        return int(self.ok)

    def __add__(self, other: object) -> Any:
        return int(self.ok) + other if isinstance(other, (int, ItemResult)) else NotImplemented

    __radd__ = __add__


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a batch is, handed to the ``progress`` callback after every item.

    Attributes:
        done: items finished so far.
        total: items in the input when it has a length, else None (a generator).
        ok: finished items that are ok (``skipped`` and ``valid`` included).
        failed: items ``failed`` or ``invalid``.
        unknown: items ``unknown``.
        elapsed: seconds since the run started.
    """

    done: int
    total: int | None
    ok: int
    failed: int
    unknown: int
    elapsed: float


@dataclass(frozen=True)
class Job(Generic[T]):
    """What a batch does to each item: the callables the engine runs.

    Every callable raises an :class:`~autotask.errors.AutotaskError` for a failure of the item
    (with an exact ``applied``: ``OutcomeUnknown`` when the write may have been applied); any
    other exception is a bug in the caller's code and stops the run.

    Attributes:
        operation: the operation's name (``"create"``), written in the journal's header.
        target: what it acts on (``"Tickets"``), written in the journal's header.
        status: a success's status (``"created"``, ``"uploaded"``, ...).
        send: does the write for one item and returns the record's id.
        lookup: finds the record an item's write may have made and returns its id (None when
            there is none); without it, an item in doubt is ``unknown``.
        check: for ``dry_run``: raises ``InvalidRequest`` (reasons in ``errors``) when the item
            is invalid, else returns its id if it has one.
        tries: the calling thread's running count of requests sent (the engine takes the
            difference around each item); without it, a success counts as one request.
        key: the item's journal key (default: SHA-256 of its canonical JSON).
    """

    operation: str
    target: str
    status: str
    send: Callable[[T], int | None]
    lookup: Callable[[T], int | None] | None = None
    check: Callable[[T], int | None] | None = None
    tries: Callable[[], int] | None = None
    key: Callable[[T], str] = item_key


def run(
    items: Iterable[T],
    job: Job[T],
    *,
    batch_size: int = 200,
    concurrency: int = 3,
    progress: Callable[[Progress], object] | None = None,
    journal: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    fail_fast: bool = False,
    settle: float = 2.0,
    on_result: Callable[[ItemResult], object] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[ItemResult]:
    """Run ``job`` over ``items``; one :class:`ItemResult` per item, in input order.

    The results are returned as a list, or, with ``on_result``, handed over one at a time
    (and the list returned is empty).

    Args:
        items: any iterable; read lazily, at most ``batch_size`` items held at a time.
        job: the per-item callables.
        batch_size: the window: items taken but not yet returned (any size >= 1).
        concurrency: worker threads. The transport's thread gate bounds requests in flight
            per entity, so more workers only wait (callers pass ``RequestConfig.concurrency``).
        progress: called from this thread after every item with a :class:`Progress`.
        journal: a file to journal to, and to resume from when it exists, or None.
        dry_run: run ``job.check`` instead of writing: ``valid`` / ``invalid`` results, no
            journal.
        fail_fast: stop taking items at the first item that is not ok; the results are then
            the finished items only, in input order.
        settle: seconds to wait before looking up an item in doubt (the server may still be
            applying its write); once per resumed run, and before each lookup during a run.
        on_result: called from this thread with each result in input order, as soon as it
            and every earlier one are finished (before ``progress`` is told); the results are
            then not kept, and the list returned is empty. With ``fail_fast``, the finished
            items after a gap come last, in input order. After Ctrl-C, the results handed
            over are exactly the items finished in order before the stop.
        sleep: how to wait (for tests).
        clock: monotonic seconds, for ``Progress.elapsed`` (for tests).

    Raises:
        ConfigError: bad arguments, or a bad journal: another operation or target, a damaged
            line, an item that differs from the journaled one at its index (checked as the
            input is read; items before it may have been sent, each at most once).
        KeyboardInterrupt: re-raised after the items in flight finished and the journal was
            flushed.
    """
    for name, value in (("batch_size", batch_size), ("concurrency", concurrency)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be an integer >= 1, not {value!r}")
    if dry_run and job.check is None:
        raise ConfigError(f"{job.operation} {job.target} has no dry-run check")
    if settle < 0:
        raise ConfigError(f"settle must be >= 0 seconds, not {settle!r}")
    options = _Options(
        batch_size, concurrency, progress, dry_run, fail_fast, settle, sleep, clock, on_result
    )
    opened = None
    if journal is not None and not dry_run:
        opened = Journal.open(journal, job.operation, job.target, lookup=job.lookup is not None)
    try:
        return _Batch(job, opened, options).run(items)
    finally:
        if opened is not None:
            opened.close()


@dataclass(frozen=True)
class _Options:
    batch_size: int
    concurrency: int
    progress: Callable[[Progress], object] | None
    dry_run: bool
    fail_fast: bool
    settle: float
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    on_result: Callable[[ItemResult], object] | None = None


class _Batch(Generic[T]):
    """One run. The calling thread takes items, collects results and reports progress; the
    workers run the job's callables and write the journal's lines."""

    def __init__(self, job: Job[T], journal: Journal | None, options: _Options) -> None:
        self.job = job
        self.journal = journal
        self.options = options
        self.stopping = threading.Event()  # set: take no item, start no task
        self.stop_logged = False
        self.tasks: queue.SimpleQueue[tuple[int, T, str, bool] | None] = queue.SimpleQueue()
        self.done: queue.SimpleQueue[tuple[int, ItemResult | None, BaseException | None]] = (
            queue.SimpleQueue()
        )
        self.in_flight: dict[int, str] = {}  # index -> journal key, of items being processed
        self.resume_settle = threading.Lock()
        self.resume_settled = False
        # The calling thread's own state.
        self.emitted: list[ItemResult] = []  # results 0..n-1, in order (without on_result)
        self.in_order = 0  # results 0..n-1 are emitted
        self.finished: dict[int, ItemResult] = {}  # results waiting for an earlier one
        self.counts = {"ok": 0, "failed": 0, "unknown": 0}
        self.total: int | None = None
        self.started = 0.0

    # -- the calling thread ----------------------------------------------------------------

    def run(self, items: Iterable[T]) -> list[ItemResult]:
        options = self.options
        self.total = len(items) if isinstance(items, Sized) else None
        self.started = options.clock()
        source = enumerate(items)
        outstanding = 0  # tasks handed to the workers and not yet reported back
        taken = 0
        exhausted = False
        workers = [
            threading.Thread(target=self._work, name=f"autotask-batch-{n}", daemon=True)
            for n in range(options.concurrency)
        ]
        for worker in workers:
            worker.start()
        try:
            while True:
                while (
                    not exhausted
                    and not self.stopping.is_set()
                    and taken - self.in_order < options.batch_size
                ):
                    try:
                        index, item = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    taken += 1
                    immediate = self._dispatch(index, item)
                    if immediate is None:
                        outstanding += 1
                    else:
                        self._complete(immediate)
                if outstanding == 0:
                    if exhausted or self.stopping.is_set():
                        break
                    continue
                _, result, exc = self.done.get()
                outstanding -= 1
                if exc is not None:
                    raise exc
                if result is not None:
                    self._complete(result)
        except BaseException:
            self.stopping.set()
            self._drain()
            raise
        finally:
            for _ in workers:
                self.tasks.put(None)
        rest = [self.finished.pop(i) for i in sorted(self.finished)]
        if options.on_result is None:
            return self.emitted + rest
        for result in rest:
            options.on_result(result)
        return []

    def _stops(self, result: ItemResult) -> bool:
        """Whether ``result`` ends the taking of items (``fail_fast``, or a job-level error)."""
        return not result.ok and (self.options.fail_fast or stops_the_run(result.error))

    def _complete(self, result: ItemResult) -> None:
        """Take in one result: order it, count it, report progress."""
        self.finished[result.index] = result
        kind = "ok" if result.ok else "unknown" if result.status == "unknown" else "failed"
        self.counts[kind] += 1
        if self._stops(result):
            if not self.stop_logged and not self.options.fail_fast:
                self.stop_logged = True
                _log.warning(
                    "stopping the batch at item %d: %s (every later item would fail alike; "
                    "resume with the same journal once that is fixed)",
                    result.index,
                    result.error,
                )
            self.stopping.set()
        finished, on_result = self.finished, self.options.on_result
        while self.in_order in finished:
            ready = finished.pop(self.in_order)
            self.in_order += 1
            if on_result is None:
                self.emitted.append(ready)
            else:
                on_result(ready)
        if self.options.progress is not None:
            c = self.counts
            elapsed = self.options.clock() - self.started
            done = self.in_order + len(finished)
            self.options.progress(
                Progress(done, self.total, c["ok"], c["failed"], c["unknown"], elapsed)
            )

    def _dispatch(self, index: int, item: T) -> ItemResult | None:
        """Hand ``item`` to the workers (None), or return its result when no request is
        needed: done in an earlier run, in doubt without a lookup, or unkeyable."""
        key = ""
        in_doubt = False
        if self.journal is not None:
            try:
                key = self.job.key(item)
            except (TypeError, ValueError) as exc:
                error = InvalidRequest(f"item cannot be journaled: {exc}", entity=self.job.target)
                return ItemResult(index, False, None, "failed", error)
            entry = self.journal.check(index, key)
            if entry is not None and entry.state in STATUSES and entry.state not in _NOT_OK:
                return ItemResult(index, True, entry.item_id, "skipped")
            in_doubt = entry is not None and entry.state in (_SENDING, "unknown")
            if entry is not None and in_doubt and self.job.lookup is None:
                unknown = OutcomeUnknown(
                    f"in doubt since an earlier run (journal line {entry.line}): the write may "
                    "have been applied, and it is not resent without a dedupe lookup",
                    operation=self.job.operation.upper(),
                    entity=self.job.target,
                )
                return ItemResult(index, False, None, "unknown", unknown)
        self.tasks.put((index, item, key, in_doubt))
        return None

    def _drain(self) -> None:
        """Wait until no worker holds an item (``stopping`` is set: none takes another, and
        the tasks still queued are dropped); a second Ctrl-C stops waiting, and the items
        then in flight are journaled ``unknown``."""
        try:
            while not self.tasks.empty() or self.in_flight:
                with contextlib.suppress(queue.Empty):
                    self.done.get(timeout=0.02)
        except KeyboardInterrupt:
            if self.journal is not None:
                for index, key in list(self.in_flight.items()):
                    self.journal.finished(index, key, "unknown", error="interrupted in flight")

    # -- workers ---------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                return
            index, item, key, in_doubt = task
            self.in_flight[index] = key  # before the check: _drain relies on the order
            if self.stopping.is_set():
                del self.in_flight[index]
                self.done.put((index, None, None))
                continue
            try:
                if self.options.dry_run:
                    result = self._check(index, item)
                else:
                    result = self._item(index, item, key, in_doubt)
            except BaseException as exc:  # the caller's own code failed: stop the run
                self.done.put((index, None, exc))
            else:
                if self._stops(result):
                    # Here, at once: the calling thread may be busy reading the input, and
                    # every task it hands over meanwhile would be sent (and fail alike).
                    self.stopping.set()
                self.done.put((index, result, None))
            finally:
                self.in_flight.pop(index, None)

    def _check(self, index: int, item: T) -> ItemResult:
        assert self.job.check is not None
        before = self._tries()
        try:
            item_id = self.job.check(item)
        except InvalidRequest as exc:
            return ItemResult(index, False, None, "invalid", exc, self._tries() - before)
        except AutotaskError as exc:
            return ItemResult(index, False, None, "failed", exc, self._tries() - before)
        return ItemResult(index, True, item_id, "valid", None, self._tries() - before)

    def _item(self, index: int, item: T, key: str, in_doubt: bool) -> ItemResult:
        job = self.job
        before = self._tries()
        counted = 0  # requests, when the job cannot count them
        error: AutotaskError | None = None
        if in_doubt:  # an earlier run may have applied it (only here with a lookup)
            with self.resume_settle:
                if not self.resume_settled:
                    self.options.sleep(self.options.settle)
                    self.resume_settled = True
            found, error = self._lookup(item)
            counted += 1
            if found is not None:
                return self._finish(index, key, job.status, found, self._used(before, counted))
            if error is not None:
                return self._unknown(index, key, error, self._used(before, counted))
        for _ in range(MAX_RESENDS + 1):
            if self.journal is not None:
                self.journal.sending(index, key)
            try:
                item_id = job.send(item)
            except OutcomeUnknown as exc:
                counted += exc.attempts
                error = exc
                if job.lookup is None:
                    break
                self.options.sleep(self.options.settle)
                found, lookup_error = self._lookup(item)
                counted += 1
                if found is not None:
                    return self._finish(index, key, job.status, found, self._used(before, counted))
                if lookup_error is not None:
                    error = lookup_error
                    break
                continue  # not found after settling: send again
            except AutotaskError as exc:
                attempts = self._used(before, counted + exc.attempts)
                if self.journal is not None:
                    self.journal.finished(index, key, "failed", attempts=attempts, error=str(exc))
                return ItemResult(index, False, None, "failed", exc, attempts)
            return self._finish(index, key, job.status, item_id, self._used(before, counted + 1))
        assert error is not None
        return self._unknown(index, key, error, self._used(before, counted))

    def _lookup(self, item: T) -> tuple[int | None, AutotaskError | None]:
        """The id a lookup finds (or None), or the error that kept it from looking."""
        assert self.job.lookup is not None
        try:
            return self.job.lookup(item), None
        except AutotaskError as exc:
            unknown = OutcomeUnknown(
                f"the write may have been applied, and the dedupe lookup failed: {exc}",
                operation=self.job.operation.upper(),
                entity=self.job.target,
                attempts=exc.attempts,
            )
            unknown.__cause__ = exc
            return None, unknown

    def _finish(
        self, index: int, key: str, status: str, item_id: int | None, attempts: int
    ) -> ItemResult:
        if self.journal is not None:
            self.journal.finished(index, key, status, item_id=item_id, attempts=attempts)
        return ItemResult(index, True, item_id, status, None, attempts)

    def _unknown(self, index: int, key: str, error: AutotaskError, attempts: int) -> ItemResult:
        if self.journal is not None:
            self.journal.finished(index, key, "unknown", attempts=attempts, error=str(error))
        return ItemResult(index, False, None, "unknown", error, attempts)

    def _tries(self) -> int:
        return self.job.tries() if self.job.tries is not None else 0

    def _used(self, before: int, counted: int) -> int:
        """Requests sent for the item: exact when the job counts them, else our tally."""
        return self._tries() - before if self.job.tries is not None else counted
