"""Peak memory of ``export()`` of 100,000 records to each target (issue 13 "Performance" 2).

The emulator is seeded with 100,000 Companies. Each export runs in a fresh subprocess (so one
run's allocations cannot hide another's): 10,000 records (an id filter) and then all 100,000,
to JSON Lines, CSV and SQLite, with 3 partitions. ``ru_maxrss`` is read after the export.
Goal: for every target the 100,000-record export's peak RSS is within 30 MB of the
10,000-record export's: pages are handed on through a bounded queue and written as they come,
never collected.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.emulator_process import running_emulator

ROOT = Path(__file__).resolve().parent.parent
SEEDED = 100_000
SMALL = 10_000
GOAL_MB = 30.0
TARGETS = {"jsonl": "companies.jsonl", "csv": "companies.csv", "sqlite": "sqlite:///{dir}/c.db"}

_CHILD = r"""
import json, resource, sys
from autotask import AutotaskClient, Credentials, F, RequestConfig
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME

base_url, target, last_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = AutotaskClient(
    Credentials(USERNAME, INTEGRATION_CODE, SECRET), RequestConfig(), base_url=base_url, environ={}
)
client.companies.fields(), client.companies.udfs()  # warm metadata and imports
stats = client.companies.export(target, F("id") <= last_id, partitions=3)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"records": stats.records, "seconds": stats.seconds, "peak_kb": peak}))
"""


def _measure(base_url: str, target: str, last_id: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, base_url, target, str(last_id)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run() -> dict[str, Any]:
    """Export 10,000 and 100,000 records to each target; ``passed`` per the module docstring."""
    figures: dict[str, Any] = {}
    passed = True
    with running_emulator("--data", "empty") as emu, tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        seed = emu.seed("Companies", SEEDED)
        figures["seed_seconds"] = round(time.perf_counter() - start, 1)
        first = seed["firstId"]
        for kind, name in TARGETS.items():
            target = name.format(dir=tmp) if kind == "sqlite" else str(Path(tmp) / name)
            small = _measure(emu.base_url, target, first + SMALL - 1)
            large = _measure(emu.base_url, target, first + SEEDED - 1)
            growth = (large["peak_kb"] - small["peak_kb"]) / 1024
            ok = small["records"] == SMALL and large["records"] == SEEDED and growth <= GOAL_MB
            passed = passed and ok
            figures[kind] = {
                "peak_rss_mb_small": round(small["peak_kb"] / 1024, 1),
                "peak_rss_mb_large": round(large["peak_kb"] / 1024, 1),
                "large_minus_small_mb": round(growth, 1),
                "seconds_large": round(large["seconds"], 2),
                "records_per_second_large": round(large["records"] / large["seconds"]),
                "passed": ok,
            }
    return {
        "records_small": SMALL,
        "records_large": SEEDED,
        "goal_mb": GOAL_MB,
        **figures,
        "passed": passed,
    }
