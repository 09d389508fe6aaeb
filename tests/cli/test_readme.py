"""The README's Command line section stays true: its first example block runs against the
emulator through the installed script, and its exit-code table is the ExitCode table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from autotask.cli.exitcodes import ExitCode
from tests.emulator_process import Emulator

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE_URL = "http://127.0.0.1:8080/ATServicesRest/"


def _section() -> str:
    return README.read_text(encoding="utf-8").split("## Command line", 1)[1].split("\n## ", 1)[0]


def _blocks() -> list[str]:
    return re.findall(r"```sh(?: runnable)?\n(.*?)```", _section(), flags=re.DOTALL)


def _run_block(block: str, emulator: Emulator, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``block`` with bash in ``tmp_path``; a block without the example URL gets the
    first block's exports (the emulator's credentials) in front."""
    if EXAMPLE_URL not in block:
        exports = [line for line in _blocks()[0].splitlines() if line.startswith("export ")]
        block = "\n".join(exports) + "\n" + block
    script = "set -euo pipefail\n" + block.replace(EXAMPLE_URL, emulator.base_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOTASK_") and k != "COLUMNS"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["AUTOTASK_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )


def test_the_example_block_runs(emulator: Emulator, tmp_path: Path) -> None:
    block = _blocks()[0]
    assert EXAMPLE_URL in block
    result = _run_block(block, emulator, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Printer offline on 2nd floor" in result.stdout
    assert (tmp_path / "two.csv").read_text().startswith("id,apiVendorID,")
    assert '{"check": "auth", "result": "ok"' in result.stdout  # doctor, piped: JSON Lines
    assert result.stderr == ""


def test_the_batch_attachments_export_block_runs(emulator: Emulator, tmp_path: Path) -> None:
    block = _blocks()[1]
    assert "autotask batch create Tickets tickets.json --batch-size 100" in block
    result = _run_block(block, emulator, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Companies update: 1 item: 1 updated" in result.stdout
    assert "exit 7: Autotask cannot delete Projects" in result.stdout
    deleted = (tmp_path / "deleted.jsonl").read_text().splitlines()
    assert deleted and all('"status": "failed"' in line for line in deleted)
    assert (tmp_path / "downloads" / "report.pdf").read_text() == "quarterly figures\n"
    assert "Q3 report" in result.stdout  # the attachments table
    assert "Tickets: " in result.stdout and "(full)" in result.stdout
    assert "Contacts: " in result.stdout and (tmp_path / "reports.db").stat().st_size > 0
    assert (tmp_path / "tickets.csv").read_text().startswith("id,title,status\n")
    summaries = [line for line in result.stderr.splitlines() if " done (" in line]
    assert [line.split(":")[0] for line in summaries] == [
        "Tickets create",
        "Companies update",
        "Projects delete",
    ]


def test_the_exit_code_table_is_the_code_table() -> None:
    rows = re.findall(r"^\| (\d+) \| ", _section(), flags=re.MULTILINE)
    assert [int(r) for r in rows] == [int(code) for code in ExitCode]
