"""Per-item results of a batch (CONTRACTS §8) as output rows, and their tally and exit code.

For the ``batch`` and ``attachments`` command groups: each ``ItemResult`` (``index``, ``ok``,
``item_id``, ``status``, ``error``, ``attempts``) becomes a row for ``--results FILE`` or
``--output``, and a :class:`Tally` counts statuses for the closing line and the exit code (7
when any item failed, was invalid or is unknown).

Example::

    tally = Tally()
    writer = ctx.writer(columns=RESULT_COLUMNS, noun="items")
    for result in results:
        tally.add(result)
        writer.write(result_row(result))
    ctx.finish(writer)
    ctx.env.say(tally.line("Tickets create"))
    return tally.exit_code()
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from autotask.batch import stops_the_run
from autotask.cli.exitcodes import ExitCode, UsageError, batch_exit_code, exit_code_for
from autotask.cli.output.writers import JsonLinesWriter, OutputOptions

__all__ = ["FAILED", "RESULT_COLUMNS", "UNKNOWN", "ResultsFile", "Tally", "result_row"]

RESULT_COLUMNS = ("index", "status", "id", "attempts", "error")
#: Statuses counted as failures for the exit code.
FAILED = frozenset({"failed", "invalid"})
#: Statuses whose outcome nobody knows (a write that may have landed).
UNKNOWN = frozenset({"unknown"})


def result_row(result: Any) -> dict[str, Any]:
    """One ``ItemResult`` as a flat row: index, status, id, attempts, error (one line)."""
    error = getattr(result, "error", None)
    return {
        "index": result.index,
        "status": result.status,
        "id": result.item_id,
        "attempts": getattr(result, "attempts", None),
        "error": None if error is None else str(error),
    }


class Tally:
    """Counts item statuses as results are seen."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        #: The first error about the job rather than an item (credentials, permission, the API
        #: unreachable, the hourly budget): the engine stopped taking items at it.
        self.stopped_by: BaseException | None = None

    def add(self, result: Any) -> None:
        """Count one ``ItemResult``."""
        self.counts[str(result.status)] += 1
        error = getattr(result, "error", None)
        if self.stopped_by is None and stops_the_run(error):
            self.stopped_by = error

    @property
    def total(self) -> int:
        """Items seen."""
        return sum(self.counts.values())

    @property
    def failed(self) -> int:
        """Items failed or invalid."""
        return sum(self.counts[s] for s in FAILED)

    @property
    def unknown(self) -> int:
        """Items whose outcome is unknown."""
        return sum(self.counts[s] for s in UNKNOWN)

    def exit_code(self) -> ExitCode:
        """The code of the error that stopped the run (3 for credentials, ...); else 7 when
        any item failed or is unknown, else 0."""
        if self.stopped_by is not None:
            return exit_code_for(self.stopped_by)
        return batch_exit_code(self.failed, self.unknown)

    def line(self, label: str) -> str:
        """``Tickets create: 1000 items: 998 created, 2 failed``."""
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        items = "1 item" if self.total == 1 else f"{self.total} items"
        return f"{label}: {items}" + (f": {parts}" if parts else "")


class ResultsFile:
    """``--results FILE``: one JSON Lines row per item, written as results come.

    The rows go to a temporary file beside FILE that :meth:`close` renames over it, so a run
    that fails before any item finished (a bad journal, a refused start) leaves no file, and a
    reader never sees a half-written one. Once an item has finished the rows are kept, also
    when the run is stopped (Ctrl-C) or fails later: they record what was done.

    Args:
        path: FILE.

    Raises:
        UsageError: FILE's folder does not exist or cannot be written.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        folder = self.path.parent
        try:
            fd, temporary = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".partial", dir=folder
            )
        except OSError as exc:
            raise UsageError(f"--results {path}: cannot write: {exc.strerror or exc}") from None
        self._temporary = Path(temporary)
        mask = os.umask(0)  # mkstemp makes 0600; a results file is as private as any other
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        self._stream = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self._writer = JsonLinesWriter(self._stream, OutputOptions("jsonl"))
        self.rows = 0

    def write(self, result: Any) -> None:
        """Add one ``ItemResult``'s row."""
        self._writer.write(result_row(result))
        self.rows += 1

    def close(self, *, keep: bool) -> None:
        """Finish: rename into place when ``keep`` or any row was written, else remove."""
        try:
            self._stream.close()
        finally:
            if keep or self.rows:
                os.replace(self._temporary, self.path)
            else:
                with contextlib.suppress(OSError):
                    self._temporary.unlink()
