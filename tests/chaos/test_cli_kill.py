"""``kill -9`` of the ``autotask`` command mid-batch and mid-export, at several points, then the
same command again; and the emulator restarted under a running command (issue 14 "Chaos").

A batch is killed after some items, again after more, and again while the emulator holds one of
its writes (a ``slow`` fault, which applies the write after the command is gone); the same
command line then finishes the job: with a dedupe field every ticket exists exactly once, and
without one nothing is sent twice (the item in doubt is reported unknown, exit 7). An export is
killed twice with pages in flight and then completes with every record exactly once. Kill
points are read from the journal and the emulator's request counters, never from timing alone.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from autotask import F
from tests.chaos.cli import command, journal_states, results, start, statuses, write_jsonl
from tests.chaos.conftest import Record
from tests.chaos.support import chaos_client, first_company, set_faults, stored_titles, ticket
from tests.chaos.test_restart_chaos import Restartable
from tests.client.conftest import requests_to
from tests.emulator_process import Emulator

ITEMS = 600
DEADLINE = 120.0


def _kill_when(proc: subprocess.Popen[str], ready: Callable[[], bool]) -> None:
    """SIGKILL ``proc`` as soon as ``ready()`` holds (it must not finish first)."""
    deadline = time.monotonic() + DEADLINE
    try:
        while not ready():
            assert proc.poll() is None, "the command ended before its kill point"
            assert time.monotonic() < deadline, "the kill point was never reached"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _finished(journal: Path) -> int:
    if not journal.exists():
        return 0
    states = journal_states(journal)
    return sum(n for state, n in states.items() if state != "sending")


def _hold_a_write(emu: Emulator, after: int) -> None:
    rule = {"kind": "slow", "route": "POST:*/Tickets", "after": after, "times": 1}
    emu.control("POST", "faults", {"seed": 1, "rules": [rule]})


@pytest.mark.parametrize("dedupe", [True, False], ids=["dedupe", "no-dedupe"])
def test_kill_9_mid_batch_at_several_points_then_the_same_command(
    emu: Emulator, tmp_path: Path, figures: Record, dedupe: bool
) -> None:
    tag = "killed" if dedupe else "killedplain"
    with chaos_client(emu, tmp_path / "reader") as reader:
        company = first_company(reader)
        source = write_jsonl(
            tmp_path / "tickets.jsonl", [ticket(company, tag, n) for n in range(ITEMS)]
        )
        journal = tmp_path / "batch.journal"
        argv = ["batch", "create", "Tickets", str(source), "--journal", str(journal), "-q"]
        argv += ["--results", str(tmp_path / "r.jsonl")]
        if dedupe:
            argv += ["--dedupe-field", "Ext URL"]
        points: list[str] = []
        if dedupe:  # killed after 50 items, then (resumed) after 250
            for at in (50, 250):
                _kill_when(start(emu, tmp_path, *argv), lambda at=at: _finished(journal) >= at)
                points.append(f"{_finished(journal)} items done")
        # ... then while the emulator holds a write it will apply after the kill.
        _hold_a_write(emu, after=requests_to(emu, "POST Tickets") + 40)
        _kill_when(start(emu, tmp_path, *argv), lambda: bool(emu.stats()["faults"].get("slow")))
        killed = journal_states(journal)
        points.append(f"a write in flight ({_finished(journal)} done)")
        assert killed.get("sending", 0) >= 1
        time.sleep(0.6)  # the held write lands (slow-ms 300)
        set_faults(emu, 0)
        final = command(emu, tmp_path, *argv)
        rows = results(tmp_path / "r.jsonl")
        stored = stored_titles(reader, tag)
        count = reader.tickets.count(F("title").begins_with(f"{tag} "))
    assert set(stored.values()) == {1}  # nothing twice, whatever the kills
    if dedupe:
        assert final.returncode == 0, final.stderr
        assert count == ITEMS and len(stored) == ITEMS
    else:
        unknown = [r for r in rows if r["status"] == "unknown"]
        assert final.returncode == 7 and len(unknown) == killed["sending"], final.stderr
        assert count == ITEMS - sum(  # every other item exists once; the ones in doubt
            1
            for r in unknown
            if stored[f"{tag} {r['index']}"] == 0  # may or may not
        )
    figures(
        f"cli_kill_batch_{'dedupe' if dedupe else 'no_dedupe'}",
        items=ITEMS,
        kill_points=points,
        killed_journal=killed,
        rerun_outcomes=statuses(rows),
        exit_code=final.returncode,
        stored=count,
        duplicates=sum(n - 1 for n in stored.values()),
    )


def _pages_served(emu: Emulator) -> int:
    served = emu.stats()["requests"]
    return sum(
        sum(by_status.values())
        for route, by_status in served.items()
        if "Tickets/query" in route and "count" not in route
    )


@pytest.mark.parametrize("kind", ["jsonl", "sqlite"])
def test_kill_9_mid_export_at_several_points_then_the_same_command(
    emu: Emulator, tmp_path: Path, figures: Record, kind: str
) -> None:
    emu.seed("Tickets", 12_000)
    with chaos_client(emu, tmp_path / "reader") as reader:
        expected = {r["id"] for r in reader.tickets.query(fields=["id"])}
    target = tmp_path / f"export.{'db' if kind == 'sqlite' else 'jsonl'}"
    to = f"sqlite:///{target}" if kind == "sqlite" else str(target)
    argv = ("export", "Tickets", "--to", to, "-q")
    # Every page held 300 ms by the emulator: the kills land with pages in flight.
    slow = {"kind": "slow", "probability": 1, "route": "*/Tickets/query*"}
    emu.control("POST", "faults", {"seed": 1, "rules": [slow]})
    points = []
    for pages in (3, 9):
        served = _pages_served(emu)
        _kill_when(
            start(emu, tmp_path, *argv), lambda s=served, p=pages: _pages_served(emu) >= s + p
        )
        points.append(f"{pages} more pages")
        if kind == "jsonl":
            assert not target.exists()  # never a half-written target
    set_faults(emu, 0)
    final = command(emu, tmp_path, *argv)
    if kind == "sqlite":
        db = sqlite3.connect(target)
        try:
            ids = [row[0] for row in db.execute('SELECT id FROM "Tickets"')]
        finally:
            db.close()
    else:
        with target.open(encoding="utf-8") as fh:
            ids = [json.loads(line)["id"] for line in fh]
    assert final.returncode == 0, final.stderr
    assert len(ids) == len(set(ids)) == len(expected) and set(ids) == expected
    figures(
        f"cli_kill_export_{kind}",
        items=len(expected),
        kill_points=points,
        rerun_outcomes={"exit": final.returncode},
        exported=len(ids),
        duplicates=len(ids) - len(set(ids)),
    )


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[Restartable]:
    server = Restartable(tmp_path / "emulator.sqlite")
    try:
        yield server
    finally:
        server.stderr.append(server.emu.stderr_text())
        server.close()


def test_the_command_rides_through_emulator_restarts_exactly_once(
    restartable: Restartable, tmp_path: Path, figures: Record
) -> None:
    server = restartable
    with chaos_client(server.emu, tmp_path / "reader") as reader:
        company = first_company(reader)
    source = write_jsonl(tmp_path / "t.jsonl", [ticket(company, "cliup", n) for n in range(ITEMS)])
    journal = tmp_path / "j"
    argv = ("batch", "create", "Tickets", str(source), "--journal", str(journal), "-q")
    argv += ("--dedupe-field", "Ext URL", "--results", str(tmp_path / "r.jsonl"), "--debug")
    argv += ("--retries", "5")  # room for a restart on a loaded machine (test_restart_chaos)
    proc = start(server.emu, tmp_path, *argv)  # --debug: its log shows the retries
    errors: list[BaseException] = []

    def restarts() -> None:
        try:
            for at in (150, 400):
                deadline = time.monotonic() + DEADLINE
                while _finished(journal) < at and proc.poll() is None:
                    assert time.monotonic() < deadline
                    time.sleep(0.005)
                server.kill_and_restart()
        except BaseException as exc:
            errors.append(exc)

    killer = threading.Thread(target=restarts, daemon=True)
    killer.start()
    try:
        code = proc.wait(DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    killer.join(60)
    stderr = (tmp_path / "stderr.log").read_text(encoding="utf-8")
    assert not errors, errors
    rows = results(tmp_path / "r.jsonl")
    with chaos_client(server.emu, tmp_path / "reader2") as reader:
        stored = stored_titles(reader, "cliup")
    refused = [
        line for line in stderr.splitlines() if "retrying" in line and "cannot connect" in line
    ]
    assert code == 0, stderr[-3000:]
    assert refused  # it met the refused connections while the emulator was down
    assert len(server.downtimes) == 2
    assert statuses(rows) == {"created": ITEMS}
    assert len(stored) == ITEMS and set(stored.values()) == {1}
    figures(
        "cli_emulator_restart",
        items=ITEMS,
        restarts=len(server.downtimes),
        downtime_s=server.downtimes,
        retries_after_refused=len(refused),
        outcomes=statuses(rows),
        exit_code=code,
        stored=len(stored),
        duplicates=sum(n - 1 for n in stored.values()),
    )
