"""Export targets: JSON Lines, CSV and SQLite, each committed all at once, each resumable.

- A file target (``*.jsonl``, ``*.csv``) is written to ``.NAME.partial`` beside it and renamed
  over it at the end; ``.NAME.partial.json`` holds the checkpoint (the partial file's synced
  length and the work left), so a killed run resumes by cutting the partial file back to it.
- A SQLite target (``sqlite:///PATH``, stdlib ``sqlite3``, WAL) gets one table per entity with
  typed columns. Pages go into a staging table, one transaction per page with the checkpoint
  in the same transaction; the commit swaps it in (a full run) or upserts it by ``id`` (an
  incremental run) and removes deleted records, in one transaction.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autotask._files import sync_directory
from autotask.errors import InvalidRequest
from autotask.export.columns import Columns
from autotask.export.state import write_json_atomic

__all__ = ["FileWriter", "SqliteWriter", "Writer", "open_writer"]

Record = dict[str, Any]
SQLITE_PREFIX = "sqlite:///"
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
CHECKPOINT_SECONDS = 1.0  # a file target syncs its checkpoint at most this often


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Writer:
    """What the export run needs from a target (see the module docstring)."""

    kind = ""
    display = ""

    def checkpoint(self) -> dict[str, Any] | None:
        """The checkpoint a killed run left, or None."""
        raise NotImplementedError

    def start(self, resume: dict[str, Any] | None) -> None:
        """Begin writing: continue after ``resume``, or start afresh when None."""
        raise NotImplementedError

    def write(self, records: list[Record], checkpoint: dict[str, Any]) -> None:
        """Write a page; ``checkpoint`` is the resume point once it is durable."""
        raise NotImplementedError

    def can_apply_delta(self) -> bool:
        """True when an incremental run can build on what the target holds."""
        return True

    def commit(self, *, full: bool, deleted: Sequence[tuple[int, str]] = ()) -> None:
        """Make the run visible at once; ``deleted`` = ``(id, when)`` of removed records."""
        raise NotImplementedError

    def close(self) -> None:
        """Release files and connections (an uncommitted run stays resumable)."""
        raise NotImplementedError


class FileWriter(Writer):
    """A JSON Lines or CSV file (see the module docstring)."""

    def __init__(self, path: Path, kind: str, columns: Columns, strip: frozenset[str]) -> None:
        self.kind = kind
        self.display = str(path)
        self.path = path
        self.partial = path.with_name(f".{path.name}.partial")
        self.state = path.with_name(f".{path.name}.partial.json")
        self.columns = columns
        self.strip = strip
        self._file: Any = None
        self._pending: dict[str, Any] | None = None
        self._synced = 0.0

    def checkpoint(self) -> dict[str, Any] | None:
        try:
            raw = json.loads(self.state.read_text(encoding="utf-8"))
            size = self.partial.stat().st_size
        except (OSError, ValueError):
            return None
        offset = raw.get("offset") if isinstance(raw, dict) else None
        if not isinstance(offset, int) or not 0 <= offset <= size:
            return None
        return dict(raw)

    def start(self, resume: dict[str, Any] | None) -> None:
        if resume is None:
            with contextlib.suppress(FileNotFoundError):
                self.state.unlink()
            self._file = open(self.partial, "wb")  # noqa: SIM115 (closed by close())
            if self.kind == "csv":
                self._file.write(self._csv([self.columns.names]))
            return
        self._file = open(self.partial, "r+b")  # noqa: SIM115 (closed by close())
        self._file.truncate(resume["offset"])  # what came after the checkpoint is redone
        self._file.seek(resume["offset"])

    def _csv(self, rows: list[list[str]]) -> bytes:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8")

    def write(self, records: list[Record], checkpoint: dict[str, Any]) -> None:
        if self.kind == "csv":
            data = self._csv([self.columns.csv_row(r) for r in records])
        else:
            data = "".join(
                json.dumps(
                    {k: v for k, v in r.items() if k not in self.strip} if self.strip else r,
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
                + "\n"
                for r in records
            ).encode("utf-8")
        self._file.write(data)
        self._pending = checkpoint
        if time.monotonic() - self._synced >= CHECKPOINT_SECONDS:
            self._sync()

    def _sync(self) -> None:
        if self._pending is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        write_json_atomic(self.state, {**self._pending, "offset": self._file.tell()})
        self._pending = None
        self._synced = time.monotonic()

    def commit(self, *, full: bool, deleted: Sequence[tuple[int, str]] = ()) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        os.replace(self.partial, self.path)
        sync_directory(self.path.parent)
        with contextlib.suppress(FileNotFoundError):
            self.state.unlink()

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._sync()
            self._file.close()
            self._file = None


class SqliteWriter(Writer):
    """One entity's table in a SQLite database (see the module docstring)."""

    kind = "sqlite"

    def __init__(self, path: Path, entity: str, columns: Columns) -> None:
        self.display = SQLITE_PREFIX + str(path)
        self.path = path
        self.entity = entity
        self.columns = columns
        self.table = _quote(entity)
        self.staging = _quote(f"_autotask_partial_{entity}")
        names = ", ".join(_quote(n) for n in columns.names)
        self._names = names
        marks = ", ".join("?" for _ in columns.names)
        self._insert = f"INSERT OR REPLACE INTO {self.staging} ({names}) VALUES ({marks})"
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # the state file trusts a commit
            self.db.execute("PRAGMA busy_timeout=30000")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS _autotask_export "
                "(entity TEXT PRIMARY KEY, checkpoint TEXT NOT NULL)"
            )
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS _autotask_deleted (entity TEXT NOT NULL, "
                "id INTEGER NOT NULL, deleted_at TEXT, PRIMARY KEY (entity, id))"
            )
        except sqlite3.Error as exc:
            raise InvalidRequest(f"cannot open SQLite target {self.display}: {exc}") from exc

    def _columns_of(self, table: str) -> list[str]:
        return [str(row[1]) for row in self.db.execute(f"PRAGMA table_info({table})")]

    def checkpoint(self) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT checkpoint FROM _autotask_export WHERE entity = ?", (self.entity,)
        ).fetchone()
        if row is None or self._columns_of(self.staging) != self.columns.names:
            return None
        try:
            raw = json.loads(row[0])
        except ValueError:
            return None
        return raw if isinstance(raw, dict) else None

    def can_apply_delta(self) -> bool:
        return self._columns_of(self.table) == self.columns.names

    def start(self, resume: dict[str, Any] | None) -> None:
        if resume is not None:
            return
        columns = ", ".join(f"{_quote(c.name)} {c.sql_type}" for c in self.columns.columns)
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute(f"DROP TABLE IF EXISTS {self.staging}")
        self.db.execute(f"CREATE TABLE {self.staging} ({columns})")
        self.db.execute("DELETE FROM _autotask_export WHERE entity = ?", (self.entity,))
        self.db.execute("COMMIT")

    def write(self, records: list[Record], checkpoint: dict[str, Any]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(self._insert, [self.columns.sql_row(r) for r in records])
            self.db.execute(
                "INSERT OR REPLACE INTO _autotask_export (entity, checkpoint) VALUES (?, ?)",
                (self.entity, json.dumps(checkpoint, separators=(",", ":"))),
            )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def commit(self, *, full: bool, deleted: Sequence[tuple[int, str]] = ()) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if full:
                db.execute(f"DROP TABLE IF EXISTS {self.table}")
                db.execute(f"ALTER TABLE {self.staging} RENAME TO {self.table}")
            else:
                db.execute(
                    f"INSERT OR REPLACE INTO {self.table} ({self._names}) "
                    f"SELECT {self._names} FROM {self.staging}"
                )
                db.execute(f"DROP TABLE {self.staging}")
            db.executemany(f"DELETE FROM {self.table} WHERE id = ?", [(i,) for i, _ in deleted])
            db.executemany(
                "INSERT OR REPLACE INTO _autotask_deleted (entity, id, deleted_at) "
                "VALUES (?, ?, ?)",
                [(self.entity, i, when) for i, when in deleted],
            )
            db.execute("DELETE FROM _autotask_export WHERE entity = ?", (self.entity,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()


def parse_target(target: str | os.PathLike[str]) -> tuple[str, Path]:
    """``(kind, path)`` of a target: ``jsonl``, ``csv`` or ``sqlite``.

    Raises:
        InvalidRequest: an unknown suffix or scheme, or a folder that does not exist.
    """
    text = os.fspath(target)
    if text.startswith(SQLITE_PREFIX):
        kind, path = "sqlite", Path(text[len(SQLITE_PREFIX) :])
    elif "://" in text:
        raise InvalidRequest(
            f"unknown export target {text!r}: use FILE.jsonl, FILE.csv or {SQLITE_PREFIX}PATH"
        )
    else:
        path = Path(text)
        found = _SUFFIXES.get(path.suffix.lower())
        if found is None:
            raise InvalidRequest(
                f"export target {text!r}: the name must end in .jsonl, .ndjson or .csv "
                f"(or use {SQLITE_PREFIX}PATH)"
            )
        kind = found
    if not path.name or path.is_dir():
        raise InvalidRequest(f"export target {text!r} is a folder, not a file")
    if not path.parent.is_dir() and str(path.parent) != "":
        raise InvalidRequest(f"export target {text!r}: folder {path.parent} does not exist")
    return kind, path


def open_writer(
    kind: str, path: Path, entity: str, columns: Columns, strip: frozenset[str]
) -> Writer:
    """The writer for a target parsed by :func:`parse_target`."""
    if kind == "sqlite":
        return SqliteWriter(path, entity, columns)
    return FileWriter(path, kind, columns, strip)
