"""A batch run's journal: JSON Lines that make a killed run resumable (CONTRACTS §8).

The first line names the operation and the target; then, per item, a ``sending`` line
(written and flushed to disk before the write goes out) and a line with the item's final
status. Items are named by their position in the input and a key: the SHA-256 of the item's
canonical JSON, so a changed input is recognised and refused. Items themselves are never
written (no record data, no secret), and error texts are the errors' one-line ``str()``.

Example of a journal::

    {"journal": "autotask-batch", "version": 1, "operation": "create", "target": "Tickets", ...}
    {"index": 0, "key": "9f2c...", "state": "sending"}
    {"index": 0, "key": "9f2c...", "status": "created", "id": 1234, "attempts": 1}
    {"index": 1, "key": "07ab...", "state": "sending"}

Here item 1 is in doubt: its write may or may not have been applied.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import hashlib
import json
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autotask._files import sync_directory
from autotask.errors import ConfigError

__all__ = ["Entry", "Journal", "item_key"]

MAGIC = "autotask-batch"
VERSION = 1
SENDING = "sending"
_HEADER_START = b'{"journal":"autotask-batch"'  # how every header line begins (see open())
# A write's durability point: only the data must reach the disk, not the file's times.
_sync = getattr(os, "fdatasync", os.fsync)


def _plain(value: Any) -> Any:
    """JSON for the values a record may hold besides JSON's own (datetimes, Decimal, ...)."""
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    raise TypeError(f"cannot journal a {type(value).__name__}")


def item_key(item: Any) -> str:
    """The SHA-256 (hex) of ``item``'s canonical JSON: sorted keys, no spaces, UTF-8.

    Raises:
        TypeError: ``item`` holds a value with no JSON form (pass your own key function).
    """
    text = json.dumps(
        item, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """What the journal knows of one item: its key, last state, and id when it finished."""

    key: str
    state: str  # "sending", or a final status ("created", "failed", "unknown", ...)
    item_id: int | None = None
    line: int = 0  # where the journal said so, for messages


class Journal:
    """An open journal file. Thread-safe; use :meth:`open`, then :meth:`close`.

    Attributes:
        path: the file.
        entries: what a previous run left (index -> :class:`Entry`); empty for a new journal.
    """

    def __init__(self, path: str, fd: int, entries: dict[int, Entry]) -> None:
        self.path = path
        self.entries = entries
        self._fd: int | None = fd
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], operation: str, target: str, **header: Any
    ) -> Journal:
        """Open ``path`` to resume it, or start it with a header when missing or empty.

        Args:
            path: the journal file.
            operation: what the run does (``"create"``); a journal of another is refused.
            target: what it does it to (``"Tickets"``); a journal of another is refused.
            header: more facts for the header line (informative only).

        Raises:
            ConfigError: another operation or target, a damaged line, a file that is not a
                journal, or a journal in use by another run.
        """
        name = os.fspath(path)
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        except OSError as exc:
            raise ConfigError(f"cannot open journal {name}: {exc.strerror}") from None
        try:
            _lock(fd, name)
            entries = _read(fd, name, operation, target)
            if entries is None:  # new or empty: start it
                os.ftruncate(fd, 0)
                started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
                first = {"journal": MAGIC, "version": VERSION, "operation": operation}
                _append(fd, {**first, "target": target, **header, "started": started})
                _sync(fd)
                # A new file survives a crash only once its directory entry is on disk too.
                sync_directory(Path(name).absolute().parent)
                entries = {}
        except BaseException:
            os.close(fd)
            raise
        return cls(name, fd, entries)

    def check(self, index: int, key: str) -> Entry | None:
        """What a previous run left for item ``index``, or None.

        Raises:
            ConfigError: the journal has another key at this index: the input changed.
        """
        entry = self.entries.get(index)
        if entry is not None and entry.key != key:
            raise ConfigError(
                f"journal {self.path} line {entry.line}: item {index} differs from the item "
                "journaled there; the input changed (resume with the same input, or start a "
                "new journal)"
            )
        return entry

    def sending(self, index: int, key: str) -> None:
        """Record that item ``index`` is about to be sent; on disk when this returns."""
        fd = self._write({"index": index, "key": key, "state": SENDING})
        if fd is not None:
            _sync(fd)  # outside the lock: workers' syncs overlap

    def finished(
        self,
        index: int,
        key: str,
        status: str,
        *,
        item_id: int | None = None,
        attempts: int = 0,
        error: str | None = None,
    ) -> None:
        """Record item ``index``'s final status. Reaches the disk with the next sync."""
        line: dict[str, Any] = {"index": index, "key": key, "status": status, "id": item_id}
        line["attempts"] = attempts
        if error is not None:
            line["error"] = error
        self._write(line)

    def close(self) -> None:
        """Flush everything to disk and close (idempotent; later writes are dropped)."""
        with self._lock:
            fd, self._fd = self._fd, None
        if fd is not None:
            try:
                _sync(fd)
            finally:
                os.close(fd)

    def _write(self, line: Mapping[str, Any]) -> int | None:
        with self._lock:
            if self._fd is not None:
                _append(self._fd, line)
            return self._fd


def _append(fd: int, line: Mapping[str, Any]) -> None:
    data = (json.dumps(line, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    while data:  # O_APPEND: each write lands at the end, whole lines in practice
        data = data[os.write(fd, data) :]


def _lock(fd: int, name: str) -> None:
    """An exclusive lock keeps a second run off the journal (POSIX; not checked on Windows)."""
    if sys.platform == "win32":  # pragma: no cover
        return
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise ConfigError(f"journal {name} is in use by another run") from None


def _read(fd: int, name: str, operation: str, target: str) -> dict[int, Entry] | None:
    """The entries of an existing journal (None when empty). A last line cut off by a crash
    is dropped from the file; any other damage is refused."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    with os.fdopen(os.dup(fd), "rb") as fh:
        fh.seek(0)
        data = fh.read()
    start = data.split(b"\n", 1)[0]
    if not (start.startswith(_HEADER_START) or _HEADER_START.startswith(start)):
        # Checked before anything is cut: never truncate a file that is not ours.
        raise ConfigError(f"{name} is not an autotask batch journal (line 1)")
    lines = data.split(b"\n")
    complete, tail = lines[:-1], lines[-1]
    if tail:  # no newline at the end: the write of that line was cut off
        os.ftruncate(fd, size - len(tail))
    if not complete:
        return None
    header = _parse(complete[0], name, 1)
    if header.get("journal") != MAGIC:
        raise ConfigError(f"{name} is not an autotask batch journal (line 1)")
    if (header.get("operation"), header.get("target")) != (operation, target):
        raise ConfigError(
            f"journal {name} is for {header.get('operation')} {header.get('target')}, not "
            f"{operation} {target}; use another journal file"
        )
    entries: dict[int, Entry] = {}
    for number, raw in enumerate(complete[1:], 2):
        line = _parse(raw, name, number)
        try:
            index, key = int(line["index"]), str(line["key"])
            state = str(line.get("status") or line["state"])
            found = line.get("id")
            item_id = None if found is None else int(found)
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"journal {name} line {number} is damaged") from None
        entries[index] = Entry(key, state, item_id, number)
    return entries


def _parse(raw: bytes, name: str, number: int) -> dict[str, Any]:
    try:
        line = json.loads(raw)
    except ValueError:
        line = None
    if not isinstance(line, dict):
        raise ConfigError(f"journal {name} line {number} is damaged")
    return line
