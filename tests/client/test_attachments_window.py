"""``client.attachments`` paced by the attachment byte window, on the emulator's clock.

Autotask takes 10,000,000 decoded attachment bytes per 5 minutes per tenant (fact sheet §7).
Small figures on both sides keep the files small; the client's sleep moves the emulator's
clock, so five minutes of waiting take no time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from autotask import AutotaskClient, Credentials, InvalidRequest, RequestConfig
from tests.client.conftest import requests_to
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator, running_emulator

WINDOW = 3000  # decoded bytes per 5 minutes, on both sides
ROUTE = "POST Tickets/{id}/Attachments"


@pytest.fixture(scope="module")
def windowed() -> Iterator[Emulator]:
    with running_emulator("--attachment-window-bytes", str(WINDOW)) as emu:
        yield emu


def _client(emu: Emulator, tmp_path: Path, sleeps: list[float]) -> AutotaskClient:
    now = [0.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds
        emu.control("POST", "clock", {"advance": seconds})

    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(
            cache_dir=str(tmp_path), attachment_window_bytes=WINDOW, attachment_max_bytes=5000
        ),
        base_url=emu.base_url,
        environ={},
        sleep=sleep,
        clock=lambda: now[0],
    )


def test_uploads_past_the_window_wait_for_it_instead_of_failing(
    windowed: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    windowed.reset()
    sleeps: list[float] = []
    files = []
    for n in range(4):
        path = tmp_path / f"part{n}.bin"
        path.write_bytes(bytes([n]) * 1000)
        files.append(path)
    with _client(windowed, tmp_path, sleeps) as client, caplog.at_level(logging.INFO, "autotask"):
        ticket = int(next(client.tickets.query(limit=1))["id"])
        uploaded = [client.attachments.upload_file("Ticket", ticket, f) for f in files]
        # 4,000 bytes > 3,000: the fourth waited five minutes of the emulator's clock.
        assert sleeps == [pytest.approx(300)]
        assert [client.attachments.download_file(a.id) for a in uploaded] == [
            f.read_bytes() for f in files
        ]
    assert windowed.stats()["requests"][ROUTE] == {"200": 4}  # none refused by the server
    assert any("attachment window" in r.getMessage() for r in caplog.records)


def test_a_file_larger_than_the_whole_window_is_refused_before_sending(
    windowed: Emulator, tmp_path: Path
) -> None:
    windowed.reset()
    sleeps: list[float] = []
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (WINDOW + 1))
    with _client(windowed, tmp_path, sleeps) as client, pytest.raises(InvalidRequest) as info:
        client.attachments.upload_file("Ticket", 1, big)
    assert "larger than the whole attachment window" in str(info.value)
    assert info.value.attempts == 0 and sleeps == [] and requests_to(windowed, ROUTE) == 0
