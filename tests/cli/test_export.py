"""``autotask export`` and ``autotask sync`` in-process against the real emulator: every target,
conditions, --fields/--labels, incremental runs, the figures printed, and bad inputs that write
nothing."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from autotask import F
from autotask.client import AutotaskClient
from tests.cli.conftest import Cli
from tests.emulator_process import Emulator


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_export_to_json_lines_equals_query_all(
    cli: Cli, emulator: Emulator, lib: AutotaskClient, tmp_path: Path
) -> None:
    emulator.seed("Tickets", 1200)
    target = tmp_path / "tickets.jsonl"
    run = cli("export", "Tickets", "--to", str(target), "--partitions", "3")
    assert run.code == 0, run.err
    expected = sorted(lib.tickets.query_all(), key=lambda r: int(r["id"]))
    assert sorted(_jsonl(target), key=lambda r: int(r["id"])) == expected  # type: ignore[arg-type]
    [stats] = run.jsonl()
    assert stats["entity"] == "Tickets" and stats["records"] == len(expected) > 1200
    assert stats["full"] is True and stats["resumed"] is False and stats["pages"] >= 3
    assert stats["target"] == str(target)
    assert run.err == ""  # no bar without a terminal, no notes


def test_export_with_conditions_fields_labels_to_csv(
    cli: Cli, lib: AutotaskClient, tmp_path: Path
) -> None:
    target = tmp_path / "open.csv"
    run = cli(
        "export",
        "Tickets",
        "status=New",
        "priority<=2",
        "--to",
        str(target),
        "--fields",
        "title,status,udf:FR Result",
        "--labels",
        "-o",
        "summary",
    )
    assert run.code == 0, run.err
    with target.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = lib.tickets.query_all((F("status") == 1) & (F("priority") <= 2))
    assert sorted(int(r["id"]) for r in rows) == sorted(int(t["id"]) for t in expected)
    assert list(rows[0]) == ["id", "title", "status", "udf:FR Result"]
    assert {r["status"] for r in rows} == {"New"}
    [line] = run.lines
    assert line.startswith(f"Tickets: {len(expected)} records (full) in 1 page, ")
    assert line.endswith(f" s -> {target}")


def test_export_to_sqlite_incrementally(
    cli: Cli, emulator: Emulator, lib: AutotaskClient, tmp_path: Path
) -> None:
    database = tmp_path / "reports.db"
    state = tmp_path / "state.json"
    first = cli("export", "Tickets", "--to", f"sqlite:///{database}", "--since", str(state))
    assert first.code == 0, first.err
    assert first.jsonl()[0]["full"] is True and state.is_file()
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from Tickets").fetchone()[0] == lib.tickets.count()
    emulator.control(
        "POST", "records", {"entity": "Tickets", "id": 29296, "set": {"title": "changed"}}
    )
    second = cli("export", "Tickets", "--to", f"sqlite:///{database}", "--since", str(state))
    [stats] = second.jsonl()
    assert stats["full"] is False and stats["records"] == 1 and stats["watermark"]
    with sqlite3.connect(database) as db:
        title = db.execute("select title from Tickets where id = 29296").fetchone()[0]
    assert title == "changed"
    third = cli("export", "Tickets", "--to", f"sqlite:///{database}", "--since", str(state))
    assert third.jsonl()[0]["records"] == 0


def test_export_progress_bar_on_a_terminal(cli: Cli, emulator: Emulator, tmp_path: Path) -> None:
    emulator.seed("Companies", 1200)
    target = tmp_path / "c.jsonl"
    run = cli("export", "Companies", "--to", str(target), tty=True, env={"NO_COLOR": "1"})
    assert run.code == 0, run.err
    total = len(target.read_text().splitlines())
    assert "\rCompanies export" in run.err and f"{total}/{total}" in run.err
    assert run.err.endswith("\r\x1b[K")  # the bar is wiped at the end
    assert run.lines[0].split()[:2] == ["entity", "Companies"]  # the figures as a table
    quiet = cli("export", "Companies", "--to", str(target), "-q", tty=True)
    assert quiet.err == ""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Tickets", "--to", "{tmp}/t.txt"], "the name must end in .jsonl, .ndjson or .csv"),
        (["Tickets", "--to", "{tmp}/no/t.jsonl"], "folder {tmp}/no does not exist"),
        (
            ["Tickets", "--to", "{tmp}/t.jsonl", "--fields", "id,nope"],
            "Tickets has no field 'nope'",
        ),
        (["Tickets", "priority", "--to", "{tmp}/t.jsonl"], "bad condition 'priority'"),
        (["Tickets", "status=Nope", "--to", "{tmp}/t.jsonl"], "'Nope' is not a label"),
        (["Tickets/29296/Notes", "--to", "{tmp}/n.jsonl"], "not a child collection"),
        (["Tikets", "--to", "{tmp}/t.jsonl"], "unknown entity 'Tikets'"),
        (["Tickets", "--to", "{tmp}/t.jsonl", "--since", "{tmp}/bad.json"], "bad.json"),
        (["Tickets", "--to", "{tmp}/t.jsonl", "--since", "{tmp}/no/s.json"], "folder {tmp}/no"),
        (["Tickets", "--to", "{tmp}/t.jsonl", "--since", "{tmp}"], "a folder, not a state file"),
        (["Tickets", "--to", "{tmp}/t.jsonl", "--partitions", "0"], "'0' must be 1 or more"),
        (["Tickets"], "the following arguments are required: --to"),
    ],
)
def test_export_bad_input_is_exit_2_and_writes_nothing(
    cli: Cli, tmp_path: Path, argv: list[str], message: str
) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    run = cli("export", *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert run.code == 2, run.err
    [line] = run.err_lines
    assert message.replace("{tmp}", str(tmp_path)) in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]


# -- sync -------------------------------------------------------------------------------------


def test_sync_brings_one_database_up_to_date(
    cli: Cli, emulator: Emulator, lib: AutotaskClient, tmp_path: Path
) -> None:
    database = tmp_path / "reports.db"
    target = f"sqlite:///{database}"
    first = cli("sync", "--to", target, "Tickets", "Companies,Contacts", "Countries")
    assert first.code == 0, first.err
    rows = first.jsonl()
    assert [r["entity"] for r in rows] == ["Tickets", "Companies", "Contacts", "Countries"]
    assert all(r["full"] for r in rows)
    state = Path(f"{database}.state.json")
    assert set(json.loads(state.read_text())["entities"]) == {"Tickets", "Companies", "Contacts"}
    with sqlite3.connect(database) as db:
        for name, entity in (("Tickets", lib.tickets), ("Contacts", lib.contacts)):
            assert db.execute(f"select count(*) from {name}").fetchone()[0] == entity.count()
    emulator.control("POST", "records", {"entity": "Companies", "id": 174, "set": {"phone": "1"}})
    second = cli(
        "sync", "--to", target, "Tickets", "Companies", "Contacts", "Countries", "-o", "summary"
    )
    assert second.code == 0
    assert [line.split(" (")[0] for line in second.lines] == [
        "Tickets: 0 records",
        "Companies: 1 record",
        "Contacts: 0 records",
        f"Countries: {lib.entity('Countries').count()} records",
    ]
    assert "(changes)" in second.lines[1] and "(full)" in second.lines[3]
    with sqlite3.connect(database) as db:
        assert db.execute("select phone from Companies where id = 174").fetchone()[0] == "1"


def test_sync_reports_a_failing_entity_and_carries_on(
    cli: Cli, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.control("POST", "permissions", {"deny": ["Companies:Q"]})
    state = tmp_path / "s.json"
    run = cli(
        "sync", "--to", f"sqlite:///{tmp_path}/r.db", "--since", str(state), "Companies", "Contacts"
    )
    assert run.code == 4
    [line] = run.err_lines
    assert line.startswith("autotask: error: ") and "Companies" in line and "permission" in line
    assert [r["entity"] for r in run.jsonl()] == ["Contacts"]
    assert set(json.loads(state.read_text())["entities"]) == {"Contacts"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--to", "{tmp}/t.jsonl", "Tickets"], "sync writes into one SQLite database"),
        (["--to", "sqlite:///{tmp}/no/r.db", "Tickets"], "folder {tmp}/no does not exist"),
        (["--to", "sqlite:///{tmp}/r.db", "Tickets", "Nope"], "unknown entity 'Nope'"),
        (["--to", "sqlite:///{tmp}/r.db"], "the following arguments are required: ENTITY"),
    ],
)
def test_sync_bad_input(cli: Cli, tmp_path: Path, argv: list[str], message: str) -> None:
    run = cli("sync", *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert run.code == 2
    [line] = run.err_lines
    assert message.replace("{tmp}", str(tmp_path)) in line
    assert list(tmp_path.iterdir()) == []
