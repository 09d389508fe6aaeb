"""Client CPU per GET-by-id against a bare urllib3 loop (issue 4 "Performance" 1).

Both loops send the same requests (same auth headers, same URLs) to the same emulator and
decode the same JSON; the bare loop is what any caller would write with urllib3 alone. They run
in alternating rounds in this one process, and only this process's CPU time is counted (the
emulator runs in its own process), so the ratio is what the library's chokepoint costs: header
handling, thread gate, hourly budget, error mapping and response parsing. Goal: <= 1.25x.

The emulator is reset before every round, so its hourly budget never interferes.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import urllib3

from autotask import AutotaskClient, Credentials, RequestConfig
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator, running_emulator

GOAL_RATIO = 1.25
ROUNDS = 8
GETS_PER_ROUND = 500


def _bare_round(pool: urllib3.PoolManager, emu: Emulator, ids: list[int]) -> float:
    headers = emu.auth_headers()
    base = emu.api_url + "Tickets/"
    start = time.process_time()
    for ticket_id in ids:
        response = pool.request("GET", f"{base}{ticket_id}", headers=headers, retries=False)
        if response.status != 200 or json.loads(response.data)["item"] is None:
            raise RuntimeError(f"bare GET failed: {response.status}")
    return time.process_time() - start


def _client_round(client: AutotaskClient, ids: list[int]) -> float:
    tickets = client.tickets
    start = time.process_time()
    for ticket_id in ids:
        if tickets.get(ticket_id) is None:
            raise RuntimeError("client GET found nothing")
    return time.process_time() - start


def run() -> dict[str, Any]:
    """Measure CPU seconds per GET for both loops; ``passed`` when the ratio is <= 1.25."""
    with running_emulator() as emu:
        client = AutotaskClient(
            Credentials(USERNAME, INTEGRATION_CODE, SECRET),
            RequestConfig(),
            base_url=emu.base_url,
            environ={},
        )
        pool = urllib3.PoolManager(maxsize=1)
        existing = [t["id"] for t in client.tickets.query(fields=["id"])]
        ids = [existing[i % len(existing)] for i in range(GETS_PER_ROUND)]
        _bare_round(pool, emu, ids[:50])  # warm both paths: connections, imports, caches
        _client_round(client, ids[:50])
        bare: list[float] = []
        lib: list[float] = []
        for round_number in range(ROUNDS):
            emu.reset()
            # Alternate which loop goes first, so drift (CPU frequency, caches) hits both.
            if round_number % 2 == 0:
                bare.append(_bare_round(pool, emu, ids))
                lib.append(_client_round(client, ids))
            else:
                lib.append(_client_round(client, ids))
                bare.append(_bare_round(pool, emu, ids))
        client.close()
        pool.clear()
    bare_us = statistics.median(bare) / GETS_PER_ROUND * 1e6
    lib_us = statistics.median(lib) / GETS_PER_ROUND * 1e6
    ratio = lib_us / bare_us
    return {
        "client_cpu_us_per_get": round(lib_us, 1),
        "bare_urllib3_cpu_us_per_get": round(bare_us, 1),
        "ratio": round(ratio, 3),
        "goal_ratio": GOAL_RATIO,
        "rounds": ROUNDS,
        "gets_per_round": GETS_PER_ROUND,
        "client_rounds_s": [round(x, 4) for x in lib],
        "bare_rounds_s": [round(x, 4) for x in bare],
        "passed": ratio <= GOAL_RATIO,
    }
