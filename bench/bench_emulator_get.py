"""GET-by-id throughput of the emulator: 8 concurrent keep-alive clients (issue 3 "Speed").

The emulator runs with ``--thread-limit 0 --hourly-limit 0``; the load generator runs in a
separate process (bench/load_get.py), 8 threads with one ``http.client`` connection each, so
client and server each have their own interpreter on this 2-core machine. Goal: >= 1,000
requests/s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from tests.emulator_process import Emulator, running_emulator

GOAL_PER_SECOND = 1000
CONCURRENCY = 8
WARMUP_SECONDS = 1.0
DURATION_SECONDS = 10.0
RECORDS = 1000
ROOT = Path(__file__).resolve().parent.parent


def _company_ids(emu: Emulator, count: int) -> list[int]:
    body = json.dumps(
        {"filter": [{"op": "gt", "field": "id", "value": 0}], "IncludeFields": ["id"]}
    ).encode()
    request = urllib.request.Request(
        emu.api_url + "Companies/query", data=body, method="POST", headers=emu.auth_headers()
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        items = json.loads(response.read())["items"]
    return [item["id"] for item in items][:count]


def run() -> dict[str, Any]:
    """Measure GET-by-id requests per second; ``passed`` when >= 1,000/s."""
    with running_emulator("--thread-limit", "0", "--hourly-limit", "0", "--data", "empty") as emu:
        emu.seed("Companies", RECORDS)
        ids = _company_ids(emu, 500)
        spec = {
            "host": emu.host,
            "port": emu.port,
            "headers": {k: v for k, v in emu.auth_headers().items() if k != "Content-Type"},
            "paths": [f"/ATServicesRest/V1.0/Companies/{i}" for i in ids],
            "concurrency": CONCURRENCY,
            "warmup": WARMUP_SECONDS,
            "duration": DURATION_SECONDS,
        }
        out = subprocess.run(
            [sys.executable, "-m", "bench.load_get", json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=DURATION_SECONDS + WARMUP_SECONDS + 60,
            cwd=ROOT,
            check=True,
        )
        load = json.loads(out.stdout.strip().splitlines()[-1])
        stats = emu.stats()
    per_second = load["requests"] / load["seconds"]
    peak = stats.get("max_concurrency", {}).get("Companies")
    return {
        "requests_per_second": round(per_second, 1),
        "goal_requests_per_second": GOAL_PER_SECOND,
        "requests": load["requests"],
        "errors": load["errors"],
        "concurrency": CONCURRENCY,
        "server_peak_concurrency": peak,
        "duration_seconds": DURATION_SECONDS,
        "flags": ["--thread-limit", "0", "--hourly-limit", "0", "--data", "empty"],
        "passed": per_second >= GOAL_PER_SECOND and load["errors"] == 0,
    }
