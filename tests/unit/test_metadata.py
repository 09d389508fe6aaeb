"""Picklist lookups and the metadata cache (CONTRACTS §1), without sockets."""

from __future__ import annotations

import threading
import time

import pytest

from autotask import InvalidRequest
from autotask.core.metadata import MetadataCache, find_picklist, picklist_labels, picklist_value

VALUES = [
    {"value": "1", "label": "New", "isActive": True},
    {"value": "5", "label": "Complete", "isActive": True},
    {"value": "7", "label": "Waiting", "isActive": False},
    {"value": "8", "label": "Waiting", "isActive": True},
    {"value": "9", "label": "Dup", "isActive": True},
    {"value": "10", "label": "dup ", "isActive": True},
]


def test_labels_map_values_as_strings() -> None:
    assert picklist_labels([{"value": 1, "label": "New"}]) == {"1": "New"}


def test_label_lookup_is_case_insensitive_and_prefers_the_one_active_value() -> None:
    assert picklist_value(VALUES, " complete ", entity="Tickets", field="status") == "5"
    assert picklist_value(VALUES, "waiting", entity="Tickets", field="status") == "8"


def test_unknown_and_ambiguous_labels_raise_naming_the_field() -> None:
    with pytest.raises(InvalidRequest, match=r"is not a label of Tickets\.status") as info:
        picklist_value(VALUES, "Nope", entity="Tickets", field="status")
    assert "Complete" in str(info.value) and info.value.operation == "METADATA"
    with pytest.raises(InvalidRequest, match="is ambiguous"):
        picklist_value(VALUES, "DUP", entity="Tickets", field="status")


def test_find_picklist_asks_the_udfs_only_when_the_fields_lack_the_name() -> None:
    asked: list[str] = []

    def fields() -> list[dict[str, object]]:
        asked.append("fields")
        return [{"name": "status", "isPickList": True, "picklistValues": VALUES}]

    def udfs() -> list[dict[str, object]]:
        asked.append("udfs")
        return [{"name": "Tier", "isPickList": True, "picklistValues": [{"value": "a"}]}]

    assert find_picklist("Tickets", "STATUS", (fields, udfs)) == VALUES
    assert asked == ["fields"]
    assert find_picklist("Tickets", "tier", (fields, udfs)) == [{"value": "a"}]
    with pytest.raises(InvalidRequest, match="no field or UDF named 'x'"):
        find_picklist("Tickets", "x", (fields, udfs))


def test_the_cache_loads_each_key_once_under_threads() -> None:
    cache = MetadataCache()
    loads: list[int] = []
    barrier = threading.Barrier(8)

    def load() -> str:
        loads.append(1)
        time.sleep(0.05)  # hold the load so the other threads arrive while it runs
        return "fields"

    def work() -> None:
        barrier.wait()
        assert cache.get(("Tickets", "fields"), load) == "fields"

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert loads == [1]
    cache.clear()
    cache.get(("Tickets", "fields"), load)
    assert loads == [1, 1]
