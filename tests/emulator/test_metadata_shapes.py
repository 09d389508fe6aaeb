"""Metadata endpoints answer in the shapes of the real recorded metadata (fixture shape fact 9).

Black-box over HTTP with plain urllib3, compared with ../shared/fixtures/real:

ticket_fields, contact_fields,    `{E}/entityInformation/fields`: equal bodies (names, types,
resource_fields,                  flags, picklists, order)
ticketwebhook_fields
ticket_udf_fields,                `{E}/entityInformation/userDefinedFields`: equal bodies
contact_udf_fields,
resource_udf_fields
accounttodo_fields                `CompanyToDos/entityInformation/fields`: keys, types, flags. Its
                                  2020 names are PascalCase and the source trimmed its picklist:
                                  names compared case-insensitively, its values a prefix of ours
(none)                            every entity: field/UDF/picklist key sets and types as the real
                                  metadata; `entityInformation` keys per the fact sheet §4.4
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import urllib3

from tests import paths
from tests.emulator_process import Emulator

FIXTURES = paths.FIXTURES
HTTP = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=30))

FIELD_KEYS = [
    "name",
    "dataType",
    "length",
    "isRequired",
    "isReadOnly",
    "isQueryable",
    "isReference",
    "referenceEntityType",
    "isPickList",
    "picklistValues",
    "picklistParentValueField",
    "isSupportedWebhookField",
]
PICK_KEYS = ["value", "label", "isDefaultValue", "sortOrder", "parentValue", "isActive", "isSystem"]
INFO_KEYS = [
    "name",
    "canCreate",
    "canDelete",
    "canQuery",
    "canUpdate",
    "userAccessForCreate",
    "userAccessForDelete",
    "userAccessForQuery",
    "userAccessForUpdate",
    "hasUserDefinedFields",
    "supportsWebhookCallouts",
]
REAL_FIELDS = [
    ("Tickets", "ticket_fields"),
    ("Contacts", "contact_fields"),
    ("Resources", "resource_fields"),
    ("TicketWebhooks", "ticketwebhook_fields"),
]
REAL_UDFS = [
    ("Tickets", "ticket_udf_fields"),
    ("Contacts", "contact_udf_fields"),
    ("Resources", "resource_udf_fields"),
]


def fixture_response(name: str) -> Any:
    if not FIXTURES.is_dir():
        pytest.fail(f"fixtures not found at {FIXTURES}")
    return json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))["response"]


def get(emu: Emulator, path: str) -> Any:
    response = HTTP.request("GET", emu.api_url + path, headers=emu.auth_headers())
    assert response.status == 200, (path, response.status, response.data[:300])
    return json.loads(response.data)


def entity_names(emu: Emulator) -> list[str]:
    stats = emu.stats()
    return sorted(stats["records"])


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively (lists by their first element)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.mark.parametrize(("entity", "name"), REAL_FIELDS)
def test_fields_equal_the_real_metadata(emulator: Emulator, entity: str, name: str) -> None:
    body = get(emulator, f"{entity}/entityInformation/fields")
    want = fixture_response(name)
    assert list(body) == ["fields"]
    assert [f["name"] for f in body["fields"]] == [f["name"] for f in want["fields"]]
    for field in body["fields"]:
        assert list(field) == FIELD_KEYS
        for pick in field["picklistValues"] or []:
            assert list(pick) == PICK_KEYS
            assert isinstance(pick["value"], str)  # strings even for integer fields (fact 8)
    assert body == want


@pytest.mark.parametrize(("entity", "name"), REAL_UDFS)
def test_udfs_equal_the_real_metadata(emulator: Emulator, entity: str, name: str) -> None:
    body = get(emulator, f"{entity}/entityInformation/userDefinedFields")
    want = fixture_response(name)
    assert list(body) == ["fields"]
    for udf in body["fields"]:
        assert len(udf) == 15 and "type" in udf and "dataType" not in udf
        assert udf["referenceEntityType"] is None and udf["picklistParentValueField"] is None
    assert body == want  # Resources: {"fields": []}


def test_every_entity_has_metadata_of_the_real_shapes(emulator: Emulator) -> None:
    ticket_shape = shape(fixture_response("ticket_fields")["fields"][0])
    picklist_shape = shape(fixture_response("ticket_fields")["fields"][0]["picklistValues"][0])
    udf_shape = shape(
        next(f for f in fixture_response("ticket_udf_fields")["fields"] if f["picklistValues"])
    )
    names = entity_names(emulator)
    assert len(names) >= 25
    for entity in names:
        fields = get(emulator, f"{entity}/entityInformation/fields")["fields"]
        assert [f["name"] for f in fields] == sorted((f["name"] for f in fields), key=str.lower)
        assert "id" in [f["name"] for f in fields]
        for field in fields:
            picks = field["picklistValues"]
            field_shape = shape({**field, "picklistValues": None})
            assert field_shape == {**ticket_shape, "picklistValues": "NoneType"}, (entity, field)
            assert field["isPickList"] == (picks is not None)
            assert field["isReference"] == (field["referenceEntityType"] != "")
            for pick in picks or []:
                assert shape(pick) == picklist_shape, (entity, field["name"])
        for udf in get(emulator, f"{entity}/entityInformation/userDefinedFields")["fields"]:
            assert list(udf) == list(udf_shape)
            if udf["picklistValues"] is not None:
                assert all(
                    shape(p) == udf_shape["picklistValues"][0] for p in udf["picklistValues"]
                )


def test_entity_information_has_the_documented_keys(emulator: Emulator) -> None:
    for entity in entity_names(emulator):
        info = get(emulator, f"{entity}/entityInformation")
        assert list(info) == ["info"]
        assert list(info["info"]) == INFO_KEYS
        values = info["info"]
        assert isinstance(values["name"], str)
        for key in INFO_KEYS[1:5] + INFO_KEYS[9:]:
            assert isinstance(values[key], bool), (entity, key)
        for key in INFO_KEYS[5:9]:
            assert values[key] in ("All", "None", "Restricted"), (entity, key)


def test_entity_information_reports_capabilities(emulator: Emulator) -> None:
    tickets = get(emulator, "Tickets/entityInformation")["info"]
    assert (tickets["canCreate"], tickets["canDelete"], tickets["hasUserDefinedFields"]) == (
        True,
        False,  # Tickets cannot be deleted via the API (fact sheet §4.3)
        True,
    )
    resources = get(emulator, "Resources/entityInformation")["info"]
    assert (resources["canCreate"], resources["canUpdate"], resources["hasUserDefinedFields"]) == (
        False,
        True,
        False,
    )
    notes = get(emulator, "TicketNotes/entityInformation")["info"]
    assert notes["canCreate"] and notes["canUpdate"] and not notes["canDelete"]


def test_todo_fields_match_the_2020_metadata_sample(emulator: Emulator) -> None:
    fields = {
        f["name"].lower(): f
        for f in get(emulator, "CompanyToDos/entityInformation/fields")["fields"]
    }
    for want in fixture_response("accounttodo_fields")["fields"]:
        have = fields[want["name"].lower()]
        assert shape({**have, "name": "", "picklistValues": None}) == shape(
            {**want, "name": "", "picklistValues": None}
        )
        for key in ("dataType", "length", "isRequired", "isPickList"):
            assert have[key] == want[key], (want["name"], key)
        if want["picklistValues"]:
            assert want["picklistValues"] == have["picklistValues"][: len(want["picklistValues"])]
