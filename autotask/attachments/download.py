"""Reading an attachment answer as it streams in: the base64 ``data`` value is decoded in
4-character-aligned blocks straight into a sink, everything else is kept as JSON.

An attachment GET answers ``{"items": [{..., "data": "<base64>", ...}], "pageDetails": ...}``
(fact sheet §11.3; ``{"item": {...}}`` from some forms). The file is the ``data`` string; the
rest is a few hundred bytes of fields. :class:`DataExtractor` scans the JSON structure byte by
byte outside strings, but jumps through the ``data`` string with ``bytes.find``, decoding as
it goes, so the memory used is one network chunk whatever the file's size. The rest of the
document is copied with ``null`` in place of the data, to be parsed as ordinary JSON at the
end (:meth:`DataExtractor.finish`). Pure: no sockets, no client.

Works on bytes: JSON's structural characters are ASCII, and in UTF-8 no byte of a multi-byte
character can be mistaken for a quote or a backslash.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Protocol

__all__ = ["AnswerError", "Base64Writer", "DataExtractor", "Sink"]

_REST_LIMIT = 1024 * 1024  # JSON outside the data value we keep at most (fields are small)
_KEY_LIMIT = 64  # a key longer than this is not "data"
_WHITESPACE = b" \t\r\n"
_SIMPLE_ESCAPES = {ord("/"): b"/", ord("n"): b"", ord("r"): b"", ord("t"): b""}
_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


class AnswerError(ValueError):
    """The answer is not an attachment as JSON with base64 ``data``, or was cut short.

    Attributes:
        cut_off: True when the body ended before the JSON did.
    """

    def __init__(self, message: str, *, cut_off: bool = False) -> None:
        super().__init__(message)
        self.cut_off = cut_off


class Sink(Protocol):
    """Where decoded bytes go: a binary file or ``io.BytesIO``."""

    def write(self, data: bytes, /) -> int: ...


class Base64Writer:
    """Decodes base64 handed over in arbitrary pieces, in 4-character blocks, into a sink.

    Strict: only the base64 alphabet, ``=`` padding only at the very end, and a total length
    that is a multiple of 4 (what every server sends).

    Args:
        sink: receives the decoded bytes.
    """

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._carry = b""
        self._ended = False  # a padded block was decoded: nothing may follow
        self.written = 0

    def feed(self, text: bytes) -> None:
        """Decode what of ``text`` completes whole 4-character blocks; keep the rest."""
        if not text:
            return
        if self._carry:
            text = self._carry + text
        cut = len(text) - len(text) % 4
        self._carry = text[cut:]
        if cut:
            self._decode(text[:cut] if cut < len(text) else text)

    def close(self) -> None:
        """End of the data.

        Raises:
            AnswerError: the text was not a whole number of 4-character blocks.
        """
        if self._carry:
            raise AnswerError(f"the data is not valid base64 ({len(self._carry)} characters left)")

    def _decode(self, text: bytes) -> None:
        if self._ended:
            raise AnswerError("the data is not valid base64 (text after the padding)")
        try:
            decoded = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise AnswerError(f"the data is not valid base64: {exc}") from None
        if text.endswith(b"="):
            self._ended = True
        if decoded:
            self._sink.write(decoded)
            self.written += len(decoded)


class DataExtractor:
    """Splits a streamed attachment answer into the decoded file and the other fields.

    Feed the body in chunks of any size with :meth:`feed`, then call :meth:`finish`.

    Args:
        sink: receives the decoded bytes of the ``data`` value.
    """

    def __init__(self, sink: Sink) -> None:
        self._writer = Base64Writer(sink)
        self._rest = bytearray()  # the document with null for the data value
        self._stack: list[int] = []  # open containers: ord("{") or ord("[")
        self._expect_key = False  # the next string in this object is a key
        self._in_string = False
        self._escaped = False  # the previous byte in a string was a backslash
        self._key: bytearray | None = None  # the key being read (None: not a key)
        self._last_key = b""  # the key whose value comes next
        self._data_next = False  # "data": seen, its value not yet started
        self._in_data = False
        self._data_escape: bytearray | None = None  # an escape inside data being read
        self.data_found = False  # a string value for data was seen
        self._done = False  # the top-level value is complete

    @property
    def written(self) -> int:
        """Decoded bytes written to the sink so far."""
        return self._writer.written

    def feed(self, chunk: bytes) -> None:
        """Take the next piece of the answer.

        Raises:
            AnswerError: not a JSON attachment answer.
        """
        pos, end = 0, len(chunk)
        while pos < end:
            if self._in_data:
                pos = self._feed_data(chunk, pos)
                continue
            byte = chunk[pos]
            pos += 1
            if self._in_string:
                self._string_byte(byte)
            elif byte in _WHITESPACE:
                self._keep(byte)
            elif self._done:
                raise AnswerError("unexpected text after the JSON answer")
            else:
                self._structure(byte)

    def finish(self) -> dict[str, Any]:
        """The answer as JSON with ``data`` null, once the whole body was fed.

        Raises:
            AnswerError: the body ended early (cut off) or is not JSON; or it carried no
                ``data`` string.
        """
        if self._in_data or self._in_string or not self._done:
            raise AnswerError("the answer was cut off", cut_off=True)
        self._writer.close()
        try:
            document = json.loads(bytes(self._rest))
        except (ValueError, RecursionError) as exc:  # garbled, or nested beyond decoding
            raise AnswerError(f"the answer is not JSON: {exc}") from None
        if not isinstance(document, dict):
            raise AnswerError("the answer is not a JSON object")
        return document

    # -- the structure outside strings -----------------------------------------------------

    def _keep(self, byte: int) -> None:
        self._rest.append(byte)
        if len(self._rest) > _REST_LIMIT:
            raise AnswerError(f"more than {_REST_LIMIT} bytes of fields besides the data")

    def _structure(self, byte: int) -> None:
        if not self._stack and byte not in b"{[":
            raise AnswerError("the answer is not a JSON object")
        if self._data_next and byte == ord('"'):
            self._data_next = False
            if self.data_found:
                raise AnswerError("the answer holds more than one attachment's data")
            self.data_found = True
            self._in_data = True
            self._rest += b"null"
            return
        self._data_next = False
        self._keep(byte)
        if byte == ord('"'):
            self._in_string = True
            self._key = bytearray() if self._expect_key else None
            self._expect_key = False
        elif byte in b"{[":
            self._stack.append(byte)
            self._expect_key = byte == ord("{")
        elif byte in b"}]":
            if not self._stack or self._stack.pop() != (ord("{") if byte == ord("}") else ord("[")):
                raise AnswerError("the answer is not JSON (unbalanced brackets)")
            self._expect_key = False
            self._done = not self._stack
        elif byte == ord(","):
            self._expect_key = bool(self._stack) and self._stack[-1] == ord("{")
        elif byte == ord(":"):
            self._data_next = self._last_key.lower() == b"data"

    def _string_byte(self, byte: int) -> None:
        self._keep(byte)
        if self._escaped:
            self._escaped = False
            self._key_byte(byte)
        elif byte == ord("\\"):
            self._escaped = True
            self._key_byte(byte)
        elif byte == ord('"'):
            self._in_string = False
            if self._key is not None:
                self._last_key = bytes(self._key)
                self._key = None
        else:
            self._key_byte(byte)

    def _key_byte(self, byte: int) -> None:
        if self._key is not None and len(self._key) <= _KEY_LIMIT:
            self._key.append(byte)

    # -- the data string -------------------------------------------------------------------

    def _feed_data(self, chunk: bytes, pos: int) -> int:
        """Consume data characters from ``chunk[pos:]``; returns where to go on."""
        if self._data_escape is not None:
            return self._escape(chunk, pos)
        # Two memchr scans (bytes.find) are much faster than a regular expression here.
        end = len(chunk)
        quote = chunk.find(b'"', pos)
        stop = end if quote < 0 else quote
        backslash = chunk.find(b"\\", pos, stop)
        if backslash >= 0:
            stop = backslash
        if stop > pos:
            self._writer.feed(chunk[pos:stop] if pos or stop < end else chunk)
        if stop == end:
            return stop
        if stop == quote:
            self._in_data = False
        else:
            self._data_escape = bytearray()
        return stop + 1

    def _escape(self, chunk: bytes, pos: int) -> int:
        """An escape in the data string (``\\/`` from some JSON writers, ``\\r\\n`` line
        breaks, ``\\u00XX``); it may span chunks."""
        escape = self._data_escape
        assert escape is not None
        while pos < len(chunk):
            escape.append(chunk[pos])
            pos += 1
            first = escape[0]
            if first != ord("u"):
                if first not in _SIMPLE_ESCAPES:
                    raise AnswerError("the data is not valid base64 (an escaped character)")
                self._writer.feed(_SIMPLE_ESCAPES[first])
                self._data_escape = None
                return pos
            if len(escape) == 5:
                try:
                    code = int(escape[1:].decode("ascii"), 16)
                except ValueError:
                    raise AnswerError("the answer is not JSON (a bad \\u escape)") from None
                self._data_escape = None
                if code < 128 and code in _BASE64_ALPHABET:
                    self._writer.feed(bytes([code]))
                elif code < 128 and code in _WHITESPACE:
                    pass
                else:
                    raise AnswerError("the data is not valid base64 (an escaped character)")
                return pos
        return pos
