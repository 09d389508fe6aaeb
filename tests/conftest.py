"""Shared fixtures: a real emulator process over loopback, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator_process import Emulator, running_emulator


@pytest.fixture(scope="session")
def emulator_session() -> Iterator[Emulator]:
    """One emulator with the default flags for the whole test session."""
    with running_emulator() as emu:
        yield emu


@pytest.fixture
def emulator(emulator_session: Emulator) -> Emulator:
    """The session emulator, reset to its start data, counters and clock."""
    emulator_session.reset()
    return emulator_session
