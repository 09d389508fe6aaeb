"""Every shell block of the README marked runnable (```` ```sh runnable ````) runs, as written,
against a real emulator through the installed ``autotask`` command (issue 12).

The blocks use the emulator's documented credentials and the example URL
``http://127.0.0.1:8080/ATServicesRest/``; the test swaps in the test emulator's URL. A block
without the URL is run after the ``export`` lines of the first runnable block, as a reader who
ran that block would. Each block runs in a fresh folder with ``set -euo pipefail``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulator_process import Emulator
from tests.paths import ROOT

EXAMPLE_URL = "http://127.0.0.1:8080/ATServicesRest/"


def runnable_blocks() -> list[str]:
    """The README's ```` ```sh runnable ```` blocks, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```sh runnable\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def test_the_readme_has_runnable_blocks() -> None:
    blocks = runnable_blocks()
    assert len(blocks) >= 2
    assert EXAMPLE_URL in blocks[0]


@pytest.mark.parametrize("number", range(len(runnable_blocks())))
def test_a_runnable_block_runs(number: int, emulator: Emulator, tmp_path: Path) -> None:
    blocks = runnable_blocks()
    block = blocks[number]
    if EXAMPLE_URL not in block:
        exports = [line for line in blocks[0].splitlines() if line.startswith("export ")]
        block = "\n".join(exports) + "\n" + block
    script = "set -euo pipefail\n" + block.replace(EXAMPLE_URL, emulator.base_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOTASK_") and k != "COLUMNS"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["AUTOTASK_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert result.returncode == 0, f"block {number} failed:\n{result.stderr[-2000:]}"
