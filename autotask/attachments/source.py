"""Where an upload's bytes come from: a file path, bytes, or a seekable binary file object.

Each source knows its size before a byte is read (so the limit is checked and the
``Content-Length`` computed first) and can be read again from the start, so a retried upload
after a 429 sends the same bytes (the transport calls the body factory once per attempt).
Reading problems become :class:`SourceError`, a ``ValueError``: raised while the body is being
sent, the transport reports it as a request that could not be sent (never applied, since the
server got less than the announced length).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

__all__ = ["Reader", "Source", "SourceError"]

Reader = Callable[[int], bytes]


class SourceError(ValueError):
    """The upload's file cannot be read (the message names it)."""


@dataclass(frozen=True, slots=True)
class Source:
    """Bytes to upload.

    Attributes:
        name: how errors name it (the path, or the file name given with the data).
        size: its size in bytes, known before reading.
        opener: a context manager factory giving a fresh ``read(n)`` from the start.
    """

    name: str
    size: int
    opener: Callable[[], Any]

    @classmethod
    def from_path(cls, path: str | os.PathLike[str]) -> Source:
        """A file on disk: its size from ``stat``; opened (not read) once to check access.

        Raises:
            SourceError: missing, not a regular file, or not readable.
        """
        file_path = Path(path)
        try:
            stat = file_path.stat()
            if not file_path.is_file():
                raise SourceError(f"{file_path}: not a regular file")
            with file_path.open("rb"):
                pass
        except OSError as exc:
            raise SourceError(f"cannot read {file_path}: {exc.strerror or exc}") from None

        @contextmanager
        def opener() -> Iterator[Reader]:
            try:
                handle = file_path.open("rb")
            except OSError as exc:
                raise SourceError(f"cannot read {file_path}: {exc.strerror or exc}") from None
            with handle:
                yield _checked(handle.read, str(file_path))

        return cls(str(file_path), stat.st_size, opener)

    @classmethod
    def from_data(cls, data: bytes | bytearray | memoryview | IO[bytes], name: str) -> Source:
        """Bytes in memory, or a binary file object read from its current position.

        Raises:
            SourceError: a file object that cannot seek (its size and a retry need it) or
                is not open for binary reading.
        """
        if isinstance(data, (bytes, bytearray, memoryview)):
            view = memoryview(data).cast("B")

            @contextmanager
            def opener() -> Iterator[Reader]:
                yield _view_reader(view)

            return cls(name, view.nbytes, opener)
        readable = getattr(data, "readable", None)
        seekable = getattr(data, "seekable", None)
        if not callable(getattr(data, "read", None)) or (callable(readable) and not readable()):
            raise SourceError(f"{name}: data must be bytes or a binary file open for reading")
        if isinstance(cast(object, data), io.TextIOBase):
            raise SourceError(f"{name}: the file object is open in text mode; open it with 'rb'")
        if not callable(seekable) or not seekable():
            raise SourceError(
                f"{name}: the file object cannot seek (its size must be known before sending "
                "and a retry reads it again); pass bytes or a file path"
            )
        try:
            start = data.tell()
            size = data.seek(0, os.SEEK_END) - start
            data.seek(start)
        except OSError as exc:
            raise SourceError(f"cannot read {name}: {exc}") from None

        @contextmanager
        def rewind() -> Iterator[Reader]:
            try:
                data.seek(start)
            except OSError as exc:
                raise SourceError(f"cannot read {name}: {exc}") from None
            yield _checked(data.read, name)

        return cls(name, size, rewind)


def _checked(read: Callable[[int], bytes], name: str) -> Reader:
    """``read`` with OS errors turned into :class:`SourceError` naming the file."""

    def checked(size: int) -> bytes:
        try:
            return read(size)
        except OSError as exc:
            raise SourceError(f"cannot read {name}: {exc.strerror or exc}") from None

    return checked


def _view_reader(view: memoryview) -> Reader:
    """``read(n)`` over ``view`` from its start, copying only the pieces asked for."""
    position = 0

    def read(size: int) -> bytes:
        nonlocal position
        piece = view[position : position + size]
        position += len(piece)
        return piece.tobytes()

    return read
