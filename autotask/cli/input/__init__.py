"""Input files for records and ids: JSON array, JSON Lines, CSV; ``-`` is standard input.

- :func:`read_records` yields one record (a dict) at a time from a JSON array, JSON Lines (or
  any sequence of JSON objects) or CSV with a header row. CSV cells are typed by a
  :class:`~autotask.cli.values.fieldtypes.FieldTable` (``status`` ``New`` becomes ``1``);
  ``udf:Name`` columns or keys become ``userDefinedFields`` items in every format.
- :func:`checked_records` reads an input through once first (a batch must not stop half-way
  at a malformed line), counts it, then reads it again lazily.
- :func:`read_ids` yields record ids, one per line (``#`` comments and blank lines skipped).
- :func:`read_document` reads one JSON object from text, ``@FILE`` or ``-``.

Files are read as streams: a 100,000-line JSON Lines file is never in memory whole. Every error
is a :class:`~autotask.cli.exitcodes.UsageError` naming the file, the line or row and the field.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from autotask.cli.exitcodes import UsageError
from autotask.cli.input.jsonstream import JsonStreamError, iter_json_values
from autotask.core.records import UDF_PREFIX

__all__ = [
    "CellTyper",
    "CheckedInput",
    "checked_records",
    "open_input",
    "read_document",
    "read_ids",
    "read_records",
]

_JSON_SUFFIXES = (".json", ".jsonl", ".ndjson")


class CellTyper(Protocol):
    """Turns the text of a CSV cell into the value to send (see ``FieldTable.convert_cell``)."""

    def check_column(self, column: str) -> None:
        """Raise ``UsageError`` unless ``column`` (a field name or ``udf:Name``) exists."""
        ...

    def convert_cell(self, column: str, text: str) -> Any:
        """The typed value of ``text`` for ``column``; raises ``ValueError`` with a message
        naming the problem."""
        ...


def source_name(source: str) -> str:
    """How errors name an input: its path, or ``<stdin>``."""
    return "<stdin>" if source == "-" else source


@contextlib.contextmanager
def open_input(source: str, stdin: TextIO) -> Iterator[TextIO]:
    """Open ``source`` for reading text (``-`` is ``stdin``, left open afterwards).

    Raises:
        UsageError: the file is missing or unreadable.
    """
    if source == "-":
        yield stdin
        return
    try:
        fh = open(source, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        yield fh
    finally:
        fh.close()


def _format_of(source: str, head: str) -> str:
    suffix = Path(source).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in _JSON_SUFFIXES:
        return "json"
    return "json" if head[:1] in ("[", "{") else "csv"


class _Peek:
    """A text stream with its first characters already read (to sniff the format)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.head = ""
        while True:
            chunk = stream.read(512)
            self.head += chunk
            if not chunk or self.head.strip():
                break
        self.head = self.head.lstrip("\ufeff")

    def read(self, size: int = -1) -> str:
        if self.head:
            head, self.head = self.head, ""
            if size < 0:
                return head + self.stream.read()
            return head if len(head) >= size else head + self.stream.read(size - len(head))
        return self.stream.read(size)

    def __iter__(self) -> Iterator[str]:
        if self.head:
            # csv reads lines; give back the peeked text as lines, then the rest
            rest = self.stream.readline()
            text, self.head = self.head + rest, ""
            yield from io.StringIO(text, newline="")
        yield from self.stream


def _udfs_folded(record: dict[str, Any]) -> dict[str, Any]:
    """Move ``udf:Name`` keys into ``userDefinedFields`` (after any the record already has)."""
    names = [k for k in record if k.startswith(UDF_PREFIX)]
    if not names:
        return record
    items = list(record.get("userDefinedFields") or [])
    for key in names:
        items.append({"name": key[len(UDF_PREFIX) :], "value": record.pop(key)})
    record["userDefinedFields"] = items
    return record


def read_records(
    source: str,
    stdin: TextIO,
    typer: CellTyper | None = None,
    *,
    name: str | None = None,
    check_keys: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield the records of ``source`` one at a time.

    The format is taken from the suffix (``.csv``; ``.json``, ``.jsonl``, ``.ndjson``), else
    from the first character (``[`` or ``{`` is JSON, anything else CSV).

    Args:
        source: a path, or ``-`` for ``stdin``.
        stdin: standard input.
        typer: types CSV cells (required for CSV: a CSV cell is only text).
        name: how errors name the input (default: the path, or ``<stdin>``).
        check_keys: check the keys of JSON records against ``typer`` too (a CSV header is
            always checked): a key that names no field is an error, not a request the API
            refuses item by item.

    Raises:
        UsageError: a missing file, malformed JSON or CSV, an item that is not an object, a
            cell that does not fit its field, a key that names no field (with
            ``check_keys``); the message names file, line and field.
    """
    name = name or source_name(source)
    with open_input(source, stdin) as raw:
        try:
            peek = _Peek(raw)
        except UnicodeDecodeError as exc:  # within the first characters, read to sniff
            raise UsageError(f"{name}: not UTF-8 text ({exc.reason})") from None
        if _format_of(source, peek.head.lstrip()) == "csv":
            if typer is None:
                raise UsageError(f"{name}: CSV input needs the entity's field types")
            yield from _csv_records(peek, name, typer)
            return
        yield from _json_records(peek, name, typer if check_keys else None)


@dataclass(frozen=True)
class CheckedInput:
    """An input read through once and found good: its record count and a fresh reader.

    Attributes:
        count: how many records it holds (a progress bar's total).
        name: how errors name it.
    """

    count: int
    name: str
    _path: str
    _typer: CellTyper | None
    _check_keys: bool = False

    def records(self) -> Iterator[dict[str, Any]]:
        """Read the records again, one at a time (the same typing, the same errors)."""
        return read_records(
            self._path, io.StringIO(), self._typer, name=self.name, check_keys=self._check_keys
        )


@contextlib.contextmanager
def checked_records(
    source: str, stdin: TextIO, typer: CellTyper | None = None, *, check_keys: bool = False
) -> Iterator[CheckedInput]:
    """Check every record of ``source`` before any is used, then read it again lazily.

    A batch must not send half a file and then stop at a malformed line 50,000: this reads the
    whole input once (one record at a time, so memory stays flat), raising the first error,
    and counts the records. Standard input is first copied to a temporary file (removed on
    exit), since it can be read only once.

    Raises:
        UsageError: as :func:`read_records`, before anything is sent.
    """
    name = source_name(source)
    spool = None
    try:
        if source == "-":
            spool = tempfile.NamedTemporaryFile(  # noqa: SIM115 (removed in the finally)
                "w", encoding="utf-8", suffix=".input", delete=False
            )
            with spool:
                shutil.copyfileobj(stdin, spool, 1024 * 1024)
            path = spool.name
        else:
            path = source
        records = read_records(path, io.StringIO(), typer, name=name, check_keys=check_keys)
        count = sum(1 for _ in records)
        yield CheckedInput(count, name, path, typer, check_keys)
    finally:
        if spool is not None:
            with contextlib.suppress(OSError):
                os.unlink(spool.name)


def _json_records(
    stream: Any, name: str, typer: CellTyper | None = None
) -> Iterator[dict[str, Any]]:
    try:
        for index, (line, value) in enumerate(iter_json_values(stream), 1):
            if not isinstance(value, dict):
                kind = type(value).__name__.replace("NoneType", "null")
                raise UsageError(f"{name}: line {line}: item {index} is a {kind}, not an object")
            if typer is not None:
                try:
                    _check_keys(value, typer)
                except UsageError as exc:
                    raise UsageError(f"{name}: line {line}: item {index}: {exc}") from None
            yield _udfs_folded(value)
    except JsonStreamError as exc:
        raise UsageError(f"{name}: line {exc.line}: malformed JSON: {exc.message}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: not UTF-8 text ({exc.reason})") from None


def _check_keys(record: dict[str, Any], typer: CellTyper) -> None:
    """Every key a field (``udf:Name`` a UDF), every ``userDefinedFields`` name a UDF."""
    for key, value in record.items():
        if key.lower() != "userdefinedfields":
            typer.check_column(key)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    typer.check_column(UDF_PREFIX + item["name"])


def _csv_records(stream: Any, name: str, typer: CellTyper) -> Iterator[dict[str, Any]]:
    reader = csv.reader(stream, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip() for h in header]
        blank = [i + 1 for i, h in enumerate(header) if not h]
        if blank:
            raise UsageError(f"{name}: line 1: column {blank[0]} of the header has no name")
        twice = sorted({h for h in header if header.count(h) > 1})
        if twice:
            raise UsageError(f"{name}: line 1: column {twice[0]!r} appears twice in the header")
        for column in header:
            try:
                typer.check_column(column)
            except UsageError as exc:
                raise UsageError(f"{name}: line 1: column {column!r}: {exc}") from None
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) > len(header):
                raise UsageError(
                    f"{name}: line {line}: {len(row)} cells but the header has {len(header)}"
                )
            record: dict[str, Any] = {}
            for column, text in zip(header, row):  # noqa: B905 (short rows: missing cells)
                if text == "":
                    continue  # an empty cell leaves the field out
                try:
                    record[column] = typer.convert_cell(column, text)
                except ValueError as exc:
                    raise UsageError(f"{name}: line {line}: column {column!r}: {exc}") from None
            yield _udfs_folded(record)
    except csv.Error as exc:
        raise UsageError(f"{name}: line {reader.line_num}: malformed CSV: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name}: not UTF-8 text ({exc.reason})") from None


def read_ids(sources: Iterable[str], stdin: TextIO) -> Iterator[int]:
    """Yield ids from files (one per line; blank lines and ``#`` comments skipped).

    Raises:
        UsageError: a missing file, or a line that is not an id (a whole number >= 0).
    """
    for source in sources:
        name = source_name(source)
        with open_input(source, stdin) as fh:
            for number, line in enumerate(fh, 1):
                text = line.split("#", 1)[0].strip()
                if text:
                    yield parse_id(text, f"{name}: line {number}")


def parse_id(text: str, where: str = "") -> int:
    """``text`` as a record id: a whole number >= 0 (every tenant's own company is id 0).

    Raises:
        UsageError: it is not one (``where`` prefixes the message).
    """
    prefix = f"{where}: " if where else ""
    try:
        value = int(text.strip())
    except ValueError:
        raise UsageError(f"{prefix}bad id {text!r}: an id is a whole number") from None
    if value < 0:
        raise UsageError(f"{prefix}bad id {text!r}: an id is a whole number, 0 or more")
    return value


def read_document(text: str, stdin: TextIO) -> dict[str, Any]:
    """One JSON object from an argument: JSON text, ``@FILE``, or ``-`` (standard input).

    Raises:
        UsageError: a missing file, malformed JSON, or not an object.
    """
    if text == "-" or text.startswith("@"):
        source = "-" if text == "-" else text[1:]
        name = source_name(source)
        with open_input(source, stdin) as fh:
            try:
                body = fh.read()
            except UnicodeDecodeError as exc:
                raise UsageError(f"{name}: not UTF-8 text ({exc.reason})") from None
    else:
        name, body = "the JSON argument", text
    try:
        value = json.loads(body)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{name}: line {exc.lineno}: malformed JSON: {exc.msg}") from None
    except RecursionError:
        raise UsageError(f"{name}: the JSON is nested too deeply to read") from None
    if not isinstance(value, dict):
        raise UsageError(f"{name}: expected a JSON object, got {type(value).__name__}")
    return _udfs_folded(value)
