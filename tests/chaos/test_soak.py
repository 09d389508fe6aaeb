"""The soak's correctness half: mixed requests from 16 threads through one client leak no
file descriptor, socket or thread, trip no thread limit and all succeed (issue 14 "Load and
soak"). The full 10,000-request run, with its memory and time figures, is bench/bench_soak.py
(``python -m bench soak``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.chaos.conftest import Record

OPERATIONS = 3000
ROOT = Path(__file__).resolve().parents[2]


def test_mixed_requests_from_16_threads_leak_nothing_and_trip_no_limit(figures: Record) -> None:
    # A process of its own: the counts before and after must not see other tests' clients.
    code = f"import json; from bench.bench_soak import soak; print(json.dumps(soak({OPERATIONS})))"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["failures"] == {}
    assert result["thread_rejections"] == 0
    assert result["leaked"] == {"fds": 0, "sockets": 0, "threads": 0}, result
    assert result["during"]["threads"] > result["before"]["threads"]  # the pool was counted
    assert result["during"]["sockets"] > 0  # and its connections
    assert result["requests_served"] >= OPERATIONS
    figures(
        "soak_leaks",
        operations=OPERATIONS,
        threads=16,
        requests_served=result["requests_served"],
        thread_rejections=result["thread_rejections"],
        before=result["before"],
        during=result["during"],
        after=result["after"],
    )
