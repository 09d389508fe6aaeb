"""Batch create, update and delete through every fault kind at once (issue 14 "Chaos").

With a journal and a dedupe field every ticket is created exactly once, whatever the faults
did (a lookup that itself failed leaves the item ``unknown`` in the journal, and the next run
of the same command looks it up again). Without a dedupe field nothing is ever sent twice and
every item whose write may have been applied is reported ``unknown``. Updates and deletes have
no dedupe lookup: each is applied at most once and each in doubt is reported.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from autotask import F, OutcomeUnknown
from tests.chaos.conftest import Record
from tests.chaos.support import (
    KINDS,
    Waits,
    chaos_client,
    faults_fired,
    first_company,
    mixed,
    outcomes,
    set_faults,
    stored_titles,
    ticket,
)
from tests.client.conftest import requests_to
from tests.emulator_process import Emulator

ITEMS = 1000
SEED = 1401
#: Runs of the same journal until nothing is in doubt (each looks the doubtful items up).
MAX_RUNS = 3


def _faults_on_writes_and_lookups(emu: Emulator, write_route: str, seed: int) -> None:
    # 15% of the writes meet a fault, all kinds equally; 5% of the reads too (the dedupe
    # lookups, and the reads that check the result happen after the faults are cleared).
    set_faults(emu, seed, mixed(write_route, 0.15), mixed("POST:*/Tickets/query", 0.05))


def test_create_with_journal_and_dedupe_field_is_exactly_once(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    waits = Waits()
    journal = tmp_path / "create.journal"
    with chaos_client(emu, tmp_path, waits) as client:
        company = first_company(client)
        items = [ticket(company, "exact", n) for n in range(ITEMS)]
        _faults_on_writes_and_lookups(emu, "POST:*/Tickets", SEED)
        runs = []
        for _ in range(MAX_RUNS):
            results = client.tickets.batch_create(
                items, journal=journal, dedupe_field="Ext URL", settle=0.5
            )
            runs.append(results)
            if all(r.ok for r in results):
                break
        fired = faults_fired(emu)
        set_faults(emu, 0)
        stored = stored_titles(client, "exact")
        count = client.tickets.count(F("title").begins_with("exact "))
        records = {
            r["id"]: r["title"]
            for r in client.tickets.query(F("title").begins_with("exact "), fields=["title"])
        }
        posts = requests_to(emu, "POST Tickets")
        again = client.tickets.batch_create(items, journal=journal, dedupe_field="Ext URL")
        assert requests_to(emu, "POST Tickets") == posts  # the finished journal sends nothing
    final = runs[-1]
    assert set(fired) == set(KINDS), fired  # every kind fired
    assert all(r.ok for r in final), outcomes(final)
    assert count == ITEMS and len(stored) == ITEMS and set(stored.values()) == {1}
    assert records == {r.item_id: f"exact {r.index}" for r in final}  # each id is its ticket
    assert {r.status for r in again} == {"skipped"}
    assert [r.item_id for r in again] == [r.item_id for r in final]
    figures(
        "batch_create_journal_dedupe",
        items=ITEMS,
        seed=SEED,
        faults=fired,
        runs=len(runs),
        outcomes_per_run=[outcomes(r) for r in runs],
        stored=count,
        duplicates=sum(n - 1 for n in stored.values()),
        retry_waits=len(waits.asked),
        longest_wait_s=round(waits.longest, 3),
        max_attempts_per_item=max(r.attempts for r in runs[0]),
    )


def test_create_without_dedupe_field_is_at_most_once_and_reports_every_unknown(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    journal = tmp_path / "plain.journal"
    with chaos_client(emu, tmp_path) as client:
        company = first_company(client)
        items = [ticket(company, "plain", n) for n in range(ITEMS)]
        _faults_on_writes_and_lookups(emu, "POST:*/Tickets", SEED + 1)
        results = client.tickets.batch_create(items, journal=journal)
        fired = faults_fired(emu)
        set_faults(emu, 0)
        lookups = requests_to(emu, "POST Tickets/query")
        stored = stored_titles(client, "plain")
        posts = requests_to(emu, "POST Tickets")
        resumed = client.tickets.batch_create(items, journal=journal)
        resent = requests_to(emu, "POST Tickets") - posts
        stored_after = stored_titles(client, "plain")
    statuses = Counter(r.status for r in results)
    assert set(fired) == set(KINDS), fired
    assert statuses["unknown"] > 0 and statuses["created"] > 0
    assert lookups == 0  # never looked up: there is nothing to look up by
    unknown = {f"plain {r.index}" for r in results if r.status == "unknown"}
    created = {f"plain {r.index}" for r in results if r.status == "created"}
    assert all(isinstance(r.error, OutcomeUnknown) for r in results if r.status == "unknown")
    assert set(stored.values()) == {1}  # nothing twice
    assert created <= set(stored) <= created | unknown  # every unknown was reported
    # The same command again: the unknown items stay unknown (never resent), the finished
    # ones are skipped, and only the items that certainly failed are sent again.
    resumed_status = {r.index: r.status for r in resumed}
    assert all(resumed_status[r.index] == "unknown" for r in results if r.status == "unknown")
    assert all(resumed_status[r.index] == "skipped" for r in results if r.ok)
    assert resent == statuses["failed"]
    assert set(stored_after.values()) == {1}
    figures(
        "batch_create_journal_no_dedupe",
        items=ITEMS,
        seed=SEED + 1,
        faults=fired,
        outcomes=outcomes(results),
        stored=len(stored),
        unknown_stored=len(set(stored) & unknown),
        unknown_not_stored=len(unknown - set(stored)),
        duplicates=sum(n - 1 for n in stored.values()),
        resumed_outcomes=outcomes(resumed),
    )


def test_update_applies_each_item_at_most_once_and_reports_the_rest(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    journal = tmp_path / "update.journal"
    with chaos_client(emu, tmp_path) as client:
        company = first_company(client)
        made = client.tickets.batch_create([ticket(company, "upd", n) for n in range(500)])
        ids = [r.item_id for r in made]
        assert all(ids)
        changes = [{"id": i, "title": f"upd {n} changed", "priority": 1} for n, i in enumerate(ids)]
        _faults_on_writes_and_lookups(emu, "PATCH:*/Tickets", SEED + 2)
        results = client.tickets.batch_update(changes, journal=journal)
        fired = faults_fired(emu)
        set_faults(emu, 0)
        now = {r["id"]: r for r in client.tickets.query(F("id").in_(ids), fields=["title"])}
        patches = requests_to(emu, "PATCH Tickets")
        resumed = client.tickets.batch_update(changes, journal=journal)
        resent = requests_to(emu, "PATCH Tickets") - patches
    statuses = Counter(r.status for r in results)
    assert set(fired) == set(KINDS), fired
    assert statuses["updated"] > 0 and statuses["unknown"] > 0
    for result, change in zip(results, changes, strict=True):
        title = now[change["id"]]["title"]
        if result.status == "updated":
            assert title == change["title"]
        elif result.status == "unknown":
            assert title in (change["title"], f"upd {result.index}")
        else:
            assert title == f"upd {result.index}"  # a failed update changed nothing
    assert len(now) == 500  # nothing lost
    assert resent == statuses["failed"]
    assert all(r.status == "skipped" for r, first in zip(resumed, results, strict=True) if first.ok)
    figures(
        "batch_update_journal",
        items=len(changes),
        seed=SEED + 2,
        faults=fired,
        outcomes=outcomes(results),
        unknown_applied=sum(
            1
            for r, c in zip(results, changes, strict=True)
            if r.status == "unknown" and now[c["id"]]["title"] == c["title"]
        ),
        resumed_outcomes=outcomes(resumed),
    )


def test_delete_removes_each_item_at_most_once_and_reports_the_rest(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    emu.seed("TimeEntries", 500)
    journal = tmp_path / "delete.journal"
    with chaos_client(emu, tmp_path) as client:
        before = client.time_entries.count()
        ids = [r["id"] for r in client.time_entries.query(fields=["id"])][-500:]
        set_faults(emu, SEED + 3, mixed("DELETE:*/TimeEntries/*", 0.15))
        results = client.time_entries.batch_delete(ids, journal=journal)
        fired = faults_fired(emu)
        set_faults(emu, 0)
        left = {r["id"] for r in client.time_entries.query(F("id").in_(ids), fields=["id"])}
        after = client.time_entries.count()
        resumed = client.time_entries.batch_delete(ids, journal=journal)
    statuses = Counter(r.status for r in results)
    assert set(fired) == set(KINDS), fired
    assert statuses["deleted"] > 0 and statuses["unknown"] > 0
    deleted = {i for i, r in zip(ids, results, strict=True) if r.status == "deleted"}
    unknown = {i for i, r in zip(ids, results, strict=True) if r.status == "unknown"}
    assert not deleted & left  # every reported deletion happened
    assert set(ids) - deleted - unknown <= left  # a failed delete deleted nothing
    assert after == before - (len(ids) - len(left))  # nothing else went
    assert all(r.status == "skipped" for r, first in zip(resumed, results, strict=True) if first.ok)
    figures(
        "batch_delete_journal",
        items=len(ids),
        seed=SEED + 3,
        faults=fired,
        outcomes=outcomes(results),
        unknown_applied=len(unknown - left),
        resumed_outcomes=outcomes(resumed),
    )
