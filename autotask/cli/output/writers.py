"""Record writers for ``--output json|jsonl|csv|table|summary`` (CONTRACTS §10).

Every writer takes records one at a time and writes them as they arrive (the table waits for a
first screenful to size its columns), so a query of 100,000 records streams through in constant
memory and ``| head`` sees the first rows at once. A closed pipe surfaces as
``BrokenPipeError``, which ``main`` turns into a quiet exit.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from autotask.cli.output.cells import LABEL_SUFFIX, Labels, columns_of, row_values, with_labels

__all__ = ["FORMATS", "OutputOptions", "RecordWriter", "expand_label_columns"]

FORMATS = ("json", "jsonl", "csv", "table", "summary")
_FLUSH_EVERY = 0.2  # seconds: rows reach a pipe promptly without a syscall per row


@dataclass(frozen=True)
class OutputOptions:
    """How records are written.

    Attributes:
        format: one of :data:`FORMATS`.
        columns: the columns for CSV and tables (``--fields``, or the entity's field metadata);
            None takes them from the first record.
        labels: picklist labels to add beside values (``--labels``), or None.
        width: the terminal width a table must fit, or None for no limit.
        color: whether the table header may be bold.
        noun: what the records are, for the summary line (``"Tickets"``).
    """

    format: str
    columns: Sequence[str] | None = None
    labels: Labels | None = None
    width: int | None = None
    color: bool = False
    noun: str = "records"


def expand_label_columns(columns: Sequence[str], labels: Labels | None) -> list[str]:
    """``columns`` with ``field.label`` after each picklist field (when labels are shown)."""
    out: list[str] = []
    for column in columns:
        out.append(column)
        if labels is not None and column in labels:
            out.append(column + LABEL_SUFFIX)
    return out


class RecordWriter:
    """Base of the writers: counts records, adds labels, flushes at most every 0.2 s.

    Use :func:`autotask.cli.output.record_writer` to get one; call :meth:`write` per record and
    :meth:`close` once at the end (it completes the JSON array, prints a short table, writes
    the summary line).
    """

    def __init__(self, stream: TextIO, options: OutputOptions) -> None:
        self.stream = stream
        self.options = options
        self.count = 0
        self._flushed = time.monotonic()

    def write(self, record: Mapping[str, Any]) -> None:
        """Write one record."""
        if self.options.labels is not None:
            record = with_labels(record, self.options.labels)
        self.count += 1
        self._write(record)
        now = time.monotonic()
        if now - self._flushed >= _FLUSH_EVERY:
            self.stream.flush()
            self._flushed = now

    def close(self) -> None:
        """Finish the output and flush it."""
        self._close()
        self.stream.flush()

    def _write(self, record: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        pass


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


class JsonLinesWriter(RecordWriter):
    """One JSON object per line."""

    def _write(self, record: Mapping[str, Any]) -> None:
        self.stream.write(_json(record) + "\n")


class JsonWriter(RecordWriter):
    """One JSON array, one record per line inside it, opened with the first record."""

    def _write(self, record: Mapping[str, Any]) -> None:
        self.stream.write(("[\n" if self.count == 1 else ",\n") + _json(record))

    def _close(self) -> None:
        self.stream.write("\n]\n" if self.count else "[]\n")


class CsvWriter(RecordWriter):
    """A header row, then one row per record; ``udf:Name`` columns for UDFs."""

    def __init__(self, stream: TextIO, options: OutputOptions) -> None:
        super().__init__(stream, options)
        self._csv = csv.writer(stream, lineterminator="\n")
        self._columns: list[str] | None = None
        if options.columns is not None:
            self._columns = expand_label_columns(options.columns, options.labels)

    def _write(self, record: Mapping[str, Any]) -> None:
        if self._columns is None:
            self._columns = columns_of(record)
        if self.count == 1:
            self._csv.writerow(self._columns)
        self._csv.writerow(row_values(record, self._columns))

    def _close(self) -> None:
        if self.count == 0 and self._columns is not None:
            self._csv.writerow(self._columns)  # an empty result still has its header


class SummaryWriter(RecordWriter):
    """Only the count: ``12 Tickets``."""

    def _write(self, record: Mapping[str, Any]) -> None:
        pass

    def _close(self) -> None:
        self.stream.write(f"{self.count} {self.options.noun}\n")
