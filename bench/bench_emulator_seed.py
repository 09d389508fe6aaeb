"""Bulk seeding speed: ``POST /_emulator/seed`` of 100,000 Companies (issue 3 "Speed").

Goal: <= 30 s, measured around the one control call on an emulator started with
``--data empty``; the record count is checked afterwards through ``/_emulator/stats``.
"""

from __future__ import annotations

import time
from typing import Any

from tests.emulator_process import running_emulator

GOAL_SECONDS = 30.0
COUNT = 100_000


def run() -> dict[str, Any]:
    """Seed 100,000 Companies and time it; ``passed`` when <= 30 s and all were created."""
    with running_emulator("--data", "empty") as emu:
        before = emu.stats()["records"].get("Companies", 0)
        started = time.perf_counter()
        emu.control("POST", "seed", {"entity": "Companies", "count": COUNT}, timeout=300)
        seconds = time.perf_counter() - started
        created = emu.stats()["records"].get("Companies", 0) - before
    return {
        "seconds": round(seconds, 2),
        "goal_seconds": GOAL_SECONDS,
        "count": COUNT,
        "created": created,
        "records_per_second": round(COUNT / seconds),
        "passed": seconds <= GOAL_SECONDS and created == COUNT,
    }
