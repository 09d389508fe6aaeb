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

from collections import Counter
from typing import Any

from autotask.cli.exitcodes import ExitCode, batch_exit_code

__all__ = ["FAILED", "RESULT_COLUMNS", "UNKNOWN", "Tally", "result_row"]

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

    def add(self, result: Any) -> None:
        """Count one ``ItemResult``."""
        self.counts[str(result.status)] += 1

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
        """7 when any item failed or is unknown, else 0."""
        return batch_exit_code(self.failed, self.unknown)

    def line(self, label: str) -> str:
        """``Tickets create: 1000 items: 998 created, 2 failed``."""
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()))
        return f"{label}: {self.total} items" + (f": {parts}" if parts else "")
