"""What live Autotask accepts from real clients (issue 15), on both settings of each switch.

A widely deployed sync client sends these to live tenants: a boolean condition whose false
value was dropped, "true" as a string on boolean-like fields, and GET searches with an empty
filter. The defaults accept them (assumed meanings); the switches restore the strict answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.emulator.support import ALL, Api
from tests.emulator_process import Emulator, running_emulator

STRICT = (
    "--filter-values", "strict",
    "--condition-without-value", "null",
    "--get-empty-filter", "none",
)  # fmt: skip


@pytest.fixture(scope="module")
def strict_session() -> Iterator[Emulator]:
    with running_emulator(*STRICT) as emulator:
        yield emulator


@pytest.fixture
def strict(strict_session: Emulator) -> Api:
    strict_session.reset()
    return Api(strict_session)


def _active(api: Api, entity: str, value: Any) -> set[int]:
    condition = [{"op": "eq", "field": "isActive", "value": value}]
    return set(api.ids(entity, condition, IncludeFields=["id"]))


def test_a_boolean_condition_without_value_means_false(api: Api, strict: Api) -> None:
    # {"op": "or", "items": [isActive eq true, isActive eq <dropped false>]}: every resource.
    both = {
        "op": "or",
        "items": [
            {"op": "eq", "field": "isActive", "value": True},
            {"op": "eq", "field": "isActive"},
        ],
    }
    every = set(api.ids("Resources", ALL))
    inactive = _active(api, "Resources", False)
    assert inactive and inactive != every
    assert set(api.ids("Resources", [both])) == every
    assert set(api.ids("Resources", [{"op": "eq", "field": "isActive"}])) == inactive
    # An explicit null stays an error (fact sheet §3.2 "null errors"), default or not.
    explicit = api.query("Resources", [{"op": "eq", "field": "isActive", "value": None}])
    assert (explicit.status, explicit.errors) == (500, ["Invalid value null for field isActive."])
    refused = strict.query("Resources", [both])
    assert (refused.status, refused.errors) == (500, ["Invalid value null for field isActive."])


def test_string_booleans_on_boolean_like_fields(api: Api, strict: Api) -> None:
    # Contacts.isActive is an integer 0/1 (fixture fact 10); Resources.isActive a boolean.
    active_contacts = _active(api, "Contacts", 1)
    assert active_contacts and _active(api, "Contacts", "true") == active_contacts
    assert _active(api, "Contacts", True) == active_contacts
    assert _active(api, "Contacts", " FALSE ") == _active(api, "Contacts", 0)
    assert _active(api, "Resources", "true") == _active(api, "Resources", True)
    assert _active(api, "Resources", "False") == _active(api, "Resources", False)
    numeric = api.query("Companies", [{"op": "eq", "field": "isActive", "value": "1"}])
    assert numeric.status == 500  # on a boolean field only "true"/"false"
    for entity in ("Contacts", "Resources"):
        refused = strict.query(entity, [{"op": "eq", "field": "isActive", "value": "true"}])
        assert refused.status == 500
        assert refused.errors == ['Invalid value "true" for field isActive.']
    # Numeric strings on numeric fields are read as numbers either way.
    for client in (api, strict):
        assert client.ids("Companies", [{"op": "eq", "field": "id", "value": "174"}]) == [174]


def test_an_empty_filter_in_a_get_search_lists_every_row(api: Api, strict: Api) -> None:
    roles = set(api.ids("Roles", ALL))
    assert len(roles) == 6
    listed = api.get_query("Roles", {"filter": []})
    assert listed.status == 200
    assert {r["id"] for r in listed.json["items"]} == roles
    count = api.get("Roles/query/count?search=%7B%22filter%22%3A%5B%5D%7D")
    assert count.json == {"queryCount": 6}
    # POST keeps the fact sheet's observation (§11.4): no rows.
    assert api.query("Roles", []).json["items"] == []
    assert api.post("Roles/query/count", {"filter": []}).json == {"queryCount": 0}
    # Paged: the next link of a GET search with an empty filter goes on listing every row.
    page = api.get_query("Roles", {"filter": [], "MaxRecords": 4}).json
    following = api.get(page["pageDetails"]["nextPageUrl"], absolute=True).json
    assert len(page["items"]) + len(following["items"]) == 6
    assert strict.get_query("Roles", {"filter": []}).json["items"] == []


def test_task_categories_and_person_types_are_picklists(api: Api) -> None:
    # Tasks.taskCategoryID is served as a picklist live (2 = Standard, tasks_query_page.json);
    # creatorType/lastActivityPersonType are picklists in the real Ticket metadata, and so
    # are the same-named fields elsewhere.
    fields = {f["name"]: f for f in api.get("Tasks/entityInformation/fields").json["fields"]}
    category = fields["taskCategoryID"]
    assert category["isPickList"] is True
    assert [(p["value"], p["label"]) for p in category["picklistValues"]] == [("2", "Standard")]
    for name in ("creatorType", "lastActivityPersonType", "completedByType"):
        values = [(p["value"], p["label"]) for p in fields[name]["picklistValues"]]
        assert values == [("1", "Resource"), ("2", "Contact")], name
    for entity in ("Projects", "ConfigurationItems"):
        listed = api.get(f"{entity}/entityInformation/fields").json["fields"]
        person = next(f for f in listed if f["name"] == "lastActivityPersonType")
        assert person["isPickList"] is True, entity
    items = api.get("ConfigurationItems/entityInformation/fields").json["fields"]
    ci_category = next(f for f in items if f["name"] == "configurationItemCategoryID")
    assert ci_category["referenceEntityType"] == "ConfigurationItemCategory"
    # The picklist is enforced on writes like every other.
    project = api.ids("Projects", MaxRecords=1)[0]
    task = {"title": "Categorised", "status": 1, "taskType": 1, "taskCategoryID": 9}
    refused = api.post(f"Projects/{project}/Tasks", task)
    assert refused.status == 500
    assert "Picklist value [9] does not exist for taskCategoryID" in refused.errors
    new_id = api.create(f"Projects/{project}/Tasks", {**task, "taskCategoryID": 2})
    assert api.item("Tasks", new_id)["taskCategoryID"] == 2
