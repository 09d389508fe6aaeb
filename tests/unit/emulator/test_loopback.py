"""The control API answers loopback clients only (CONTRACTS §5)."""

from __future__ import annotations

import pytest

from autotask.emulator.server import _is_loopback


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_addresses(address: str) -> None:
    assert _is_loopback(address)


@pytest.mark.parametrize("address", ["10.0.0.1", "192.168.1.5", "::ffff:10.0.0.1", "fe80::1", ""])
def test_other_addresses(address: str) -> None:
    assert not _is_loopback(address)
