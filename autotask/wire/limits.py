"""Client-side limits shared by all threads of one client: the thread gate, the hourly budget
and the attachment byte window.

**Thread gate.** Autotask rejects a 4th concurrent request per (integration, endpoint) with a
429 "thread threshold" (fact sheet §6, §11.1). :class:`ThreadGate` keeps at most ``N``
(default 3) requests in flight per bucket, the bucket being the entity acted on, named where
the request is built (``Request.entity``; the emulator's rule: CONTRACTS §5), so a thread pool of
any size never trips the limit. ``zoneInformation`` is exempt. A wait for a slot is bounded,
and one that could never end (a thread whose own open streams fill its bucket) fails at once.

**Hourly budget.** 10,000 requests per rolling hour per database, shared by every integration
of the tenant (fact sheet §6). :class:`HourlyBudget` counts our own requests, consults
ThresholdInformation sparingly (the call itself counts, fact sheet §11.8), slows down past 50%
and 75% of the threshold (where Autotask itself adds latency), and when the budget is gone
waits a bounded time for the window to free before the transport raises ``RateLimited``.

**Attachment window.** 10,000,000 decoded attachment bytes per rolling 5 minutes per tenant
(fact sheet §7): :class:`AttachmentWindow` makes an upload that would overflow it wait.

The budget and the window take an injected clock and sleep, so their logic is unit-tested
without time.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from autotask._log import get_logger
from autotask.errors import AutotaskError, InvalidRequest, ThreadLimitExceeded

__all__ = ["AttachmentWindow", "BudgetDecision", "HourlyBudget", "Reservation", "ThreadGate"]

WINDOW = 3600.0  # the rolling hour (ThresholdInformation: requestThresholdTimeframe 60 min)
RECHECK = 60.0  # while the budget is exhausted, ask ThresholdInformation at most this often
_EPSILON = 1e-3  # waits shorter than this count as done (float sums never land exactly)
_log = get_logger(__name__)


class ThreadGate:
    """At most ``per_bucket`` requests in flight per bucket, across threads.

    Slots are counted per holder thread too, so a wait that can never end fails at once
    instead of hanging: a thread whose streamed answers (held open, they keep their slots)
    fill its bucket, and asks for one more slot there, raises ``ThreadLimitExceeded`` at once;
    so does the last of several threads holding all of a bucket's slots between them when it
    too starts waiting on that bucket. Every other wait is bounded by ``max_wait``.

    Args:
        per_bucket: slots per bucket (Autotask allows 3 per endpoint: fact sheet §6).
        max_wait: the longest :meth:`acquire` waits when given no ``timeout`` (None: no bound).

    Example::

        gate = ThreadGate(3, max_wait=600)
        if not gate.acquire("Tickets"):
            ...  # no slot within 600 s
        try:
            ...  # send
        finally:
            gate.release("Tickets")
    """

    def __init__(self, per_bucket: int = 3, max_wait: float | None = None) -> None:
        if per_bucket < 1:
            raise ValueError("per_bucket must be >= 1")
        self.per_bucket = per_bucket
        self.max_wait = max_wait
        self._in_flight: dict[str, int] = {}
        self._peak: dict[str, int] = {}
        self._held: dict[tuple[int, str], int] = {}  # (thread id, bucket) -> slots it holds
        self._waiting: dict[str, set[int]] = {}  # bucket -> threads waiting for a slot in it
        self._cond = threading.Condition()

    def acquire(self, bucket: str | None, timeout: float | None = None) -> bool:
        """Take a slot in ``bucket`` (None: exempt), waiting while it is full.

        Args:
            bucket: the entity acted on, or None for an exempt request.
            timeout: the longest wait in seconds; None means ``max_wait``.

        Returns:
            False when the wait ended without a free slot, else True.

        Raises:
            ThreadLimitExceeded: the wait could never end: every thread holding a slot of
                ``bucket`` (this one included) is waiting for another one.
        """
        if bucket is None:
            return True
        me = threading.get_ident()
        limit = self.max_wait if timeout is None else timeout
        with self._cond:
            if self._in_flight.get(bucket, 0) >= self.per_bucket:
                waiting = self._waiting.setdefault(bucket, set())
                waiting.add(me)
                try:
                    self._check_deadlock(bucket, me)
                    if not self._cond.wait_for(
                        lambda: self._in_flight.get(bucket, 0) < self.per_bucket, limit
                    ):
                        return False
                finally:
                    waiting.discard(me)
                    if not waiting:
                        self._waiting.pop(bucket, None)
            count = self._in_flight.get(bucket, 0) + 1
            self._in_flight[bucket] = count
            self._held[(me, bucket)] = self._held.get((me, bucket), 0) + 1
            if count > self._peak.get(bucket, 0):
                self._peak[bucket] = count
            return True

    def _check_deadlock(self, bucket: str, me: int) -> None:
        # Called holding the lock, with ``me`` already among the waiters of a full bucket.
        holders = {owner for (owner, name) in self._held if name == bucket}
        if me not in holders or not holders <= self._waiting.get(bucket, set()):
            return
        mine = self._held[(me, bucket)]
        if holders == {me}:
            why = f"this thread already holds all {mine} slots"
        else:
            why = (
                f"this thread holds {mine} of the {self.per_bucket} slots and the threads "
                "holding the others are waiting for one too"
            )
        raise ThreadLimitExceeded(
            f"client thread gate: {why} of {bucket} (open streamed answers keep theirs) and "
            f"asks for another, which would wait forever; close a streamed answer first or "
            "send from a thread that holds none",
            entity=bucket,
        )

    def release(self, bucket: str | None, owner: int | None = None) -> None:
        """Give back a slot taken with :meth:`acquire`.

        Args:
            bucket: as given to :meth:`acquire`.
            owner: the ``threading.get_ident()`` of the thread that took it (default: this
                one); a streamed answer may be closed by another thread than its sender's.
        """
        if bucket is None:
            return
        key = (threading.get_ident() if owner is None else owner, bucket)
        with self._cond:
            count = self._in_flight.get(bucket, 0) - 1
            if count > 0:
                self._in_flight[bucket] = count
            else:
                self._in_flight.pop(bucket, None)
            held = self._held.get(key, 0) - 1
            if held > 0:
                self._held[key] = held
            else:
                self._held.pop(key, None)
            self._cond.notify_all()

    def in_flight(self, bucket: str) -> int:
        """Requests now in flight in ``bucket``."""
        with self._cond:
            return self._in_flight.get(bucket, 0)

    def peak(self, bucket: str) -> int:
        """The most requests ever in flight at once in ``bucket``."""
        with self._cond:
            return self._peak.get(bucket, 0)


@dataclass(slots=True, eq=False)
class Reservation:
    """Bytes counted in an :class:`AttachmentWindow`, and since when (mutable: see settle)."""

    at: float
    size: int


class AttachmentWindow:
    """At most ``limit`` decoded attachment bytes per rolling ``seconds``, across threads.

    Autotask accepts 10,000,000 bytes of attachments per 5 minutes per tenant and blocks
    attachment creation for 5 minutes past that (fact sheet §7, §11.7). An upload that would
    overflow the window waits (logged at INFO) until enough older uploads have left it; one
    larger than the whole window can never fit and is refused at once.

    The server counts an upload when it arrives, after the client reserved it, so
    :meth:`settle` moves the reservation to the time the request ended: the client's window
    then never frees before the server's does. An upload the server refused did not count
    there and is taken out.

    Args:
        limit: decoded bytes per window; 0 switches the window off.
        seconds: the window's length.
        clock: monotonic seconds (injected for tests).
        sleep: how to wait (injected for tests).

    Example::

        window = AttachmentWindow()
        reservation = window.reserve(4_000_000)   # waits while 4 MB would not fit
        ...                                       # upload
        window.settle(reservation, counted=True)
    """

    def __init__(
        self,
        limit: int = 10_000_000,
        seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.seconds = seconds
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._uploads: list[Reservation] = []  # in any order: settled when each ends

    def reserve(self, size: int) -> Reservation | None:
        """Count ``size`` decoded bytes against the window, first waiting until they fit.

        Returns:
            The reservation to hand to :meth:`settle`, or None when nothing was counted
            (no bytes, or the window is off).

        Raises:
            InvalidRequest: ``size`` is larger than the whole window (it could never fit).
        """
        if size <= 0 or self.limit <= 0:
            return None
        if size > self.limit:
            raise InvalidRequest(
                f"an upload of {size:,} decoded bytes is larger than the whole attachment "
                f"window of {self.limit:,} bytes per {self.seconds:g} s"
            )
        while True:
            with self._lock:
                now = self._clock()
                used = self._expire(now)
                if used + size <= self.limit:
                    reservation = Reservation(now, size)
                    self._uploads.append(reservation)
                    return reservation
                wait = max(self._room_at(used, size) - now, _EPSILON)
            _log.info(
                "attachment window: %d of %d bytes used in the last %g s; waiting %.1f s "
                "before uploading %d bytes",
                used,
                self.limit,
                self.seconds,
                wait,
                size,
            )
            self._sleep(wait)

    def settle(self, reservation: Reservation | None, counted: bool) -> None:
        """The upload ended: keep it counted from now, or (refused: ``counted`` False) drop it."""
        if reservation is None:
            return
        with self._lock:
            if counted:
                reservation.at = max(reservation.at, self._clock())
            else:
                with contextlib.suppress(ValueError):
                    self._uploads.remove(reservation)

    def used(self) -> int:
        """Decoded bytes counted in the current window."""
        with self._lock:
            return self._expire(self._clock())

    def _expire(self, now: float) -> int:
        # An upload leaves the window ``seconds`` after it was counted; returns the bytes left.
        # Call holding the lock.
        self._uploads = [u for u in self._uploads if now - u.at < self.seconds - _EPSILON]
        return sum(u.size for u in self._uploads)

    def _room_at(self, used: int, size: int) -> float:
        # When enough of the oldest uploads have left for ``size`` more bytes to fit.
        for upload in sorted(self._uploads, key=lambda u: u.at):
            used -= upload.size
            if used + size <= self.limit:
                return upload.at + self.seconds
        return self._clock()  # not reached while size <= limit


@dataclass(frozen=True, slots=True)
class BudgetDecision:
    """What the budget says before a request.

    Attributes:
        wait: seconds to wait before sending (pacing, or waiting for the window).
        check: True when the caller should consult ThresholdInformation first.
        exhausted: True when the budget is used up and ``max_wait`` is spent: raise.
        usage: the estimated share of the threshold in use (0.0-1.0+).
        frees_in: with ``exhausted``, seconds until this client's oldest request in the
            rolling hour leaves it (None when it has none there); other integrations'
            requests may free room sooner. Or, with ``from_server``, what the server's
            Retry-After said.
        from_server: ``frees_in`` is the server's Retry-After, longer than the wait left.
    """

    wait: float = 0.0
    check: bool = False
    exhausted: bool = False
    usage: float = 0.0
    frees_in: float | None = None
    from_server: bool = False


class HourlyBudget:
    """The tenant's hourly request budget as far as this client can know it.

    The estimate is the count ThresholdInformation last reported plus our requests since, or,
    before the first report, our own requests in the last hour. Thread-safe.

    Args:
        limit: the threshold assumed until the server reports it (10,000).
        check_every: our requests between ThresholdInformation checks while below 50%; the
            interval shrinks to 1/5 past 50% and 1/20 past 75%.
        max_wait: the longest the budget waits for the window to free before giving up.
        clock: monotonic seconds (injected for tests).
        spacing: minimum seconds between request starts past 50% and past 75% of the
            threshold (Autotask adds about 0.5 s and 1 s there: fact sheet §6).
    """

    def __init__(
        self,
        limit: int = 10_000,
        check_every: int = 500,
        max_wait: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        spacing: tuple[float, float] = (0.5, 1.0),
    ) -> None:
        self.limit = limit
        self.check_every = check_every
        self.max_wait = max_wait
        self.spacing = spacing
        self._clock = clock
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()  # our request times within the window
        self._server_count: int | None = None  # ThresholdInformation's count at the last check
        self._since_check = 0  # our requests since that check
        self._next_start: float | None = None  # earliest start of the next paced request
        self._exhausted_since: float | None = None
        self._frees_at: float | None = None  # when the server's Retry-After said it frees
        self._checked_at: float | None = None
        self._checking = threading.Lock()  # one ThresholdInformation check at a time

    # -- accounting ------------------------------------------------------------------------

    def _trim(self, now: float) -> None:
        while self._sent and now - self._sent[0] >= WINDOW:
            self._sent.popleft()

    def record(self) -> None:
        """Count one request sent (call it for every request, ThresholdInformation included)."""
        now = self._clock()
        with self._lock:
            self._trim(now)
            self._sent.append(now)
            self._since_check += 1

    def update(self, threshold: int, count: int) -> None:
        """Take the server's figures from a ThresholdInformation answer (fact sheet §11.8)."""
        with self._lock:
            if threshold > 0:
                self.limit = threshold
            self._server_count = max(0, count)
            self._since_check = 0
            self._checked_at = self._clock()
            if self._estimate() < self.limit:
                self._exhausted_since = None
                self._frees_at = None

    def check_failed(self) -> None:
        """A ThresholdInformation check got no figures (e.g. it was refused too)."""
        with self._lock:
            self._checked_at = self._clock()
            self._since_check = 0

    def mark_exhausted(self, retry_after: float | None = None) -> None:
        """The server refused a request for the hourly threshold (429).

        Args:
            retry_after: the seconds its Retry-After gave, if any: when that is past what is
                left of ``max_wait``, waiting is no use and :meth:`before_request` gives up.
        """
        with self._lock:
            now = self._clock()
            self._server_count = max(self._server_count or 0, self.limit)
            self._since_check = 0
            if self._exhausted_since is None:
                self._exhausted_since = now
            if retry_after is not None:
                self._frees_at = now + retry_after

    def _estimate(self) -> int:
        if self._server_count is None:
            return len(self._sent)
        return self._server_count + self._since_check

    def estimate(self) -> int:
        """Requests believed used in the current hour."""
        with self._lock:
            self._trim(self._clock())
            return self._estimate()

    def usage(self) -> float:
        """The estimated share of the threshold in use."""
        return self.estimate() / self.limit

    # -- decisions -------------------------------------------------------------------------

    def before_request(self) -> BudgetDecision:
        """Decide whether to check, pace, wait or give up before the next request."""
        now = self._clock()
        with self._lock:
            self._trim(now)
            estimate = self._estimate()
            usage = estimate / self.limit
            interval = self.check_every
            if usage >= 0.75:
                interval = max(1, self.check_every // 20)
            elif usage >= 0.5:
                interval = max(1, self.check_every // 5)
            if usage >= 1.0:
                if self._exhausted_since is None:
                    self._exhausted_since = now
                frees_in = None if self._frees_at is None else self._frees_at - now
                if frees_in is not None and frees_in > self.max_wait - (
                    now - self._exhausted_since
                ):
                    # The server said when the window frees, and it is past our bound:
                    # waiting (and checking) until then would only delay the same error.
                    return BudgetDecision(
                        exhausted=True, usage=usage, frees_in=frees_in, from_server=True
                    )
                checked = self._checked_at
                if (
                    checked is None
                    or checked < self._exhausted_since
                    or now - checked >= RECHECK - _EPSILON
                ):
                    # Never wait (or give up) on a guess: ask the server first.
                    return BudgetDecision(check=True, usage=usage)
                waited = now - self._exhausted_since
                if waited >= self.max_wait - _EPSILON:
                    frees_in = self._sent[0] + WINDOW - now if self._sent else None
                    return BudgetDecision(exhausted=True, usage=usage, frees_in=frees_in)
                wait = min(RECHECK - (now - checked), self.max_wait - waited)
                return BudgetDecision(wait=max(wait, _EPSILON), usage=usage)
            self._exhausted_since = None
            self._frees_at = None
            check = self._since_check >= interval
            wait = 0.0
            if usage >= 0.5 and not check:
                # Reserve the next start time, so paced threads queue up instead of all
                # waking together after the same wait.
                spacing = self.spacing[1] if usage >= 0.75 else self.spacing[0]
                start = now if self._next_start is None else max(now, self._next_start)
                self._next_start = start + spacing
                wait = start - now
            return BudgetDecision(wait=wait, check=check, usage=usage)

    def wait_for_room(
        self, check: Callable[[], object], sleep: Callable[[float], None]
    ) -> BudgetDecision:
        """Check, pace or wait before one request, as :meth:`before_request` decides.

        Only one thread checks at a time. Below the threshold the others do not pile up behind
        it but go on with the estimate they have; once the budget is used up every thread waits
        for that check's answer.

        Args:
            check: asks ThresholdInformation and feeds its figures to :meth:`update`. An
                ``AutotaskError`` from it counts as :meth:`check_failed`.
            sleep: how to wait.

        Returns:
            The last decision: send now, unless ``exhausted`` (the budget is used up and
            ``max_wait`` is spent: the caller raises ``RateLimited``).
        """
        while True:
            decision = self.before_request()
            if decision.exhausted:
                return decision
            if decision.check:
                if self._checking.acquire(blocking=False):
                    try:
                        check()
                    except AutotaskError as exc:
                        self.check_failed()
                        _log.info("ThresholdInformation check failed: %s", exc)
                    finally:
                        self._checking.release()
                    continue
                if decision.usage >= 1.0:
                    # Used up: never send on a guess while another thread asks the server;
                    # wait for its answer (the check is one request, bounded by its timeouts).
                    with self._checking:
                        pass
                    continue
            if decision.wait > 0:
                _log.info(
                    "hourly budget at %.0f%%: waiting %.2f s", decision.usage * 100, decision.wait
                )
                sleep(decision.wait)
                if decision.usage < 1.0:
                    return decision  # paced: its start time is reserved, go
                continue
            return decision
