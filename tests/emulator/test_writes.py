"""Create, update, replace and delete with validation (fact sheet §4.1, §11.6)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.emulator.support import QUEUE, Api

OWNER = 29682885
UPDATE_SUFFIX = "Error updating entity for record number [1]."


def ticket_body(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Printer on fire",
        "companyID": 174,
        "status": 1,
        "priority": 2,
        "queueID": QUEUE,
        **extra,
    }


def test_create_returns_item_id_and_the_record_is_readable(api: Api) -> None:
    reply = api.post("Tickets", ticket_body(description="Smoke", estimatedHours=1.25))
    assert reply.status == 200
    assert set(reply.json) == {"itemId"}
    item = api.item("Tickets", reply.json["itemId"])
    assert item["id"] == reply.json["itemId"]
    assert item["title"] == "Printer on fire"
    assert item["description"] == "Smoke"
    assert item["estimatedHours"] == 1.25


def test_create_sets_server_fields(api: Api) -> None:
    before = api.emulator.control("POST", "clock", {"advance": 0})["now"]
    new_id = api.create("Tickets", ticket_body(createDate="2001-01-01T00:00:00Z"))
    item = api.item("Tickets", new_id)
    assert item["createDate"] >= before[:19]
    assert item["createDate"] != "2001-01-01T00:00:00Z"  # read-only: ignored
    assert item["lastActivityDate"] is not None
    assert isinstance(item["creatorResourceID"], int)
    assert re.fullmatch(r"T\d{8}\.\d{4}", item["ticketNumber"])


def test_create_dates_follow_the_emulator_clock(api: Api) -> None:
    moved = api.emulator.control("POST", "clock", {"advance": 400 * 86400})["now"]
    item = api.item("Tickets", api.create("Tickets", ticket_body()))
    assert item["createDate"][:10] == moved[:10]


def test_pascal_case_body_keys_and_id_zero_are_accepted(api: Api) -> None:
    body = {"id": 0, "Title": "Pascal", "CompanyID": 174, "Status": 1, "Priority": 2}
    new_id = api.create("Tickets", {**body, "QueueID": QUEUE})
    item = api.item("Tickets", new_id)
    assert item["title"] == "Pascal"
    assert item["companyID"] == 174


def test_unknown_body_fields_are_ignored(api: Api) -> None:
    new_id = api.create("Tickets", ticket_body(noSuchField="x"))
    assert "noSuchField" not in api.item("Tickets", new_id)


def test_missing_required_fields(api: Api) -> None:
    reply = api.post("Tickets", {"title": "only a title", "queueID": QUEUE})
    assert reply.status == 500
    assert sorted(reply.errors) == sorted(
        [
            "Value does not exist for the required field companyID",
            "Missing Required Field: priority",
            "Missing Required Field: status",
        ]
    )


def test_bad_picklist_value(api: Api) -> None:
    reply = api.post("Tickets", ticket_body(priority=4))
    assert reply.status == 500
    assert reply.errors == ["Picklist value [4] does not exist for priority"]


def test_reference_must_exist(api: Api) -> None:
    reply = api.post("Tickets", ticket_body(contactID=12345))
    assert reply.status == 500
    assert reply.errors == [
        "Reference value on field: contactID of type: Contact does not exist or is invalid."
    ]


def test_string_length(api: Api) -> None:
    reply = api.post("Tickets", ticket_body(title="x" * 256))
    assert reply.status == 500
    assert reply.errors == ["String value exceeds maximum length (field:title). "]


def test_one_error_per_violation(api: Api) -> None:
    reply = api.post("Tickets", ticket_body(priority=4, status=99, contactID=1, title="x" * 300))
    assert reply.status == 500
    assert len(reply.errors) == 4


def test_wrong_types_are_500(api: Api) -> None:
    assert api.post("Tickets", ticket_body(priority="high")).status == 500
    assert api.post("Tickets", ticket_body(dueDateTime="soon")).status == 500
    assert api.post("Tickets", ["not", "an", "object"]).status == 500


def test_refused_create_stores_nothing(api: Api) -> None:
    before = api.emulator.stats()["records"]["Tickets"]
    assert api.post("Tickets", ticket_body(priority=4)).status == 500
    assert api.emulator.stats()["records"]["Tickets"] == before


def test_patch_merges(api: Api) -> None:
    new_id = api.create("Tickets", ticket_body(description="keep me"))
    reply = api.request("PATCH", "Tickets", {"id": new_id, "title": "Renamed"})
    assert reply.status == 200
    assert reply.json == {"itemId": new_id}
    item = api.item("Tickets", new_id)
    assert item["title"] == "Renamed"
    assert item["description"] == "keep me"


def test_put_replaces_writable_fields(api: Api) -> None:
    new_id = api.create("Tickets", ticket_body(description="dropped"))
    created = api.item("Tickets", new_id)
    reply = api.request("PUT", "Tickets", {"id": new_id, **ticket_body(title="Replaced")})
    assert reply.status == 200
    item = api.item("Tickets", new_id)
    assert item["title"] == "Replaced"
    assert item["description"] is None  # omitted writable field -> null (D-PUT)
    assert item["createDate"] == created["createDate"]  # read-only fields stay


def test_update_validation_adds_the_update_line(api: Api) -> None:
    reply = api.request("PATCH", "Tickets", {"id": 29296, "description": "x" * 8001})
    assert reply.status == 500
    assert reply.errors == [
        "String value exceeds maximum length (field:description). ",
        UPDATE_SUFFIX,
    ]
    put = api.request("PUT", "Tickets", {"id": 29296, "title": "no status"})
    assert put.status == 500
    assert put.errors[-1] == UPDATE_SUFFIX
    assert "Missing Required Field: status" in put.errors


def test_patch_required_field_to_null_is_refused(api: Api) -> None:
    reply = api.request("PATCH", "Tickets", {"id": 29296, "title": None})
    assert reply.status == 500
    assert reply.errors == ["Missing Required Field: title", UPDATE_SUFFIX]


def test_update_of_missing_record_is_500(api: Api) -> None:
    reply = api.request("PATCH", "Tickets", {"id": 999999999, "title": "x"})
    assert reply.status == 500
    assert "No matching records found" in reply.errors[0]
    no_id = api.request("PATCH", "Tickets", {"title": "x"})
    assert no_id.status == 500


def test_delete(api: Api) -> None:
    body = {"holidaySetName": "Temporary"}
    new_id = api.create("HolidaySets", body)
    reply = api.request("DELETE", f"HolidaySets/{new_id}")
    assert reply.status == 200
    assert reply.json == {"itemId": new_id}
    assert api.get(f"HolidaySets/{new_id}").json == {"item": None}


def test_delete_of_missing_record_is_500(api: Api) -> None:
    reply = api.request("DELETE", "HolidaySets/999999")
    assert reply.status == 500
    assert reply.errors == [
        "No message. No matching records found. The logged in Resource may not have the "
        "required permissions to delete the data."
    ]


def test_get_missing_id_is_item_null(api: Api) -> None:
    reply = api.get("Tickets/999999999")
    assert reply.status == 200
    assert reply.json == {"item": None}


def test_udfs_are_stored_and_returned_as_strings(api: Api) -> None:
    body = {
        "companyName": "UDF Co",
        "companyType": 1,
        "ownerResourceID": OWNER,
        "phone": "1",
        "userDefinedFields": [
            {"name": "nav id", "value": "N1"},
            {"name": "Discount", "value": 12.5},
        ],
    }
    new_id = api.create("Companies", body)
    udfs = api.item("Companies", new_id)["userDefinedFields"]
    names = [u["name"] for u in udfs]
    assert len(names) == 29 and len(set(names)) == 29  # every UDF listed
    values = {u["name"]: u["value"] for u in udfs}
    assert values["NAV ID"] == "N1"
    assert values["Discount"] == "12.5"
    assert values["Language"] is None
    patch = {"id": new_id, "userDefinedFields": [{"name": "Language", "value": "NLD"}]}
    assert api.request("PATCH", "Companies", patch).status == 200
    values = {u["name"]: u["value"] for u in api.item("Companies", new_id)["userDefinedFields"]}
    assert values["Language"] == "NLD"
    assert values["NAV ID"] == "N1"  # PATCH merges UDFs


def test_udf_picklist_is_validated(api: Api) -> None:
    patch = {"id": 174, "userDefinedFields": [{"name": "Language", "value": "XX"}]}
    reply = api.request("PATCH", "Companies", patch)
    assert reply.status == 500
    assert reply.errors == ["Picklist value [XX] does not exist for Language", UPDATE_SUFFIX]


@pytest.mark.parametrize(
    "value", ["2030-01-02", "2030-01-02T03:04:05", "2030-01-02T05:04:05+02:00"]
)
def test_datetimes_are_stored_as_utc(api: Api, value: str) -> None:
    new_id = api.create("Tickets", ticket_body(dueDateTime=value))
    due = api.item("Tickets", new_id)["dueDateTime"]
    assert due == ("2030-01-02T00:00:00Z" if len(value) == 10 else "2030-01-02T03:04:05Z")
