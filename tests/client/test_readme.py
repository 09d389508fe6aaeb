"""The README's Library examples run, as written, against the emulator (claims stay true)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.emulator_process import Emulator

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE_URL = "http://127.0.0.1:8080/ATServicesRest/"


def _library_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Library", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_library_section_has_examples() -> None:
    blocks = _library_blocks()
    assert len(blocks) >= 5
    assert all(EXAMPLE_URL in b for b in blocks[:1])


def test_library_examples_run_against_the_emulator(
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("AUTOTASK_CACHE_DIR", str(tmp_path))
    namespace: dict[str, object] = {}
    for block in _library_blocks():
        exec(compile(block.replace(EXAMPLE_URL, emulator.base_url), str(README), "exec"), namespace)
    out = capsys.readouterr().out
    assert "Printer offline on 2nd floor" in out  # the first demo ticket, fetched by get()
    assert "20 tickets fetched in parallel" in out
    assert "New" in out and "'externalRequestThreshold': 10000" in out
