"""Fixtures of the emulator's black-box tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator.support import Api
from tests.emulator_process import Emulator


@pytest.fixture
def api(emulator: Emulator) -> Iterator[Api]:
    """A urllib3 client of the session emulator, reset to its start data."""
    client = Api(emulator)
    yield client
    client.pool.clear()
