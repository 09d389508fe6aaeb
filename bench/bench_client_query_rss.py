"""Peak memory of ``query()`` over 100,000 records (issue 4 "Performance" 2).

The emulator is seeded with 100,000 Companies. Each run iterates ``client.companies.query()``
in a fresh subprocess (so one run's allocations cannot hide another's) and reports the peak RSS
before and after iterating (``ru_maxrss``). Goals: the 100,000-record run's peak RSS grows by at
most 30 MB, and its peak is within 20% of the 10,000-record run's peak: memory stays flat
because pages are fetched lazily and nothing is kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.emulator_process import running_emulator

ROOT = Path(__file__).resolve().parent.parent
SEEDED = 100_000
GOAL_GROWTH_MB = 30.0
GOAL_RELATIVE = 1.20

_CHILD = r"""
import json, resource, sys, time
from autotask import AutotaskClient, Credentials, RequestConfig
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME

base_url, limit = sys.argv[1], int(sys.argv[2])
client = AutotaskClient(
    Credentials(USERNAME, INTEGRATION_CODE, SECRET), RequestConfig(), base_url=base_url, environ={}
)
client.companies.count()  # connect, import and warm everything before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
count, last_id = 0, 0
for record in client.companies.query(limit=limit):
    assert record["id"] > last_id
    last_id = record["id"]
    count += 1
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"records": count, "before_kb": before, "after_kb": after, "seconds": seconds}))
"""


def _measure(base_url: str, limit: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, base_url, str(limit)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run() -> dict[str, Any]:
    """Run 10,000 and 100,000-record queries; ``passed`` per the module docstring."""
    with running_emulator("--data", "empty") as emu:
        start = time.perf_counter()
        emu.seed("Companies", SEEDED)
        seed_seconds = time.perf_counter() - start
        small = _measure(emu.base_url, 10_000)
        large = _measure(emu.base_url, SEEDED)
    growth_small = (small["after_kb"] - small["before_kb"]) / 1024
    growth_large = (large["after_kb"] - large["before_kb"]) / 1024
    relative = large["after_kb"] / small["after_kb"]
    return {
        "records_small": small["records"],
        "records_large": large["records"],
        "peak_rss_mb_small": round(small["after_kb"] / 1024, 1),
        "peak_rss_mb_large": round(large["after_kb"] / 1024, 1),
        "rss_growth_mb_small": round(growth_small, 1),
        "rss_growth_mb_large": round(growth_large, 1),
        "large_over_small_peak": round(relative, 3),
        "goal_growth_mb": GOAL_GROWTH_MB,
        "goal_large_over_small": GOAL_RELATIVE,
        "query_seconds_large": round(large["seconds"], 2),
        "records_per_second_large": round(large["records"] / large["seconds"]),
        "seed_seconds": round(seed_seconds, 1),
        "passed": large["records"] == SEEDED
        and growth_large <= GOAL_GROWTH_MB
        and relative <= GOAL_RELATIVE,
    }
