"""The demo data set and seed generator: deterministic, complete, valid against the tables."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from autotask.emulator.demo import seeding
from autotask.emulator.demo.records import demo_dataset
from autotask.emulator.model import schema
from autotask.emulator.model.schema import EntityDef, FieldDef

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")
# Set by the server from the URL or the clock, never by a caller (fact sheet §4.2).
SYSTEM_SET = {"id"}


def value_fits(f: FieldDef, value: Any) -> bool:
    """The Python type a wire-shape record holds for a field of this data type."""
    kind = f.data_type
    if kind in ("integer", "long", "short"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("decimal", "double"):
        return isinstance(value, float)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "datetime":
        return isinstance(value, str) and DATETIME.match(value) is not None
    return isinstance(value, str)


def problems(e: EntityDef, record: Mapping[str, Any], ids: Mapping[str, set[int]]) -> list[str]:
    """Everything wrong with one record, as readable strings (empty when valid)."""
    out: list[str] = []
    expected = [f.name for f in e.fields] + (["userDefinedFields"] if e.has_udfs else [])
    if list(record) != expected:
        out.append(f"keys {list(record)} != {expected}")
    for f in e.fields:
        value = record.get(f.name)
        if value is None:
            if f.required and f.name not in SYSTEM_SET and not f.read_only:
                out.append(f"{f.name} is required")
            continue
        if not value_fits(f, value):
            out.append(f"{f.name}={value!r} is not a {f.data_type}")
        if f.data_type == "string" and f.length and len(value) > f.length:
            out.append(f"{f.name} longer than {f.length}")
        if f.picklist is not None:
            entry = f.picklist_value(value)
            if entry is None:
                out.append(f"{f.name}={value!r} not in its picklist")
        target = schema.by_singular(f.reference) if f.reference else None
        if target is not None and value not in ids[target.name]:
            out.append(f"{f.name}={value} is no {target.name} id")
    if e.has_udfs:
        udfs = record["userDefinedFields"]
        if [u["name"] for u in udfs] != [u.name for u in e.udfs]:
            out.append("userDefinedFields does not list every UDF in order")
        for item in udfs:
            if set(item) != {"name", "value"}:
                out.append(f"UDF item keys {sorted(item)}")
            udf = e.udf(item["name"])
            value = item["value"]
            if value is not None and not isinstance(value, str):
                out.append(f"UDF {item['name']} value {value!r} is not a string")
            picks = udf.picklist if udf is not None else None
            if value is not None and picks is not None and value not in {p.value for p in picks}:
                out.append(f"UDF {item['name']}={value!r} not in its picklist")
    return out


@pytest.fixture(scope="module")
def dataset() -> dict[str, list[dict[str, Any]]]:
    return demo_dataset()


def all_ids(data: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, set[int]]:
    return {name: {r["id"] for r in records} for name, records in data.items()}


def test_demo_is_deterministic(dataset: dict[str, list[dict[str, Any]]]) -> None:
    again = demo_dataset()
    assert json.dumps(again, sort_keys=False) == json.dumps(dataset, sort_keys=False)
    again["Tickets"][0]["title"] = "changed"
    assert demo_dataset()["Tickets"][0]["title"] != "changed"  # fresh objects each call


def test_demo_covers_every_entity_with_a_few_hundred_records(
    dataset: dict[str, list[dict[str, Any]]],
) -> None:
    assert list(dataset) == [e.name for e in schema.entities()]
    assert 300 <= sum(map(len, dataset.values())) <= 1000
    for name in ("Companies", "Contacts", "Tickets", "TicketNotes", "Resources", "Projects"):
        assert len(dataset[name]) >= 8, name


def test_every_demo_record_is_valid(dataset: dict[str, list[dict[str, Any]]]) -> None:
    ids = all_ids(dataset)
    found = {}
    for name, records in dataset.items():
        e = schema.entity(name)
        assert e is not None
        for record in records:
            issues = problems(e, record, ids)
            if issues:
                found[f"{name}/{record['id']}"] = issues
    assert found == {}


def test_demo_ids_are_unique_per_entity(dataset: dict[str, list[dict[str, Any]]]) -> None:
    for name, records in dataset.items():
        assert len({r["id"] for r in records}) == len(records), name


def test_children_point_at_their_parents(dataset: dict[str, list[dict[str, Any]]]) -> None:
    ids = all_ids(dataset)
    for parent in schema.entities():
        for route in parent.children:
            for record in dataset[route.entity]:
                assert record[route.parent_field] in ids[parent.name], (route.entity, record["id"])
                for mirror in route.mirror_fields:
                    assert record[mirror] == record[route.parent_field]


def test_demo_exercises_udfs_text_and_collation(dataset: dict[str, list[dict[str, Any]]]) -> None:
    with_udf_values = [
        r for r in dataset["Companies"] if any(u["value"] for u in r["userDefinedFields"])
    ]
    assert len(with_udf_values) >= 3
    names = [c["companyName"] for c in dataset["Companies"]]
    assert any(not n.isascii() for n in names)
    assert any(n != n.rstrip() for n in names)  # trailing space: eq ignores it (§11)
    lowered = [n.lower() for n in names]
    assert any(a != b and a.startswith(b.lower()) for a in lowered for b in names)
    assert any(
        not t["title"].isascii() or t["title"] != t["title"].rstrip() for t in dataset["Tickets"]
    )
    assert any(c["isActive"] == 0 for c in dataset["Contacts"])  # integer boolean (fact 10)


def test_demo_attachments_carry_small_base64_and_match_attachment_info(
    dataset: dict[str, list[dict[str, Any]]],
) -> None:
    info = {r["id"]: r for r in dataset["AttachmentInfo"]}
    count = 0
    for e in schema.entities():
        if not e.attachment:
            continue
        for record in dataset[e.name]:
            count += 1
            raw = base64.b64decode(record["data"], validate=True)
            assert 0 < len(raw) < 1024
            assert record["fileSize"] == float(len(raw))
            assert info[record["id"]]["parentID"] == record["parentID"]
            assert info[record["id"]]["parentType"] == e.attachment_parent_type
    assert count == len(info) >= 5


@pytest.mark.parametrize("entity", [e.name for e in schema.entities()])
def test_generate_makes_valid_records_for_every_entity(
    entity: str, dataset: dict[str, list[dict[str, Any]]]
) -> None:
    refs = {name: sorted(ids) for name, ids in all_ids(dataset).items()}
    records = seeding.generate(entity, 50, 10_000_000, refs)
    e = schema.entity(entity)
    assert e is not None
    assert [r["id"] for r in records] == list(range(10_000_000, 10_000_050))
    ids = all_ids(dataset)
    for record in records:
        assert problems(e, record, ids) == []


def test_generate_is_deterministic_and_accepts_any_casing() -> None:
    refs = {"Resources": [7, 8, 9]}
    first = seeding.generate("companies", 20, 1, refs)
    assert first == seeding.generate("COMPANIES", 20, 1, refs)
    assert {r["ownerResourceID"] for r in first} <= {7, 8, 9}
    assert len({r["companyType"] for r in first}) > 1  # picklists cycle


def test_generate_leaves_references_without_ids_null() -> None:
    records = seeding.generate("Tickets", 3, 1, {})
    assert all(r["companyID"] is None for r in records)
    assert [r["title"] for r in records] == ["Ticket 1", "Ticket 2", "Ticket 3"]


def test_generate_rejects_unknown_entities_and_negative_counts() -> None:
    with pytest.raises(ValueError, match="unknown entity"):
        seeding.generate("NoSuchThings", 1, 1, {})
    with pytest.raises(ValueError):
        seeding.generate("Companies", -1, 1, {})
    assert seeding.generate("Companies", 0, 1, {}) == []


def test_timestamps_drop_trailing_zeros_like_the_api() -> None:
    from datetime import datetime, timezone

    utc = timezone.utc
    assert (
        seeding.timestamp(datetime(2023, 3, 17, 10, 32, 29, 520000, utc))
        == "2023-03-17T10:32:29.52Z"
    )
    assert seeding.timestamp(datetime(2023, 5, 4, 8, 53, 10, tzinfo=utc)) == "2023-05-04T08:53:10Z"
    assert seeding.timestamp(datetime(2019, 11, 25, 15, 47, 59, 167000, utc)) == (
        "2019-11-25T15:47:59.167Z"
    )
