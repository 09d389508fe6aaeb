"""Attachment rules beyond records (fact sheet §7, §11.3): AttachmentInfo, parent fields,
queries that must name the parent id field and include the children's attachments."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from tests.emulator.support import ALL, Api
from tests.emulator_process import Emulator, running_emulator

TICKET = 29296  # demo ticket with attachments and time entry 236
TICKET_TIME_ENTRY = 236
TASK = 19258  # demo task with time entry 240
TASK_TIME_ENTRY = 240
PARENT_TEXT = (
    "Queries on the TicketAttachment entity must include a condition on the parent id field "
    "ticketID."
)


def attachment(name: str = "note.txt") -> dict[str, object]:
    return {
        "attachmentType": "FILE_ATTACHMENT",
        "fullPath": name,
        "title": name,
        "publish": 1,
        "data": base64.b64encode(b"attachment rules").decode(),
    }


def of_ticket(ticket: int = TICKET) -> list[dict[str, object]]:
    return [{"op": "eq", "field": "ticketID", "value": ticket}]


def info(api: Api, attachment_id: int) -> dict[str, object] | None:
    reply = api.get(f"AttachmentInfo/{attachment_id}")
    assert reply.status == 200, reply.text
    item: dict[str, object] | None = reply.json["item"]
    return item


def test_create_fills_parent_fields_and_attachment_info(api: Api) -> None:
    new_id = api.create(f"Tickets/{TICKET}/Attachments", {**attachment(), "parentID": 1})
    item = api.get(f"TicketAttachments/{new_id}").json["items"][0]
    assert (item["ticketID"], item["parentID"], item["parentType"]) == (TICKET, TICKET, 4)
    mirrored = info(api, new_id)
    assert mirrored is not None
    assert mirrored["parentID"] == TICKET
    assert mirrored["parentType"] == 4
    assert mirrored["title"] == "note.txt"
    assert mirrored["fileSize"] == len(b"attachment rules")
    assert mirrored["attachDate"] == item["attachDate"]
    by_parent = api.query("AttachmentInfo", [{"op": "eq", "field": "parentID", "value": TICKET}])
    assert new_id in [i["id"] for i in by_parent.json["items"]]


def test_delete_removes_the_attachment_info_row(api: Api) -> None:
    before = api.emulator.stats()["records"]["AttachmentInfo"]
    new_id = api.create("Companies/174/Attachments", attachment("logo.txt"))
    assert api.emulator.stats()["records"]["AttachmentInfo"] == before + 1
    assert api.request("DELETE", f"Companies/174/Attachments/{new_id}").status == 200
    assert info(api, new_id) is None
    assert api.emulator.stats()["records"]["AttachmentInfo"] == before


def test_attachments_share_one_id_sequence(api: Api) -> None:
    ticket_id = api.create(f"Tickets/{TICKET}/Attachments", attachment())
    company_id = api.create("Companies/174/Attachments", attachment())
    project_id = api.create("Projects/36/Attachments", attachment())
    assert ticket_id < company_id < project_id
    existing = api.query("AttachmentInfo", ALL, IncludeFields=["id"]).json["items"]
    assert max(i["id"] for i in existing) == project_id
    mirrored = [info(api, i) for i in (ticket_id, company_id, project_id)]
    assert [m["parentType"] if m else None for m in mirrored] == [4, 1, 5]


def test_seeded_attachments_get_attachment_info_rows(api: Api) -> None:
    seeded = api.emulator.seed("TicketAttachments", 3)
    for new_id in range(seeded["firstId"], seeded["lastId"] + 1):
        item = api.get(f"TicketAttachments/{new_id}").json["items"][0]
        mirrored = info(api, new_id)
        assert mirrored is not None
        assert mirrored["parentID"] == item["ticketID"] == item["parentID"]


def test_a_query_must_name_the_parent_id_field(api: Api) -> None:
    by_id = [{"op": "gt", "field": "id", "value": 0}]
    for reply in (
        api.query("TicketAttachments", by_id),
        api.post("TicketAttachments/query/count", {"filter": by_id}),
        api.get_query("TicketAttachments", {"filter": by_id}),
        # A condition inside an "or" group does not restrict every row.
        api.query("TicketAttachments", [{"op": "or", "items": of_ticket() + by_id}]),
    ):
        assert reply.status == 500
        assert reply.errors == [PARENT_TEXT]
    named = api.query("TicketAttachments", [{"op": "and", "items": of_ticket() + by_id}])
    assert named.status == 200
    assert named.json["items"]
    spelled = api.query("TicketAttachments", [{"op": "exist", "field": "TICKETID"}])
    assert spelled.status == 200
    count = api.post("TicketAttachments/query/count", {"filter": of_ticket()})
    assert count.json["queryCount"] == len(named.json["items"])
    # AttachmentInfo has no parent field of its own: any filter is fine.
    assert api.query("AttachmentInfo", by_id).status == 200


def test_a_ticket_query_returns_the_attachments_of_its_time_entries(api: Api) -> None:
    own = api.create(f"Tickets/{TICKET}/Attachments", attachment("own.txt"))
    on_entry = api.create(f"TimeEntries/{TICKET_TIME_ENTRY}/Attachments", attachment("te.txt"))
    entry = api.get(f"TimeEntryAttachments/{on_entry}").json["items"][0]
    # The time entry's ticket and task come with it; its parent is the time entry.
    assert entry["timeEntryID"] == entry["parentID"] == TICKET_TIME_ENTRY
    assert (entry["ticketID"], entry["taskID"], entry["parentType"]) == (TICKET, None, 7)
    items = api.query("TicketAttachments", of_ticket()).json["items"]
    by_id = {i["id"]: i for i in items}
    assert {own, on_entry} <= set(by_id)
    assert by_id[on_entry]["timeEntryID"] == TICKET_TIME_ENTRY
    assert by_id[own]["timeEntryID"] is None
    assert [i["id"] for i in items] == sorted(by_id)
    listed = api.get(f"Tickets/{TICKET}/Attachments").json["items"]
    assert on_entry in [i["id"] for i in listed]
    # Another ticket's query does not see it.
    assert on_entry not in [
        i["id"] for i in api.query("TicketAttachments", of_ticket(29299)).json["items"]
    ]
    # Its data comes back through the time entry (its own parent).
    got = api.get(f"TimeEntries/{TICKET_TIME_ENTRY}/Attachments/{on_entry}").json["items"][0]
    assert base64.b64decode(got["data"]) == b"attachment rules"


def test_a_task_query_returns_the_attachments_of_its_time_entries(api: Api) -> None:
    on_entry = api.create(f"TimeEntries/{TASK_TIME_ENTRY}/Attachments", attachment())
    of_task = [{"op": "eq", "field": "taskID", "value": TASK}]
    ids = [i["id"] for i in api.query("TaskAttachments", of_task).json["items"]]
    assert on_entry in ids
    assert on_entry not in [
        i["id"]
        for i in api.query("TicketAttachments", [{"op": "exist", "field": "ticketID"}]).json[
            "items"
        ]
    ]


def test_nested_attachment_paths_support_get_only(api: Api) -> None:
    # fact sheet §11.3: POST /Tickets/{id}/Attachments/query is 404; nested paths are GET only.
    assert api.post(f"Tickets/{TICKET}/Attachments/query", {"filter": ALL}).status == 404
    assert api.get(f"Tickets/{TICKET}/Attachments/query").status == 404
    assert api.post(f"Tickets/{TICKET}/Attachments/query/count", {"filter": ALL}).status == 404
    # Attachments cannot be updated (§7): the child collection has no PATCH/PUT.
    assert api.request("PATCH", f"Tickets/{TICKET}/Attachments", {"id": 1}).status == 405


@pytest.fixture(scope="module")
def any_filter_session() -> Iterator[Emulator]:
    with running_emulator("--attachment-queries", "any") as emulator:
        yield emulator


def test_attachment_queries_any_switch(any_filter_session: Emulator) -> None:
    any_filter_session.reset()
    api = Api(any_filter_session)
    by_id = [{"op": "gt", "field": "id", "value": 0}]
    reply = api.query("TicketAttachments", by_id)
    assert reply.status == 200
    assert reply.json["items"]
    on_entry = api.create(f"TimeEntries/{TICKET_TIME_ENTRY}/Attachments", attachment())
    ids = [i["id"] for i in api.query("TicketAttachments", of_ticket()).json["items"]]
    assert on_entry not in ids  # own rows only, as before 2021.1
    api.pool.clear()
