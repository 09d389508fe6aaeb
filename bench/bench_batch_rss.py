"""Peak memory of a batch of 100,000 items streamed from JSON Lines (issue 9 "Performance" 2).

A JSON Lines file of tickets is read lazily by a generator and fed to ``batch_create`` with a
journal, in a fresh subprocess per run (so one run's allocations cannot hide another's); the
emulator runs without latency, with its hourly limit raised out of the way. The child reports
its peak RSS (``ru_maxrss``). Goal: the 100,000-item run's peak is within 30 MB of the
1,000-item run's: the engine holds ``batch_size`` items, not the input (the results list, one
small ``ItemResult`` per item, is what grows).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_batch_throughput import connect
from tests.emulator_process import running_emulator

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 100_000)
GOAL_MB = 30.0
QUEUE = 29683325  # the demo data's "Helpdesk Queue"
FLAGS = ("--hourly-limit", "1000000")  # 100,000 creates fit in one hour's budget

_CHILD = r"""
import json, resource, sys, time
from autotask import AutotaskClient, Credentials, RequestConfig
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME

base_url, source, journal = sys.argv[1:4]
client = AutotaskClient(
    Credentials(USERNAME, INTEGRATION_CODE, SECRET), RequestConfig(), base_url=base_url, environ={}
)
client.tickets.count()  # connect, import and warm everything before the baseline


def rows():
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
results = client.tickets.batch_create(rows(), journal=journal)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "items": len(results), "created": sum(results), "seconds": seconds,
    "before_kb": before, "after_kb": after,
}))
"""


def _write_rows(path: Path, count: int, company: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            row = {
                "companyID": company,
                "title": f"streamed {n}",
                "status": 1,
                "priority": 2,
                "queueID": QUEUE,
                "description": "Imported from the monitoring system. " * 4,
            }
            fh.write(json.dumps(row) + "\n")


def _measure(base_url: str, source: Path, journal: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, base_url, str(source), str(journal)],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run() -> dict[str, Any]:
    """Run the 1,000 and 100,000-item batches; ``passed`` per the module docstring."""
    runs: dict[int, dict[str, Any]] = {}
    with running_emulator(*FLAGS) as emu, tempfile.TemporaryDirectory() as tmp:
        with connect(emu) as client:
            company = int(next(client.companies.query(limit=1))["id"])
        for size in SIZES:
            emu.reset()
            source = Path(tmp) / f"rows-{size}.jsonl"
            _write_rows(source, size, company)
            runs[size] = _measure(emu.base_url, source, Path(tmp) / f"journal-{size}.jsonl")
    small, large = (runs[size] for size in SIZES)
    growth_mb = (large["after_kb"] - small["after_kb"]) / 1024
    return {
        "peak_rss_mb": {str(size): round(r["after_kb"] / 1024, 1) for size, r in runs.items()},
        "baseline_rss_mb": {str(size): round(r["before_kb"] / 1024, 1) for size, r in runs.items()},
        "growth_mb_100k_vs_1k": round(growth_mb, 1),
        "goal_mb": GOAL_MB,
        "items_per_second": {
            str(size): round(r["items"] / r["seconds"], 1) for size, r in runs.items()
        },
        "created": {str(size): r["created"] for size, r in runs.items()},
        "journal": True,
        "flags": list(FLAGS),
        "passed": growth_mb <= GOAL_MB and all(r["created"] == r["items"] for r in runs.values()),
    }
