"""Streaming JSON: the items of a top-level array, or a sequence of values (JSON Lines).

Reads 64 KiB at a time and decodes one value at a time with ``json.JSONDecoder.raw_decode``,
so a file of 100,000 records is never in memory whole: only the current chunk and the value
being decoded are. Errors carry the line number in the file, counted as the text is consumed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = ["JsonStreamError", "iter_json_values"]

CHUNK = 64 * 1024
_WHITESPACE = " \t\r\n\ufeff"


class JsonStreamError(ValueError):
    """Malformed JSON at ``line`` (1-based) of the input."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Reader:
    """A sliding window over a text stream that counts the lines it has dropped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.lines_before = 0  # newlines in text already dropped from the window

    def more(self, size: int = CHUNK) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(size)
        if not chunk:
            self.eof = True
            return False
        if self.pos:
            self.lines_before += self.buf.count("\n", 0, self.pos)
            self.buf, self.pos = self.buf[self.pos :], 0
        self.buf += chunk
        return True

    def line(self, pos: int | None = None) -> int:
        at = self.pos if pos is None else pos
        return self.lines_before + self.buf.count("\n", 0, at) + 1

    def skip_space(self) -> str:
        """Skip whitespace; return the next character ("" at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def decode(self, decoder: json.JSONDecoder) -> Any:
        size = CHUNK
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise JsonStreamError("nested too deeply to read", self.line()) from None
            except json.JSONDecodeError as exc:
                # A value cut by the window end just needs more text: read on (doubling, so a
                # large value costs linear time). A real error is reported at once.
                if _truncated(exc, self.buf) and self.more(size):
                    size *= 2
                    continue
                # Name the line the value starts on; where the decoder stopped, if elsewhere.
                start, stop = self.line(), self.line(exc.pos)
                at = f" (at line {stop}, column {exc.colno})" if stop != start else ""
                raise JsonStreamError(exc.msg + at, start) from None
            # A number at the window edge ("12" of "123") is complete only at a delimiter.
            if end == len(self.buf) and _may_continue(value) and self.more(size):
                continue
            self.pos = end
            return value


def _truncated(exc: json.JSONDecodeError, buf: str) -> bool:
    # Errors caused by the window end: the decoder ran to the end of the text, or into an
    # unterminated string (reported at its start), or into an escape cut short.
    return (
        not buf[exc.pos :].strip(_WHITESPACE)
        or exc.msg.startswith("Unterminated string")
        or exc.pos >= len(buf) - 6
    )


def _may_continue(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def iter_json_values(stream: TextIO) -> Iterator[tuple[int, Any]]:
    """Yield ``(line, value)`` for each item of a top-level array, or for each top-level value
    of a sequence (JSON Lines, or one object, or objects one after another).

    Raises:
        JsonStreamError: malformed JSON, with the line it was found on.
    """
    reader = _Reader(stream)
    decoder = json.JSONDecoder()
    first = reader.skip_space()
    if first == "":
        return
    if first != "[":
        while reader.skip_space():
            line = reader.line()
            yield line, reader.decode(decoder)
        return
    reader.pos += 1
    if reader.skip_space() == "]":
        reader.pos += 1
    else:
        while True:
            if reader.skip_space() == "":
                raise JsonStreamError("the array is not closed with ']'", reader.line())
            line = reader.line()
            yield line, reader.decode(decoder)
            following = reader.skip_space()
            if following == ",":
                reader.pos += 1
                continue
            if following == "]":
                reader.pos += 1
                break
            if following == "":
                raise JsonStreamError("the array is not closed with ']'", reader.line())
            raise JsonStreamError("expected ',' or ']' after an array item", reader.line())
    if reader.skip_space() != "":
        raise JsonStreamError("unexpected text after the closing ']'", reader.line())
