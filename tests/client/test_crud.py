"""CRUD, count, fields, impersonation and dates: the real client against the real emulator."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from autotask import (
    AutotaskClient,
    F,
    InvalidRequest,
    NotFound,
    RequestConfig,
    parse_datetime,
    udf,
)
from autotask.client import RESERVED_NAMES
from autotask.core.entities import Entity
from tests.client.conftest import READS, connect, requests_to, under_quirks
from tests.emulator_process import Emulator

UTC = dt.timezone.utc


def _new_ticket(client: AutotaskClient, **extra: object) -> int:
    company = next(client.companies.query(limit=1))
    data = {"companyID": company["id"], "title": "Printer on fire", "status": 1, "priority": 2}
    data["queueID"] = 29683325  # the demo Helpdesk Queue: a ticket needs a queue or a resource
    return client.tickets.create({**data, **extra})


@under_quirks(*READS)
def test_get_returns_a_plain_dict_or_none(client: AutotaskClient) -> None:
    first = next(client.tickets.query(limit=1))
    ticket = client.tickets.get(first["id"])
    assert isinstance(ticket, dict) and ticket["id"] == first["id"]
    assert isinstance(ticket["title"], str)
    parse_datetime(ticket["createDate"])  # datetimes stay ISO strings (CONTRACTS §1)
    # 200 {"item": null} (fact sheet §11.2), or 404 with --missing-id 404 (§3.4: before, a
    # NotFound); the root route and a parent's child route alike.
    assert client.tickets.get(999_999_999) is None
    assert client.tickets.child(first["id"], "Notes").get(999_999_999) is None


def test_create_update_replace_delete_round_trip(client: AutotaskClient) -> None:
    due = dt.datetime(2030, 5, 6, 7, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    ticket_id = _new_ticket(client, dueDateTime=due)
    created = client.tickets.get(ticket_id)
    assert created is not None and created["title"] == "Printer on fire"
    assert parse_datetime(created["dueDateTime"]) == due  # sent as UTC Z, same instant

    assert client.tickets.update({"id": ticket_id, "priority": 1}) == ticket_id
    updated = client.tickets.get(ticket_id)
    assert (
        updated is not None and updated["priority"] == 1 and updated["title"] == "Printer on fire"
    )

    # Appointments support every write, including delete (fact sheet §4.3).
    appointment = next(client.appointments.query(limit=1))
    body = {
        k: v for k, v in appointment.items() if k not in ("createDateTime", "lastModifiedDateTime")
    }
    body["title"] = "Replaced"
    assert client.appointments.replace(body) == appointment["id"]
    assert client.appointments.get(appointment["id"])["title"] == "Replaced"
    assert client.appointments.delete(appointment["id"]) == appointment["id"]
    assert client.appointments.get(appointment["id"]) is None


def test_update_needs_an_id_before_anything_is_sent(client: AutotaskClient) -> None:
    with pytest.raises(InvalidRequest, match="id"):
        client.tickets.update({"title": "no id"})


def test_naive_datetimes_are_refused_before_sending(
    client: AutotaskClient, emulator: Emulator
) -> None:
    with pytest.raises(InvalidRequest, match="dueDateTime"):
        _new_ticket(client, dueDateTime=dt.datetime(2030, 1, 1))
    assert requests_to(emulator, "POST Tickets") == 0


@under_quirks(*READS)
def test_query_filters_fields_and_limit(client: AutotaskClient) -> None:
    everything = client.tickets.query_all()
    new = [t for t in everything if t["status"] == 1]
    found = client.tickets.query_all(F("status") == 1, fields=["title", "status"])
    assert [t["id"] for t in found] == [t["id"] for t in new]
    assert all(set(t) <= {"id", "title", "status", "userDefinedFields"} for t in found)
    assert len(client.tickets.query_all(limit=5)) == 5
    assert client.tickets.count(F("status") == 1) == len(new)
    assert client.tickets.count() == len(everything)
    either = client.tickets.query_all((F("status") == 1) | (F("priority") == 1))
    assert {t["id"] for t in either} == {
        t["id"] for t in everything if t["status"] == 1 or t["priority"] == 1
    }


@under_quirks(*READS)
def test_raw_filter_dicts_and_datetime_filters(client: AutotaskClient) -> None:
    tickets = client.tickets.query_all()
    pivot = sorted(parse_datetime(t["createDate"]) for t in tickets)[len(tickets) // 2]
    later = client.tickets.query_all(F("createDate") >= pivot)
    assert {t["id"] for t in later} == {
        t["id"] for t in tickets if parse_datetime(t["createDate"]) >= pivot
    }
    raw = client.tickets.query_all([{"op": "eq", "field": "Status", "value": 1}])
    assert raw == client.tickets.query_all(F("status") == 1)


@under_quirks(*READS)
def test_udf_filter_and_helper(client: AutotaskClient) -> None:
    companies = client.companies.query_all()
    with_value = [
        (c, item)
        for c in companies
        for item in c.get("userDefinedFields") or []
        if item["value"] not in (None, "")
    ]
    assert with_value, "the demo data has UDF values"
    company, item = with_value[0]
    found = client.companies.query_all(F.udf(item["name"]) == item["value"])
    assert company["id"] in {c["id"] for c in found}
    assert all(udf(c, item["name"]) == item["value"] for c in found)


def test_impersonation_on_writes(emulator: Emulator, tmp_path: Path) -> None:
    with connect(emulator, tmp_path) as plain:
        _api_user, other = (r["id"] for r in plain.resources.query(limit=2))
        ticket = next(plain.tickets.query(limit=1))["id"]
        notes = plain.tickets.child(ticket, "Notes")
        note = {"title": "t", "description": "d", "noteType": 1, "publish": 1}
        by_call = plain.ticket_notes.get(notes.create(note, impersonate=other))
        assert by_call["creatorResourceID"] == other
        assert by_call["impersonatorCreatorResourceID"] is not None
        unimpersonated = plain.ticket_notes.get(notes.create(note))
        assert unimpersonated["impersonatorCreatorResourceID"] is None
    emulator.reset()
    with connect(emulator, tmp_path, impersonation_resource_id=other) as client:
        notes = client.tickets.child(ticket, "Notes")
        by_config = client.ticket_notes.get(notes.create(note))
        assert by_config["creatorResourceID"] == other
        notes.update({"id": by_config["id"], "title": "t2"}, impersonate=_api_user)
        client.ticket_notes.query_all(F("ticketID") == ticket)
        client.ticket_notes.count(F("ticketID") == ticket)
        client.ticket_notes.fields()
    log = emulator.control("GET", "requests")["requests"]
    assert all(r["headers"].get("Secret") in (None, "***") for r in log)
    sent = {
        (r["method"], r["path"].split("V1.0/", 1)[1]): _header(r, "ImpersonationResourceId")
        for r in log
    }
    # Only writes carry it (fact sheet §2), the per-call value over the configured one.
    assert sent.pop(("POST", f"Tickets/{ticket}/Notes")) == str(other)
    assert sent.pop(("PATCH", f"Tickets/{ticket}/Notes")) == str(_api_user)
    assert len(sent) == 4 and set(sent.values()) == {None}  # get, query, count, fields


def _header(logged: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in logged["headers"].items() if k.lower() == name.lower()), None)


@under_quirks(*READS)
def test_entities_by_attribute_and_by_name(client: AutotaskClient, emulator: Emulator) -> None:
    assert client.ticket_notes is client.entity("TicketNotes") is client.entity("ticketnotes")
    assert client.ticket_notes.name == "TicketNotes"
    assert client.time_entries.name == "TimeEntries"
    assert client.organizational_level1s.name == "OrganizationalLevel1s"
    # A name the registry does not know still makes an entity: the server decides.
    assert client.brand_new_things.name == "BrandNewThings"
    with pytest.raises(NotFound):
        client.brand_new_things.get(1)
    assert callable(client.usage) and callable(client.entity)


@pytest.mark.parametrize("name", sorted(RESERVED_NAMES))
def test_reserved_names_are_never_entities(client: AutotaskClient, name: str) -> None:
    # client.attachments and the batch methods belong to the next features, not to entities
    # called "Attachments" or "BatchCreate"; the client's own attributes stay themselves.
    try:
        value = getattr(client, name)
    except AttributeError as exc:
        assert name in str(exc)
    else:
        assert not isinstance(value, Entity)


@under_quirks(*READS)
def test_usage_reports_threshold_information(client: AutotaskClient) -> None:
    client.tickets.get(1)
    figures = client.usage()
    assert figures["externalRequestThreshold"] == 10_000
    assert figures["requestThresholdTimeframe"] == 60
    assert figures["currentTimeframeRequestCount"] >= 2  # the call itself counts (§11.8)
    assert client.transport.budget.estimate() == figures["currentTimeframeRequestCount"]


def test_from_env_reads_the_documented_variables(emulator: Emulator, tmp_path: Path) -> None:
    env = {
        "AUTOTASK_USERNAME": "emulator@example.com",
        "AUTOTASK_INTEGRATION_CODE": "EMULATORINTEGRATIONCODE",
        "AUTOTASK_SECRET": "emulator-secret",
        "AUTOTASK_API_URL": emulator.base_url,
        "AUTOTASK_CACHE_DIR": str(tmp_path),
    }
    with AutotaskClient.from_env(RequestConfig(), environ=env) as client:
        assert client.zone_url == emulator.base_url
        assert client.tickets.count() > 0
    assert not (tmp_path / "zones.json").exists()  # explicit URL: no discovery, no cache


def test_create_classmethod_and_closing(emulator: Emulator) -> None:
    client = AutotaskClient.create(
        username="emulator@example.com",
        integration_code="EMULATORINTEGRATIONCODE",
        secret="emulator-secret",
        config=RequestConfig(timeout=30, max_retries=3, retry_backoff=1.0, max_records=1000),
        base_url=emulator.base_url,
    )
    with client:
        assert client.tickets.count() > 0
    with pytest.raises(Exception, match="closed"):
        client.tickets.count()
    assert json.dumps(repr(client))  # a repr that never needs the network
