"""Dry-run checks of records against field metadata (pure; shapes as the API's /fields)."""

from __future__ import annotations

from typing import Any

from autotask.batch.check import capability_problem, record_problems


def _field(name: str, kind: str, **flags: Any) -> dict[str, Any]:
    return {
        "name": name,
        "dataType": kind,
        "length": flags.pop("length", 0),
        "isRequired": flags.pop("required", False),
        "isReadOnly": flags.pop("read_only", False),
        "isPickList": "picklist" in flags,
        "picklistValues": [{"value": v, "label": v} for v in flags.pop("picklist", ())] or None,
    }


FIELDS = [
    _field("id", "long", required=True, read_only=True),
    _field("title", "string", required=True, length=10),
    _field("companyID", "integer", required=True),
    _field("status", "integer", required=True, picklist=["1", "5"]),
    _field("estimatedHours", "decimal"),
    _field("dueDateTime", "datetime"),
    _field("isVisibleToComanaged", "boolean"),
    _field("createDate", "datetime", read_only=True),
    _field("ticketID", "integer", required=True, read_only=True),
]
UDFS = [
    {"name": "Ext URL", "type": "string", "length": 5, "isPickList": False},
    {"name": "FR Result", "type": "string", "isPickList": True, "picklistValues": [{"value": "A"}]},
]


def _good(**more: Any) -> dict[str, Any]:
    return {"title": "Printer", "companyID": 1, "status": 1, **more}


def test_a_good_record_passes() -> None:
    assert record_problems(_good(), "C", FIELDS, UDFS, allowed=["ticketID"]) == [
        "Missing Required Field: ticketID"
    ]
    assert record_problems(_good(ticketID=5), "C", FIELDS, UDFS, allowed=["ticketID"]) == []
    # Read-only and required, not allowed: the server sets it, so it is not asked for.
    assert record_problems(_good(), "C", FIELDS, UDFS) == []


def test_every_kind_of_problem_is_named() -> None:
    record = {
        "title": "x" * 11,
        "companyID": "one",
        "status": 3,
        "estimatedHours": "lots",
        "dueDateTime": "tomorrow",
        "isVisibleToComanaged": "yes",
        "createDate": "2024-01-01T00:00:00Z",
        "colour": "red",
        "userDefinedFields": [
            {"name": "Ext URL", "value": "toolong"},
            {"name": "FR Result", "value": "B"},
            {"name": "Nope", "value": 1},
        ],
    }
    assert record_problems(record, "C", FIELDS, UDFS) == [
        "String value exceeds maximum length 10 (field:title): 11",
        "companyID: 'one' is not an integer",
        "Picklist value [3] does not exist for status",
        "estimatedHours: 'lots' is not a number",
        "dueDateTime: 'tomorrow' is not a datetime",
        "isVisibleToComanaged: 'yes' is not true or false",
        "Read-only field: createDate (Autotask ignores it)",
        "Unknown field: colour",
        "String value exceeds maximum length 5 (field:Ext URL): 7",
        "Picklist value [B] does not exist for FR Result",
        "Unknown user-defined field: Nope",
    ]


def test_field_names_match_case_insensitively_and_values_leniently() -> None:
    record = {"TITLE": "ok", "companyid": "12", "Status": "5", "estimatedHours": "1.5"}
    assert record_problems(record, "C", FIELDS) == []


def test_updates_need_the_id_but_not_every_required_field() -> None:
    assert record_problems({"status": 5}, "U", FIELDS) == [
        "Missing Required Field: id (an update names the record)"
    ]
    assert record_problems({"id": 5, "status": 5}, "U", FIELDS) == []
    assert record_problems({"id": 5, "title": ""}, "U", FIELDS) == ["Missing Required Field: title"]
    assert record_problems({"id": "x"}, "U", FIELDS) == ["id must be the record's id, not 'x'"]


def test_a_replace_needs_every_required_field() -> None:
    assert record_problems({"id": 5, "title": "t"}, "R", FIELDS) == [
        "Missing Required Field: companyID",
        "Missing Required Field: status",
    ]


def test_capability_from_entity_information() -> None:
    info = {"canCreate": True, "canUpdate": True, "canDelete": False}
    assert capability_problem(info, "C", "Projects") is None
    assert capability_problem(info, "R", "Projects") is None
    assert capability_problem(info, "D", "Projects") == (
        "Projects cannot be deleted through the API (entityInformation canDelete is false)"
    )


def test_a_kept_field_is_a_problem_of_an_update_only() -> None:
    fields = [*FIELDS, _field("taskID", "integer")]
    update = {"id": 7, "title": "New", "taskID": 9}
    assert record_problems(update, "U", fields, kept=["taskID"]) == [
        "Kept field: taskID (Autotask keeps it after create and ignores a change; leave it out "
        "of an update)"
    ]
    assert record_problems({"id": 7, "title": "New"}, "U", fields, kept=["taskID"]) == []
    # A create sets it, and a replace carries every field: neither is a change to a kept one.
    assert record_problems(_good(taskID=9), "C", fields, kept=["taskID"]) == []
    assert record_problems({"id": 7, **_good(taskID=9)}, "R", fields, kept=["taskID"]) == []


def test_the_client_and_the_emulator_keep_the_same_fields() -> None:
    # Two copies by design (the emulator imports nothing of the client); they must agree.
    from autotask.batch.check import KEPT_ON_UPDATE as CLIENT
    from autotask.emulator.rules.business import KEPT_ON_UPDATE as EMULATOR

    assert dict(CLIENT) == dict(EMULATOR)
