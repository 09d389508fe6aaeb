"""Watermarks, state files, spans, targets and columns of the export package (no sockets)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from autotask import InvalidRequest
from autotask.export.columns import Column, Columns
from autotask.export.parallel import Span
from autotask.export.state import (
    EntityState,
    Tracker,
    choose_modified_fields,
    load_state,
    modified_filter,
    record_stamp,
    save_state,
)
from autotask.export.writers import parse_target

UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _ticket(record_id: int, stamp: str | None) -> dict[str, object]:
    return {"id": record_id, "lastActivityDate": stamp}


def test_a_record_with_the_watermarks_timestamp_that_comes_late_is_delivered() -> None:
    first = Tracker(("lastActivityDate",), START, overlap=0)
    assert first.accept(_ticket(1, "2025-06-01T10:00:00.5Z"))
    assert first.accept(_ticket(2, "2025-06-01T09:00:00Z"))
    assert first.watermark() == "2025-06-01T10:00:00.500000+00:00"
    # The next run starts exactly at the newest stamp (gte) and skips what was delivered.
    assert first.lower() == dt.datetime(2025, 6, 1, 10, 0, 0, 500000, tzinfo=UTC)
    assert first.seen() == ((1, "2025-06-01T10:00:00.500000+00:00"),)
    second = Tracker(
        ("lastActivityDate",), START, overlap=0, skip=frozenset(first.seen()), newest=first.newest
    )
    assert not second.accept(_ticket(1, "2025-06-01T10:00:00.50Z"))  # same stamp, other spelling
    assert second.accept(_ticket(3, "2025-06-01T10:00:00.5Z"))  # same stamp, not seen: kept
    assert second.accept(_ticket(1, "2025-06-01T10:00:01Z"))  # changed again: delivered again


def test_the_next_lower_bound_never_passes_the_runs_start_and_reaches_back_by_the_overlap() -> None:
    tracker = Tracker(("lastActivityDate",), START, overlap=300)
    assert tracker.lower() == START - dt.timedelta(seconds=300)  # nothing seen: the start
    tracker.accept(_ticket(1, "2026-01-01T13:00:00Z"))  # the server's clock runs ahead
    assert tracker.lower() == START - dt.timedelta(seconds=300)
    old = Tracker(("lastActivityDate",), START, overlap=300)
    old.accept(_ticket(1, "2020-01-01T00:00:00Z"))  # nothing changed for years
    assert old.lower() == dt.datetime(2019, 12, 31, 23, 55, tzinfo=UTC)


def test_seen_keeps_only_pairs_inside_the_window_and_survives_a_checkpoint() -> None:
    tracker = Tracker(("lastActivityDate", "lastModifiedDate"), START, overlap=60)
    for n in range(3000):  # past the pruning threshold
        tracker.accept({"id": n, "lastActivityDate": f"2025-01-01T00:{n // 60 % 60:02d}:00Z"})
    tracker.accept({"id": 9, "lastModifiedDate": "2025-01-01T01:00:00Z", "lastActivityDate": None})
    kept = dict(tracker.seen())
    assert kept[9] == "2025-01-01T01:00:00.000000+00:00"
    assert all(stamp >= "2025-01-01T00:59:00" for stamp in kept.values())
    copy = Tracker(tracker.fields, START, overlap=60)
    copy.restore(json.loads(json.dumps(tracker.to_json())))
    assert copy.seen() == tracker.seen()
    assert copy.watermark() == tracker.watermark()


def test_record_stamp_takes_the_newest_field_and_ignores_empty_ones() -> None:
    fields = ("lastActivityDate", "lastTrackedModificationDateTime")
    record = {"lastActivityDate": "2022-12-07T09:15:52.407Z", "lastTrackedModificationDateTime": ""}
    assert record_stamp(record, fields) == dt.datetime(2022, 12, 7, 9, 15, 52, 407000, tzinfo=UTC)
    assert record_stamp({"lastActivityDate": None}, fields) is None


def test_modified_fields_come_from_the_metadata_or_the_caller() -> None:
    meta = [
        {"name": "id", "dataType": "long"},
        {"name": "lastActivityDate", "dataType": "datetime"},
        {"name": "lastTrackedModificationDateTime", "dataType": "datetime"},
        {"name": "createDate", "dataType": "datetime"},
        {"name": "title", "dataType": "string"},
    ]
    assert choose_modified_fields("Tickets", meta, None) == (
        "lastActivityDate",
        "lastTrackedModificationDateTime",
    )
    assert choose_modified_fields("Tickets", meta, "createDate") == ("createDate",)
    with pytest.raises(InvalidRequest, match=r"Tickets has no datetime field 'title'"):
        choose_modified_fields("Tickets", meta, "title")
    with pytest.raises(InvalidRequest, match="Roles has no last-modified field"):
        choose_modified_fields("Roles", [{"name": "id", "dataType": "long"}], None)


def test_modified_filter_ors_several_fields() -> None:
    single = modified_filter(("lastModifiedDate",), START)
    assert single.to_json() == {
        "op": "gte",
        "field": "lastModifiedDate",
        "value": "2026-01-01T12:00:00Z",
    }
    both = modified_filter(("a", "b"), START).to_json()
    assert both["op"] == "or"
    assert [item["field"] for item in both["items"]] == ["a", "b"]


def test_state_file_round_trip_keeps_other_entities_and_names_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    assert load_state(path, "Tickets") is None
    state = EntityState("f1", ("lastActivityDate",), "w", "2026-01-01T00:00:00+00:00", ((5, "s"),))
    save_state(path, "Tickets", state)
    save_state(path, "Companies", EntityState("f2", ("x",), None, "2026-01-01T00:00:00+00:00"))
    assert load_state(path, "Tickets") == state
    assert load_state(path, "Companies") is not None
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidRequest, match=r"state file .*state.json is not an export state"):
        load_state(path, "Tickets")
    path.write_text('{"version": 1, "entities": {"Tickets": {"lower": 5}}}', encoding="utf-8")
    with pytest.raises(InvalidRequest, match="the entry for Tickets is malformed"):
        load_state(path, "Tickets")


def test_spans_bound_queries_and_round_trip() -> None:
    assert Span().terms() == ()
    assert [c.to_json() for c in Span(10, 20).terms()] == [
        {"op": "gt", "field": "id", "value": 10},
        {"op": "lt", "field": "id", "value": 20},
    ]
    assert Span.from_json(Span(None, 7).to_json()) == Span(None, 7)
    with pytest.raises(ValueError, match="not a span"):
        Span.from_json(["1", None])


def test_targets_are_recognised_by_suffix_or_scheme(tmp_path: Path) -> None:
    assert parse_target(tmp_path / "a.jsonl") == ("jsonl", tmp_path / "a.jsonl")
    assert parse_target(str(tmp_path / "a.CSV"))[0] == "csv"
    assert parse_target(f"sqlite:///{tmp_path}/r.db") == ("sqlite", tmp_path / "r.db")
    with pytest.raises(InvalidRequest, match=r"'x\.txt'.* must end in \.jsonl"):
        parse_target("x.txt")
    with pytest.raises(InvalidRequest, match=r"folder .*missing does not exist"):
        parse_target(tmp_path / "missing" / "a.csv")
    with pytest.raises(InvalidRequest, match="unknown export target 'postgres://h/db'"):
        parse_target("postgres://h/db")


def test_columns_flatten_udfs_labels_and_types() -> None:
    columns = Columns(
        (
            Column("id", "id", data_type="long"),
            Column("status", "status", data_type="integer", labels={"1": "New"}),
            Column("isActive", "isActive", data_type="boolean"),
            Column("udf:Code", "Code", is_udf=True),
        ),
        None,
    )
    record = {
        "id": 3,
        "status": 1,
        "isActive": True,
        "userDefinedFields": [{"name": "Code", "value": "C1"}],
    }
    assert columns.csv_row(record) == ["3", "New", "true", "C1"]
    assert columns.sql_row({**record, "status": 9}) == [3, 9, 1, "C1"]
    assert [c.sql_type for c in columns.columns] == [
        "INTEGER PRIMARY KEY",
        "TEXT",
        "INTEGER",
        "TEXT",
    ]
    labelled = columns.label(record)
    assert labelled["status"] == "New"
    assert record["status"] == 1  # the input is not changed
