"""Client-side limits shared by all threads of one client: the thread gate and the hourly budget.

**Thread gate.** Autotask rejects a 4th concurrent request per (integration, endpoint) with a
429 "thread threshold" (fact sheet §6, §11.1). :class:`ThreadGate` keeps at most ``N``
(default 3) requests in flight per bucket, the bucket being the entity acted on
(``registry.bucket_for_path``, the same rule as the emulator: CONTRACTS §5), so a thread pool of
any size never trips the limit. ``zoneInformation`` is exempt.

**Hourly budget.** 10,000 requests per rolling hour per database, shared by every integration
of the tenant (fact sheet §6). :class:`HourlyBudget` counts our own requests, consults
ThresholdInformation sparingly (the call itself counts, fact sheet §11.8), slows down past 50%
and 75% of the threshold (where Autotask itself adds latency), and when the budget is gone
waits a bounded time for the window to free before the transport raises ``RateLimited``.

Both take an injected clock (and :meth:`HourlyBudget.wait_for_room` an injected sleep), so their
logic is unit-tested without time.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from autotask._log import get_logger
from autotask.errors import AutotaskError

__all__ = ["BudgetDecision", "HourlyBudget", "ThreadGate"]

WINDOW = 3600.0  # the rolling hour (ThresholdInformation: requestThresholdTimeframe 60 min)
RECHECK = 60.0  # while the budget is exhausted, ask ThresholdInformation at most this often
_EPSILON = 1e-3  # waits shorter than this count as done (float sums never land exactly)
_log = get_logger(__name__)


class ThreadGate:
    """At most ``per_bucket`` requests in flight per bucket, across threads.

    Example::

        gate = ThreadGate(3)
        gate.acquire("Tickets")
        try:
            ...  # send
        finally:
            gate.release("Tickets")
    """

    def __init__(self, per_bucket: int = 3) -> None:
        if per_bucket < 1:
            raise ValueError("per_bucket must be >= 1")
        self.per_bucket = per_bucket
        self._in_flight: dict[str, int] = {}
        self._peak: dict[str, int] = {}
        self._cond = threading.Condition()

    def acquire(self, bucket: str | None, timeout: float | None = None) -> bool:
        """Take a slot in ``bucket`` (None: exempt), waiting while it is full.

        Returns:
            False when ``timeout`` passed without a free slot, else True.
        """
        if bucket is None:
            return True
        with self._cond:
            if not self._cond.wait_for(
                lambda: self._in_flight.get(bucket, 0) < self.per_bucket, timeout
            ):
                return False
            count = self._in_flight.get(bucket, 0) + 1
            self._in_flight[bucket] = count
            if count > self._peak.get(bucket, 0):
                self._peak[bucket] = count
            return True

    def release(self, bucket: str | None) -> None:
        """Give back a slot taken with :meth:`acquire`."""
        if bucket is None:
            return
        with self._cond:
            count = self._in_flight.get(bucket, 0) - 1
            if count > 0:
                self._in_flight[bucket] = count
            else:
                self._in_flight.pop(bucket, None)
            self._cond.notify_all()

    def in_flight(self, bucket: str) -> int:
        """Requests now in flight in ``bucket``."""
        with self._cond:
            return self._in_flight.get(bucket, 0)

    def peak(self, bucket: str) -> int:
        """The most requests ever in flight at once in ``bucket``."""
        with self._cond:
            return self._peak.get(bucket, 0)


@dataclass(frozen=True, slots=True)
class BudgetDecision:
    """What the budget says before a request.

    Attributes:
        wait: seconds to wait before sending (pacing, or waiting for the window).
        check: True when the caller should consult ThresholdInformation first.
        exhausted: True when the budget is used up and ``max_wait`` is spent: raise.
        usage: the estimated share of the threshold in use (0.0-1.0+).
    """

    wait: float = 0.0
    check: bool = False
    exhausted: bool = False
    usage: float = 0.0


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

    def check_failed(self) -> None:
        """A ThresholdInformation check got no figures (e.g. it was refused too)."""
        with self._lock:
            self._checked_at = self._clock()
            self._since_check = 0

    def mark_exhausted(self) -> None:
        """The server refused a request for the hourly threshold (429)."""
        with self._lock:
            self._server_count = max(self._server_count or 0, self.limit)
            self._since_check = 0
            if self._exhausted_since is None:
                self._exhausted_since = self._clock()

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
                    return BudgetDecision(exhausted=True, usage=usage)
                wait = min(RECHECK - (now - checked), self.max_wait - waited)
                return BudgetDecision(wait=max(wait, _EPSILON), usage=usage)
            self._exhausted_since = None
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

        Only one thread checks at a time; the others do not pile up behind it but go on with
        the estimate they have.

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
            if decision.check and self._checking.acquire(blocking=False):
                try:
                    check()
                except AutotaskError as exc:
                    self.check_failed()
                    _log.info("ThresholdInformation check failed: %s", exc)
                finally:
                    self._checking.release()
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
