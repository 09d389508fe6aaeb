"""The single binary's figures (issue 12): size, start time, cold and warm build times.

- size of ``dist/autotask`` (goal <= 20 MB);
- median wall time of ``autotask --version`` over 10 runs (goal <= 0.25 s), next to the venv's
  ``.venv/bin/autotask --version`` measured in the same run, both with a bare environment;
- a cold build (empty Nuitka cache, fresh output folders) and a warm one (the cache the cold
  build filled, fresh output folders: the "CI with a restored cache" case), through the same
  ``build/binary.sh`` that ``make binary`` runs. The cold build's binary is the one measured.

Needs the ``[binary]`` extra in the venv (``make binary`` installs it). Takes about 4 minutes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZE_GOAL = 20 * 1024 * 1024
START_GOAL = 0.25
RUNS = 10


def _build(cache: Path, work: Path) -> tuple[float, Path]:
    env = dict(os.environ)
    env.update(
        NUITKA_CACHE_DIR=str(cache),
        AUTOTASK_BUILD_DIR=str(work / "nuitka"),
        AUTOTASK_DIST_DIR=str(work / "dist"),
    )
    started = time.monotonic()
    subprocess.run(
        [str(ROOT / "build" / "binary.sh"), sys.executable],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    return time.monotonic() - started, work / "dist" / "autotask"


def _median_start(command: list[str], scratch: Path) -> float:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(scratch), "TMPDIR": str(scratch)}
    subprocess.run([*command, "--version"], env=env, cwd=scratch, check=True, capture_output=True)
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(
            [*command, "--version"], env=env, cwd=scratch, check=True, capture_output=True
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-binary-") as folder:
        scratch = Path(folder)
        cache = scratch / "cache"
        cold_s, binary = _build(cache, scratch / "cold")
        warm_s, _ = _build(cache, scratch / "warm")
        size = binary.stat().st_size
        binary_start = _median_start([str(binary)], scratch)
        venv_start = _median_start([str(Path(sys.executable).parent / "autotask")], scratch)
    figures = {
        "binary_bytes": size,
        "binary_mb": round(size / 1024 / 1024, 2),
        "size_goal_mb": SIZE_GOAL / 1024 / 1024,
        "version_median_s": round(binary_start, 4),
        "venv_version_median_s": round(venv_start, 4),
        "start_goal_s": START_GOAL,
        "runs": RUNS,
        "cold_build_s": round(cold_s, 1),
        "warm_build_s": round(warm_s, 1),
        "size_ok": size <= SIZE_GOAL,
        "start_ok": binary_start <= START_GOAL,
        "passed": size <= SIZE_GOAL and binary_start <= START_GOAL,
    }
    print(
        f"binary {figures['binary_mb']} MB; --version median {binary_start * 1000:.0f} ms "
        f"(venv {venv_start * 1000:.0f} ms); build cold {cold_s:.0f} s, warm {warm_s:.0f} s"
    )
    return figures
