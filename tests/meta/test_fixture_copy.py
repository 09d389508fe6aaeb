"""The in-repo fixtures are an unchanged copy of ../shared/fixtures/real (where that exists)."""

from __future__ import annotations

import pytest

from tests import paths

ORIGINAL = paths.SHARED / "fixtures" / "real"


@pytest.mark.skipif(not ORIGINAL.is_dir(), reason="../shared/fixtures/real is not beside the clone")
def test_fixture_copy_is_unchanged() -> None:
    original = {p.name: p.read_bytes() for p in ORIGINAL.iterdir() if p.is_file()}
    copy = {p.name: p.read_bytes() for p in paths.FIXTURES.iterdir() if p.is_file()}
    assert sorted(copy) == sorted(original)
    changed = [name for name in original if original[name] != copy[name]]
    assert not changed, f"tests/fixtures/real differs from ../shared: {changed}"


def test_fixture_copy_is_present() -> None:
    assert len(list(paths.FIXTURES.glob("*.json"))) >= 30
