"""What the journal costs (issue 9 "Performance" 3).

The 600-ticket run of ``bench_batch_throughput`` (``--latency-ms 50 --thread-limit 3``), with a
journal on a local disk (a ``sending`` line synced to disk before every write, a final line
after it) and without, in alternating rounds so drift hits both. Goal: the journaled run's median
time within 1.05x of the plain run's.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.bench_batch_throughput import FLAGS, ITEMS, connect, tickets, timed_batch
from tests.emulator_process import running_emulator

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 2
GOAL_RATIO = 1.05


def run() -> dict[str, Any]:
    """Time both kinds of run; ``passed`` per the module docstring."""
    plain: list[float] = []
    journaled: list[float] = []
    # Under the repository, not a tmpfs: the journal's syncs must reach a real disk.
    with running_emulator(*FLAGS) as emu, tempfile.TemporaryDirectory(dir=ROOT / "bench") as tmp:
        client = connect(emu)
        company = int(next(client.companies.query(limit=1))["id"])
        client.tickets.count()  # warm the connection outside the timing
        for round_number in range(ROUNDS):
            for journal in (False, True) if round_number % 2 == 0 else (True, False):
                emu.reset()
                items = tickets(company, ITEMS, f"r{round_number}")
                if journal:
                    path = Path(tmp) / f"round-{round_number}.jsonl"
                    journaled.append(timed_batch(client, items, journal=path))
                else:
                    plain.append(timed_batch(client, items))
        client.close()
    ratio = statistics.median(journaled) / statistics.median(plain)
    return {
        "items": ITEMS,
        "plain_seconds": [round(s, 3) for s in plain],
        "journal_seconds": [round(s, 3) for s in journaled],
        "ratio": round(ratio, 4),
        "goal_ratio": GOAL_RATIO,
        "rounds": ROUNDS,
        "flags": list(FLAGS),
        "passed": ratio <= GOAL_RATIO,
    }
