"""Receiving one attachment: the streamed answer through the decoder into a sink.

The transport hands back the answer unread (``stream=True``), holding its thread-gate slot
until closed; :func:`receive` reads it in chunks, decodes the ``data`` value as it arrives
(:mod:`.download`) and always closes it. What went wrong maps onto the error tree: an answer
cut off is a ``TransportError`` (the emulator's ``truncate`` fault), one that is not an
attachment a ``ServerError``.
"""

from __future__ import annotations

from typing import Any

from autotask._log import get_logger
from autotask.attachments.download import AnswerError, DataExtractor, Sink
from autotask.errors import ServerError, TransportError
from autotask.retry import Operation
from autotask.wire._answers import parse_item
from autotask.wire._request import Request
from autotask.wire.transport import Transport

__all__ = ["receive"]

_READ_CHUNK = 256 * 1024  # bytes of the answer read at a time
_log = get_logger(__name__)


def receive(
    transport: Transport, request: Request, sink: Sink, attachment_id: int
) -> dict[str, Any]:
    """Send ``request`` (a streamed attachment GET) and decode its file into ``sink``.

    Returns:
        The attachment's other fields (``data`` null).

    Raises:
        TransportError: the answer was cut off.
        ServerError: the answer is not an attachment with ``data``.
        AutotaskError: the request failed (as from ``Transport.send``).
    """
    operation, entity = Operation.DOWNLOAD, request.entity
    extractor = DataExtractor(sink)
    with transport.send(request) as response:
        try:
            for chunk in response.stream(_READ_CHUNK):
                extractor.feed(chunk)
            document = extractor.finish()
        except AnswerError as exc:
            cls = TransportError if exc.cut_off else ServerError
            raise cls(
                f"attachment {attachment_id}: {exc}", operation=operation.value, entity=entity
            ) from None
    record = parse_item(document, operation, entity)
    if record is None or not extractor.data_found:
        raise ServerError(
            f"attachment {attachment_id}: the answer carried no data",
            operation=operation.value,
            entity=entity,
        )
    _log.info("downloaded attachment %d (%d bytes)", attachment_id, extractor.written)
    return record
