"""Retry decisions as a value: by operation, not by HTTP verb (CONTRACTS §3).

``RetryPolicy`` is frozen and never sleeps. The transport asks it "this attempt of this
operation failed like this; wait how long, or give up?" and does the waiting itself on an
injectable clock, so the decisions are unit-tested without time or sockets.

Why by operation: an Autotask query is a POST yet safe to repeat, while a create that may have
reached the server must never be sent twice (peers.md §3: py-autotask retried creates into
duplicates). A plain 500 is never retried, because Autotask answers validation failures with
500 and ``errors[]`` (fact sheet §5).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

__all__ = ["Failure", "Operation", "RetryPolicy"]


class Operation(str, enum.Enum):
    """What a request does. Decides retries, impersonation and error texts."""

    GET = "GET"
    QUERY = "QUERY"
    COUNT = "COUNT"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    REPLACE = "REPLACE"
    DELETE = "DELETE"
    METADATA = "METADATA"
    ZONE = "ZONE"
    USAGE = "USAGE"
    UPLOAD = "UPLOAD"
    DOWNLOAD = "DOWNLOAD"

    @property
    def is_write(self) -> bool:
        """True when repeating the request could change data twice."""
        return self in _WRITES

    def __str__(self) -> str:
        return self.value


_WRITES = frozenset(
    {Operation.CREATE, Operation.UPDATE, Operation.REPLACE, Operation.DELETE, Operation.UPLOAD}
)


class Failure(enum.Enum):
    """How one attempt failed, as far as retrying is concerned."""

    NOT_SENT = "not sent"  # connection refused, DNS failure, connect timeout: nothing left us
    NO_ANSWER = "no answer"  # reset, read timeout or garbled answer after the request went out
    THREAD_LIMIT = "thread limit"  # the per-endpoint thread threshold (429 or its text)
    RATE_LIMIT = "rate limit"  # 429: the hourly request threshold
    UNAVAILABLE = "unavailable"  # 502/503/504, a 500 without errors[] or "unexpected error"
    FINAL = "final"  # anything else: 4xx, a 500 refusing the request with errors[] text


# Failures where the request certainly was not applied, so any operation may be resent.
_SAFE_FOR_ALL = frozenset({Failure.NOT_SENT, Failure.THREAD_LIMIT, Failure.RATE_LIMIT})
# Failures a read may repeat but a write may not: the write may have been applied.
_SAFE_FOR_READS = frozenset({Failure.NO_ANSWER, Failure.UNAVAILABLE})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before resending.

    Args:
        max_retries: resends allowed after the first attempt (0 = never resend).
        backoff: the first backoff delay in seconds; it doubles per retry.
        max_backoff: cap on one backoff delay.
        max_wait: the longest single wait accepted. A ``Retry-After`` above it gives up at
            once (the caller raises with ``retry_after`` set) instead of blocking for an hour.
        jitter: fraction of the delay randomised (0.25 = +/-25%), so parallel workers that
            were rejected together do not come back together.

    Example::

        policy = RetryPolicy(max_retries=3, backoff=1.0)
        policy.decide(Operation.QUERY, Failure.UNAVAILABLE, attempt=0, rand=0.5)   # 1.0
        policy.decide(Operation.CREATE, Failure.NO_ANSWER, attempt=0)              # None
    """

    max_retries: int = 3
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_wait: float = 120.0
    jitter: float = 0.25

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        waits = (self.backoff, self.max_backoff, self.max_wait)
        if not all(math.isfinite(w) and w >= 0 for w in waits):  # NaN passes "< 0"
            raise ValueError("backoff, max_backoff and max_wait must be finite and >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    @staticmethod
    def is_retryable(operation: Operation, failure: Failure) -> bool:
        """Whether this failure of this operation may be resent at all (budget aside)."""
        if failure in _SAFE_FOR_ALL:
            return True
        return failure in _SAFE_FOR_READS and not operation.is_write

    def delay(self, attempt: int, retry_after: float | None = None, rand: float = 0.5) -> float:
        """Seconds to wait before retry number ``attempt + 1``.

        Args:
            attempt: retries already made (0 before the first retry).
            retry_after: the server's ``Retry-After`` in seconds, honoured as a minimum.
            rand: a number in [0, 1) that drives the jitter (injected for tests).
        """
        base = min(self.max_backoff, self.backoff * (2.0**attempt))
        jittered = base * (1 + self.jitter * (2 * rand - 1))
        if retry_after is not None:
            # Never earlier than asked; a little later so rejected workers spread out.
            return retry_after + base * self.jitter * rand
        return max(0.0, jittered)

    def decide(
        self,
        operation: Operation,
        failure: Failure,
        attempt: int,
        retry_after: float | None = None,
        rand: float = 0.5,
    ) -> float | None:
        """Seconds to wait before resending, or ``None`` to give up and raise.

        Args:
            operation: what the request does.
            failure: how the attempt failed.
            attempt: retries already made for this request.
            retry_after: the server's ``Retry-After`` in seconds, if any.
            rand: jitter source in [0, 1).
        """
        if attempt >= self.max_retries or not self.is_retryable(operation, failure):
            return None
        if retry_after is not None and retry_after > self.max_wait:
            return None
        wait = self.delay(attempt, retry_after, rand)
        return min(wait, self.max_wait) if retry_after is None else wait
