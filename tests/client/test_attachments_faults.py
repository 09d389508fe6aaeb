"""Attachments when things go wrong: cut-off downloads, 429s, hostile names, changing files.

Faults come from the emulator (``POST /_emulator/faults``, CONTRACTS §5); ``reset`` per test
clears them. The client waits on an injected ``sleep``, so no test spends real time backing off.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from autotask import (
    AutotaskClient,
    Credentials,
    RequestConfig,
    ServerError,
    TransportError,
)
from tests.client.conftest import requests_to
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator


def _client(emu: Emulator, tmp_path: Path, sleeps: list[float]) -> AutotaskClient:
    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(cache_dir=str(tmp_path / "cache")),
        base_url=emu.base_url,
        environ={},
        sleep=sleeps.append,
    )


def _faults(emu: Emulator, *rules: dict[str, Any]) -> None:
    emu.control("POST", "faults", {"seed": 1, "rules": list(rules)})


def _ticket(client: AutotaskClient) -> int:
    return int(next(client.tickets.query(limit=1))["id"])


def test_a_cut_off_download_raises_and_leaves_nothing(emulator: Emulator, tmp_path: Path) -> None:
    with _client(emulator, tmp_path, []) as client:
        data = os.urandom(300_000)
        uploaded = client.attachments.upload_data("Ticket", _ticket(client), data, "big.bin")
        out = tmp_path / "out"
        out.mkdir()
        _faults(emulator, {"kind": "truncate", "probability": 1, "route": "GET:*/Attachments/*"})
        for target in (out / "big.bin", out):
            with pytest.raises(TransportError) as info:
                client.attachments.download_file(uploaded.id, target)
            assert info.value.applied is False and info.value.operation == "DOWNLOAD"
            assert list(out.iterdir()) == []  # no file, no temporary file
        with pytest.raises(TransportError):
            client.attachments.download_file(uploaded.id)
        assert client.transport.gate.in_flight("TicketAttachments") == 0
        _faults(emulator)
        assert client.attachments.download_file(uploaded.id, out / "big.bin").read_bytes() == data


def test_a_failed_download_keeps_the_file_already_there(emulator: Emulator, tmp_path: Path) -> None:
    with _client(emulator, tmp_path, []) as client:
        uploaded = client.attachments.upload_data("Ticket", _ticket(client), b"new", "a.txt")
        existing = tmp_path / "a.txt"
        existing.write_bytes(b"old")
        _faults(emulator, {"kind": "503", "probability": 1, "route": "GET:*/Attachments/*"})
        with pytest.raises(ServerError):
            client.attachments.download_file(uploaded.id, existing)
        assert existing.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary file left


def test_a_429_during_upload_resends_the_same_bytes_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    sleeps: list[float] = []
    source = tmp_path / "scan.pdf"
    source.write_bytes(os.urandom(1_000_003))
    with _client(emulator, tmp_path, sleeps) as client:
        ticket = _ticket(client)
        _faults(
            emulator, {"kind": "429", "probability": 1, "route": "POST:*/Attachments", "times": 1}
        )
        uploaded = client.attachments.upload_file("Ticket", ticket, source)
        posts = [
            r
            for r in emulator.control("GET", "requests")["requests"]
            if r["method"] == "POST" and r["route"] == "Tickets/{id}/Attachments"
        ]
        assert [r["status"] for r in posts] == [429, 200]
        assert posts[0]["bodySize"] == posts[1]["bodySize"] > 4 * 1_000_003 // 3
        assert len(sleeps) == 1
        assert client.attachments.download_file(uploaded.id) == source.read_bytes()
        stored = [a for a in client.attachments.list("Ticket", ticket) if a.file_name == "scan.pdf"]
        assert [a.id for a in stored] == [uploaded.id]  # stored once


@pytest.mark.parametrize(
    ("server_name", "saved_as"),
    [
        ("../../escape.txt", "escape.txt"),
        ("/etc/cron.d/evil", "evil"),
        ("C:\\Windows\\System32\\evil.dll", "evil.dll"),
        ("..", "attachment-{id}"),
        (".hidden", "hidden"),
        ("bell\x07and\x1b[2Jclear.txt", "belland[2Jclear.txt"),
        ("line\nbreak.txt", "line break.txt"),
    ],
)
def test_hostile_server_file_names_stay_in_the_chosen_directory(
    client: AutotaskClient, tmp_path: Path, server_name: str, saved_as: str
) -> None:
    uploaded = client.attachments.upload_data("Ticket", _ticket(client), b"payload", server_name)
    out = tmp_path / "downloads" / "inner"
    out.mkdir(parents=True)
    path = client.attachments.download_file(uploaded.id, out)
    assert path == out / saved_as.format(id=uploaded.id)
    assert path.read_bytes() == b"payload"
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [path]


class _Shrinking(io.BytesIO):
    """Reports 100 bytes, then holds only 60 when read: a file changed while being sent."""

    def seek(self, offset: int, whence: int = 0) -> int:
        position = super().seek(offset, whence)
        if whence == os.SEEK_END:
            self.truncate(60)
            return 100
        return position


def test_a_file_that_changes_while_sent_is_not_stored(
    client: AutotaskClient, emulator: Emulator
) -> None:
    ticket = _ticket(client)
    before = requests_to(emulator, "POST Tickets/{id}/Attachments")
    with pytest.raises(TransportError, match=r"changing\.bin ended after 60 of 100 bytes") as info:
        client.attachments.upload_data("Ticket", ticket, _Shrinking(b"x" * 100), "changing.bin")
    assert info.value.applied is False
    assert all(a.file_name != "changing.bin" for a in client.attachments.list("Ticket", ticket))
    assert requests_to(emulator, "POST Tickets/{id}/Attachments") in (before, before + 1)


def test_a_failed_parent_type_lookup_is_asked_once_per_list(
    emulator: Emulator, tmp_path: Path
) -> None:
    # The tenant's parentType labels cannot be read (503 after retries): the list still names
    # each parent by the assumed codes, and asks for the labels once, not once per record.
    with _client(emulator, tmp_path, []) as client:
        ticket = _ticket(client)
        for n in range(4):
            client.attachments.upload_data("Ticket", ticket, b"x", f"f{n}.txt")
        fields = "GET AttachmentInfo/entityInformation/fields"
        _faults(emulator, {"kind": "503", "probability": 1, "route": f"GET:*/{fields[4:]}"})
        before = requests_to(emulator, fields)
        listed = client.attachments.list("Ticket", ticket)
        _faults(emulator)
        assert len(listed) >= 4 and all(a.parent_type == "Tickets" for a in listed)
        assert requests_to(emulator, fields) - before == 1 + client.config.max_retries
