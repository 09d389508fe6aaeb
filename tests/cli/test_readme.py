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


def test_the_example_block_runs(emulator: Emulator, tmp_path: Path) -> None:
    block = re.findall(r"```sh\n(.*?)```", _section(), flags=re.DOTALL)[0]
    assert EXAMPLE_URL in block
    script = "set -euo pipefail\n" + block.replace(EXAMPLE_URL, emulator.base_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOTASK_") and k != "COLUMNS"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["AUTOTASK_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Printer offline on 2nd floor" in result.stdout
    assert (tmp_path / "two.csv").read_text().startswith("id,apiVendorID,")
    assert '{"check": "auth", "result": "ok"' in result.stdout  # doctor, piped: JSON Lines
    assert result.stderr == ""


def test_the_exit_code_table_is_the_code_table() -> None:
    rows = re.findall(r"^\| (\d+) \| ", _section(), flags=re.MULTILINE)
    assert [int(r) for r in rows] == [int(code) for code in ExitCode]
