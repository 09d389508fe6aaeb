"""A progress bar on stderr for long runs (batch jobs, uploads, exports), and their summary line.

:class:`ProgressBar` is a callable: hand it to anything that reports a progress value, such as
the batch engine's ``progress=`` option (CONTRACTS §8). A progress value is read by attribute:
``done``, ``total`` (None when unknown), ``ok``, ``failed``, ``unknown`` and ``elapsed``
(seconds); a plain 6-tuple in that order works too. The bar is drawn only when it is enabled
(the caller passes ``enabled=stderr is a terminal and not --quiet``), at most ten times a
second, and is wiped by :meth:`ProgressBar.close`; :func:`summary_line` is the one line that
ends every run, terminal or not. Safe to call from several threads.

Example::

    bar = ProgressBar(sys.stderr, enabled=sys.stderr.isatty(), label="Tickets create")
    results = client.tickets.batch_create(items, progress=bar)
    bar.close()
    print(summary_line("Tickets create", bar.last), file=sys.stderr)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from autotask.batch import Progress

__all__ = ["Progress", "ProgressBar", "progress_of", "summary_line"]

_REDRAW_EVERY = 0.1  # seconds between redraws; the last state is always drawn


def progress_of(value: Any) -> Progress:
    """Read any progress value (attributes, or a 6-tuple) into a :class:`Progress`."""
    if isinstance(value, Progress):
        return value
    if isinstance(value, tuple) and len(value) == 6 and not hasattr(value, "done"):
        return Progress(*value)
    return Progress(
        done=int(value.done),
        total=None if value.total is None else int(value.total),
        ok=int(value.ok),
        failed=int(value.failed),
        unknown=int(value.unknown),
        elapsed=float(value.elapsed),
    )


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _rate(progress: Progress) -> float:
    return progress.done / progress.elapsed if progress.elapsed > 0 else 0.0


def summary_line(label: str, progress: Progress | None) -> str:
    """The closing line: ``Tickets create: 1000 done (998 ok, 2 failed, 0 unknown) in 12.3 s,
    81.3/s``; nothing done yet reads ``0 done``."""
    p = progress or Progress(0, None, 0, 0, 0, 0.0)
    of = f" of {p.total}" if p.total is not None and p.total != p.done else ""
    return (
        f"{label}: {p.done}{of} done ({p.ok} ok, {p.failed} failed, {p.unknown} unknown) "
        f"in {p.elapsed:.1f} s, {_rate(p):.1f}/s"
    )


def render(label: str, progress: Progress, width: int, color: bool = False) -> str:
    """One line of the bar, at most ``width`` characters (without colour codes)."""
    p = progress
    rate = _rate(p)
    tail = [f"{p.done}/{p.total}" if p.total is not None else f"{p.done} done"]
    if p.total:
        tail.append(f"{100 * p.done / p.total:3.0f}%")
    tail.append(f"{rate:.1f}/s")
    if p.total is not None and rate > 0 and p.done < p.total:
        tail.append(f"ETA {_clock((p.total - p.done) / rate)}")
    failed, unknown = f"failed {p.failed}", f"unknown {p.unknown}"
    text = "  ".join(tail)
    room = width - len(label) - len(text) - len(failed) - len(unknown) - 10
    bar = ""
    if p.total and room >= 10:
        size = min(room, 40)
        filled = min(size, int(size * p.done / p.total))
        bar = " [" + "#" * filled + "." * (size - filled) + "]"
    if color:
        failed = f"\x1b[31m{failed}\x1b[0m" if p.failed else failed
        unknown = f"\x1b[33m{unknown}\x1b[0m" if p.unknown else unknown
    line = f"{label}{bar}  {text}  {failed}  {unknown}"
    return line if color else line[:width]


class ProgressBar:
    """A redrawing one-line bar on ``stream``; see the module docstring.

    Args:
        stream: where to draw (stderr).
        enabled: draw at all (a terminal, and not ``--quiet``); when False the bar only
            remembers the last value for the summary.
        label: what runs, e.g. ``"Tickets create"``.
        width: the terminal width.
        color: colour failed/unknown counts (a terminal without ``NO_COLOR``).
        clock: monotonic seconds (for tests).
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        enabled: bool,
        label: str = "",
        width: int = 80,
        color: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.enabled = enabled
        self.label = label
        self.width = max(20, width - 1)  # never write into the last column (it wraps)
        self.color = color
        self.last: Progress | None = None
        self._clock = clock
        self._drawn_at: float | None = None
        self._visible = False
        self._lock = threading.Lock()

    def __call__(self, value: Any) -> None:
        """Take a progress value; redraw when enabled and due (or when the run is complete)."""
        progress = progress_of(value)
        with self._lock:
            self.last = progress
            if not self.enabled:
                return
            now = self._clock()
            complete = progress.total is not None and progress.done >= progress.total
            recent = self._drawn_at is not None and now - self._drawn_at < _REDRAW_EVERY
            if recent and not complete:
                return
            self._drawn_at = now
            line = render(self.label, progress, self.width, self.color)
            self.stream.write("\r" + line + "\x1b[K")
            self.stream.flush()
            self._visible = True

    def close(self) -> None:
        """Wipe the bar (so the summary line or an error starts on a clean line)."""
        with self._lock:
            if self._visible:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
                self._visible = False

    def summary(self) -> str:
        """:func:`summary_line` for the last value seen."""
        return summary_line(self.label, self.last)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
