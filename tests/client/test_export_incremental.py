"""Incremental exports (since=STATE) and resuming a killed export (kill -9), on real files."""

from __future__ import annotations

import json
import os
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autotask import AutotaskClient, F, PermissionDenied
from autotask.export.state import DELETION_LOGS, DeletionLog
from tests.client.conftest import connect
from tests.client.test_export_targets import (
    TARGETS,
    columns_of,
    expected_content,
    read_target,
    target_for,
)
from tests.emulator_process import (
    INTEGRATION_CODE,
    SECRET,
    USERNAME,
    Emulator,
    running_emulator,
)
from tests.paths import ROOT

QUEUE = 29683325  # the demo data's Helpdesk Queue (BRIEF: every new ticket names a queue)


def _new_ticket(client: AutotaskClient, title: str) -> int:
    company = client.companies.query_all(limit=1)[0]["id"]
    return client.tickets.create(
        {"companyID": company, "title": title, "status": 1, "priority": 2, "queueID": QUEUE}
    )


@pytest.mark.parametrize("kind", TARGETS)
def test_a_change_between_runs_is_picked_up_exactly_once(
    kind: str, client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.seed("Tickets", 600)
    state = tmp_path / "state.json"
    target = target_for(kind, tmp_path)
    columns = columns_of(client)
    condition = F("status") != 5
    first = client.tickets.export(target, condition, since=state, page_size=200)
    assert first.full
    assert read_target(kind, target, columns) == expected_content(
        kind, client.tickets.query_all(condition), columns
    )
    saved = json.loads(state.read_text())["entities"]["Tickets"]
    assert saved["fields"] == ["lastActivityDate", "lastTrackedModificationDateTime"]
    assert saved["watermark"] == first.watermark is not None

    changed = client.tickets.query_all(condition, limit=1)[0]["id"]
    client.tickets.update({"id": changed, "title": "changed between runs"})
    created = _new_ticket(client, "created between runs")
    second = client.tickets.export(target, condition, since=state, page_size=200)
    assert not second.full
    assert second.records == 2
    assert second.watermark is not None and second.watermark > first.watermark
    delta = client.tickets.query_all(F("id").in_([changed, created]))
    # SQLite holds the whole set with the changes applied; a file holds the run's changes.
    wanted = client.tickets.query_all(condition) if kind == "sqlite" else delta
    assert read_target(kind, target, columns) == expected_content(kind, wanted, columns)
    assert {r["title"] for r in delta} == {"changed between runs", "created between runs"}

    third = client.tickets.export(target, condition, since=state, page_size=200)
    assert third.records == 0  # re-read inside the overlap window, but not delivered again
    if kind == "sqlite":
        assert read_target(kind, target, columns) == expected_content(
            kind, client.tickets.query_all(condition), columns
        )
    else:
        assert read_target(kind, target, columns) == expected_content(kind, [], columns)
    assert emulator.stats()["thread_rejections"] == {}


def test_each_run_may_write_its_own_file_but_a_new_filter_starts_over(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    first = client.tickets.export(tmp_path / "run1.jsonl", F("status") == 1, since=state)
    assert first.full and first.records == client.tickets.count(F("status") == 1)
    _new_ticket(client, "new since run 1")
    second = client.tickets.export(tmp_path / "run2.csv", F("status") == 1, since=state)
    assert not second.full and second.records == 1  # another name and format: still a delta
    third = client.tickets.export(tmp_path / "run3.jsonl", F("status") != 1, since=state)
    assert third.full  # other records asked for: the watermark does not cover them
    assert third.records == client.tickets.count(F("status") != 1)


def test_an_unreadable_deletion_log_is_reported_not_hidden(
    client: AutotaskClient,
    emulator: Emulator,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Autotask lets only admin-level users read DeletedTicketLogs: the run still commits, says
    # deletions were not detected (None, not 0), and reads the log from the same point next time.
    # An emulator that serves the log denies it; one that does not answers 404 for it.
    try:
        emulator.control("POST", "permissions", {"deny": ["DeletedTicketLogs"]})
    except urllib.error.HTTPError as exc:
        assert exc.code == 400  # "unknown entity": the emulator does not serve it at all
    state, target = tmp_path / "state.json", f"sqlite:///{tmp_path / 'r.db'}"
    first = client.tickets.export(target, since=state)
    assert first.deleted is None  # a full run reads no deletion log
    bound = json.loads(state.read_text())["entities"]["Tickets"]["deletedLower"]
    assert bound is not None
    second = client.tickets.export(target, since=state)
    assert second.deleted is None and second.deleted_ids == ()
    assert "cannot read DeletedTicketLogs, so deletions are not detected" in caplog.text
    assert json.loads(state.read_text())["entities"]["Tickets"]["deletedLower"] == bound
    assert client.companies.export(target, since=state).deleted is None  # no log at all


def test_a_failed_incremental_run_resumes_its_own_window(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    state, target = tmp_path / "state.json", tmp_path / "delta.jsonl"
    client.tickets.export(target, since=state)
    changed = [t["id"] for t in client.tickets.query_all(limit=60)]
    for ticket_id in changed:
        client.tickets.update({"id": ticket_id, "title": f"changed {ticket_id}"})
    saved = state.read_text()

    def deny_after_two_pages(progress: Any) -> None:
        if progress.pages == 2:
            emulator.control("POST", "permissions", {"deny": ["Tickets"]})

    with pytest.raises(PermissionDenied):
        client.tickets.export(
            target, since=state, partitions=1, page_size=5, progress=deny_after_two_pages
        )
    assert state.read_text() == saved  # nothing committed, so the watermark did not move
    emulator.control("POST", "permissions", {"deny": []})
    resumed = client.tickets.export(target, since=state, page_size=5)
    assert resumed.resumed and not resumed.full
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in lines) == sorted(changed)  # each change once
    assert all(r["title"] == f"changed {r['id']}" for r in lines)
    assert client.tickets.export(target, since=state).records == 0


def _touch(emulator: Emulator, ticket_id: int | None, modified: str, **values: Any) -> int:
    """Change (or, without an id, create) a ticket outside the API, stamped ``modified``."""
    body: dict[str, Any] = {"entity": "Tickets", "set": values, "modified": modified}
    if ticket_id is not None:
        body["id"] = ticket_id
    return int(emulator.control("POST", "records", body)["id"])


def test_records_with_the_watermarks_timestamp_are_not_lost(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    stamp = "2026-03-01T10:00:00.250Z"  # newer than every demo ticket, older than the clock
    _touch(emulator, 29296, stamp, title="first at the stamp")
    states = {overlap: tmp_path / f"{overlap}.json" for overlap in (0.0, 90.0)}
    for overlap, state in states.items():
        first = client.tickets.export(tmp_path / "d.jsonl", since=state, overlap=overlap)
        assert first.full and first.watermark == "2026-03-01T10:00:00.250000+00:00"
    # Late arrivals: one stamped exactly at the watermark, one a minute before it.
    late = _touch(emulator, 29297, stamp, title="second at the same stamp")
    older = _touch(emulator, 29298, "2026-03-01T09:59:00.250Z", title="a minute older")
    # No overlap: the watermark's stamp is read again (gte); 29296 was delivered, 29297 not yet.
    delta = client.tickets.export(tmp_path / "d.jsonl", since=states[0.0], overlap=0.0)
    assert delta.records == 1
    assert json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8"))["id"] == late
    # 90 s of overlap reach back over the older one too.
    client.tickets.export(tmp_path / "d.jsonl", since=states[90.0], overlap=90.0)
    lines = (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted([late, older])


def test_changes_made_outside_the_api_are_picked_up_once(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    state, target = tmp_path / "state.json", f"sqlite:///{tmp_path / 'r.db'}"
    client.tickets.export(target, since=state)
    changed = _touch(emulator, 29300, "2026-06-01T00:00:00Z", title="changed outside")
    created = _touch(emulator, None, "2026-06-01T00:00:01Z", title="created outside")
    second = client.tickets.export(target, since=state)
    assert second.records == 2
    assert client.tickets.export(target, since=state).records == 0
    columns = columns_of(client)
    assert read_target("sqlite", target, columns) == expected_content(
        "sqlite", client.tickets.query_all(), columns
    )
    titles = {client.tickets.get(i)["title"] for i in (changed, created)}
    assert titles == {"changed outside", "created outside"}


def test_deletions_without_a_log_stay_until_a_full_run(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    # The emulator, like the 2020 API, has no deletion log: an incremental run cannot see a
    # deletion (documented), and a full run replaces the table, so the record goes.
    target = f"sqlite:///{tmp_path / 'r.db'}"
    client.tickets.export(target, since=tmp_path / "state.json")
    emulator.control("POST", "records", {"entity": "Tickets", "id": 29301, "delete": True})
    incremental = client.tickets.export(target, since=tmp_path / "state.json")
    assert incremental.deleted is None  # not detectable, and said so
    db = sqlite3.connect(tmp_path / "r.db")
    assert db.execute('SELECT count(*) FROM "Tickets" WHERE id = 29301').fetchone() == (1,)
    client.tickets.export(target)  # a full run
    assert db.execute('SELECT count(*) FROM "Tickets" WHERE id = 29301').fetchone() == (0,)
    assert db.execute('SELECT count(*) FROM "Tickets"').fetchone() == (client.tickets.count(),)
    db.close()


def test_a_deletion_log_removes_the_deleted_records_once(
    client: AutotaskClient,
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The emulator has no DeletedTicketLogs (newer than the 2020 Swagger). The log is data
    # (state.DELETION_LOGS), so TicketNotes stand in for it here: a note names a ticket
    # (ticketID) and when (lastActivityDate), as a DeletedTicketLogs row does (deletedDateTime).
    monkeypatch.setitem(
        DELETION_LOGS, "Tickets", DeletionLog("TicketNotes", "ticketID", "lastActivityDate")
    )
    state, target = tmp_path / "state.json", f"sqlite:///{tmp_path / 'r.db'}"
    client.tickets.export(target, since=state)
    emulator.control("POST", "records", {"entity": "Tickets", "id": 29302, "delete": True})
    note = {"ticketID": 29302, "title": "deleted", "description": "-", "noteType": 1}
    emulator.control("POST", "records", {"entity": "TicketNotes", "set": note})
    second = client.tickets.export(target, since=state)
    assert (second.deleted, second.deleted_ids) == (1, (29302,))
    db = sqlite3.connect(tmp_path / "r.db")
    assert db.execute('SELECT count(*) FROM "Tickets" WHERE id = 29302').fetchone() == (0,)
    logged = db.execute("SELECT entity, id FROM _autotask_deleted").fetchall()
    assert logged == [("Tickets", 29302)]
    db.close()
    third = client.tickets.export(target, since=state)
    assert (third.deleted, third.deleted_ids) == (0, ())  # the log row was read before
    columns = columns_of(client)
    assert read_target("sqlite", target, columns) == expected_content(
        "sqlite", client.tickets.query_all(), columns
    )


_CHILD = textwrap.dedent(
    """
    import os, sys, time
    from autotask import AutotaskClient, Credentials, RequestConfig
    base_url, target, cache = sys.argv[1:4]
    client = AutotaskClient(
        Credentials({user!r}, {code!r}, {secret!r}),
        RequestConfig(cache_dir=cache),
        base_url=base_url,
        environ={{}},
    )
    def progress(p):
        if p.pages == 6:
            print("killable", flush=True)
            time.sleep(60)  # the parent kills us here, with pages in flight
    client.tickets.export(target, partitions=3, page_size=100, progress=progress)
    """
).format(user=USERNAME, code=INTEGRATION_CODE, secret=SECRET)


@pytest.fixture(scope="module")
def own_emulator() -> Iterator[Emulator]:
    """An emulator of its own for the kill tests (a killed client's reset connections once made
    the emulator print tracebacks; now a quiet disconnect: tests/emulator/test_server.py)."""
    with running_emulator() as emu:
        yield emu


@pytest.mark.parametrize("kind", TARGETS)
def test_kill_9_mid_export_then_resume_gives_the_exact_set(
    kind: str, own_emulator: Emulator, tmp_path: Path
) -> None:
    emulator = own_emulator
    emulator.reset()
    emulator.seed("Tickets", 1500)
    target = target_for(kind, tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, emulator.base_url, target, str(tmp_path / "cache")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready and child.stdout.readline().strip() == "killable"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        if child.stdout is not None:
            child.stdout.close()
    path = Path(target.removeprefix("sqlite:///"))
    if kind != "sqlite":
        assert not path.exists()  # never a half-written target
    with connect(emulator, tmp_path / "cache") as client:
        stats = client.tickets.export(target, partitions=3, page_size=100)
        expected = client.tickets.query_all()
        columns = columns_of(client)
    assert stats.resumed
    content = read_target(kind, target, columns)
    assert content == expected_content(kind, expected, columns)  # each record once
    assert stats.records == len(expected)
