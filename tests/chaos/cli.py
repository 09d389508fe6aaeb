"""Running the ``autotask`` command as a real process for the chaos scenarios.

The command is ``python -m autotask`` from this checkout, or the single binary for its face;
credentials come from the environment, each run gets its own config and cache folders, and
nothing is read from a terminal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator

ROOT = Path(__file__).resolve().parents[2]
PYTHON = (sys.executable, "-m", "autotask")


def environment(emu: Emulator, folder: Path) -> dict[str, str]:
    """The variables a run needs: credentials for ``emu`` and private folders."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder / "home"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "AUTOTASK_CACHE_DIR": str(folder / "cache"),
        "AUTOTASK_USERNAME": USERNAME,
        "AUTOTASK_INTEGRATION_CODE": INTEGRATION_CODE,
        "AUTOTASK_SECRET": SECRET,
        "AUTOTASK_API_URL": emu.base_url,
        "PYTHONPATH": str(ROOT),
    }


def command(
    emu: Emulator, folder: Path, *argv: str, face: tuple[str, ...] = PYTHON, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``autotask ARGV`` to its end; stdout and stderr captured."""
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [*face, *argv],
        env=environment(emu, folder),
        cwd=folder,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def start(
    emu: Emulator, folder: Path, *argv: str, face: tuple[str, ...] = PYTHON
) -> subprocess.Popen[str]:
    """Start ``autotask ARGV`` and return at once (for kill -9); its stderr goes to
    ``folder/stderr.log`` (a pipe nobody reads while it runs would fill and block it)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "stderr.log", "a", encoding="utf-8") as stderr:
        return subprocess.Popen(
            [*face, *argv],
            env=environment(emu, folder),
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
        )


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """``records`` as a JSON Lines file."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def results(path: Path) -> list[dict[str, Any]]:
    """The rows of a ``--results`` file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def statuses(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Rows by status, sorted (for figures and assertions)."""
    return dict(sorted(Counter(str(r["status"]) for r in rows).items()))


def journal_states(journal: Path) -> dict[str, int]:
    """How many items the journal shows in each state (its last line per index)."""
    last: dict[int, str] = {}
    for line in journal.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut by the kill
        last[entry["index"]] = entry.get("status") or entry.get("state") or "?"
    return dict(sorted(Counter(last.values()).items()))
