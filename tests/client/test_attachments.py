"""``client.attachments`` against the emulator: byte-exact round trips, limits, parents.

Fact sheet §7, §11.3; CONTRACTS §9. The emulator stores what it decodes, so a download that
equals the file proves both directions; its request log shows what was (not) sent.
"""

from __future__ import annotations

import io
import os
import random
from pathlib import Path
from typing import Any

import pytest

from autotask import AttachmentData, AutotaskClient, F, InvalidRequest
from tests.client.conftest import requests_to
from tests.emulator_process import Emulator

LIMIT = 6 * 1024 * 1024  # RequestConfig.attachment_max_bytes by default (6 MiB)


def a_ticket(client: AutotaskClient) -> int:
    return int(next(client.tickets.query(limit=1))["id"])


def api_requests(emulator: Emulator) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = emulator.control("GET", "requests")["requests"]
    return log


@pytest.mark.parametrize("size", [1, 2, 3, 4, 2999, 3000, 3001])
def test_round_trip_is_byte_identical(client: AutotaskClient, size: int) -> None:
    ticket = a_ticket(client)
    data = bytes((i * 7 + size) % 256 for i in range(size))
    uploaded = client.attachments.upload_data("Ticket", ticket, data, "sample.bin")
    assert uploaded.size == size and uploaded.parent_type == "Tickets"
    assert uploaded.parent_id == ticket
    assert client.attachments.download_file(uploaded.id) == data


def test_random_binary_file_round_trip_through_files(
    client: AutotaskClient, tmp_path: Path
) -> None:
    ticket = a_ticket(client)
    source = tmp_path / "random.bin"
    source.write_bytes(random.Random(7).randbytes(700_001))
    uploaded = client.attachments.upload_file("tickets", ticket, source)
    target = client.attachments.download_file(uploaded.id, tmp_path / "copy.bin")
    assert target == tmp_path / "copy.bin" and target.read_bytes() == source.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.bin", "random.bin"]


def test_a_file_at_the_limit_goes_and_one_byte_more_is_refused_before_sending(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    ticket = a_ticket(client)
    at_limit = tmp_path / "at-limit.bin"
    at_limit.write_bytes(os.urandom(LIMIT))
    uploaded = client.attachments.upload_file("Ticket", ticket, at_limit)
    assert client.attachments.download_file(uploaded.id) == at_limit.read_bytes()

    emulator.reset()
    over = tmp_path / "over.bin"
    with over.open("wb") as fh:
        fh.truncate(LIMIT + 1)
    with pytest.raises(InvalidRequest) as info:
        client.attachments.upload_file("Ticket", ticket, over)
    message = str(info.value)
    assert str(over) in message and "6,291,457 bytes" in message and "6,291,456" in message
    assert info.value.attempts == 0 and info.value.applied is False
    assert api_requests(emulator) == []


class _Unreadable(io.RawIOBase):
    """A seekable binary stream of ``size`` bytes whose bytes must never be read."""

    def __init__(self, size: int) -> None:
        self._size, self._pos = size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self._pos = offset if whence == 0 else self._size + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        raise AssertionError("a byte was read")


def test_the_size_is_checked_before_a_byte_is_read(
    client: AutotaskClient, emulator: Emulator
) -> None:
    with pytest.raises(InvalidRequest, match=r"notes\.txt is 6,291,457 bytes"):
        client.attachments.upload_data("Ticket", 1, _Unreadable(LIMIT + 1), "notes.txt")
    assert api_requests(emulator) == []


def test_a_raised_limit_is_honoured(emulator: Emulator, tmp_path: Path) -> None:
    from tests.client.conftest import connect

    with connect(emulator, tmp_path, attachment_max_bytes=10) as small:
        with pytest.raises(InvalidRequest, match="over the attachment limit of 10 bytes"):
            small.attachments.upload_data("Ticket", 1, b"x" * 11, "eleven.txt")
        assert small.attachments.max_bytes == 10


def test_an_empty_file_is_refused_by_the_api_and_nothing_is_stored(
    client: AutotaskClient, emulator: Emulator
) -> None:
    # Autotask requires data for FILE_ATTACHMENT (fact sheet §7); the emulator answers an
    # empty data field as missing. The client sends it and reports the API's own text.
    ticket = a_ticket(client)
    before = len(client.attachments.list("Ticket", ticket))
    with pytest.raises(InvalidRequest, match="Missing Required Field: data") as info:
        client.attachments.upload_data("Ticket", ticket, b"", "empty.txt")
    assert info.value.applied is False and info.value.attempts == 1
    assert len(client.attachments.list("Ticket", ticket)) == before


def test_a_file_object_is_read_from_its_position(client: AutotaskClient) -> None:
    ticket = a_ticket(client)
    stream = io.BytesIO(b"header|the attachment")
    stream.seek(7)
    uploaded = client.attachments.upload_from_data("Ticket", ticket, stream, "part.txt")
    assert client.attachments.download_file(uploaded.id) == b"the attachment"


def test_mime_type_title_publish_and_type_are_sent(client: AutotaskClient, tmp_path: Path) -> None:
    ticket = a_ticket(client)
    pdf = tmp_path / "Report 2026.pdf"
    pdf.write_bytes(b"%PDF-1.4 ...")
    uploaded = client.attachments.upload_file("Ticket", ticket, pdf, publish=2)
    assert uploaded.title == "Report 2026.pdf" and uploaded.content_type == "application/pdf"
    titled = client.attachments.upload_file("Ticket", ticket, pdf, title="Documentation")
    info = client.attachments.get_info(titled.id)
    assert info is not None and info.title == "Documentation"
    assert info.file_name == "Report 2026.pdf" and info.content_type == "application/pdf"
    stored = client.attachments.get_info(uploaded.id)
    assert stored is not None and stored.record["publish"] == 2
    assert stored.record["attachmentType"] == "FILE_ATTACHMENT" and stored.size == 12


def test_list_get_info_and_delete(client: AutotaskClient, emulator: Emulator) -> None:
    project = int(next(client.projects.query(limit=1))["id"])
    uploaded = client.attachments.upload_data("project", project, b"plan", "plan.txt")
    listed = client.attachments.list("Projects", project)
    assert uploaded.id in [a.id for a in listed]
    assert all(isinstance(a, AttachmentData) and a.parent_type == "Projects" for a in listed)
    info = client.attachments.get_info(uploaded.id)
    assert info == AttachmentData(
        uploaded.id, "Projects", project, "plan.txt", "plan.txt", "text/plain", 4
    )
    assert info.record["parentID"] == project
    client.attachments.delete(uploaded.id)
    assert client.attachments.get_info(uploaded.id) is None
    assert uploaded.id not in [a.id for a in client.attachments.list("Project", project)]
    # Created and deleted through the parent's child URL only (fact sheet §7).
    assert requests_to(emulator, "POST Projects/{id}/Attachments") == 1
    assert requests_to(emulator, "DELETE Projects/{id}/Attachments/{id}") == 1
    with pytest.raises(InvalidRequest, match=f"attachment {uploaded.id} not found"):
        client.attachments.delete(uploaded.id)


def test_the_parent_comes_from_attachment_info_or_from_the_caller(
    client: AutotaskClient, emulator: Emulator
) -> None:
    entry = next(client.time_entries.query(F("ticketID") > 0, limit=1))
    uploaded = client.attachments.upload_data("TimeEntry", entry["id"], b"hours", "log.txt")
    data = client.attachments.download_file(uploaded.id)
    assert data == b"hours"
    assert requests_to(emulator, "GET TimeEntries/{id}/Attachments/{id}") == 1
    assert requests_to(emulator, "GET AttachmentInfo/{id}") == 1
    assert data == client.attachments.download_file(
        uploaded.id, parent_type="time_entry", parent_id=entry["id"]
    )
    assert requests_to(emulator, "GET AttachmentInfo/{id}") == 1  # not looked up again
    with pytest.raises(InvalidRequest, match="both parent_type and parent_id"):
        client.attachments.download_file(uploaded.id, parent_type="TimeEntry")

    # A ticket's list includes its time entries' attachments (fact sheet §7), each naming
    # its own parent.
    listed = {a.id: a for a in client.attachments.list("Ticket", entry["ticketID"])}
    assert listed[uploaded.id].parent_type == "TimeEntries"
    assert listed[uploaded.id].parent_id == entry["id"]


def test_unknown_parents_and_missing_directories_are_refused_before_sending(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    with pytest.raises(InvalidRequest, match="'Contract' takes no attachments"):
        client.attachments.upload_data("Contract", 1, b"x", "x.txt")
    with pytest.raises(InvalidRequest, match=r"cannot read .*missing\.pdf"):
        client.attachments.upload_file("Ticket", 1, tmp_path / "missing.pdf")
    with pytest.raises(InvalidRequest, match="not a regular file"):
        client.attachments.upload_file("Ticket", 1, tmp_path)
    with pytest.raises(InvalidRequest, match=r"directory .*nowhere does not exist"):
        client.attachments.download_file(1, tmp_path / "nowhere" / "x.bin")
    with pytest.raises(InvalidRequest, match="1 to 255 characters"):
        client.attachments.upload_data("Ticket", 1, b"x", "x" * 256)
    assert api_requests(emulator) == []


def test_a_streamed_download_gives_its_thread_slot_back(client: AutotaskClient) -> None:
    ticket = a_ticket(client)
    uploaded = client.attachments.upload_data("Ticket", ticket, b"abc", "abc.txt")
    client.attachments.download_file(uploaded.id)
    assert client.transport.gate.in_flight("TicketAttachments") == 0
