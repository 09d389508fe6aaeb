"""Fixtures for the real client against the real emulator over loopback (no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autotask import AutotaskClient, Credentials, RequestConfig
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator


def connect(
    emu: Emulator, cache_dir: Path, /, base_url: str | None = None, **config: Any
) -> AutotaskClient:
    """A client for ``emu`` (or ``base_url``), with the zone cache in ``cache_dir``."""
    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(cache_dir=str(cache_dir), **config),
        base_url=base_url or emu.base_url,
        environ={},
    )


@pytest.fixture
def client(emulator: Emulator, tmp_path: Path) -> Iterator[AutotaskClient]:
    """A fresh client for the (reset) session emulator."""
    with connect(emulator, tmp_path) as c:
        yield c


def requests_to(emu: Emulator, route: str) -> int:
    """How many requests the emulator served for ``"METHOD route-template"``."""
    return sum(emu.stats()["requests"].get(route, {}).values())
