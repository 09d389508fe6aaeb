"""The README's "Export and sync" examples run, as written, against the emulator."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from tests.client.test_readme import EXAMPLE_URL, README
from tests.emulator_process import Emulator


def _blocks() -> list[str]:
    section = README.read_text(encoding="utf-8").split("## Export and sync", 1)[1]
    section = section.split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_export_examples_run_against_the_emulator(
    emulator: Emulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    blocks = _blocks()
    assert blocks and EXAMPLE_URL in blocks[0]
    monkeypatch.setenv("AUTOTASK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for _ in range(2):  # the second time, the sync is incremental
        for block in blocks:
            code = compile(block.replace(EXAMPLE_URL, emulator.base_url), str(README), "exec")
            exec(code, namespace)
    out = capsys.readouterr().out
    assert "tickets," in out and "pages," in out
    assert "Tickets full 80" in out and "Tickets changes 0" in out
    assert "open tickets, each once" in out
    assert (tmp_path / "tickets.jsonl").stat().st_size > 0
    assert (
        (tmp_path / "tickets.csv")
        .read_text(encoding="utf-8")
        .startswith("id,title,status,priority,udf:FR Result")
    )
    db = sqlite3.connect(tmp_path / "reports.db")
    assert db.execute('SELECT count(*) FROM "Contacts"').fetchone()[0] > 0
    db.close()
