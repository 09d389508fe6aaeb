"""The transport's streaming hooks, for the attachments and batch work built on it.

A request body can be a ``StreamBody`` (chunks with a known Content-Length: the emulator, like
our reading of Autotask, refuses chunked bodies with 411), and ``stream=True`` hands back an
unread answer that holds its thread-gate slot until closed.
"""

from __future__ import annotations

import base64
import json

from autotask import AutotaskClient
from autotask.retry import Operation
from autotask.transport import Request, StreamBody, StreamedResponse
from tests.emulator_process import Emulator


def _attachment_chunks(payload: bytes) -> tuple[list[bytes], int]:
    head = json.dumps(
        {
            "id": 0,
            "attachmentType": "FILE_ATTACHMENT",
            "fullPath": "notes.txt",
            "title": "notes",
            "publish": 1,
            "data": "",
        }
    ).encode()
    prefix, suffix = head[: -len(b'""}')] + b'"', b'"}'
    encoded = base64.b64encode(payload)
    chunks = [prefix, *(encoded[i : i + 999] for i in range(0, len(encoded), 999)), suffix]
    return chunks, sum(len(c) for c in chunks)


def test_streamed_upload_and_download(client: AutotaskClient, emulator: Emulator) -> None:
    ticket = next(client.tickets.query(limit=1))["id"]
    payload = bytes(range(256)) * 40
    chunks, length = _attachment_chunks(payload)
    opened = []

    def open_body() -> list[bytes]:
        opened.append(1)
        return list(chunks)

    answer = client.transport.send(
        Request(
            Operation.UPLOAD,
            "POST",
            f"Tickets/{ticket}/Attachments",
            "TicketAttachments",
            body=StreamBody(open_body, length),
        )
    )
    attachment_id = answer["itemId"]
    assert opened == [1]

    response = client.transport.send(
        Request(
            Operation.DOWNLOAD,
            "GET",
            f"Tickets/{ticket}/Attachments/{attachment_id}",
            "TicketAttachments",
            stream=True,
        )
    )
    assert isinstance(response, StreamedResponse) and response.status == 200
    assert client.transport.gate.in_flight("TicketAttachments") == 1  # held while unread
    with response:
        body = b"".join(response.stream(1000))
    assert client.transport.gate.in_flight("TicketAttachments") == 0
    item = json.loads(body)["items"][0]
    assert base64.b64decode(item["data"]) == payload
    requests = emulator.control("GET", "requests")["requests"]
    upload = next(r for r in requests if r["method"] == "POST" and "Attachments" in r["path"])
    assert upload["bodySize"] == length  # sent whole, with its Content-Length (not chunked)
