"""Child routes ``{Parent}/{id}/{Child}[/{id}]`` (fact sheet §4.2) and metadata routes."""

from __future__ import annotations

from tests.emulator.support import ALL, Api

NOTE = {"title": "Called back", "description": "Customer happy", "noteType": 1, "publish": 1}
UPDATE_SUFFIX = "Error updating entity for record number [1]."


def test_create_a_note_through_the_parent(api: Api) -> None:
    reply = api.post("Tickets/29296/Notes", NOTE)
    assert reply.status == 200
    note_id = reply.json["itemId"]
    note = api.item("TicketNotes", note_id)
    assert note["ticketID"] == 29296  # the parent id comes from the URL
    assert note["title"] == "Called back"
    assert note["createDateTime"] is not None
    listed = api.get("Tickets/29296/Notes").json["items"]
    assert note_id in [n["id"] for n in listed]
    assert all(n["ticketID"] == 29296 for n in listed)


def test_parent_id_in_the_url_wins_over_the_body(api: Api) -> None:
    note_id = api.create("Tickets/29296/Notes", {**NOTE, "ticketID": 29297})
    assert api.item("TicketNotes", note_id)["ticketID"] == 29296


def test_child_create_with_missing_parent_is_500(api: Api) -> None:
    reply = api.post("Tickets/999999/Notes", NOTE)
    assert reply.status == 500
    assert reply.errors == [
        "Reference value on field: ticketID of type: Ticket does not exist or is invalid."
    ]


def test_child_create_validates(api: Api) -> None:
    reply = api.post("Tickets/29296/Notes", {"description": "no title"})
    assert reply.status == 500
    assert "Missing Required Field: title" in reply.errors


def test_child_get_by_id_checks_the_parent(api: Api) -> None:
    note_id = api.create("Tickets/29296/Notes", NOTE)
    reply = api.get(f"Tickets/29296/Notes/{note_id}")
    assert reply.status == 200
    assert reply.json["item"]["id"] == note_id
    assert api.get(f"Tickets/29297/Notes/{note_id}").json == {"item": None}


def test_child_patch_and_put(api: Api) -> None:
    note_id = api.create("Tickets/29296/Notes", NOTE)
    patch = api.request("PATCH", "Tickets/29296/Notes", {"id": note_id, "title": "Patched"})
    assert patch.status == 200
    assert patch.json == {"itemId": note_id}
    note = api.item("TicketNotes", note_id)
    assert note["title"] == "Patched"
    assert note["description"] == "Customer happy"
    wrong_parent = api.request("PATCH", "Tickets/29297/Notes", {"id": note_id, "title": "x"})
    assert wrong_parent.status == 500
    put = api.request("PUT", "Tickets/29296/Notes", {"id": note_id, "title": "Only"})
    assert put.status == 500
    assert put.errors[-1] == UPDATE_SUFFIX


def test_child_delete(api: Api) -> None:
    contact = {"firstName": "Jo", "lastName": "Doe", "isActive": 1}
    contact_id = api.create("Companies/175/Contacts", contact)
    assert api.item("Contacts", contact_id)["companyID"] == 175
    assert api.request("DELETE", f"Companies/174/Contacts/{contact_id}").status == 500
    reply = api.request("DELETE", f"Companies/175/Contacts/{contact_id}")
    assert reply.status == 200
    assert reply.json == {"itemId": contact_id}
    assert api.get(f"Contacts/{contact_id}").json == {"item": None}


def test_child_route_capabilities(api: Api) -> None:
    # Notes: LCU/G, no delete (fact sheet §4.2) -> 405 on the id route.
    assert api.request("DELETE", "Tickets/29296/Notes/30000").status == 405
    # Nested paths support no query (fact sheet §11.3).
    assert api.post("Tickets/29296/Notes/query", {"filter": ALL}).status == 404
    assert api.get("Tickets/29296/NoSuchChild").status == 404


def test_child_list_of_missing_parent_is_empty(api: Api) -> None:
    reply = api.get("Tickets/999999/Notes")
    assert reply.status == 200
    assert reply.json["items"] == []


def test_entity_information_root_and_child(api: Api) -> None:
    info = api.get("Tickets/entityInformation")
    assert info.status == 200
    assert info.json["info"]["canQuery"] is True
    assert info.json["info"]["canDelete"] is False
    child = api.get("Tickets/29296/Notes/entityInformation")
    assert child.status == 200
    assert child.json == api.get("TicketNotes/entityInformation").json


def test_entity_information_fields_and_udfs(api: Api) -> None:
    fields = api.get("Companies/entityInformation/fields").json["fields"]
    names = [f["name"] for f in fields]
    assert "companyName" in names and "id" in names
    udfs = api.get("companies/ENTITYINFORMATION/userdefinedfields").json["fields"]
    assert "NAV ID" in [u["name"] for u in udfs]
    child = api.get("Tickets/1/Notes/entityInformation/fields")
    assert child.json == api.get("TicketNotes/entityInformation/fields").json
    assert api.get("Resources/entityInformation/userDefinedFields").json == {"fields": []}


def test_global_entity_information(api: Api) -> None:
    reply = api.get("EntityInformation")
    assert reply.status == 200
    names = {d["info"]["name"] for d in reply.json["entityDescriptions"]}
    assert {"Ticket", "Company", "TicketNote"} <= names
    assert len(reply.json["entityDescriptions"]) == len(api.emulator.stats()["records"])


def test_read_only_parent_field_is_set_from_the_url(api: Api) -> None:
    # Contacts.companyID is read-only in the real metadata (contact_fields.json), yet it is the
    # parent field of Companies/{id}/Contacts: the URL sets it on create and keeps it on update.
    fields = api.get("Contacts/entityInformation/fields").json["fields"]
    company_field = next(f for f in fields if f["name"] == "companyID")
    assert company_field["isReadOnly"] is True
    contact = {"firstName": "Ana", "lastName": "Roe", "isActive": 1, "companyID": 174}
    contact_id = api.create("Companies/175/Contacts", contact)
    assert api.item("Contacts", contact_id)["companyID"] == 175
    moved = {"id": contact_id, "companyID": 174, "lastName": "Doe"}
    assert api.request("PATCH", "Companies/175/Contacts", moved).status == 200
    after = api.item("Contacts", contact_id)
    assert (after["companyID"], after["lastName"]) == (175, "Doe")
    assert contact_id in [c["id"] for c in api.get("Companies/175/Contacts").json["items"]]
