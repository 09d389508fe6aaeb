"""The upload body, produced in parts: JSON prefix + base64 in 3-byte-aligned blocks + suffix.

Autotask takes an attachment as JSON with the file in a base64 ``data`` field (fact sheet §7),
and neither it nor the emulator is known to take a chunked body (§11.7), so the body needs a
``Content-Length`` before the first byte goes out. Base64 turns every 3 bytes into 4 characters
independently, so encoding the file in blocks whose sizes are multiples of 3 and joining the
pieces gives exactly the whole encoding, of the known length ``4 * ceil(n / 3)``: the body is
streamed from the file and never built whole in memory. Pure: no sockets, no client.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from autotask.wire._request import json_bytes

__all__ = ["BLOCK", "SourceChanged", "UploadBody", "encoded_length"]

#: Bytes of the file encoded at a time: a multiple of 3 (192 KiB in, 256 KiB out), large
#: enough that per-block overhead is noise and small enough to keep memory flat.
BLOCK = 3 * 64 * 1024
_DATA_KEY = "data"


class SourceChanged(ValueError):
    """The file did not hold the size announced in ``Content-Length`` while it was sent."""


def encoded_length(size: int) -> int:
    """Characters of the padded base64 encoding of ``size`` bytes."""
    return 4 * ((size + 2) // 3)


@dataclass(frozen=True, slots=True)
class UploadBody:
    """The JSON body of one attachment create, around a file of ``size`` bytes.

    Attributes:
        prefix: the JSON up to and including the ``data`` value's opening quote.
        suffix: the JSON after the ``data`` value's closing quote.
        size: the file's size in bytes.
    """

    prefix: bytes
    suffix: bytes
    size: int

    @classmethod
    def around(cls, fields: Mapping[str, Any], size: int) -> UploadBody:
        """The body for ``fields`` (the record without ``data``) and a file of ``size`` bytes.

        ``data`` goes last, so the prefix is the encoded fields with an empty ``data`` cut
        before its closing quote.
        """
        record = {k: v for k, v in fields.items() if k.lower() != _DATA_KEY}
        record[_DATA_KEY] = ""
        whole = json_bytes(record)
        tail = b'""}'
        assert whole.endswith(tail)
        return cls(prefix=whole[: -len(tail)] + b'"', suffix=b'"}', size=size)

    @property
    def length(self) -> int:
        """The body's exact length in bytes (its ``Content-Length``)."""
        return len(self.prefix) + encoded_length(self.size) + len(self.suffix)

    def chunks(
        self, read: Callable[[int], bytes], name: str = "the file", block: int = BLOCK
    ) -> Iterator[bytes]:
        """The body in pieces, reading the file through ``read(n)``.

        ``read`` may return fewer bytes than asked (a pipe, a socket file); the part short of
        a multiple of 3 waits for the next read, so every piece but the last encodes whole
        3-byte groups.

        Args:
            read: reads up to ``n`` bytes of the file; ``b""`` at its end.
            name: the file as error messages name it.
            block: bytes asked for per read (rounded down to a multiple of 3).

        Raises:
            SourceChanged: the file ended before ``size`` bytes or went on past them (it
                changed since its size was taken); the body would not match its
                ``Content-Length``.
        """
        block = max(3, block - block % 3)
        yield self.prefix
        left = self.size
        carry = b""
        while left > 0:
            data = read(min(block, left))
            if not data:
                raise SourceChanged(
                    f"{name} ended after {self.size - left} of {self.size} bytes (it changed "
                    "while being sent)"
                )
            left -= len(data)
            if carry:
                data, carry = carry + data, b""
            cut = len(data) - len(data) % 3 if left else len(data)
            if cut < len(data):
                data, carry = data[:cut], data[cut:]
            if data:
                yield base64.b64encode(data)
        if read(1):
            raise SourceChanged(f"{name} grew past {self.size} bytes while being sent")
        yield self.suffix
