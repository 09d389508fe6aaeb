"""The tenant limits the emulator enforces: thread gate, hourly budget, attachment bytes.

Pure, socket-free logic. Time comes from an injected ``now`` callable (seconds as a float,
never going backwards), so ``POST /_emulator/clock`` can move every window without real waits.
Each class is safe to share between the server's request threads (one lock each).

Figures (fact sheet §6, §7, §11.1, §11.7, §11.8):

- Thread gate: 3 concurrent requests per (integration code, entity acted on); the 4th is
  rejected at once (no queueing). ``ThresholdInformation`` and every other route of an entity
  share that entity's bucket; ``ThresholdInformation`` is its own bucket.
- Hourly budget: 10,000 requests per rolling 60 minutes for the whole tenant. Past 50% of the
  limit each admitted request is delayed by 0.5 s, past 75% by 1 s (the REST docs' "from 5,000
  (+0.5 s) and 7,500 (+1 s)", fact sheet §11.1 (b)). Over the limit requests are refused until
  the window frees. Only admitted requests count, so a refused retry does not extend the wait.
- Thread latency (opt-in, ``--thread-latency-ms``): the REST docs describe added latency per
  request before the gate rejects, about +0.25 s at 3 concurrent rising to +1 s at 10 or more
  (fact sheet §11.1 (a), via IMP); ``thread_latency`` interpolates linearly in between.
- Attachments: 6 MiB decoded per file, and 10,000,000 decoded bytes per rolling 5 minutes per
  tenant; a create that would pass the window is refused (and not counted).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]
"""Seconds on a clock that never goes backwards (the emulator's injectable clock)."""

DEFAULT_THREAD_LIMIT = 3
DEFAULT_HOURLY_LIMIT = 10_000
HOURLY_WINDOW_SECONDS = 3600
HOURLY_TIMEFRAME_MINUTES = 60
# Added latency past 50% and 75% of the hourly limit, in milliseconds (fact sheet §6, §11.1).
DEFAULT_THRESHOLD_LATENCY_MS = (500, 1000)
DEFAULT_ATTACHMENT_MAX_BYTES = 6 * 1024 * 1024
ATTACHMENT_WINDOW_BYTES = 10_000_000
ATTACHMENT_WINDOW_SECONDS = 300


def thread_threshold_text(limit: int) -> str:
    """The error text of a thread-limit rejection (fact sheet §11.1 (a))."""
    return (
        f"Thread Threshold Exceeded - The Autotask API thread threshold of {limit} threads "
        "has been exceeded."
    )


def request_threshold_text(limit: int) -> str:
    """The error text of an hourly-threshold rejection.

    The real body was never captured (fact sheet §11.1 (b)); this text follows the alert's
    subject "Request Threshold Exceeded" and the thread text's pattern.
    """
    return (
        f"Request Threshold Exceeded - The Autotask API request threshold of {limit} requests "
        f"per {HOURLY_TIMEFRAME_MINUTES} minutes has been exceeded."
    )


def attachment_too_large_text(size: int, limit: int) -> str:
    """The error text of an attachment over the per-file limit (fact sheet §7, §11.7)."""
    return (
        f"The attachment file size of {size} bytes exceeds the maximum allowed file size "
        f"of {limit} bytes."
    )


def attachment_window_text() -> str:
    """The error text when the tenant's 5-minute attachment byte window is full."""
    return (
        f"Attachment upload limit exceeded: no more than {ATTACHMENT_WINDOW_BYTES} bytes of "
        f"attachments may be uploaded within {ATTACHMENT_WINDOW_SECONDS // 60} minutes. "
        "Try again later."
    )


THREAD_LATENCY_FROM = 3  # concurrent requests at which the documented latency starts ...
THREAD_LATENCY_FULL = 10  # ... and at which it reaches its maximum


def thread_latency(concurrent: int, latency_ms: tuple[int, int]) -> float:
    """Seconds added to a request that runs with ``concurrent`` requests of its bucket.

    Args:
        concurrent: requests holding a slot of the bucket, this one included.
        latency_ms: the added latency at 3 and at 10 or more concurrent requests.
    """
    at_first, at_full = latency_ms
    if concurrent < THREAD_LATENCY_FROM or (at_first, at_full) == (0, 0):
        return 0.0
    if concurrent >= THREAD_LATENCY_FULL:
        return at_full / 1000
    share = (concurrent - THREAD_LATENCY_FROM) / (THREAD_LATENCY_FULL - THREAD_LATENCY_FROM)
    return (at_first + (at_full - at_first) * share) / 1000


@dataclass(frozen=True)
class Bucket:
    """A thread-limit bucket: the integration code and the entity the route acts on.

    ``Tickets/5/Notes`` acts on TicketNotes; ``ThresholdInformation`` is its own bucket
    (CONTRACTS §5, fact sheet §6, §11.8).
    """

    integration_code: str
    entity: str


class ThreadGate:
    """Admits at most ``limit`` concurrent requests per bucket; ``limit`` 0 admits all.

    It also keeps, per entity, the peak of concurrent requests seen and the number of
    rejections, for ``GET /_emulator/stats``. The peak is tracked even when the gate is off.
    """

    def __init__(self, limit: int = DEFAULT_THREAD_LIMIT) -> None:
        """Create a gate.

        Args:
            limit: concurrent requests allowed per bucket; 0 switches the gate off.
        """
        if limit < 0:
            raise ValueError("thread limit must be >= 0")
        self.limit = limit
        self._lock = threading.Lock()
        self._in_flight: dict[Bucket, int] = {}
        self._peak: dict[str, int] = {}
        self._rejections: dict[str, int] = {}

    def try_acquire(self, bucket: Bucket) -> int:
        """Take a slot in ``bucket``: the requests now holding one (this one included), or 0
        (and a counted rejection) when the bucket is full.

        A non-zero answer must be paired with exactly one ``release(bucket)``.
        """
        with self._lock:
            current = self._in_flight.get(bucket, 0)
            if self.limit and current >= self.limit:
                self._rejections[bucket.entity] = self._rejections.get(bucket.entity, 0) + 1
                return 0
            current += 1
            self._in_flight[bucket] = current
            if current > self._peak.get(bucket.entity, 0):
                self._peak[bucket.entity] = current
            return current

    def release(self, bucket: Bucket) -> None:
        """Give back a slot taken by ``try_acquire``."""
        with self._lock:
            current = self._in_flight.get(bucket, 0) - 1
            if current > 0:
                self._in_flight[bucket] = current
            else:
                self._in_flight.pop(bucket, None)

    def in_flight(self, bucket: Bucket) -> int:
        """Requests currently holding a slot in ``bucket``."""
        with self._lock:
            return self._in_flight.get(bucket, 0)

    def in_flight_by_entity(self) -> dict[str, int]:
        """Requests holding a slot now, summed per entity over integration codes."""
        with self._lock:
            totals: dict[str, int] = {}
            for bucket, count in self._in_flight.items():
                totals[bucket.entity] = totals.get(bucket.entity, 0) + count
            return totals

    def rejections(self) -> dict[str, int]:
        """Rejected requests per entity since the last reset."""
        with self._lock:
            return dict(self._rejections)

    def max_concurrency(self) -> dict[str, int]:
        """The peak of concurrent requests per entity since the last reset."""
        with self._lock:
            return dict(self._peak)

    def reset_counters(self) -> None:
        """Clear the peaks and rejection counts (slots in use stay taken)."""
        with self._lock:
            self._peak.clear()
            self._rejections.clear()


@dataclass(frozen=True)
class Admission:
    """The hourly budget's answer to one request.

    Attributes:
        admitted: False when the request is refused (over the limit).
        count: requests in the current window, including this one when admitted.
        delay: seconds of added latency to serve (0.0 below 50% of the limit).
        retry_after: seconds until the window has room again (only when refused).
    """

    admitted: bool
    count: int
    delay: float = 0.0
    retry_after: int = 0


class HourlyBudget:
    """A rolling 60-minute request counter with a limit; ``limit`` 0 counts but never refuses.

    Requests are kept per whole second of the clock (a bounded deque even at thousands of
    requests per second); a request made at second ``s`` leaves the window once the clock
    reaches ``s + 3600``. The count is what ``ThresholdInformation`` reports.
    """

    def __init__(
        self,
        clock: Clock,
        limit: int = DEFAULT_HOURLY_LIMIT,
        threshold_latency_ms: tuple[int, int] = DEFAULT_THRESHOLD_LATENCY_MS,
        window_seconds: int = HOURLY_WINDOW_SECONDS,
    ) -> None:
        """Create a budget.

        Args:
            clock: the injectable clock.
            limit: requests allowed per window; 0 switches refusal and latency off.
            threshold_latency_ms: added latency past 50% and past 75% of the limit.
            window_seconds: the window length (3600 in the emulator).
        """
        if limit < 0:
            raise ValueError("hourly limit must be >= 0")
        self.limit = limit
        self.threshold_latency_ms = threshold_latency_ms
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._seconds: deque[list[int]] = deque()  # [second, count], oldest first
        self._count = 0

    def _expire(self, now: float) -> None:
        horizon = int(now) - self.window_seconds
        seconds = self._seconds
        while seconds and seconds[0][0] <= horizon:
            self._count -= seconds.popleft()[1]

    def _record(self, now: float) -> None:
        second = int(now)
        if self._seconds and self._seconds[-1][0] == second:
            self._seconds[-1][1] += 1
        else:
            self._seconds.append([second, 1])
        self._count += 1

    def admit(self) -> Admission:
        """Count one request, or refuse it when the window is full."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            if self.limit and self._count >= self.limit:
                return Admission(False, self._count, retry_after=self._retry_after(now))
            self._record(now)
            return Admission(True, self._count, delay=self.delay_for(self._count))

    def delay_for(self, count: int) -> float:
        """Seconds of added latency for a request that brings the window to ``count``."""
        if not self.limit:
            return 0.0
        half_ms, three_quarters_ms = self.threshold_latency_ms
        if count * 4 > self.limit * 3:
            return three_quarters_ms / 1000
        if count * 2 > self.limit:
            return half_ms / 1000
        return 0.0

    def _retry_after(self, now: float) -> int:
        # Enough whole seconds for the oldest requests to leave and free one slot.
        excess = self._count - self.limit + 1
        for second, count in self._seconds:
            excess -= count
            if excess <= 0:
                return max(1, second + self.window_seconds - int(now))
        return 1

    def count(self) -> int:
        """Requests in the current window (what ThresholdInformation reports)."""
        with self._lock:
            self._expire(self._clock())
            return self._count

    def reset(self) -> None:
        """Empty the window."""
        with self._lock:
            self._seconds.clear()
            self._count = 0


def threshold_information(limit: int, count: int) -> dict[str, int]:
    """The body of ``GET V1.0/ThresholdInformation`` (fact sheet §11.8: bare object).

    With the hourly limit off the threshold reads Autotask's own 10,000, so clients that pace
    themselves by it behave as they would against a real tenant.
    """
    return {
        "externalRequestThreshold": limit or DEFAULT_HOURLY_LIMIT,
        "requestThresholdTimeframe": HOURLY_TIMEFRAME_MINUTES,
        "currentTimeframeRequestCount": count,
    }


@dataclass(frozen=True)
class AttachmentVerdict:
    """The attachment limits' answer to one create: ``error`` is None when it may go ahead."""

    error: str | None = None

    @property
    def allowed(self) -> bool:
        """True when the attachment may be stored."""
        return self.error is None


class AttachmentWindow:
    """The per-file size limit and the tenant's rolling 5-minute byte window.

    ``check_and_record(size)`` is atomic: an allowed file is counted at once, so two
    concurrent uploads cannot both squeeze into the last free bytes.
    """

    def __init__(
        self,
        clock: Clock,
        max_file_bytes: int = DEFAULT_ATTACHMENT_MAX_BYTES,
        window_bytes: int = ATTACHMENT_WINDOW_BYTES,
        window_seconds: int = ATTACHMENT_WINDOW_SECONDS,
    ) -> None:
        """Create the window.

        Args:
            clock: the injectable clock.
            max_file_bytes: largest decoded file accepted; 0 switches the check off.
            window_bytes: decoded bytes allowed per window; 0 switches the window off.
            window_seconds: the window length (300 in the emulator).
        """
        self.max_file_bytes = max_file_bytes
        self.window_bytes = window_bytes
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._uploads: deque[tuple[float, int]] = deque()
        self._total = 0

    def check_and_record(self, size: int) -> AttachmentVerdict:
        """Decide on one file of ``size`` decoded bytes and count it when allowed."""
        if self.max_file_bytes and size > self.max_file_bytes:
            return AttachmentVerdict(attachment_too_large_text(size, self.max_file_bytes))
        with self._lock:
            now = self._clock()
            self._expire(now)
            if self.window_bytes and self._total + size > self.window_bytes:
                return AttachmentVerdict(attachment_window_text())
            self._uploads.append((now, size))
            self._total += size
            return AttachmentVerdict()

    def bytes_in_window(self) -> int:
        """Decoded bytes uploaded within the current window."""
        with self._lock:
            self._expire(self._clock())
            return self._total

    def _expire(self, now: float) -> None:
        # Uploads older than the window no longer count (call holding the lock).
        horizon = now - self.window_seconds
        while self._uploads and self._uploads[0][0] <= horizon:
            self._total -= self._uploads.popleft()[1]

    def reset(self) -> None:
        """Empty the window."""
        with self._lock:
            self._uploads.clear()
            self._total = 0
