"""Children: routed through the registry's parent routes (Tickets/{id}/Notes)."""

from __future__ import annotations

import pytest

from autotask import AutotaskClient, F, InvalidRequest, NotFound
from tests.client.conftest import READS, requests_to, under_quirks
from tests.emulator_process import Emulator

NOTE = {"title": "Called", "description": "Customer called back", "noteType": 1, "publish": 1}


def _ticket_with_notes(client: AutotaskClient) -> int:
    return next(client.ticket_notes.query(limit=1))["ticketID"]


@under_quirks(*READS)
def test_child_query_get_create_update(client: AutotaskClient, emulator: Emulator) -> None:
    ticket = _ticket_with_notes(client)
    notes = client.tickets.child(ticket, "Notes")
    before = notes.query_all()
    assert before and all(n["ticketID"] == ticket for n in before)
    assert notes.count() == len(before)

    note_id = notes.create(NOTE)
    assert requests_to(emulator, "POST Tickets/{id}/Notes") == 1
    created = notes.get(note_id)
    assert created is not None and created["ticketID"] == ticket and created["title"] == "Called"
    assert [n["id"] for n in notes.query_all(F("title") == "Called")] == [note_id]

    assert notes.update({"id": note_id, "title": "Called twice"}) == note_id
    assert client.ticket_notes.get(note_id)["title"] == "Called twice"
    assert requests_to(emulator, "PATCH Tickets/{id}/Notes") == 1
    assert len(notes.query_all()) == len(before) + 1


def test_root_name_writes_are_routed_through_the_parent(
    client: AutotaskClient, emulator: Emulator
) -> None:
    ticket = _ticket_with_notes(client)
    note_id = client.ticket_notes.create({**NOTE, "ticketID": ticket})
    assert requests_to(emulator, "POST Tickets/{id}/Notes") == 1
    assert client.ticket_notes.get(note_id)["ticketID"] == ticket
    client.ticket_notes.update({"id": note_id, "TicketID": ticket, "title": "moved"})
    assert client.ticket_notes.get(note_id)["title"] == "moved"


def test_root_name_writes_without_the_parent_id_name_the_route(
    client: AutotaskClient, emulator: Emulator
) -> None:
    with pytest.raises(InvalidRequest, match=r"Tickets/\{id\}/Notes") as info:
        client.ticket_notes.create(NOTE)
    assert "ticketID" in str(info.value)
    assert "client.tickets.child" in str(info.value)
    with pytest.raises(InvalidRequest, match=r"Companies/\{id\}/Contacts"):
        client.contacts.delete(1)
    assert emulator.stats()["requests"] == {}  # refused before sending


def test_child_delete_and_other_parents(client: AutotaskClient) -> None:
    company = next(client.contacts.query(limit=1))["companyID"]
    contacts = client.companies.child(company, "Contacts")
    contact_id = contacts.create({"firstName": "Jane", "lastName": "Roe", "isActive": 1})
    assert client.contacts.get(contact_id)["companyID"] == company
    assert contacts.delete(contact_id) == contact_id
    assert client.contacts.get(contact_id) is None
    project = next(client.projects.query(limit=1))["id"]
    tasks = client.projects.child(project, "Tasks").query_all()
    assert all(t["projectID"] == project for t in tasks)
    assert {t["id"] for t in tasks} == {
        t["id"] for t in client.tasks.query_all(F("projectID") == project)
    }


@under_quirks(*READS)
def test_holidays_of_a_holiday_set(client: AutotaskClient) -> None:
    holiday_set = next(client.holiday_sets.query(limit=1))["id"]
    holidays = client.holiday_sets.child(holiday_set, "Holidays").query_all()
    assert holidays and all(h["holidaySetID"] == holiday_set for h in holidays)


@under_quirks(*READS)
def test_unknown_child_segments_are_routed_as_given(
    client: AutotaskClient, emulator: Emulator
) -> None:
    ticket = _ticket_with_notes(client)
    odd = client.tickets.child(ticket, "NoSuchChildren")
    with pytest.raises(NotFound):
        odd.query_all()  # listed with GET Tickets/{id}/NoSuchChildren: the emulator has no route
    with pytest.raises(InvalidRequest, match="only be listed"):
        odd.query(F("id") == 1)
    with pytest.raises(InvalidRequest, match="not counted"):
        odd.count()
    log = emulator.control("GET", "requests")["requests"]
    assert log[-1]["method"] == "GET" and log[-1]["path"].endswith(f"{ticket}/NoSuchChildren")


def test_attachment_queries_name_the_parent_id_field(
    client: AutotaskClient, emulator: Emulator
) -> None:
    # Since 2021.1 attachment queries must name the parent id field (fact sheet §7): a child
    # query adds it, a bare root query gets the API's refusal text.
    ticket = next(client.ticket_attachments.query(F("ticketID") > 0, limit=1))["ticketID"]
    attachments = client.tickets.child(ticket, "Attachments")
    listed = attachments.query_all()
    assert listed and all(a["ticketID"] == ticket for a in listed)
    assert attachments.count() == len(listed)
    with pytest.raises(InvalidRequest, match="parent id field ticketID") as info:
        client.ticket_attachments.query_all()
    assert info.value.status == 500 and info.value.applied is False


@pytest.mark.parametrize(
    ("options", "named"),
    [({"fields": ["id"]}, "fields="), ({"page_size": 10}, "page_size=")],
)
def test_list_only_routes_refuse_fields_and_page_size_instead_of_ignoring_them(
    client: AutotaskClient, emulator: Emulator, options: dict[str, object], named: str
) -> None:
    # Before: a nested list GET silently dropped them and returned whole records.
    results = client.service_level_agreements.child(7, "Results")  # listed only (no parent id)
    with pytest.raises(InvalidRequest, match=named) as info:
        results.query_all(**options)  # type: ignore[arg-type]
    assert "ServiceLevelAgreements/7/Results can only be listed whole" in str(info.value)
    assert (info.value.operation, info.value.entity) == ("QUERY", "ServiceLevelAgreementResults")
    odd = client.tickets.child(1, "NoSuchChildren")
    with pytest.raises(InvalidRequest, match=named):
        odd.query(**options)  # type: ignore[arg-type]
    assert emulator.stats()["requests"] == {}  # refused before sending
