"""The query language: operators, groups, field names, UDFs, IncludeFields, MaxRecords (§3)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.emulator.support import ALL, Api

OWNER = 29682885  # a demo Resource
FILTERS_NULL = ["Value cannot be null.\r\nParameter name: filters"]


def company(api: Api, name: str, **extra: Any) -> int:
    body = {
        "companyName": name,
        "companyType": 1,
        "ownerResourceID": OWNER,
        "phone": "1",
        "isActive": True,
    }
    return api.create("Companies", {**body, **extra})


@pytest.fixture
def names(api: Api) -> dict[str, int]:
    """Companies created for the test; queries are limited to them with ``id gte first``."""
    created = {
        "Alpha Beta": company(api, "Alpha Beta", city="Gent", fax="0"),
        "alpha beta  ": company(api, "alpha beta  ", city="gent"),
        "ALPHA gamma": company(api, "ALPHA gamma", city="Brussel"),
        "Delta": company(api, "Delta", companyType=2),
        "Épsilon": company(api, "Épsilon", city=None, isActive=False),
    }
    return created


def mine(names: dict[str, int], *conditions: Any) -> list[Any]:
    return [{"op": "gte", "field": "id", "value": min(names.values())}, *conditions]


def ids_of(names: dict[str, int], *keys: str) -> list[int]:
    return sorted(names[k] for k in keys)


def cond(op: str, field: str, value: Any = None) -> dict[str, Any]:
    found = {"op": op, "field": field}
    if value is not None:
        found["value"] = value
    return found


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cond("eq", "companyName", "alpha beta"), ["Alpha Beta", "alpha beta  "]),
        (cond("eq", "companyName", "ALPHA BETA   "), ["Alpha Beta", "alpha beta  "]),
        (cond("noteq", "companyName", "alpha beta"), ["ALPHA gamma", "Delta", "Épsilon"]),
        (cond("beginsWith", "companyName", "alpha"), ["Alpha Beta", "alpha beta  ", "ALPHA gamma"]),
        (cond("endsWith", "companyName", "GAMMA"), ["ALPHA gamma"]),
        (cond("contains", "companyName", "PHA B"), ["Alpha Beta", "alpha beta  "]),
        (cond("contains", "companyName", "psil"), ["Épsilon"]),
        (cond("eq", "companyName", "épsilon"), ["Épsilon"]),
        (cond("gt", "companyName", "delta"), ["Épsilon"]),
        (cond("gte", "companyName", "delta"), ["Delta", "Épsilon"]),
        (cond("lt", "companyName", "alpha c"), ["Alpha Beta", "alpha beta  "]),
        (cond("lte", "companyName", "ALPHA GAMMA"), ["Alpha Beta", "alpha beta  ", "ALPHA gamma"]),
        (cond("eq", "companyType", 2), ["Delta"]),
        (cond("eq", "companyType", "2"), ["Delta"]),
        (cond("noteq", "companyType", 1), ["Delta"]),
        (cond("exist", "fax"), ["Alpha Beta"]),
        (cond("notExist", "city"), ["Delta", "Épsilon"]),
        (cond("in", "city", ["GENT", "nowhere"]), ["Alpha Beta", "alpha beta  "]),
        (cond("notIn", "city", ["gent"]), ["ALPHA gamma"]),
        (cond("in", "companyType", [2, 3]), ["Delta"]),
        (
            cond("notIn", "companyType", [2]),
            ["Alpha Beta", "alpha beta  ", "ALPHA gamma", "Épsilon"],
        ),
        (cond("eq", "isActive", False), ["Épsilon"]),
        (cond("noteq", "isActive", False), ["Alpha Beta", "alpha beta  ", "ALPHA gamma", "Delta"]),
        (cond("eq", "COMPANYNAME", "delta"), ["Delta"]),
    ],
)
def test_operators(
    api: Api, names: dict[str, int], condition: dict[str, Any], expected: list[str]
) -> None:
    assert api.ids("Companies", mine(names, condition)) == ids_of(names, *expected)


def test_id_comparisons_use_numbers(api: Api, names: dict[str, int]) -> None:
    delta = names["Delta"]
    assert api.ids("Companies", mine(names, cond("gt", "id", delta))) == [names["Épsilon"]]
    assert api.ids("Companies", mine(names, cond("lt", "Id", delta))) == ids_of(
        names, "Alpha Beta", "alpha beta  ", "ALPHA gamma"
    )
    assert api.ids("Companies", [cond("in", "ID", [delta, 174])]) == [174, delta]


def test_nested_groups(api: Api, names: dict[str, int]) -> None:
    group = {
        "op": "or",
        "items": [
            cond("eq", "companyType", 2),
            {
                "op": "and",
                "items": [
                    cond("beginsWith", "companyName", "alpha"),
                    cond("eq", "city", "brussel"),
                ],
            },
        ],
    }
    assert api.ids("Companies", mine(names, group)) == ids_of(names, "Delta", "ALPHA gamma")
    nested_or = {"op": "OR", "items": [group, cond("eq", "companyName", "Épsilon")]}
    assert api.ids("Companies", mine(names, nested_or)) == ids_of(
        names, "Delta", "ALPHA gamma", "Épsilon"
    )


def test_top_level_conditions_are_anded(api: Api, names: dict[str, int]) -> None:
    found = api.ids(
        "Companies",
        mine(names, cond("beginsWith", "companyName", "alpha"), cond("eq", "city", "GENT")),
    )
    assert found == ids_of(names, "Alpha Beta", "alpha beta  ")


def test_unknown_operator_is_ignored(api: Api, names: dict[str, int]) -> None:
    found = api.ids("Companies", mine(names, cond("ne", "companyName", "Delta")))
    assert found == sorted(names.values())
    assert api.ids("Companies", mine(names, cond("noteExist", "fax"))) == sorted(names.values())


def test_empty_filter_matches_nothing(api: Api) -> None:
    reply = api.query("Companies", [])
    assert reply.status == 200
    assert reply.json == {
        "items": [],
        "pageDetails": {"count": 0, "requestCount": 500, "prevPageUrl": None, "nextPageUrl": None},
    }


@pytest.mark.parametrize(
    "body", [{"MaxRecords": 10}, {"filter": None}, {"filter": {"op": "eq"}}, {}]
)
def test_missing_filter_is_500(api: Api, body: dict[str, Any]) -> None:
    reply = api.post("Companies/query", body)
    assert reply.status == 500
    assert reply.errors == FILTERS_NULL
    assert api.post("Companies/query/count", body).errors == FILTERS_NULL


def test_no_body_is_500(api: Api) -> None:
    reply = api.post("Companies/query")
    assert reply.status == 500
    assert reply.errors == FILTERS_NULL


def test_unknown_field_is_500_with_singular_entity_name(api: Api) -> None:
    reply = api.query("Companies", [cond("eq", "nope", 1)])
    assert reply.status == 500
    assert reply.errors == ["Unable to find nope in the Company Entity"]
    tickets = api.query("Tickets", [cond("eq", "companyName", "x")])
    assert tickets.errors == ["Unable to find companyName in the Ticket Entity"]


def test_non_queryable_field_is_500(api: Api) -> None:
    reply = api.query("Tickets", [cond("eq", "creatorType", 1)])
    assert reply.status == 500
    assert "creatorType" in reply.errors[0]


def test_unknown_operator_rejected_with_strict_operators_quirk(api: Api) -> None:
    # The default ignores it (above); the strict switch is wired through options.Quirks and a
    # flag arrives with the quirk switches. Here: an unknown op inside a group is ignored too.
    group = {"op": "and", "items": [cond("bogus", "companyName", "x"), cond("eq", "id", 174)]}
    assert api.ids("Companies", [group]) == [174]


@pytest.mark.parametrize("value", ["yes", 1, None, "1"])
def test_booleans_must_be_booleans(api: Api, value: Any) -> None:
    # JSON true/false, or "true"/"false" as strings (test_lenient_values.py); nothing else.
    reply = api.query("Companies", [{"op": "eq", "field": "isActive", "value": value}])
    assert reply.status == 500
    assert reply.errors


def test_bad_values_for_typed_fields_are_500(api: Api) -> None:
    assert api.query("Companies", [cond("eq", "companyType", "abc")]).status == 500
    assert api.query("Companies", [cond("eq", "companyType", 1.5)]).status == 500
    assert api.query("Companies", [cond("gt", "createDate", "yesterday")]).status == 500


@pytest.mark.parametrize(
    "moment",
    [
        "2031-05-06",
        "2031-05-06T00:00:00",
        "2031-05-06T00:00:00Z",
        "2031-05-06T00:00:00.000Z",
        "2031-05-06T02:00:00+02:00",
        "2031-05-06T00:00:00.0000000",
    ],
)
def test_datetimes_accepted_in_every_form(api: Api, moment: str) -> None:
    new_id = api.create(
        "HolidaySets/1/Holidays", {"holidayName": "Future", "holidayDate": "2031-05-06T00:00:00Z"}
    )
    assert api.ids("Holidays", [cond("eq", "holidayDate", moment)]) == [new_id]
    assert new_id in api.ids("Holidays", [cond("gte", "holidayDate", moment)])
    assert new_id not in api.ids("Holidays", [cond("lt", "holidayDate", moment)])


def test_udf_condition(api: Api) -> None:
    udf = {"op": "eq", "field": "nav id", "value": "c05252", "udf": True}
    assert api.ids("Companies", [udf]) == [174]
    number = {"op": "gt", "field": "Service Price", "value": 20, "udf": True}
    assert 174 in api.ids("Companies", [number])
    below = {"op": "lt", "field": "Service Price", "value": 20, "udf": True}
    assert 174 not in api.ids("Companies", [below])
    exists = {"op": "exist", "field": "NAV ID", "udf": True}
    assert 174 in api.ids("Companies", [exists])


def test_only_one_udf_condition(api: Api) -> None:
    first = {"op": "eq", "field": "NAV ID", "value": "C05252", "udf": True}
    second = {"op": "eq", "field": "Language", "value": "FRA", "udf": True}
    reply = api.query("Companies", [first, second])
    assert reply.status == 500
    assert reply.errors


def test_unknown_udf_is_500(api: Api) -> None:
    reply = api.query("Companies", [{"op": "eq", "field": "No Such", "value": "x", "udf": True}])
    assert reply.status == 500
    assert reply.errors == ["Unable to find No Such in the Company Entity"]


def test_include_fields_returns_exactly_the_named_fields_in_entity_order(api: Api) -> None:
    reply = api.query(
        "Companies", [cond("eq", "id", 174)], includeFields=["state", "Id", "CompanyName", "city"]
    )
    assert reply.status == 200
    item = reply.json["items"][0]
    assert list(item) == ["id", "city", "companyName", "state", "userDefinedFields"]
    assert item["userDefinedFields"] == []


def test_include_fields_without_id_leaves_it_out(api: Api) -> None:
    item = api.query("Companies", [cond("eq", "id", 174)], IncludeFields=["companyName"]).json[
        "items"
    ][0]
    assert list(item) == ["companyName", "userDefinedFields"]


def test_include_fields_with_udfs(api: Api) -> None:
    reply = api.query(
        "Companies", [cond("eq", "id", 174)], IncludeFields=["id", "nav id", "Language"]
    )
    item = reply.json["items"][0]
    assert item == {
        "id": 174,
        "userDefinedFields": [
            {"name": "Language", "value": "FRA"},
            {"name": "NAV ID", "value": "C05252"},
        ],
    }


def test_include_fields_on_an_entity_without_udfs_has_no_udf_key(api: Api) -> None:
    item = api.query("Resources", ALL, IncludeFields=["id"], MaxRecords=1).json["items"][0]
    assert item == {"id": 29682885}


@pytest.mark.parametrize("field", ["nope", "userDefinedFields"])
def test_include_fields_unknown_is_500(api: Api, field: str) -> None:
    reply = api.query("Companies", ALL, IncludeFields=["id", field])
    assert reply.status == 500
    assert reply.errors == [f"Unable to find {field} in the Company Entity"]


@pytest.mark.parametrize("max_records", [0, 501, -1, "x", 2.5])
def test_max_records_outside_1_to_500_is_500(api: Api, max_records: Any) -> None:
    reply = api.query("Companies", ALL, MaxRecords=max_records)
    assert reply.status == 500
    assert reply.errors


def test_max_records_sets_the_page_size(api: Api) -> None:
    page = api.query("Companies", ALL, maxRecords=3).json
    assert page["pageDetails"]["count"] == 3
    assert page["pageDetails"]["requestCount"] == 3
    assert len(page["items"]) == 3
    assert page["pageDetails"]["nextPageUrl"]


def test_body_keys_are_case_insensitive(api: Api) -> None:
    body = {
        "Filter": [{"Op": "eq", "Field": "id", "Value": 174}],
        "INCLUDEFIELDS": ["id"],
        "maxrecords": 5,
    }
    reply = api.post("Companies/query", body)
    assert reply.status == 200
    assert reply.json["items"] == [{"id": 174, "userDefinedFields": []}]
    assert reply.json["pageDetails"]["requestCount"] == 5


def test_results_are_in_id_order(api: Api) -> None:
    ids = [item["id"] for item in api.query("Contacts").json["items"]]
    assert ids == sorted(ids)
    assert len(ids) > 10


def test_get_query_with_search(api: Api) -> None:
    reply = api.get_query("Companies", {"filter": [cond("eq", "companyName", "acme exemplar")]})
    assert reply.status == 200
    assert [i["id"] for i in reply.json["items"]] == [174]
    assert api.get("Companies/query").errors == FILTERS_NULL
    assert api.get("Companies/query?search=%7Bnot-json").status == 500


def test_count(api: Api, names: dict[str, int]) -> None:
    reply = api.post(
        "Companies/query/count", {"filter": mine(names, cond("beginsWith", "companyName", "alpha"))}
    )
    assert reply.status == 200
    assert reply.json == {"queryCount": 3}
    search = {"filter": mine(names)}
    by_get = api.get("Companies/query/count?search=" + quote(json.dumps(search)))
    assert by_get.json == {"queryCount": 5}
    assert api.post("Companies/query/count", {"filter": []}).json == {"queryCount": 0}


def test_attachment_queries_never_return_data(api: Api) -> None:
    items = api.query("TicketAttachments", [{"op": "gt", "field": "ticketID", "value": 0}]).json[
        "items"
    ]
    assert items
    assert all(item["data"] is None for item in items)
