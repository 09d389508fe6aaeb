"""Output: records and single documents in the five formats of ``--output`` (CONTRACTS §10).

- :func:`record_writer` for a stream of records (``get``, ``query``, ``info --fields``, a
  batch's per-item results): ``writer.write(record)`` per record, ``writer.close()`` at the end.
- :func:`write_document` for one value (``usage``, ``info``): an object in JSON, one line in
  JSON Lines, a header and a row in CSV, ``key  value`` lines in a table, and the caller's one
  line for ``summary``.

The default format is ``table`` when stdout is a terminal and ``jsonl`` when it is not.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from typing import Any, TextIO

from autotask.cli.output.cells import LABEL_SUFFIX, cell_text
from autotask.cli.output.table import TableWriter
from autotask.cli.output.writers import (
    FORMATS,
    CsvWriter,
    JsonLinesWriter,
    JsonWriter,
    OutputOptions,
    RecordWriter,
    SummaryWriter,
)

__all__ = [
    "FORMATS",
    "LABEL_SUFFIX",
    "OutputOptions",
    "RecordWriter",
    "default_format",
    "record_writer",
    "write_document",
]

_WRITERS: dict[str, type[RecordWriter]] = {
    "json": JsonWriter,
    "jsonl": JsonLinesWriter,
    "csv": CsvWriter,
    "table": TableWriter,
    "summary": SummaryWriter,
}


def default_format(stdout_isatty: bool) -> str:
    """``table`` on a terminal, ``jsonl`` otherwise (CONTRACTS §10)."""
    return "table" if stdout_isatty else "jsonl"


def record_writer(stream: TextIO, options: OutputOptions) -> RecordWriter:
    """A writer of ``options.format`` on ``stream``.

    Raises:
        ValueError: an unknown format (the parser only lets known ones through).
    """
    try:
        cls = _WRITERS[options.format]
    except KeyError:
        raise ValueError(f"unknown output format {options.format!r}") from None
    return cls(stream, options)


def write_document(
    stream: TextIO, options: OutputOptions, document: Mapping[str, Any], summary: str
) -> None:
    """Write one document (a flat mapping) in ``options.format``.

    Args:
        stream: where to write.
        options: the format (columns, labels and noun are not used).
        document: the value, e.g. ThresholdInformation's figures.
        summary: the one line written for ``--output summary``.
    """
    fmt = options.format
    if fmt == "json":
        stream.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "jsonl":
        stream.write(json.dumps(document, ensure_ascii=False, separators=(", ", ": ")) + "\n")
    elif fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(list(document))
        writer.writerow([cell_text(v) for v in document.values()])
    elif fmt == "table":
        width = max((len(str(k)) for k in document), default=0)
        for key, value in document.items():
            stream.write(f"{str(key).ljust(width)}  {cell_text(value)}".rstrip() + "\n")
    elif fmt == "summary":
        stream.write(summary.rstrip("\n") + "\n")
    else:
        raise ValueError(f"unknown output format {fmt!r}")
    stream.flush()
