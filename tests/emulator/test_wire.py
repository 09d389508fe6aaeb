"""Wire formats: decimal scale, datetimes, UTF-8, key order (fixtures README facts 5-7)."""

from __future__ import annotations

import json
import re

from tests.emulator.support import QUEUE, Api


def _raw_value(text: str, key: str) -> str:
    match = re.search(rf'"{key}":([^,}}]+)', text)
    assert match, f"{key} not in {text[:200]}"
    return match.group(1)


def test_decimals_keep_the_field_scale(api: Api) -> None:
    body = {"title": "d", "companyID": 174, "status": 1, "priority": 2, "queueID": QUEUE}
    body["estimatedHours"] = 3.5
    new_id = api.create("Tickets", body)
    text = api.get(f"Tickets/{new_id}").text
    assert _raw_value(text, "estimatedHours") == "3.5000"
    whole = api.create("Tickets", {**body, "estimatedHours": 2})
    assert _raw_value(api.get(f"Tickets/{whole}").text, "estimatedHours") == "2.0000"


def test_decimal_fields_are_never_int_literals(api: Api) -> None:
    text = api.query("Tickets", MaxRecords=50).text
    for literal in re.findall(r'"estimatedHours":([^,}]+)', text):
        assert literal == "null" or "." in literal


def test_datetimes_drop_trailing_fraction_zeros(api: Api) -> None:
    body = {"title": "t", "companyID": 174, "status": 1, "priority": 2, "queueID": QUEUE}
    for sent, shown in (
        ("2030-01-02T03:04:05.120Z", "2030-01-02T03:04:05.12Z"),
        ("2030-01-02T03:04:05.000", "2030-01-02T03:04:05Z"),
        ("2030-01-02T03:04:05.5", "2030-01-02T03:04:05.5Z"),
        ("2030-01-02T03:04:05.1234567Z", "2030-01-02T03:04:05.123Z"),
    ):
        new_id = api.create("Tickets", {**body, "dueDateTime": sent})
        assert api.item("Tickets", new_id)["dueDateTime"] == shown


def test_every_datetime_is_utc_with_z(api: Api) -> None:
    text = api.query("Tickets", MaxRecords=20).text
    stamps = re.findall(r'"\w+(?:Date|DateTime)":"([^"]+)"', text)
    assert stamps
    pattern = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z")
    for stamp in stamps:
        assert pattern.fullmatch(stamp), stamp
        assert not re.search(r"\.\d*0Z$", stamp), stamp


def test_non_ascii_text_is_utf8(api: Api) -> None:
    reply = api.query("Companies", [{"op": "eq", "field": "id", "value": 176}])
    assert reply.headers["Content-Type"].startswith("application/json")
    assert "Société Générale de Café" in reply.text
    assert reply.json["items"][0]["companyName"] == "Société Générale de Café"


def test_records_list_every_field_in_entity_order(api: Api) -> None:
    fields = [f["name"] for f in api.get("Tickets/entityInformation/fields").json["fields"]]
    item = api.item("Tickets", 29296)
    keys = [k for k in item if k != "userDefinedFields"]
    assert sorted(keys) == sorted(fields)
    assert next(iter(item)) == "id"
    assert list(item)[-1] == "userDefinedFields"


def test_envelopes(api: Api) -> None:
    assert set(api.get("Tickets/29296").json) == {"item"}
    assert set(api.query("Tickets", MaxRecords=1).json) == {"items", "pageDetails"}
    assert set(api.post("Tickets/query/count", {"filter": []}).json) == {"queryCount"}
    body = json.loads(api.query("Tickets", [{"op": "eq", "field": "x", "value": 1}]).text)
    assert set(body) == {"errors"} and isinstance(body["errors"][0], str)
