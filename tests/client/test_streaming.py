"""The transport's streaming hooks, for the attachments and batch work built on it.

A request body can be a ``StreamBody`` (chunks with a known Content-Length: the emulator, like
our reading of Autotask, refuses chunked bodies with 411), and ``stream=True`` hands back an
unread answer that holds its thread-gate slot until closed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autotask import AutotaskClient, NotFound, ThreadLimitExceeded
from autotask.retry import Operation
from autotask.wire.transport import Request, StreamBody, StreamedResponse
from tests.client.conftest import connect, requests_to
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


def _upload(client: AutotaskClient, ticket: int, body: StreamBody) -> int:
    request = Request(
        Operation.UPLOAD, "POST", f"Tickets/{ticket}/Attachments", "TicketAttachments", body=body
    )
    answer = client.transport.send(request)
    return int(answer["itemId"])


def test_streamed_upload_and_download(client: AutotaskClient, emulator: Emulator) -> None:
    ticket = next(client.tickets.query(limit=1))["id"]
    payload = bytes(range(256)) * 40
    chunks, length = _attachment_chunks(payload)
    opened = []

    def open_body() -> list[bytes]:
        opened.append(1)
        return list(chunks)

    attachment_id = _upload(client, ticket, StreamBody(open_body, length))
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


def test_a_streamed_body_is_rebuilt_for_a_retry(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    ticket = next(client.tickets.query(limit=1))["id"]
    chunks, length = _attachment_chunks(b"retried upload")
    opened: list[int] = []

    def open_body() -> Iterator[bytes]:
        opened.append(1)
        return iter(chunks)  # one pass only: a second attempt needs a fresh one

    emulator.control(
        "POST",
        "faults",
        {"seed": 1, "rules": [{"kind": "429", "route": "POST:*/Attachments", "times": 1}]},
    )
    with connect(emulator, tmp_path, retry_backoff=0.01, max_retry_wait=5) as fast:
        attachment_id = _upload(fast, ticket, StreamBody(open_body, length))
    assert opened == [1, 1]  # 429 (certainly not applied), then a fresh body
    assert requests_to(emulator, "POST Tickets/{id}/Attachments") == 2
    attachment = client.ticket_attachments.get(attachment_id)
    assert attachment is not None and attachment["ticketID"] == ticket


def test_a_streamed_request_answered_with_an_error_raises_and_frees_its_slot(
    client: AutotaskClient,
) -> None:
    with pytest.raises(NotFound) as info:
        client.transport.send(
            Request(
                Operation.DOWNLOAD,
                "GET",
                "Tickets/1/Attachments/999999999/NoSuchRoute",
                "TicketAttachments",
                stream=True,
            )
        )
    assert info.value.status == 404 and info.value.operation == "DOWNLOAD"
    assert client.transport.gate.in_flight("TicketAttachments") == 0


def _open_stream(client: AutotaskClient, ticket: int) -> StreamedResponse:
    answer = client.transport.send(
        Request(Operation.GET, "GET", f"Tickets/{ticket}", "Tickets", stream=True)
    )
    assert isinstance(answer, StreamedResponse)
    return answer


def test_a_thread_whose_open_streams_fill_its_entity_gets_an_error_not_a_hang(
    emulator: Emulator, tmp_path: Path
) -> None:
    # Before: the 4th request waited forever for a slot its own thread held.
    with connect(emulator, tmp_path, max_thread_wait=0.3) as client:
        ticket = next(client.tickets.query(limit=1))["id"]
        emulator.reset()
        streams = [_open_stream(client, ticket) for _ in range(3)]
        with pytest.raises(ThreadLimitExceeded) as mine:
            client.tickets.get(ticket)
        assert mine.value.entity == "Tickets" and mine.value.operation == "GET"
        assert mine.value.attempts == 0 and mine.value.applied is False
        assert "holds all 3 slots of Tickets" in str(mine.value)
        # Another thread is not deadlocked, only bounded: it waits max_thread_wait, then says so.
        with ThreadPoolExecutor(1) as pool:
            other = pool.submit(client.tickets.get, ticket)
            with pytest.raises(ThreadLimitExceeded, match=r"no free slot for Tickets within 0.3 s"):
                other.result(10)
        assert client.companies.count() > 0  # other entities are free meanwhile
        for stream in streams:
            stream.close()
        assert client.tickets.get(ticket) is not None  # closed: the slots are back
    assert requests_to(emulator, "GET Tickets/{id}") == 4  # the refused ones never went out
