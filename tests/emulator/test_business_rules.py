"""Cross-field rules that refuse real requests beyond the field metadata (issue 8 item 1) and
fields an update keeps (item 4), over HTTP, on both settings of their switches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulator.support import QUEUE, Api
from tests.emulator_process import Emulator, running_emulator

ASSIGN_BOTH = (
    "When assigning a Resource, you must assign both a assignedResourceID and "
    "assignedResourceRoleID."
)
ASSIGN_SOMETHING = (
    "assignedResourceID, assignedResourceRoleID, and queueID cannot all be empty. Supply a "
    "queueID or both an assignedResourceID and assignedResourceRoleID."
)
UPDATE_SUFFIX = "Error updating entity for record number [1]."
RESOURCE = 29682885  # demo: the first resource, holding the first three roles
CONTRACTOR = 29682895  # demo: holds only the fourth role
HELD_ROLE, OTHER_ROLE = 29683455, 29683458
COMPANY, CHILD_COMPANY = 174, 182  # demo: company 182's parent is 174


@pytest.fixture(scope="module")
def lax_session() -> Iterator[Emulator]:
    with running_emulator("--business-rules", "off", "--kept-fields", "reject") as emulator:
        yield emulator


@pytest.fixture
def lax(lax_session: Emulator) -> Api:
    lax_session.reset()
    return Api(lax_session)


def ticket(**extra: Any) -> dict[str, Any]:
    return {"companyID": COMPANY, "title": "Rules", "status": 1, "priority": 2, **extra}


def _refused(reply: Any) -> list[str]:
    assert reply.status == 500, reply.text
    errors: list[str] = reply.errors
    return errors


def test_a_ticket_needs_a_queue_or_a_resource_with_a_role(api: Api, lax: Api) -> None:
    assert _refused(api.post("Tickets", ticket())) == [ASSIGN_SOMETHING]
    alone = api.post("Tickets", ticket(assignedResourceID=RESOURCE, queueID=QUEUE))
    assert _refused(alone) == [ASSIGN_BOTH]
    role_only = api.post("Tickets", ticket(assignedResourceRoleID=HELD_ROLE))
    assert _refused(role_only) == [ASSIGN_BOTH]
    assert api.create("Tickets", ticket(queueID=QUEUE))
    pair = ticket(assignedResourceID=RESOURCE, assignedResourceRoleID=HELD_ROLE)
    assigned = api.item("Tickets", api.create("Tickets", pair))
    assert (assigned["assignedResourceID"], assigned["queueID"]) == (RESOURCE, None)
    # --business-rules off: only the metadata is checked, and none of these fields is required.
    for body in (ticket(), ticket(assignedResourceID=RESOURCE)):
        assert lax.post("Tickets", body).status == 200


def test_the_resource_must_hold_the_role(api: Api, lax: Api) -> None:
    not_held = ticket(assignedResourceID=RESOURCE, assignedResourceRoleID=OTHER_ROLE)
    assert _refused(api.post("Tickets", not_held)) == ["There is no row at position 0."]
    held = ticket(assignedResourceID=CONTRACTOR, assignedResourceRoleID=OTHER_ROLE)
    assert api.post("Tickets", held).status == 200
    # A resource that does not exist is the reference error alone.
    missing = api.post("Tickets", ticket(assignedResourceID=1, assignedResourceRoleID=HELD_ROLE))
    assert _refused(missing) == [
        "Reference value on field: assignedResourceID of type: Resource does not exist or is "
        "invalid."
    ]
    assert lax.post("Tickets", not_held).status == 200


def test_updates_are_checked_on_the_record_after_the_change(api: Api, lax: Api) -> None:
    new_id = api.create("Tickets", ticket(queueID=QUEUE))
    cleared = api.request("PATCH", "Tickets", {"id": new_id, "queueID": None})
    assert _refused(cleared) == [ASSIGN_SOMETHING, UPDATE_SUFFIX]
    half = api.request("PATCH", "Tickets", {"id": new_id, "assignedResourceID": RESOURCE})
    assert _refused(half) == [ASSIGN_BOTH, UPDATE_SUFFIX]
    # PUT nulls what it omits (fact sheet §4.1), the queue included.
    put = api.request("PUT", "Tickets", {"id": new_id, **ticket()})
    assert ASSIGN_SOMETHING in _refused(put)
    swap = {"id": new_id, "queueID": None}
    swap.update(assignedResourceID=RESOURCE, assignedResourceRoleID=HELD_ROLE)
    assert api.request("PATCH", "Tickets", swap).status == 200
    assert api.request("PATCH", "Tickets", {"id": new_id, "title": "Renamed"}).status == 200
    lax_id = lax.create("Tickets", ticket(queueID=QUEUE))
    assert lax.request("PATCH", "Tickets", {"id": lax_id, "queueID": None}).status == 200


def test_contact_and_configuration_item_belong_to_the_company(api: Api, lax: Api) -> None:
    def first(entity: str, company: int) -> int:
        condition = [{"op": "eq", "field": "companyID", "value": company}]
        return api.ids(entity, condition, MaxRecords=1)[0]

    contact, parent_contact = first("Contacts", 175), first("Contacts", COMPANY)
    refused = api.post("Tickets", ticket(queueID=QUEUE, contactID=contact))
    assert _refused(refused) == [
        "contactID is not associated to the companyID or its Parent Company"
    ]
    at_parent = ticket(queueID=QUEUE, companyID=CHILD_COMPANY, contactID=parent_contact)
    assert api.post("Tickets", at_parent).status == 200
    item = first("ConfigurationItems", 175)
    elsewhere = api.post("Tickets", ticket(queueID=QUEUE, configurationItemID=item))
    assert _refused(elsewhere) == [
        f"The configurationItemID [{item}] is not associated with Company [{COMPANY}]"
    ]
    own = ticket(queueID=QUEUE, companyID=175, contactID=contact, configurationItemID=item)
    assert api.post("Tickets", own).status == 200
    assert lax.post("Tickets", ticket(queueID=QUEUE, contactID=contact)).status == 200


def test_every_demo_ticket_passes_the_rules(api: Api) -> None:
    tickets = api.query("Tickets", IncludeFields=["id", "assignedResourceID"]).json["items"]
    assert len(tickets) == 80
    for item in tickets:
        patch: dict[str, Any] = {"id": item["id"], "title": f"Demo {item['id']}"}
        if item["assignedResourceID"] is not None:  # re-sent: the held role is checked again
            patch["assignedResourceID"] = item["assignedResourceID"]
        assert api.request("PATCH", "Tickets", patch).status == 200, item


def time_entry(**extra: Any) -> dict[str, Any]:
    return {"resourceID": RESOURCE, "roleID": HELD_ROLE, "hoursWorked": 1.5, **extra}


def test_time_entry_rules(api: Api, lax: Api) -> None:
    ticket_id = api.ids("Tickets", MaxRecords=1)[0]
    worked = "2026-03-02T00:00:00Z"
    no_role = time_entry(ticketID=ticket_id, dateWorked=worked, roleID=None)
    assert _refused(api.post("TimeEntries", no_role)) == [
        "TimeEntries for Tickets must have a roleID."
    ]
    regular = api.post("TimeEntries", time_entry(dateWorked=worked, roleID=None))
    assert _refused(regular) == ["Value does not exist for the required field roleID"]
    neither = api.post("TimeEntries", time_entry())
    assert _refused(neither) == [
        "dateWorked is required when no value is supplied for startDateTime"
    ]
    started = time_entry(startDateTime="2026-03-02T22:30:00Z", endDateTime="2026-03-03T00:00Z")
    entry = api.item("TimeEntries", api.create("TimeEntries", started))
    assert entry["dateWorked"] == "2026-03-02T00:00:00Z"
    for hours in (0, 24.25, -1):
        too_much = api.post("TimeEntries", time_entry(dateWorked=worked, hoursWorked=hours))
        assert _refused(too_much) == ["hoursWorked must be greater than 0 and no more than 24."]
    assert api.post("TimeEntries", time_entry(dateWorked=worked, hoursWorked=24)).status == 200
    assert lax.post("TimeEntries", no_role).status == 500  # roleID is required in the table
    assert lax.post("TimeEntries", time_entry(dateWorked=worked, hoursWorked=30)).status == 200


def test_task_rules(api: Api, lax: Api) -> None:
    project = api.ids("Projects", MaxRecords=1)[0]
    task = {"title": "Rules", "status": 1}
    assert _refused(api.post(f"Projects/{project}/Tasks", task)) == [
        "Value does not reference an existing entity for taskType . "
    ]
    half = {**task, "taskType": 1, "assignedResourceID": RESOURCE}
    assert _refused(api.post(f"Projects/{project}/Tasks", half)) == [ASSIGN_BOTH]
    assert lax.post(f"Projects/{project}/Tasks", task).json == {
        "errors": ["Missing Required Field: taskType"]
    }


def test_a_time_entry_keeps_its_ticket(api: Api, lax: Api) -> None:
    # Autotask answers 200 and keeps the old ticketID (issue 8 item 4).
    tickets = api.ids("Tickets", MaxRecords=2)
    worked = "2026-03-02T00:00:00Z"
    for client in (api, lax):
        entry = client.create("TimeEntries", time_entry(ticketID=tickets[0], dateWorked=worked))
        moved = client.request("PATCH", "TimeEntries", {"id": entry, "ticketID": tickets[1]})
        if client is api:
            assert moved.json == {"itemId": entry}
            assert client.item("TimeEntries", entry)["ticketID"] == tickets[0]
            # A PUT that leaves ticketID out keeps it too (other omitted fields become null).
            put = {"id": entry, **time_entry(dateWorked=worked)}
            assert client.request("PUT", "TimeEntries", put).status == 200
            assert client.item("TimeEntries", entry)["ticketID"] == tickets[0]
        else:  # --kept-fields reject
            assert _refused(moved) == [
                "ticketID cannot be changed after the TimeEntry is created.",
                UPDATE_SUFFIX,
            ]
        same = client.request("PATCH", "TimeEntries", {"id": entry, "ticketID": tickets[0]})
        assert same.status == 200  # sending the value it has is no change


def test_the_tenants_own_company_is_id_0_and_takes_internal_work(api: Api) -> None:
    # A real Projects page holds a project of companyID 0 (fixtures/real/projects_query_page):
    # every tenant has its own company as id 0, and scripts file internal work against it.
    assert api.ids("Companies", [{"op": "eq", "field": "id", "value": 0}]) == [0]
    internal = api.item("Tickets", api.create("Tickets", ticket(companyID=0, queueID=QUEUE)))
    assert internal["companyID"] == 0
    everything = [{"op": "gte", "field": "id", "value": 0}]
    assert 0 in api.ids("Companies", everything)
