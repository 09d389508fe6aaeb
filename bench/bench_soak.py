"""Soak: 10,000 mixed requests through one client from 16 threads (issue 14 "Load and soak").

One :class:`~autotask.AutotaskClient` is shared by a 16-thread pool against a real emulator at
Autotask's thread limit (3 per entity). The mix, in a fixed shuffled order (seed 14): gets,
queries of a page of 50, ticket creates, ticket updates, time entry deletes (seeded outside the
API), attachment uploads of 1-16 KB and downloads naming their parent (one request each, so
operations and requests match). The emulator's hourly limit is raised to 100,000
(``--hourly-limit``): at Autotask's 10,000 the client would rightly pace its requests 0.5 s and
then 1 s apart past half and three quarters of the budget, which is the budget's test, not this
one's. Measured:

- thread-limit rejections in the emulator's stats (goal 0: the client's gate never trips it);
- this process's file descriptors, sockets and threads before the client exists and after it
  and its pool are closed (goal: the same: nothing leaked);
- resident memory (``VmRSS``) after every operation: the mean of the last thousand within 10%
  of the mean of the first thousand (goal: flat);
- every operation's outcome (goal: every one ok) and the duration.

:func:`soak` is also run, smaller, by tests/chaos/test_soak.py (leaks and rejections only: the
memory and time figures are this benchmark's).
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from autotask import AutotaskClient, Credentials, F, RequestConfig
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator, running_emulator

OPERATIONS = 10_000
THREADS = 16
SEED = 14
RSS_GOAL = 0.10
#: The mix: operation -> share of the operations.
MIX = {
    "get": 0.30,
    "query": 0.15,
    "create": 0.12,
    "update": 0.12,
    "delete": 0.08,
    "upload": 0.08,
    "download": 0.15,
}
QUEUE = 29683325
FLAGS = ("--hourly-limit", "100000")


def process_counts() -> dict[str, int]:
    """This process's open file descriptors, sockets among them, and threads."""
    fds = os.listdir("/proc/self/fd")
    sockets = 0
    for fd in fds:
        with contextlib.suppress(OSError):  # the descriptor listdir itself used
            sockets += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return {"fds": len(fds), "sockets": sockets, "threads": threading.active_count()}


def rss_kb() -> int:
    """Resident memory of this process now (kB)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


class _Workload:
    """The state the operations share: ids to read, update, delete and download."""

    def __init__(self, client: AutotaskClient, emu: Emulator, operations: int) -> None:
        self.client = client
        company = int(next(client.companies.query(limit=1))["id"])
        self.company = company
        self.tickets = [int(t["id"]) for t in client.tickets.query(fields=["id"], limit=200)]
        deletes = int(operations * MIX["delete"]) + 10
        emu.seed("TimeEntries", deletes)
        entries = client.time_entries.query(fields=["id"])
        self.deletable = sorted(int(t["id"]) for t in entries)[-deletes:]
        self.parent = self.tickets[0]
        first = client.attachments.upload_data("Ticket", self.parent, b"seed", "seed.txt")
        self.attachments = [first.id]
        self.lock = threading.Lock()
        self.rng = random.Random(SEED)

    def pick(self, values: list[int]) -> int:
        with self.lock:
            return self.rng.choice(values)

    def run(self, kind: str, n: int) -> bool:
        c = self.client
        if kind == "get":
            return c.tickets.get(self.pick(self.tickets)) is not None
        if kind == "query":
            low = self.pick(self.tickets)
            return len(c.tickets.query_all(F("id") >= low, page_size=50, limit=50)) > 0
        if kind == "create":
            new = c.tickets.create(
                {
                    "companyID": self.company,
                    "title": f"soak {n}",
                    "status": 1,
                    "priority": 2,
                    "queueID": QUEUE,
                }
            )
            with self.lock:
                self.tickets.append(new)
            return new > 0
        if kind == "update":
            return c.tickets.update({"id": self.pick(self.tickets), "priority": 1 + n % 3}) > 0
        if kind == "delete":
            with self.lock:
                victim = self.deletable.pop()
            c.time_entries.delete(victim)
            return True
        if kind == "upload":
            data = os.urandom(1024 * (1 + n % 16))
            made = c.attachments.upload_data("Ticket", self.parent, data, f"soak-{n}.bin")
            with self.lock:
                self.attachments.append(made.id)
            return made.size == len(data)
        attachment = self.pick(self.attachments)
        data = c.attachments.download_file(attachment, parent_type="Ticket", parent_id=self.parent)
        return len(data) > 0


def plan(operations: int) -> list[str]:
    """The operations in their fixed order."""
    kinds = [k for k, share in MIX.items() for _ in range(round(operations * share))]
    kinds = (kinds + ["get"] * operations)[:operations]
    random.Random(SEED).shuffle(kinds)
    return kinds


def soak(operations: int = OPERATIONS, threads: int = THREADS) -> dict[str, Any]:
    """Run the mix; return the figures (see the module docstring)."""
    with running_emulator(*FLAGS) as emu:
        gc.collect()  # closed but unreachable sockets of earlier work are not "before"
        before = process_counts()
        client = AutotaskClient(
            Credentials(USERNAME, INTEGRATION_CODE, SECRET),
            RequestConfig(),
            base_url=emu.base_url,
            environ={},
        )
        workload = _Workload(client, emu, operations)
        served_before = emu.stats()
        kinds = plan(operations)
        rss: list[int] = []
        rss_lock = threading.Lock()

        def one(n: int) -> tuple[str, bool]:
            try:
                ok = workload.run(kinds[n], n)
            except Exception as exc:  # a failure is a figure, not a crash of the soak
                return f"{kinds[n]}: {type(exc).__name__}: {exc}", False
            finally:
                with rss_lock:
                    rss.append(rss_kb())
            return kinds[n], ok

        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            outcomes = list(pool.map(one, range(operations)))
            during = process_counts()
        seconds = time.perf_counter() - started
        stats = emu.stats()
        client.close()  # no gc.collect(): close() itself must release every socket
        after = process_counts()
    requests = _served(stats) - _served(served_before)
    rejections = sum(stats.get("thread_rejections", {}).values())
    failures = Counter(kind for kind, ok in outcomes if not ok)
    window = min(1000, len(rss) // 2) or 1
    first = sum(rss[:window]) / window
    last = sum(rss[-window:]) / window
    growth = (last - first) / first
    leaks = {k: after[k] - before[k] for k in before}
    return {
        "operations": operations,
        "threads": threads,
        "mix": dict(Counter(kinds)),
        "requests_served": requests,
        "seconds": round(seconds, 1),
        "requests_per_second": round(requests / seconds, 1),
        "thread_rejections": rejections,
        "server_peak_concurrency": stats.get("max_concurrency", {}),
        "failures": dict(failures),
        "before": before,
        "during": during,
        "after": after,
        "leaked": leaks,
        "rss_window": window,
        "rss_first_kb": round(first),
        "rss_last_kb": round(last),
        "rss_growth": round(growth, 4),
        "rss_growth_percent": round(growth * 100, 1),
        "rss_goal": RSS_GOAL,
        "rss_goal_percent": round(RSS_GOAL * 100),
        "flags": list(FLAGS),
        "passed": not failures
        and rejections == 0
        and not any(leaks.values())
        and abs(growth) <= RSS_GOAL,
    }


def _served(stats: dict[str, Any]) -> int:
    return sum(n for route in stats["requests"].values() for n in route.values())


def run() -> dict[str, Any]:
    """The benchmark: :func:`soak` at full size."""
    return soak()
