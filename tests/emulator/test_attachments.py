"""Attachments: base64 create via the parent, data back from both GETs in ``items`` (§7, §11.3)."""

from __future__ import annotations

import base64

from tests.emulator.support import Api

PAYLOAD = "Grüße aus dem Emulator\n".encode() + bytes(range(256))


def attachment(**extra: object) -> dict[str, object]:
    return {
        "id": 0,
        "attachmentType": "FILE_ATTACHMENT",
        "fullPath": "report.pdf",
        "title": "Report",
        "publish": 1,
        "data": base64.b64encode(PAYLOAD).decode(),
        **extra,
    }


def test_round_trip_through_child_and_root_get(api: Api) -> None:
    reply = api.post("Tickets/29296/Attachments", attachment())
    assert reply.status == 200
    new_id = reply.json["itemId"]
    for path in (f"Tickets/29296/Attachments/{new_id}", f"TicketAttachments/{new_id}"):
        got = api.get(path)
        assert got.status == 200
        body = got.json
        assert set(body) == {"items", "pageDetails"}
        assert len(body["items"]) == 1
        item = body["items"][0]
        assert base64.b64decode(item["data"]) == PAYLOAD
        assert item["fileSize"] == len(PAYLOAD)
        assert item["contentType"] == "application/pdf"
        assert item["ticketID"] == 29296
        assert item["title"] == "Report"
        assert item["attachDate"] is not None
        assert body["pageDetails"]["count"] == 1


def test_queries_and_child_lists_never_carry_data(api: Api) -> None:
    new_id = api.create("Tickets/29296/Attachments", attachment())
    by_id = [
        {"op": "eq", "field": "ticketID", "value": 29296},
        {"op": "eq", "field": "id", "value": new_id},
    ]
    found = api.query("TicketAttachments", by_id).json
    assert found["items"][0]["id"] == new_id
    assert found["items"][0]["data"] is None
    listed = api.get("Tickets/29296/Attachments").json["items"]
    assert new_id in [i["id"] for i in listed]
    assert all(i["data"] is None for i in listed)


def test_demo_attachments_have_data(api: Api) -> None:
    of_ticket = [{"op": "exist", "field": "ticketID"}]
    first = api.query("TicketAttachments", of_ticket, MaxRecords=1).json["items"][0]
    got = api.get(f"TicketAttachments/{first['id']}").json["items"][0]
    assert base64.b64decode(got["data"])


def test_create_needs_valid_base64_data(api: Api) -> None:
    missing = api.post("Tickets/29296/Attachments", attachment(data=None))
    assert missing.status == 500
    assert "Missing Required Field: data" in missing.errors
    bad = api.post("Tickets/29296/Attachments", attachment(data="***not base64***"))
    assert bad.status == 500


def test_create_validates_required_fields(api: Api) -> None:
    reply = api.post("Tickets/29296/Attachments", attachment(title=None, publish=9))
    assert reply.status == 500
    assert "Missing Required Field: title" in reply.errors
    assert "Picklist value [9] does not exist for publish" in reply.errors


def test_root_writes_are_refused(api: Api) -> None:
    assert api.post("TicketAttachments", attachment(ticketID=29296)).status == 404
    new_id = api.create("Tickets/29296/Attachments", attachment())
    assert api.request("DELETE", f"TicketAttachments/{new_id}").status == 405


def test_delete_through_the_parent(api: Api) -> None:
    new_id = api.create("Tickets/29296/Attachments", attachment())
    assert api.request("DELETE", f"Tickets/29297/Attachments/{new_id}").status == 500
    reply = api.request("DELETE", f"Tickets/29296/Attachments/{new_id}")
    assert reply.status == 200
    assert reply.json == {"itemId": new_id}
    gone = api.get(f"TicketAttachments/{new_id}")
    assert gone.status == 500
    assert gone.errors == ["Attachment could not be found."]


def test_other_parents(api: Api) -> None:
    new_id = api.create("Companies/174/Attachments", attachment(fullPath="logo.png"))
    item = api.get(f"CompanyAttachments/{new_id}").json["items"][0]
    assert item["companyID"] == 174
    assert item["contentType"] == "image/png"
    assert base64.b64decode(item["data"]) == PAYLOAD
