"""Local files for downloads: a safe name from the server's, and all-or-nothing writes.

A downloaded attachment is written to a temporary file beside its target and renamed into
place only when the whole answer was decoded, so a failed or cut-off download leaves nothing
behind (README "Attachments"). When the caller names a directory, the file takes the
attachment's own name, which comes from the server and so is cleaned first: only its last path
component, no control or format characters, no leading dots (no ``..``, no hidden files), at
most 255 bytes.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = ["PartFile", "safe_file_name"]

_NAME_MAX = 255  # bytes in one path component on common file systems
_SEPARATORS = re.compile(r"[\\/]")


def safe_file_name(name: object, fallback: str) -> str:
    """A file name to create inside a chosen directory, from a name the server sent.

    ``C:\\Users\\x\\report.pdf`` and ``/etc/passwd`` give their last component; ``..``,
    unprintable characters (``\\x00``, escape sequences, the right-to-left override) and
    leading dots go, line breaks and other whitespace become spaces; a name left empty
    becomes ``fallback``.

    Args:
        name: the attachment's ``fullPath`` (any value; non-strings give ``fallback``).
        fallback: the name to use when nothing usable is left.
    """
    text = name if isinstance(name, str) else ""
    text = _SEPARATORS.split(text)[-1]
    # Whitespace of any kind becomes a space; other unprintable characters (controls, format
    # characters such as the right-to-left override, unassigned code points) go.
    text = "".join(" " if ch.isspace() else ch for ch in text if ch.isprintable() or ch.isspace())
    text = text.strip().lstrip(".").strip()
    if not text:
        text = fallback
    return _shorten(text)


def _shorten(name: str) -> str:
    """``name`` cut to ``_NAME_MAX`` UTF-8 bytes, keeping a short extension."""
    if len(name.encode()) <= _NAME_MAX:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext.encode()) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    room = _NAME_MAX - len(suffix.encode())
    return stem.encode()[:room].decode("utf-8", "ignore") + suffix


class PartFile:
    """A temporary file in ``directory`` that becomes a real file only on :meth:`commit`.

    Use as a context manager: leaving the block without committing removes the temporary
    file. The file gets the mode any new file gets here (0666 less the umask), as a download
    with ``curl -o`` would, not ``tempfile``'s 0600.

    Args:
        directory: where the file will live (the temporary file goes there too, so the final
            rename stays on one file system and is atomic).
        hint: a readable part of the temporary file's name.
    """

    def __init__(self, directory: Path, hint: str) -> None:
        self.directory = directory
        self._hint = safe_file_name(hint, "attachment")[:40]
        self._path: Path | None = None
        self.file: IO[bytes] | None = None

    def __enter__(self) -> PartFile:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        while True:  # a fresh random name, created exclusively (never someone else's file)
            path = self.directory / f".{self._hint}.{secrets.token_hex(6)}.part"
            try:
                fd = os.open(path, flags, 0o666)  # the umask applies, as for any new file
            except FileExistsError:
                continue
            break
        self._path = path
        self.file = os.fdopen(fd, "wb")
        return self

    def write(self, data: bytes, /) -> int:
        """Append ``data`` (the sink protocol of the decoder)."""
        assert self.file is not None
        return self.file.write(data)

    def commit(self, target: Path) -> Path:
        """Flush to disk and rename into ``target`` (replacing a file there); returns it."""
        assert self.file is not None and self._path is not None
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self._path, target)
        self._path = None
        return target

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.file is not None and not self.file.closed:
            self.file.close()
        if self._path is not None:
            with contextlib.suppress(OSError):
                self._path.unlink()
            self._path = None
