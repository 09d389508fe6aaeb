"""A security level lacking permissions: ``--deny ENTITY[:OPS]`` and ``/_emulator/permissions``.

Denied queries and writes answer 500 with Autotask's permission text (fact sheet §5); a denied
get finds nothing (§11.2, §11.3); entityInformation reports what the user may do (§4.4).
"""

from __future__ import annotations

import urllib.error
from collections.abc import Iterator

import pytest

from tests.emulator.support import ALL, Api
from tests.emulator_process import Emulator, running_emulator

DENIED = "The logged in Resource does not have the adequate permissions to {} this entity type."
NOTE = {"title": "t", "description": "d", "noteType": 1, "publish": 1}
FLAGS = (
    "--deny", "Tickets:CUD",
    "--deny", "contacts:q",
    "--deny", "TicketNotes:G",
    "--deny", "TicketAttachments:QG",
    "--deny", "Appointments",
)  # fmt: skip


@pytest.fixture(scope="module")
def denied_session() -> Iterator[Emulator]:
    with running_emulator(*FLAGS) as emulator:
        yield emulator


@pytest.fixture
def denied(denied_session: Emulator) -> Iterator[Api]:
    denied_session.reset()
    client = Api(denied_session)
    yield client
    client.pool.clear()


def test_denied_writes_are_500_and_change_nothing(denied: Api) -> None:
    before = denied.emulator.stats()["records"]
    ticket = denied.item("Tickets", 29296)
    create = denied.post("Tickets", {"title": "x", "companyID": 174, "status": 1})
    update = denied.request("PATCH", "Tickets", {"id": 29296, "title": "Changed"})
    replace = denied.request("PUT", "Tickets", {"id": 29296, "title": "Changed"})
    for reply, verb in ((create, "create"), (update, "update"), (replace, "update")):
        assert reply.status == 500
        assert reply.errors == [DENIED.format(verb)]
    delete = denied.request("DELETE", "Appointments/1")
    assert delete.status == 500
    assert delete.errors == [DENIED.format("delete")]
    assert denied.item("Tickets", 29296) == ticket
    assert denied.emulator.stats()["records"] == before
    # What is not denied still works: Tickets can be queried, notes created under them.
    assert denied.query("Tickets", ALL, MaxRecords=1).status == 200
    assert denied.post("Tickets/29296/Notes", NOTE).status == 200


def test_denied_queries_are_500(denied: Api) -> None:
    for reply in (
        denied.query("Contacts"),
        denied.post("Contacts/query/count", {"filter": ALL}),
        denied.get_query("Contacts", {"filter": ALL}),
        denied.get("Companies/174/Contacts"),  # a child list is a query of Contacts
        denied.query("Appointments"),
    ):
        assert reply.status == 500
        assert reply.errors == [DENIED.format("query")]
    contact = denied.get("Contacts/30682885")
    assert contact.status == 200  # get by id is allowed
    assert contact.json["item"]["id"] == 30682885


def test_denied_gets_find_nothing(denied: Api) -> None:
    note_id = denied.create("Tickets/29296/Notes", NOTE)
    assert denied.get(f"TicketNotes/{note_id}").json == {"item": None}
    assert denied.get(f"Tickets/29296/Notes/{note_id}").json == {"item": None}
    assert note_id in [n["id"] for n in denied.get("Tickets/29296/Notes").json["items"]]
    gone = denied.get("TicketAttachments/29684500")  # a demo attachment of ticket 29296
    assert gone.status == 500
    assert gone.errors == ["Attachment could not be found."]


def test_attachments_the_user_cannot_see_are_not_found(denied: Api) -> None:
    # fact sheet §11.3 (PK): 200 with 0 query rows, not a permission error.
    of_ticket = [{"op": "eq", "field": "ticketID", "value": 29296}]
    page = denied.query("TicketAttachments", of_ticket)
    assert page.status == 200
    assert page.json["items"] == []
    assert page.json["pageDetails"]["count"] == 0
    count = denied.post("TicketAttachments/query/count", {"filter": of_ticket})
    assert count.json == {"queryCount": 0}
    assert denied.get("Tickets/29296/Attachments").json["items"] == []
    # The other attachment entities are not denied.
    assert denied.get("Companies/174/Attachments").json["items"]


def test_entity_information_reports_the_denials(denied: Api) -> None:
    tickets = denied.get("Tickets/entityInformation").json["info"]
    assert (tickets["canQuery"], tickets["canCreate"], tickets["canUpdate"]) == (True, False, False)
    assert tickets["userAccessForCreate"] == "None"
    assert tickets["userAccessForQuery"] == "All"
    contacts = denied.get("Companies/174/Contacts/entityInformation").json["info"]
    assert contacts["canQuery"] is False
    assert contacts["canCreate"] is True  # through Companies/{id}/Contacts
    everything = denied.get("EntityInformation").json["entityDescriptions"]
    appointments = next(d["info"] for d in everything if d["info"]["name"] == "Appointment")
    flags = ("canQuery", "canCreate", "canUpdate", "canDelete")
    assert [appointments[f] for f in flags] == [False, False, False, False]


def test_control_api_switches_permissions_and_reset_restores_them(api: Api) -> None:
    emulator = api.emulator
    assert emulator.control("GET", "permissions") == {"deny": []}
    answer = emulator.control("POST", "permissions", {"deny": ["companies:gq", "Tickets:D"]})
    assert answer == {"deny": ["Companies:QG", "Tickets:D"]}
    assert api.get("Companies/174").json == {"item": None}
    assert api.query("Companies").errors == [DENIED.format("query")]
    assert api.get("Companies/entityInformation").json["info"]["canQuery"] is False
    emulator.control("POST", "permissions", {"deny": []})
    assert api.get("Companies/174").json["item"]["id"] == 174
    emulator.control("POST", "permissions", {"deny": ["Companies"]})
    emulator.reset()
    assert emulator.control("GET", "permissions") == {"deny": []}
    assert api.query("Companies", ALL, MaxRecords=1).status == 200


@pytest.mark.parametrize(
    "body", [{"deny": ["Nope"]}, {"deny": ["Tickets:X"]}, {"deny": "Tickets"}, {"allow": []}]
)
def test_bad_permission_bodies_are_400(emulator: Emulator, body: object) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        emulator.control("POST", "permissions", body)
    assert caught.value.code == 400
    caught.value.close()
    assert emulator.control("GET", "permissions") == {"deny": []}


def test_the_reset_restores_the_deny_flags(denied: Api) -> None:
    denied.emulator.control("POST", "permissions", {"deny": []})
    assert denied.query("Contacts", ALL, MaxRecords=1).status == 200
    denied.emulator.reset()
    assert denied.query("Contacts").errors == [DENIED.format("query")]
