"""Batches against the real emulator: the seed's examples, per-item results, routing, dry runs,
journals and the shared thread gate (CONTRACTS §8)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autotask import (
    AuthenticationError,
    AutotaskClient,
    ConfigError,
    Credentials,
    F,
    InvalidRequest,
    ItemResult,
    OutcomeUnknown,
    Progress,
    RequestConfig,
)
from tests.client.conftest import connect, requests_to
from tests.emulator_process import INTEGRATION_CODE, USERNAME, Emulator, running_emulator

QUEUE = 29683325  # the demo data's "Helpdesk Queue"


def _company(client: AutotaskClient) -> int:
    return int(next(client.companies.query(limit=1))["id"])


def _ticket(company: int, title: str, **more: Any) -> dict[str, Any]:
    return {
        "companyID": company,
        "title": title,
        "status": 1,
        "priority": 2,
        "queueID": QUEUE,
        **more,
    }


def test_the_seed_examples_run_as_written(client: AutotaskClient, emulator: Emulator) -> None:
    company = _company(client)
    ticket_data_list = [_ticket(company, f"seed {n}") for n in range(30)]
    company_updates = [{"id": c["id"], "phone": "555-0199"} for c in client.companies.query()]
    project_ids = [p["id"] for p in client.projects.query(fields=["id"])]
    items = [_ticket(company, f"seed client {n}") for n in range(3)]

    results = client.tickets.batch_create(ticket_data_list, batch_size=200)
    success_count = sum(1 for r in results if r.item_id)
    updated = client.companies.batch_update(company_updates)
    deleted_count = sum(client.projects.batch_delete(project_ids))
    more = client.batch_create(
        "Tickets",
        items,
        batch_size=200,
        concurrency=None,
        progress=None,
        journal=None,
        dedupe_field=None,
        dry_run=False,
        fail_fast=False,
    )

    assert success_count == 30
    for result, data in zip(results, ticket_data_list, strict=True):
        assert client.tickets.get(result.item_id)["title"] == data["title"]
    assert [r.status for r in updated] == ["updated"] * len(company_updates)
    assert {c["phone"] for c in client.companies.query(fields=["phone"])} == {"555-0199"}
    # Autotask cannot delete Projects: every item fails with the API's own text, none raises.
    assert deleted_count == 0 and client.projects.count() == len(project_ids)
    [refused] = {str(r.error) for r in client.projects.batch_delete(project_ids[:1])}
    assert "does not support http method 'DELETE'" in refused
    assert [r.status for r in more] == ["created"] * 3
    assert requests_to(emulator, "POST Tickets") == 33


def test_batch_delete_counts_deletions(client: AutotaskClient) -> None:
    ids = [t["id"] for t in client.time_entries.query(fields=["id"], limit=5)]
    records = [{"id": i} for i in ids[3:]]  # records from a query work as well as ids
    assert sum(client.time_entries.batch_delete(ids[:3])) == 3
    assert sum(client.batch_delete("TimeEntries", records)) == 2
    assert all(client.time_entries.get(i) is None for i in ids)
    again = client.time_entries.batch_delete(ids[:1])
    assert again[0].status == "failed" and again[0].error is not None


def test_invalid_items_fail_one_by_one_with_the_apis_text(client: AutotaskClient) -> None:
    company = _company(client)
    items: list[Any] = [
        _ticket(company, "good 1"),
        _ticket(company, "bad status", status=99),
        {"title": "no company"},
        "not a record",
        _ticket(company, "good 2"),
    ]
    before = client.tickets.count()
    results = client.tickets.batch_create(items)
    assert [r.status for r in results] == ["created", "failed", "failed", "failed", "created"]
    assert client.tickets.count() == before + 2
    bad_status, no_company, not_record = (r.error for r in results[1:4])
    assert isinstance(bad_status, InvalidRequest) and bad_status.status == 500
    assert "Picklist value [99] does not exist for status" in bad_status.errors
    assert no_company is not None and any("companyID" in e for e in no_company.errors)
    assert not_record is not None and "not a str" in str(not_record)
    assert [r.attempts for r in results] == [1, 1, 1, 0, 1]


def test_updates_and_replaces_report_their_status(client: AutotaskClient) -> None:
    company = _company(client)
    [created] = client.tickets.batch_create([_ticket(company, "to change")])
    changed = client.tickets.batch_update([{"id": created.item_id, "priority": 1}, {"priority": 1}])
    assert [(r.status, r.item_id) for r in changed] == [
        ("updated", created.item_id),
        ("failed", None),
    ]
    assert "needs the record's id" in str(changed[1].error)
    replaced = client.tickets.batch_replace([_ticket(company, "replaced", id=created.item_id)])
    assert replaced[0].status == "replaced"
    assert client.tickets.get(created.item_id)["title"] == "replaced"
    assert client.batch_update("Tickets", [{"id": created.item_id, "title": "x"}])[0].ok
    assert client.batch_replace("Tickets", [_ticket(company, "y", id=created.item_id)])[0].ok


def test_child_only_entities_route_through_their_parent(client: AutotaskClient) -> None:
    company = _company(client)
    [ticket] = client.tickets.batch_create([_ticket(company, "with notes")])
    note = {"title": "Called", "description": "Left a message", "noteType": 1, "publish": 1}
    by_field = client.ticket_notes.batch_create([{**note, "ticketID": ticket.item_id}, note])
    by_child = client.tickets.child(ticket.item_id, "Notes").batch_create([note])
    assert by_field[0].status == "created" and by_child[0].status == "created"
    assert by_field[1].status == "failed" and by_field[1].attempts == 0
    assert "Tickets/{id}/Notes" in str(by_field[1].error)
    notes = client.tickets.child(ticket.item_id, "Notes").query_all()
    assert sorted(n["id"] for n in notes) == sorted([by_field[0].item_id, by_child[0].item_id])
    checked = client.tickets.child(ticket.item_id, "Notes").batch_create([note], dry_run=True)
    assert checked[0].status == "valid"  # the parent id comes from the route
    checked = client.ticket_notes.batch_create([note], dry_run=True)
    assert checked[0].error is not None and "Tickets/{id}/Notes" in checked[0].error.errors[0]


def test_attempts_count_the_requests_of_each_item(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    company = _company(client)
    emulator.control(
        "POST",
        "faults",
        {"seed": 1, "rules": [{"kind": "429", "route": "POST:*/Tickets", "times": 2}]},
    )
    sleeps: list[float] = []
    with AutotaskClient(
        client.credentials,
        client.config,
        base_url=emulator.base_url,
        environ={},
        sleep=sleeps.append,
    ) as retrying:
        results = retrying.tickets.batch_create([_ticket(company, f"a{n}") for n in range(6)])
    assert all(r.status == "created" for r in results)
    assert sum(r.attempts for r in results) == 8 == requests_to(emulator, "POST Tickets")
    assert sorted(r.attempts for r in results)[-1] >= 2 and len(sleeps) == 2


def test_dry_run_checks_items_against_the_metadata_and_writes_nothing(
    client: AutotaskClient, emulator: Emulator
) -> None:
    company = _company(client)
    items: list[Any] = [
        _ticket(company, "fine", userDefinedFields=[{"name": "Ext URL", "value": "e-1"}]),
        _ticket(company, "x" * 300, status=99, colour="red", createDate="2024-01-01T00:00:00Z"),
        {"title": "no company"},
    ]
    results = client.tickets.batch_create(items, dry_run=True)
    assert [r.status for r in results] == ["valid", "invalid", "invalid"]
    assert not any(r.ok for r in results[1:]) and results[0].ok
    assert results[1].error is not None and results[1].error.errors == [
        "String value exceeds maximum length 255 (field:title): 300",
        "Picklist value [99] does not exist for status",
        "Unknown field: colour",
        "Read-only field: createDate (Autotask ignores it)",
    ]
    assert results[2].error is not None and "Missing Required Field: priority" in (
        results[2].error.errors
    )
    updates = client.companies.batch_update([{"id": 1, "phone": "1"}, {"phone": "2"}], dry_run=True)
    assert [(r.status, r.item_id) for r in updates] == [("valid", 1), ("invalid", None)]
    deletes = client.projects.batch_delete([1], dry_run=True)
    assert deletes[0].error is not None and "canDelete is false" in deletes[0].error.errors[0]
    stats = emulator.stats()["requests"]
    assert not [route for route in stats if not route.startswith(("GET", "POST Companies/query"))]
    assert requests_to(emulator, "GET Tickets/entityInformation/fields") == 1  # fetched once


def test_a_dry_run_update_reports_a_field_autotask_keeps(
    client: AutotaskClient, emulator: Emulator
) -> None:
    entry = client.time_entries.query_all(limit=1)[0]
    updates = [
        {"id": entry["id"], "ticketID": 1, "summaryNotes": "moved"},
        {"id": entry["id"], "summaryNotes": "noted"},
    ]
    checked = client.time_entries.batch_update(updates, dry_run=True)
    assert [r.status for r in checked] == ["invalid", "valid"]
    assert checked[0].error is not None and checked[0].error.errors == [
        "Kept field: ticketID (Autotask keeps it after create and ignores a change; leave it out "
        "of an update)"
    ]
    assert requests_to(emulator, "PATCH TimeEntries") == 0
    # What the dry run warns of: the emulator, like Autotask, answers 200 and keeps the ticket.
    client.time_entries.update({"id": entry["id"], "ticketID": entry["ticketID"] + 1})
    assert client.time_entries.get(entry["id"])["ticketID"] == entry["ticketID"]


def test_progress_reports_every_item(client: AutotaskClient) -> None:
    company = _company(client)
    seen: list[Progress] = []
    items = (_ticket(company, f"p{n}", status=99 if n == 2 else 1) for n in range(5))
    client.tickets.batch_create(items, progress=seen.append)
    assert [p.done for p in seen] == [1, 2, 3, 4, 5]
    assert (seen[-1].total, seen[-1].ok, seen[-1].failed, seen[-1].unknown) == (None, 4, 1, 0)


def test_fail_fast_stops_at_the_first_failure(client: AutotaskClient) -> None:
    company = _company(client)
    items = [_ticket(company, f"f{n}", status=99 if n == 1 else 1) for n in range(50)]
    results = client.tickets.batch_create(items, concurrency=1, batch_size=1, fail_fast=True)
    assert [r.status for r in results] == ["created", "failed"]


def test_unknown_options_and_bad_values_raise(client: AutotaskClient) -> None:
    with pytest.raises(TypeError, match="unexpected option"):
        client.tickets.batch_create([], colour="red")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="dedupe_field applies to batch_create"):
        client.tickets.batch_update([], dedupe_field="title")
    with pytest.raises(ConfigError, match="batch_size"):
        client.tickets.batch_create([], batch_size=0)


# -- dedupe and journals ------------------------------------------------------------------------


def test_an_outcome_unknown_is_looked_up_by_the_dedupe_udf(
    client: AutotaskClient, emulator: Emulator
) -> None:
    company = _company(client)
    items = [
        _ticket(company, f"d{n}", userDefinedFields=[{"name": "Ext URL", "value": f"ext-{n}"}])
        for n in range(4)
    ]
    rules = [{"kind": "reset-after", "route": "POST:*/Tickets", "times": 2}]
    emulator.control("POST", "faults", {"seed": 1, "rules": rules})
    results = client.tickets.batch_create(items, dedupe_field="Ext URL", settle=0)
    assert [r.status for r in results] == ["created"] * 4
    assert requests_to(emulator, "POST Tickets") == 4  # the two lost answers were found, not resent
    assert requests_to(emulator, "POST Tickets/query") == 2
    for n, result in enumerate(results):
        assert [t["id"] for t in client.tickets.query(F.udf("Ext URL") == f"ext-{n}")] == [
            result.item_id
        ]


def test_without_dedupe_an_outcome_unknown_is_reported_and_not_resent(
    client: AutotaskClient, emulator: Emulator
) -> None:
    company = _company(client)
    emulator.control(
        "POST",
        "faults",
        {"seed": 1, "rules": [{"kind": "truncate", "route": "POST:*/Tickets", "times": 1}]},
    )
    results = client.tickets.batch_create([_ticket(company, "cut")])
    assert results[0].status == "unknown" and isinstance(results[0].error, OutcomeUnknown)
    assert requests_to(emulator, "POST Tickets") == 1
    assert client.tickets.count(F("title") == "cut") == 1  # it was applied, as unknown allows


def test_an_item_without_its_dedupe_value_is_refused(client: AutotaskClient) -> None:
    company = _company(client)
    results = client.tickets.batch_create([_ticket(company, "no ext")], dedupe_field="Ext URL")
    assert results[0].status == "failed" and results[0].attempts == 0
    assert "no value for dedupe_field 'Ext URL'" in str(results[0].error)


def test_a_journal_resumes_and_refuses_other_entities_and_changed_input(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    company = _company(client)
    journal = tmp_path / "tickets.jsonl"
    items = [_ticket(company, f"j{n}") for n in range(5)]
    first = client.tickets.batch_create(items, journal=journal)
    again = client.tickets.batch_create(items, journal=journal)
    assert [r.status for r in again] == ["skipped"] * 5
    assert [r.item_id for r in again] == [r.item_id for r in first]
    assert requests_to(emulator, "POST Tickets") == 5
    with pytest.raises(ConfigError, match="is for create Tickets, not create Companies"):
        client.companies.batch_create([], journal=journal)
    with pytest.raises(ConfigError, match="not update Tickets"):
        client.tickets.batch_update([], journal=journal)
    changed = [items[0], _ticket(company, "other"), *items[2:]]
    with pytest.raises(ConfigError, match="item 1 differs"):
        client.tickets.batch_create(changed, journal=journal)
    assert requests_to(emulator, "POST Tickets") == 5


# -- the shared thread gate -------------------------------------------------------------------


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Emulator]:
    with running_emulator("--latency-ms", "20", "--thread-limit", "3") as emu:
        yield emu


def test_batches_and_other_calls_share_the_thread_gate(
    slow_emulator: Emulator, tmp_path: Path
) -> None:
    slow_emulator.reset()
    with connect(slow_emulator, tmp_path) as client:
        company = _company(client)
        companies = [{"id": c["id"], "phone": "555-0142"} for c in client.companies.query()]
        outcome: dict[str, list[ItemResult]] = {}
        threads = [
            threading.Thread(
                target=lambda: outcome.update(
                    t=client.tickets.batch_create(
                        [_ticket(company, f"g{n}") for n in range(45)], concurrency=10
                    )
                )
            ),
            threading.Thread(
                target=lambda: outcome.update(u=client.companies.batch_update(companies))
            ),
            threading.Thread(target=lambda: [client.tickets.get(1) for _ in range(10)]),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    stats = slow_emulator.stats()
    assert sum(outcome["t"]) == 45 and sum(outcome["u"]) == len(companies)
    assert sum(stats["thread_rejections"].values()) == 0
    assert stats["max_concurrency"]["Tickets"] == 3 and stats["max_concurrency"]["Companies"] == 3


def test_tries_here_counts_this_threads_record_requests_only(client: AutotaskClient) -> None:
    transport = client.transport
    start = transport.tries_here()
    client.usage()
    client.clear_metadata()
    client.tickets.fields()
    assert transport.tries_here() == start  # the client's own lookups serve every item
    client.tickets.get(1)
    client.tickets.count()
    assert transport.tries_here() == start + 2
    other: list[int] = []
    thread = threading.Thread(target=lambda: other.append(transport.tries_here()))
    thread.start()
    thread.join(10)
    assert other == [0]  # per thread


def test_refused_credentials_stop_a_batch_at_once(emulator: Emulator, tmp_path: Path) -> None:
    # An error about the job (here the secret) would fail every item alike: the batch stops
    # taking items instead of spending a request of the tenant's hourly budget on each.
    with connect(emulator, tmp_path) as good:
        company = _company(good)
    bad = AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, "not-the-secret"),
        RequestConfig(cache_dir=str(tmp_path)),
        base_url=emulator.base_url,
        environ={},
    )
    with bad:
        results = bad.tickets.batch_create(
            (_ticket(company, f"never {n}") for n in range(500)), concurrency=3
        )
    assert 1 <= len(results) <= 3 + 3  # what was in flight, never the 500
    assert all(isinstance(r.error, AuthenticationError) for r in results)
    assert requests_to(emulator, "POST Tickets") <= 6


def test_a_stopped_batch_takes_no_more_items_while_the_calling_thread_is_busy(
    emulator: Emulator, tmp_path: Path
) -> None:
    # The workers stop at the job-level error themselves: before, only the calling thread did,
    # when it got round to that result; while it was busy reading a slow input (or merely not
    # scheduled on a busy machine: the test above failed about one run in five) the workers
    # sent every item it handed over meanwhile.
    with connect(emulator, tmp_path) as good:
        company = _company(good)
    bad = AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, "not-the-secret"),
        RequestConfig(cache_dir=str(tmp_path)),
        base_url=emulator.base_url,
        environ={},
    )

    def slow_input() -> Iterator[dict[str, Any]]:
        for n in range(100):
            time.sleep(0.01)  # the calling thread reads on while the workers send
            yield _ticket(company, f"never {n}")

    with bad:
        results = bad.tickets.batch_create(slow_input(), concurrency=3)
    assert 1 <= len(results) <= 3 + 3
    assert requests_to(emulator, "POST Tickets") <= 6
