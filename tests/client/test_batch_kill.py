"""kill -9 of a running batch, then resume with its journal (issue 9 "Tests").

A child process creates 1,000 tickets with a journal and is killed with SIGKILL early, in the
middle, or while a write is in flight (held by the emulator's ``slow`` fault, which applies the
write after the delay: the child is gone by then). The test then resumes in-process with the
same journal and input. With a dedupe field the tickets end up created exactly once; without
one nothing is sent twice and the items in doubt are reported ``unknown``.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autotask import AutotaskClient, F
from tests.client.conftest import connect, requests_to
from tests.client.test_batch import _ticket
from tests.emulator_process import Emulator, running_emulator

ROOT = Path(__file__).resolve().parents[2]
COUNT = 1000
SLOW_MS = 400

_CHILD = r"""
import sys
from autotask import AutotaskClient, Credentials, RequestConfig
from tests.client.test_batch_kill import tickets
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME

base_url, journal, tag, company, dedupe = sys.argv[1:6]
client = AutotaskClient(
    Credentials(USERNAME, INTEGRATION_CODE, SECRET), RequestConfig(), base_url=base_url, environ={}
)
client.tickets.batch_create(
    tickets(tag, int(company)),
    journal=journal,
    dedupe_field=dedupe or None,
    progress=lambda p: print(p.done, flush=True),
)
print("finished", flush=True)
"""


def tickets(tag: str, company: int) -> Iterator[dict[str, Any]]:
    """The input, streamed: the same for the killed run and the resumed one."""
    for n in range(COUNT):
        yield _ticket(
            company, f"{tag} {n}", userDefinedFields=[{"name": "Ext URL", "value": f"{tag}-{n}"}]
        )


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with running_emulator("--slow-ms", str(SLOW_MS)) as emulator:
        yield emulator


def _run_and_kill(
    emu: Emulator, journal: Path, tag: str, company: int, dedupe: str, kill_at: int | None
) -> None:
    """Run the child; SIGKILL it once it reports ``kill_at`` items done, or (None) as soon as
    the emulator holds its slowed write."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, emu.base_url, str(journal), tag, str(company), dedupe],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if kill_at is None:
                if emu.stats()["faults"].get("slow"):
                    break
                time.sleep(0.005)
                continue
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            line = proc.stdout.readline().strip() if ready else ""
            assert line != "finished" and (line or proc.poll() is None), proc.stderr
            if line.isdigit() and int(line) >= kill_at:
                break
        else:
            pytest.fail("the child never reached the kill point")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.communicate()


def _stored(client: AutotaskClient, tag: str) -> Counter[str]:
    records = client.tickets.query(F("title").begins_with(f"{tag} "), fields=["title"])
    return Counter(r["title"] for r in records)


def _journaled(journal: Path) -> Counter[str]:
    """How many items the journal had finished (by status) when the child died."""
    lines = [json.loads(line) for line in journal.read_text().splitlines()[1:] if line.strip()]
    last = {line["index"]: line.get("status") or line["state"] for line in lines}
    return Counter(last.values())


@pytest.mark.parametrize(("tag", "kill_at"), [("early", 20), ("middle", 500), ("inflight", None)])
def test_killed_and_resumed_with_dedupe_every_ticket_exists_exactly_once(
    emu: Emulator, tmp_path: Path, tag: str, kill_at: int | None
) -> None:
    emu.reset()
    journal = tmp_path / "batch.jsonl"
    with connect(emu, tmp_path) as client:
        company = int(next(client.companies.query(limit=1))["id"])
        if kill_at is None:  # hold the 301st create in the emulator, then kill
            rule = {"kind": "slow", "route": "POST:*/Tickets", "after": 300, "times": 1}
            emu.control("POST", "faults", {"seed": 1, "rules": [rule]})
        _run_and_kill(emu, journal, tag, company, "Ext URL", kill_at)
        before = _journaled(journal)
        assert 0 < before["created"] < COUNT
        if kill_at is None:
            assert before["sending"] >= 1  # the slowed write was in flight
        results = client.tickets.batch_create(
            tickets(tag, company),
            journal=journal,
            dedupe_field="Ext URL",
            settle=2 * SLOW_MS / 1000,
        )
        stored = _stored(client, tag)
        posts = requests_to(emu, "POST Tickets")
        again = client.tickets.batch_create(
            tickets(tag, company), journal=journal, dedupe_field="Ext URL"
        )
        assert requests_to(emu, "POST Tickets") == posts  # a third run sends nothing
    statuses = Counter(r.status for r in results)
    assert statuses["skipped"] >= before["created"]
    assert statuses["skipped"] + statuses["created"] == COUNT
    assert len(stored) == COUNT and set(stored.values()) == {1}
    assert {r.status for r in again} == {"skipped"}
    assert [r.item_id for r in again] == [r.item_id for r in results]


def test_killed_in_flight_and_resumed_without_dedupe_nothing_is_sent_twice(
    emu: Emulator, tmp_path: Path
) -> None:
    emu.reset()
    journal = tmp_path / "batch.jsonl"
    with connect(emu, tmp_path) as client:
        company = int(next(client.companies.query(limit=1))["id"])
        rule = {"kind": "slow", "route": "POST:*/Tickets", "after": 300, "times": 1}
        emu.control("POST", "faults", {"seed": 1, "rules": [rule]})
        _run_and_kill(emu, journal, "plain", company, "", None)
        in_doubt = _journaled(journal)["sending"]
        time.sleep(2 * SLOW_MS / 1000)  # let the emulator apply the slowed write
        results = client.tickets.batch_create(tickets("plain", company), journal=journal)
        stored = _stored(client, "plain")
    statuses = Counter(r.status for r in results)
    assert statuses["unknown"] == in_doubt >= 1
    assert statuses["skipped"] + statuses["created"] + statuses["unknown"] == COUNT
    assert set(stored.values()) == {1}  # nothing was sent twice
    # The slowed write was applied after the kill, and is reported unknown, not resent.
    assert any(stored[f"plain {r.index}"] == 1 for r in results if r.status == "unknown")
    done = [f"plain {r.index}" for r in results if r.ok]
    assert all(stored[title] == 1 for title in done)
    assert len(stored) <= COUNT
