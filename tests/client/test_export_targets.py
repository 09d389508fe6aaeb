"""export() to JSON Lines, CSV and SQLite equals query_all() of the same filter (real files)."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from autotask import AutotaskClient, F, InvalidRequest, PermissionDenied
from autotask.export import ExportProgress
from tests.client.conftest import connect
from tests.emulator_process import Emulator

SEEDED = 1500
TARGETS = ("jsonl", "csv", "sqlite")
Record = dict[str, Any]


def target_for(kind: str, folder: Path, name: str = "tickets") -> str:
    """A target of ``kind`` in ``folder``."""
    if kind == "sqlite":
        return f"sqlite:///{folder / (name + '.db')}"
    return str(folder / f"{name}.{kind}")


def columns_of(client: AutotaskClient, entity: str = "Tickets") -> list[str]:
    """The columns a flat export has: every field in metadata order, then ``udf:Name``."""
    e = client.entity(entity)
    names = [f["name"] for f in e.fields()]
    return ["id", *(n for n in names if n != "id"), *("udf:" + u["name"] for u in e.udfs())]


def _cell(record: Record, column: str) -> Any:
    if column.startswith("udf:"):
        items = record.get("userDefinedFields") or []
        return next((i["value"] for i in items if i["name"] == column[4:]), None)
    return record.get(column)


def as_csv(record: Record, columns: list[str]) -> list[str]:
    """How a record's cells read back from the CSV file."""
    out = []
    for column in columns:
        value = _cell(record, column)
        if value is None:
            out.append("")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        else:
            out.append(str(value))
    return out


def as_sql(record: Record, columns: list[str]) -> tuple[Any, ...]:
    """How a record's row reads back from the SQLite table."""
    return tuple(int(v) if isinstance(v, bool) else v for v in (_cell(record, c) for c in columns))


def read_target(kind: str, target: str, columns: list[str], table: str = "Tickets") -> list[Any]:
    """The target's content in the shape ``as_csv``/``as_sql``/records have, sorted by id."""
    if kind == "jsonl":
        with open(target, encoding="utf-8") as fh:
            return sorted((json.loads(line) for line in fh), key=lambda r: r["id"])
    if kind == "csv":
        with open(target, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == columns
        return sorted(rows[1:], key=lambda r: int(r[0]))
    db = sqlite3.connect(target.removeprefix("sqlite:///"))
    try:
        names = ", ".join(f'"{c}"' for c in columns)
        return list(db.execute(f'SELECT {names} FROM "{table}" ORDER BY id'))
    finally:
        db.close()


def expected_content(kind: str, records: list[Record], columns: list[str]) -> list[Any]:
    """What ``read_target`` must give for ``records``."""
    records = sorted(records, key=lambda r: r["id"])
    if kind == "jsonl":
        return records
    if kind == "csv":
        return [as_csv(r, columns) for r in records]
    return [as_sql(r, columns) for r in records]


@pytest.fixture
def seeded(emulator: Emulator) -> Emulator:
    emulator.seed("Tickets", SEEDED)
    return emulator


@pytest.mark.parametrize("kind", TARGETS)
def test_full_export_equals_query_all(
    kind: str, client: AutotaskClient, seeded: Emulator, tmp_path: Path
) -> None:
    condition = F("status") != 5
    target = target_for(kind, tmp_path)
    seen: list[ExportProgress] = []
    stats = client.tickets.export(
        target, condition, partitions=3, page_size=200, progress=seen.append
    )
    expected = client.tickets.query_all(condition)
    columns = columns_of(client)
    assert read_target(kind, target, columns) == expected_content(kind, expected, columns)
    assert stats.records == len(expected) > 1000
    assert stats.full and not stats.resumed and stats.watermark is None  # no since=: no watermark
    assert stats.pages == len(seen) >= -(-len(expected) // 200)
    assert seen[-1].records == stats.records and seen[-1].total == len(expected)
    assert stats.requests >= stats.pages + 1  # the pages and the plan's count
    assert seeded.stats()["thread_rejections"] == {}
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        Path(target.removeprefix("sqlite:///")).name
    ]  # no partial or checkpoint left beside it


def test_csv_round_trips_fields_udfs_and_labels(
    client: AutotaskClient, seeded: Emulator, tmp_path: Path
) -> None:
    udf_name = client.tickets.udfs()[1]["name"]  # a picklist UDF in the demo data
    fields = ["title", "status", "priority", f"udf:{udf_name}"]
    target = tmp_path / "t.csv"
    client.tickets.export(target, F("id") < 29400, fields=fields, labels=True)
    with open(target, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    records = client.tickets.query_all(
        F("id") < 29400, fields=["title", "status", "priority", udf_name]
    )
    status, priority = client.tickets.picklist("status"), client.tickets.picklist("priority")
    udf_labels = {v["value"]: v["label"] for v in client.tickets.udfs()[1]["picklistValues"]}
    assert list(rows[0]) == ["id", *fields]
    assert len(rows) == len(records) == 104
    for row, record in zip(rows, sorted(records, key=lambda r: r["id"]), strict=True):
        assert row["id"] == str(record["id"])
        assert row["title"] == record["title"]
        assert row["status"] == status[str(record["status"])]
        assert row["priority"] == priority[str(record["priority"])]
        value = _cell(record, f"udf:{udf_name}")
        assert row[f"udf:{udf_name}"] == ("" if value is None else udf_labels.get(value, value))
    assert any(row[f"udf:{udf_name}"] for row in rows)  # the demo data sets it on some


def test_sqlite_has_typed_columns_and_is_readable_by_the_shell(
    client: AutotaskClient, seeded: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "r.db"
    client.tickets.export(f"sqlite:///{path}", fields=["title", "priority", "dueDateTime"])
    client.companies.export(f"sqlite:///{path}")
    db = sqlite3.connect(path)
    types = {row[1]: row[2] for row in db.execute('PRAGMA table_info("Tickets")')}
    assert types == {"id": "INTEGER", "title": "TEXT", "priority": "INTEGER", "dueDateTime": "TEXT"}
    company_types = {row[1]: row[2] for row in db.execute('PRAGMA table_info("Companies")')}
    assert company_types["isActive"] == "INTEGER" and company_types["companyName"] == "TEXT"
    assert any(name.startswith("udf:") for name in company_types)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute('SELECT count(*) FROM "Companies"').fetchone() == (client.companies.count(),)
    db.close()
    shell = shutil.which("sqlite3")
    if shell is not None:  # the command-line shell reads it too, when installed
        out = subprocess.run(
            [shell, str(path), 'SELECT count(*) FROM "Tickets";'],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        assert out.stdout.strip() == str(client.tickets.count())


def test_bad_targets_and_arguments_write_nothing(
    client: AutotaskClient, seeded: Emulator, tmp_path: Path
) -> None:
    with pytest.raises(InvalidRequest, match=r"must end in \.jsonl"):
        client.tickets.export(tmp_path / "t.txt")
    with pytest.raises(InvalidRequest, match="does not exist"):
        client.tickets.export(tmp_path / "no" / "t.csv")
    with pytest.raises(InvalidRequest, match="unknown filter operator"):
        client.tickets.export(tmp_path / "t.csv", {"op": "ne", "field": "id", "value": 1})
    with pytest.raises(InvalidRequest, match="Roles has no last-modified field"):
        client.roles.export(tmp_path / "r.jsonl", since=tmp_path / "s.json")
    with pytest.raises(InvalidRequest, match="Tickets has no field 'nope'"):
        client.tickets.export(f"sqlite:///{tmp_path}/r.db", fields=["title", "nope"])
    with pytest.raises(InvalidRequest, match="Tickets has no user-defined field 'Nope'"):
        client.tickets.export(tmp_path / "t.jsonl", fields=["udf:Nope"])
    with pytest.raises(InvalidRequest, match="partitions must be a whole number"):
        client.tickets.export(f"sqlite:///{tmp_path}/r.db", partitions=0)
    with pytest.raises(InvalidRequest, match=r"page_size must be 1\.\.500"):
        client.tickets.export(tmp_path / "t.csv", page_size=501)
    assert list(tmp_path.iterdir()) == []
    # Names match case-insensitively, as Autotask matches them; columns take the API's spelling.
    client.tickets.export(tmp_path / "t.jsonl", F("id") == 29296, fields=["TITLE"])
    line = json.loads((tmp_path / "t.jsonl").read_text(encoding="utf-8"))
    assert line["title"] == client.tickets.get(29296)["title"]


@pytest.mark.parametrize("kind", TARGETS)
def test_a_failed_export_leaves_the_target_untouched_and_resumes(
    kind: str, seeded: Emulator, tmp_path: Path
) -> None:
    target = target_for(kind, tmp_path)
    columns: list[str] = []
    with connect(seeded, tmp_path / "cache", max_retries=0) as client:
        columns = columns_of(client)
        client.tickets.export(target, F("id") < 29300)  # an older export is in place
        before = read_target(kind, target, columns)

        def deny_after_some_pages(progress: ExportProgress) -> None:
            if progress.pages == 3:
                seeded.control("POST", "permissions", {"deny": ["Tickets"]})

        with pytest.raises(PermissionDenied):
            client.tickets.export(target, page_size=100, progress=deny_after_some_pages)
        assert read_target(kind, target, columns) == before  # all or nothing
        seeded.control("POST", "permissions", {"deny": []})
        stats = client.tickets.export(target, page_size=100)
        assert stats.resumed
        expected = client.tickets.query_all()
    assert read_target(kind, target, columns) == expected_content(kind, expected, columns)
    assert stats.records == len(expected)
