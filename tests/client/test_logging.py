"""Debug wire logs of a real session carry no secret (and are there at all)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from autotask import AuthenticationError, AutotaskClient, Credentials, F, RequestConfig
from tests.client.conftest import connect
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator


def test_debug_wire_logs_mask_the_secret_and_integration_code(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="autotask"), connect(emulator, tmp_path) as client:
        client.tickets.query_all(F("status") == 1, limit=3)
        client.tickets.get(1)
        client.usage()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "-> POST" in text and "<- POST" in text and "Tickets/query" in text
    assert SECRET not in text and INTEGRATION_CODE not in text
    assert "'Secret': '***'" in text


def test_failures_log_no_secret_either(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, "a-refused-secret"),
        RequestConfig(cache_dir=str(tmp_path)),
        base_url=emulator.base_url,
        environ={},
    )
    with (
        caplog.at_level(logging.DEBUG, logger="autotask"),
        client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.tickets.count()
    text = "\n".join(r.getMessage() for r in caplog.records) + str(info.value) + repr(info.value)
    assert "<- POST" in text and "401" in text
    assert "a-refused-secret" not in text and INTEGRATION_CODE not in text
