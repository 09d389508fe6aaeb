"""The emulator's answers have the shapes of the real recorded payloads in ../shared/fixtures/real.

Black-box over HTTP with plain urllib3. For each record fixture of an entity the emulator
serves, the emulator's records of that entity have the same keys (same order) and the same JSON
type per key (where the fixture has null: null or the type the field's metadata names), and the
envelopes match. Fixtures are read from ../shared (CI runs with a copy beside the clone); a
missing folder fails these tests rather than skipping them.

fixture                        compared with: what (why a check is left out)
tickets_query_page             Tickets query: keys, types, decimals (estimatedHours 3.5000 -> 4)
companies_query_page           Companies query: keys, types (its IncludeFields request does not
                               match its full response, README: the request is not replayed)
companies_query_by_name        replayed POST query: pageDetails exactly; fixture keys a subset
                               (the source elided the fields alternatePhone1..surveyCompanyRating)
companies_query_includefields  replayed POST query: keys, order, row, pageDetails exactly
contacts_query_page            Contacts query: keys, types (isActive integer, fact 10)
contracts_query_page           Contracts query: keys, types, decimals (estimatedRevenue 0.00,
                               setupFee 0.0000)
projects_query_page            Projects query: keys, types, doubles (0.0, 155.6999)
tasks_query_page               Tasks query: keys, types, doubles (-168.1166)
timeentries_query_page         TimeEntries query: keys, types, decimals; no userDefinedFields key
billingitems_query_page        BillingItems query: keys, types, decimals; no userDefinedFields key
roles_query_page               Roles query: keys, types, decimals; no userDefinedFields key
resources_query_items          Resources query: keys, types (envelope not shown). It lacks
                               payrollIdentifier, which resource_query_items and resource_fields
                               (both real) have: that extra key is allowed for this one
resource_query_items           Resources query: keys (no number checks: re-encoded by PHP, README)
billingcodes_query_item        BillingCodes GET by id: keys (bare object, envelope not shown)
holidays_list_page             GET HolidaySets/1/Holidays: child list envelope, keys
holidayset_item                GET HolidaySets/1: `item` envelope, keys
*_count_response               replayed POST query/count: `{"queryCount": int}`
company_create_response,       replayed POSTs (PascalCase keys, date-only datetimes) with demo
companytodo_create_response    ids swapped in: `{"itemId": int}`, stored record keys
appointment_*_response         replayed POST, PATCH, DELETE: `{"itemId": int}`
contract_patch_response        replayed PATCH with a numeric UDF value: stored as a string (fact 7)
error_500_* (both)             bad user / integration code: 500 `{"errors": [str]}`, same text
ticket_create_request          replayed POST Tickets (PascalCase): `{"itemId"}` (its recorded
                               response is a placeholder `{}`, not compared)
modules_response               not compared: `Modules` is not served (not part of issue 2)
*_fields, *_udf_fields         see tests/emulator/test_metadata_shapes.py
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
import urllib3

from tests import paths
from tests.emulator_process import Emulator

FIXTURES = paths.FIXTURES
HTTP = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=30))

JSON_TYPE_OF_DATATYPE = {
    "string": str,
    "datetime": str,
    "integer": int,
    "long": int,
    "short": int,
    "decimal": float,
    "double": float,
    "boolean": bool,
}

# Record fixtures: (fixture, entity, how the fixture wraps its record).
RECORD_FIXTURES = [
    ("tickets_query_page", "Tickets", "items"),
    ("companies_query_page", "Companies", "items"),
    ("contacts_query_page", "Contacts", "items"),
    ("contracts_query_page", "Contracts", "items"),
    ("projects_query_page", "Projects", "items"),
    ("tasks_query_page", "Tasks", "items"),
    ("timeentries_query_page", "TimeEntries", "items"),
    ("billingitems_query_page", "BillingItems", "items"),
    ("roles_query_page", "Roles", "items"),
    ("resources_query_items", "Resources", "list"),
    ("resource_query_items", "Resources", "list"),
    ("billingcodes_query_item", "BillingCodes", "bare"),
    ("holidays_list_page", "Holidays", "items"),
    ("holidayset_item", "HolidaySets", "bare"),
]
# Keys the emulator may add to a fixture's key set, and why.
EXTRA_KEYS = {
    # resource_fields.json and resource_query_items.json (real) have it; this older sample not.
    "resources_query_items": {"payrollIdentifier"},
}
# PHP re-encoded these numbers (fixtures README): compare keys, not number types.
NO_NUMBER_CHECKS = {"resource_query_items"}


def fixture(name: str) -> dict[str, Any]:
    if not FIXTURES.is_dir():
        pytest.fail(f"fixtures not found at {FIXTURES}")
    raw = (FIXTURES / f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw, parse_float=Decimal)
    return data


def request_body(name: str) -> dict[str, Any]:
    """A fixture's request body as a sender would build it (numbers as Python numbers)."""
    raw = (FIXTURES / f"{name}.json").read_text("utf-8")
    body: dict[str, Any] = json.loads(raw)["request"]["body"]
    return body


def fixture_record(name: str, wrap: str) -> dict[str, Any]:
    response = fixture(name)["response"]
    if wrap == "list":
        return dict(response[0])
    if wrap == "items":
        return dict(response["items"][0])
    return dict(response)


class Api:
    """Plain urllib3 calls against the emulator, decimals kept as Decimal."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def call(self, method: str, path: str, body: Any = None, headers: Any = None) -> Any:
        response = HTTP.request(
            method,
            self.emu.api_url + path,
            body=None if body is None else json.dumps(body).encode(),
            headers=headers or self.emu.auth_headers(),
        )
        return response.status, response.data.decode("utf-8")

    def json(self, method: str, path: str, body: Any = None) -> Any:
        status, text = self.call(method, path, body)
        assert status == 200, (method, path, status, text[:500])
        return json.loads(text, parse_float=Decimal)

    def all_records(self, entity: str) -> list[dict[str, Any]]:
        body = {"MaxRecords": 500, "filter": [{"op": "gte", "field": "id", "value": 0}]}
        page = self.json("POST", f"{entity}/query", body)
        assert set(page) == {"items", "pageDetails"}
        items: list[dict[str, Any]] = page["items"]
        assert items, f"the emulator has no {entity}"
        return items

    def datatypes(self, entity: str) -> dict[str, str]:
        fields = self.json("GET", f"{entity}/entityInformation/fields")["fields"]
        return {f["name"]: f["dataType"] for f in fields}


@pytest.fixture
def api(emulator: Emulator) -> Api:
    return Api(emulator)


def json_kind(value: Any) -> type:
    """The JSON type of a decoded value (Decimal is a JSON float literal)."""
    if isinstance(value, Decimal):
        return float
    return type(value)


@pytest.mark.parametrize(("name", "entity", "wrap"), RECORD_FIXTURES)
def test_records_have_the_fixture_keys_and_types(
    api: Api, name: str, entity: str, wrap: str
) -> None:
    expected = fixture_record(name, wrap)
    records = api.all_records(entity)
    datatypes = api.datatypes(entity)
    extra = EXTRA_KEYS.get(name, set())
    for record in records:
        keys = [k for k in record if k not in extra]
        assert keys == list(expected), f"{entity} {record['id']}: key order or set differs"
    for key, sample in expected.items():
        seen = {json_kind(r[key]) for r in records if r[key] is not None}
        if sample is None:
            allowed = {JSON_TYPE_OF_DATATYPE[datatypes[key]]} if key in datatypes else set()
        elif name in NO_NUMBER_CHECKS and type(sample) in (int, Decimal):
            allowed = {int, float}
        else:
            allowed = {json_kind(sample)}
        if key == "userDefinedFields":
            allowed = {list}
        assert seen <= allowed, f"{entity}.{key}: emulator {seen}, fixture {allowed}"
    for record in records:
        for item in record.get("userDefinedFields", []):
            assert set(item) == {"name", "value"}
            assert item["value"] is None or isinstance(item["value"], str)


def test_udf_key_presence_follows_the_fixtures(api: Api) -> None:
    # Fact 7: these entities carry no userDefinedFields key at all, not even [].
    for entity in ("TimeEntries", "BillingItems", "Roles", "Resources"):
        assert all("userDefinedFields" not in r for r in api.all_records(entity)), entity
    # ...while these always list it (an entity without UDFs defined answers []).
    for entity in ("Companies", "Contacts", "Tickets", "Contracts", "Projects", "Tasks"):
        assert all(isinstance(r["userDefinedFields"], list) for r in api.all_records(entity))


def decimal_places(value: Any) -> int | None:
    if not isinstance(value, Decimal):
        return None
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent


@pytest.mark.parametrize(("name", "entity", "wrap"), RECORD_FIXTURES)
def test_decimals_are_written_with_the_fixture_scale(
    api: Api, name: str, entity: str, wrap: str
) -> None:
    if name in NO_NUMBER_CHECKS:
        return  # re-encoded by PHP (README): its literals prove nothing
    expected = fixture_record(name, wrap)
    datatypes = api.datatypes(entity)
    records = api.all_records(entity)
    checked = 0
    for key, sample in expected.items():
        places = decimal_places(sample)
        if places is None:
            continue
        literals = [r[key] for r in records if r[key] is not None]
        assert literals, f"{entity}.{key}: no non-null value to compare"
        for literal in literals:
            assert isinstance(literal, Decimal), f"{entity}.{key}={literal!r} is no float literal"
            if datatypes[key] == "decimal":
                assert decimal_places(literal) == places, f"{entity}.{key}={literal}"
            else:  # doubles (0.0, 155.6999): at least one decimal, never 1E+2 forms
                assert "E" not in str(literal) and (decimal_places(literal) or 0) >= 1
            checked += 1
    assert checked or all(decimal_places(v) is None for v in expected.values())


def test_query_by_name_replay_has_the_envelope_and_keys(api: Api) -> None:
    recorded = fixture("companies_query_by_name")
    page = api.json("POST", "Companies/query", recorded["request"]["body"])
    want = recorded["response"]
    assert list(page) == list(want) == ["items", "pageDetails"]
    assert list(page["pageDetails"]) == list(want["pageDetails"])
    assert page["pageDetails"] == want["pageDetails"]  # count 1, requestCount 500, no URLs
    # The source elided the fields between alternatePhone1 and surveyCompanyRating.
    assert set(want["items"][0]) <= set(page["items"][0])


def test_include_fields_replay_matches_exactly(api: Api) -> None:
    recorded = fixture("companies_query_includefields")
    page = api.json("POST", "Companies/query", recorded["request"]["body"])
    want = recorded["response"]
    assert page["pageDetails"] == want["pageDetails"]
    assert len(page["items"]) == 1
    row, want_row = page["items"][0], want["items"][0]
    assert (
        list(row) == list(want_row) == ["id", "city", "companyName", "state", "userDefinedFields"]
    )
    assert row["companyName"] == "Sirius Cybernetics Corporation"  # eq ignored the trailing space
    assert row["userDefinedFields"] == []  # only requested UDFs are listed (§11.5)
    assert {k: json_kind(v) for k, v in row.items()} == {
        k: json_kind(v) for k, v in want_row.items()
    }


def test_get_by_id_and_child_list_envelopes(api: Api) -> None:
    holiday_set = api.json("GET", "HolidaySets/1")
    assert list(holiday_set) == ["item"]
    assert list(holiday_set["item"]) == list(fixture_record("holidayset_item", "bare"))
    holidays = api.json("GET", "HolidaySets/1/Holidays")
    assert holidays.get("items")
    assert list(holidays["items"][0]) == list(fixture_record("holidays_list_page", "items"))
    if "pageDetails" in holidays:
        assert list(holidays["pageDetails"]) == [
            "count",
            "requestCount",
            "prevPageUrl",
            "nextPageUrl",
        ]
    code = api.all_records("BillingCodes")[0]["id"]
    item = api.json("GET", f"BillingCodes/{code}")
    assert list(item["item"]) == list(fixture_record("billingcodes_query_item", "bare"))


@pytest.mark.parametrize("name", ["companies_count_response", "contacts_count_response"])
def test_count_replays_answer_query_count(api: Api, name: str) -> None:
    recorded = fixture(name)
    entity = recorded["request"]["path"].split("/")[-3]
    answer = api.json("POST", f"{entity}/query/count", recorded["request"]["body"])
    assert list(answer) == list(recorded["response"]) == ["queryCount"]
    assert isinstance(answer["queryCount"], int) and answer["queryCount"] > 0


def demo_ids(api: Api, entity: str) -> list[int]:
    return [r["id"] for r in api.all_records(entity)]


def test_company_and_todo_create_replays_answer_item_id(api: Api) -> None:
    resource = demo_ids(api, "Resources")[0]
    body = dict(fixture("company_create_response")["request"]["body"])
    body["OwnerResourceID"] = resource
    created = api.json("POST", "Companies", body)
    assert list(created) == ["itemId"] and isinstance(created["itemId"], int)
    company = api.json("GET", f"Companies/{created['itemId']}")["item"]
    assert company["companyName"] == "Sirius Cybernetics Corporation"
    assert list(company) == list(fixture_record("companies_query_page", "items"))

    todo = dict(fixture("companytodo_create_response")["request"]["body"])
    todo.update({"AssignedToResourceID": resource, "CompanyID": created["itemId"]})
    made = api.json("POST", f"Companies/{created['itemId']}/ToDos", todo)
    assert list(made) == ["itemId"]
    stored = api.json("GET", f"CompanyToDos/{made['itemId']}")["item"]
    assert stored["startDateTime"] == "2020-06-15T00:00:00Z"  # date-only is midnight UTC (fact 5)


def test_appointment_create_patch_delete_replays_answer_item_id(api: Api) -> None:
    resource = demo_ids(api, "Resources")[1]
    body = dict(fixture("appointment_create_response")["request"]["body"])
    body["resourceID"] = resource
    created = api.json("POST", "Appointments", body)
    assert list(created) == list(fixture("appointment_create_response")["response"])
    patch = dict(fixture("appointment_patch_response")["request"]["body"])
    patch.update({"id": created["itemId"], "resourceID": resource, "title": "Moved"})
    patched = api.json("PATCH", "Appointments", patch)
    assert patched == {"itemId": created["itemId"]}
    deleted = api.json("DELETE", f"Appointments/{created['itemId']}")
    assert deleted == {"itemId": created["itemId"]}
    assert api.json("GET", f"Appointments/{created['itemId']}") == {"item": None}


def test_contract_patch_with_a_numeric_udf_stores_a_string(api: Api) -> None:
    contract = demo_ids(api, "Contracts")[0]
    body = dict(request_body("contract_patch_response"))
    body["Id"] = contract
    answer = api.json("PATCH", "Contracts", body)
    assert list(answer) == ["itemId"]
    record = api.json("GET", f"Contracts/{contract}")["item"]
    udfs = {u["name"]: u["value"] for u in record["userDefinedFields"]}
    assert udfs["Balance"] == "23.45"
    assert isinstance(udfs["Balance_LastUpdated"], str)


def test_ticket_create_with_pascal_case_body_answers_item_id(api: Api) -> None:
    body = dict(fixture("ticket_create_request")["request"]["body"])
    tickets = api.all_records("Tickets")
    sample = next(t for t in tickets if t["contactID"] and t["assignedResourceID"])
    body.update(
        {
            "CompanyID": sample["companyID"],
            "ContactID": sample["contactID"],
            "AssignedResourceID": sample["assignedResourceID"],
            "AssignedResourceRoleID": sample["assignedResourceRoleID"],
            "BillingCodeID": sample["billingCodeID"],
            "OpportunityID": None,
            "QueueID": sample["queueID"],
            "TicketCategory": sample["ticketCategory"],
        }
    )
    created = api.json("POST", "Tickets", body)
    assert list(created) == ["itemId"]
    ticket = api.json("GET", f"Tickets/{created['itemId']}")["item"]
    assert ticket["title"] == "Test 20201116.01"
    assert list(ticket) == list(fixture_record("tickets_query_page", "items"))


@pytest.mark.parametrize(
    ("name", "header", "value"),
    [
        ("error_500_invalid_username", "UserName", "nobody@example.com"),
        ("error_500_invalid_integration_code", "ApiIntegrationCode", "NOT-A-CODE"),
    ],
)
def test_auth_errors_have_the_fixture_shape(
    api: Api, emulator: Emulator, name: str, header: str, value: str
) -> None:
    headers = {**emulator.auth_headers(), header: value}
    status, text = api.call("GET", "Tickets/29296", headers=headers)
    body = json.loads(text)
    assert status == 500
    assert list(body) == list(fixture(name)["response"]) == ["errors"]
    assert body["errors"] and all(isinstance(e, str) for e in body["errors"])
    assert body["errors"] == fixture(name)["response"]["errors"]
