"""The attachment byte window on the transport path, against the emulator's own window.

Autotask takes 10,000,000 decoded attachment bytes per 5 minutes per tenant (fact sheet §7);
the emulator enforces a window of ``--attachment-window-bytes`` on its own clock. Small figures
keep the uploads small; the client's sleep moves the emulator's clock, so waiting five minutes
takes no time.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from autotask import AutotaskClient, Credentials, InvalidRequest, RequestConfig
from autotask.retry import Operation
from autotask.wire._request import Request
from tests.client.conftest import requests_to
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator, running_emulator

WINDOW = 3000  # decoded bytes per 5 minutes, on both sides
ROUTE = "POST Tickets/{id}/Attachments"


@pytest.fixture(scope="module")
def windowed() -> Iterator[Emulator]:
    with running_emulator(
        "--attachment-window-bytes", str(WINDOW), "--attachment-max-bytes", "1000"
    ) as emu:
        yield emu


def _client(emu: Emulator, tmp_path: Path, sleeps: list[float], **config: object) -> AutotaskClient:
    now = [0.0]

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds
        emu.control("POST", "clock", {"advance": seconds})

    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(**{"cache_dir": str(tmp_path), "attachment_window_bytes": WINDOW, **config}),  # type: ignore[arg-type]
        base_url=emu.base_url,
        environ={},
        sleep=sleep,
        clock=lambda: now[0],
    )


def _upload(client: AutotaskClient, ticket: int, size: int) -> int:
    body = {
        "id": 0,
        "attachmentType": "FILE_ATTACHMENT",
        "fullPath": f"{size}.bin",
        "title": "window",
        "publish": 1,
        "data": base64.b64encode(bytes(size)).decode(),
    }
    request = Request(
        Operation.UPLOAD,
        "POST",
        f"Tickets/{ticket}/Attachments",
        "TicketAttachments",
        body=json.dumps(body).encode(),
        upload_bytes=size,
    )
    return int(client.transport.send(request)["itemId"])


def test_an_upload_that_would_overflow_the_window_waits_instead_of_failing(
    windowed: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    windowed.reset()
    sleeps: list[float] = []
    with _client(windowed, tmp_path, sleeps) as client, caplog.at_level(logging.INFO, "autotask"):
        ticket = next(client.tickets.query(limit=1))["id"]
        ids = [_upload(client, ticket, 900) for _ in range(4)]  # 3,600 > 3,000: the 4th waits
    assert len(set(ids)) == 4
    assert sleeps == [pytest.approx(300)]
    assert requests_to(windowed, ROUTE) == 4  # each sent once, none refused by the server
    assert windowed.stats()["requests"][ROUTE] == {"200": 4}
    assert any("attachment window" in r.getMessage() for r in caplog.records)


def test_without_the_clients_window_the_server_refuses_the_same_uploads(
    windowed: Emulator, tmp_path: Path
) -> None:
    # The same three uploads with the client's window off: the emulator's window refuses.
    windowed.reset()
    with _client(windowed, tmp_path, [], attachment_window_bytes=0) as client:
        ticket = next(client.tickets.query(limit=1))["id"]
        for _ in range(3):
            _upload(client, ticket, 900)
        with pytest.raises(InvalidRequest, match="Attachment upload limit exceeded"):
            _upload(client, ticket, 900)


def test_an_upload_larger_than_the_whole_window_is_refused_before_sending(
    windowed: Emulator, tmp_path: Path
) -> None:
    windowed.reset()
    sleeps: list[float] = []
    with _client(windowed, tmp_path, sleeps) as client, pytest.raises(InvalidRequest) as info:
        _upload(client, 1, WINDOW + 1)
    assert "3,001 decoded bytes" in str(info.value) and "3,000 bytes per 300 s" in str(info.value)
    assert (info.value.operation, info.value.entity, info.value.attempts) == (
        "UPLOAD",
        "TicketAttachments",
        0,
    )
    assert sleeps == [] and requests_to(windowed, ROUTE) == 0


def test_a_retried_upload_counts_once_and_a_refused_one_not_at_all(
    windowed: Emulator, tmp_path: Path
) -> None:
    windowed.reset()
    windowed.control(
        "POST",
        "faults",
        {"seed": 1, "rules": [{"kind": "429", "route": "POST:*/Attachments", "times": 1}]},
    )
    sleeps: list[float] = []
    with _client(windowed, tmp_path, sleeps, retry_backoff=0.01) as client:
        ticket = next(client.tickets.query(limit=1))["id"]
        _upload(client, ticket, 900)  # 429 once, then sent again
        window = client.transport.attachment_window
        assert window.used() == 900
        with pytest.raises(InvalidRequest, match="exceeds the maximum allowed file size"):
            _upload(client, ticket, 1100)  # over the emulator's per-file limit: refused
        assert window.used() == 900  # it never counted on the server either
        _upload(client, ticket, 1000)
        assert window.used() == 1900
    assert requests_to(windowed, ROUTE) == 4
    assert len(sleeps) == 1 and sleeps[0] < 5  # the 429 Retry-After only: no window wait
