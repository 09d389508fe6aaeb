"""The table writer: columns sized from the first screenful, fitted to the terminal width.

The first :data:`SAMPLE` records are held to choose the columns and their widths; after that
each row is printed as it arrives, cut to those widths (a cut cell ends in an ellipsis). No
column is wider than :data:`CAP`; on a terminal, columns are shown left to right while they fit
its width, and a note on stderr names those left out (``--fields`` or ``--output csv`` show
them). Without explicit columns, columns that are empty in every sampled
row are left out too: an Autotask ticket has 75 fields, most of them null.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from autotask.cli.output.cells import columns_of, row_values
from autotask.cli.output.writers import OutputOptions, RecordWriter, expand_label_columns

__all__ = ["SAMPLE", "TableWriter", "fit_widths"]

SAMPLE = 100
GAP = 2
MIN_WIDTH = 6
CAP = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def fit_widths(widths: Sequence[int], limit: int | None) -> list[int]:
    """Column widths for a terminal ``limit`` wide (None: no limit).

    Each column is capped at :data:`CAP`; columns are then taken left to right while they fit.
    The first column that does not fit is cut to the room left when that is at least
    :data:`MIN_WIDTH`, and the rest are left out (the result is then shorter than ``widths``).
    """
    capped = [min(w, CAP) for w in widths]
    if limit is None:
        return capped
    fitted: list[int] = []
    used = 0
    for width in capped:
        gap = GAP if fitted else 0
        if used + gap + width <= limit:
            fitted.append(width)
            used += gap + width
            continue
        room = limit - used - gap
        if room >= MIN_WIDTH or not fitted:
            fitted.append(max(1, room))
        break
    return fitted


class TableWriter(RecordWriter):
    """Aligned columns with a header row; see the module docstring."""

    def __init__(self, stream: TextIO, options: OutputOptions) -> None:
        super().__init__(stream, options)
        self.notes: list[str] = []
        self._sample: list[Mapping[str, Any]] = []
        self._columns: list[str] = []
        self._widths: list[int] = []
        self._right: list[bool] = []
        self._started = False
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        self._ellipsis = "\u2026" if encoding.startswith("utf") else "~"

    def _write(self, record: Mapping[str, Any]) -> None:
        if not self._started:
            self._sample.append(record)
            if len(self._sample) == SAMPLE:
                self._start()
            return
        self._row(row_values(record, self._columns))

    def _close(self) -> None:
        if not self._started and self._sample:
            self._start()  # fewer records than a sample; none at all prints nothing

    def _start(self) -> None:
        sample, self._sample, self._started = self._sample, [], True
        self._columns = self._choose_columns(sample)
        rows = [[_clean(c) for c in row_values(r, self._columns)] for r in sample]
        natural = [
            max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(self._columns)
        ]
        self._widths = fit_widths(natural, self.options.width)
        hidden = len(self._columns) - len(self._widths)
        if hidden:
            self.notes.append(
                f"{hidden} more column(s) did not fit the terminal: "
                f"{', '.join(self._columns[len(self._widths) :][:5])}"
                f"{', ...' if hidden > 5 else ''} (use --fields or --output csv)"
            )
            self._columns = self._columns[: len(self._widths)]
        self._right = [
            all(_NUMBER.fullmatch(row[i]) for row in rows if row[i]) and any(r[i] for r in rows)
            for i in range(len(self._columns))
        ]
        header = self._line(self._columns, align=False)
        if self.options.color:
            header = f"\x1b[1m{header}\x1b[0m"
        self.stream.write(header + "\n")
        for row in rows:
            self.stream.write(self._line(row) + "\n")

    def _choose_columns(self, sample: list[Mapping[str, Any]]) -> list[str]:
        if self.options.columns is not None:
            return expand_label_columns(self.options.columns, self.options.labels)
        seen: dict[str, None] = {}
        for record in sample:
            seen.update(dict.fromkeys(columns_of(record)))
        names = list(seen)
        rows = [row_values(r, names) for r in sample]
        keep = [
            name
            for i, name in enumerate(names)
            if name == "id" or any(row[i] for row in rows) or len(sample) == 0
        ]
        return keep or names

    def _row(self, cells: Sequence[str]) -> None:
        self.stream.write(self._line([_clean(c) for c in cells]) + "\n")

    def _line(self, cells: Sequence[str], *, align: bool = True) -> str:
        parts = []
        for i, width in enumerate(self._widths):
            text = cells[i] if i < len(cells) else ""
            if len(text) > width:
                text = text[: max(0, width - 1)] + self._ellipsis if width > 1 else text[:width]
            right = align and i < len(self._right) and self._right[i]
            parts.append(text.rjust(width) if right else text.ljust(width))
        return (" " * GAP).join(parts).rstrip()


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)
