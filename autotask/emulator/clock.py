"""The emulator's one source of time, movable by ``POST /_emulator/clock``.

Everything that reads the time (createDate and the other server-set datetimes, the
ThresholdInformation window, the limits of the next issue) asks a ``Clock``, never ``time`` or
``datetime`` directly, so a test can move an hour forward without waiting an hour
(CONTRACTS §5).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone


class Clock:
    """Wall-clock UTC time and a monotonic seconds counter, both shifted by one offset.

    ``advance`` moves both forward. Only ``reset`` removes the offset, and the control API
    clears every window and counter at the same moment, so no window sees time run backwards.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    def now(self) -> datetime:
        """The current UTC time (timezone-aware), including any advance."""
        return datetime.now(timezone.utc) + timedelta(seconds=self._offset)

    def seconds(self) -> float:
        """Monotonic seconds (arbitrary origin), including any advance: for windows and gates."""
        return time.monotonic() + self._offset

    @property
    def offset(self) -> float:
        """How far the clock has been moved forward, in seconds."""
        return self._offset

    def advance(self, seconds: float) -> float:
        """Move the clock forward by ``seconds`` (>= 0); returns the total offset.

        Raises:
            ValueError: ``seconds`` is negative (time never runs backwards here).
        """
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._offset

    def reset(self) -> None:
        """Back to real time (used by ``POST /_emulator/reset``)."""
        with self._lock:
            self._offset = 0.0
