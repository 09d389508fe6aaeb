"""Every command in-process against the real emulator: what it prints and how it exits."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from autotask import F
from autotask.client import AutotaskClient
from tests.cli.conftest import DEMO_COMPANY, Cli, ticket
from tests.client.conftest import connect
from tests.emulator_process import Emulator


def _client(emulator: Emulator, tmp_path: Path) -> AutotaskClient:
    return connect(emulator, tmp_path / "lib-cache")


# -- get ------------------------------------------------------------------------------------


def test_get_prints_records_as_json_lines_when_piped(cli: Cli) -> None:
    run = cli("get", "Tickets", "29296", "29297")
    assert run.code == 0 and run.err == ""
    records = run.jsonl()
    assert [r["id"] for r in records] == [29296, 29297]
    assert records[0]["title"] == "Printer offline on 2nd floor"
    assert "userDefinedFields" in records[0]


def test_id_0_is_an_id_the_tenants_own_company(cli: Cli, tmp_path: Path) -> None:
    # Every tenant's own company is Companies/0; ids are whole numbers from 0, not from 1.
    run = cli("get", "Companies", "0")
    assert run.code == 0 and [r["id"] for r in run.jsonl()] == [0]
    contacts = cli("query", "Companies/0/Contacts")
    assert contacts.code == 0 and contacts.out == ""  # the demo's own company has no contacts
    (tmp_path / "memo.txt").write_bytes(b"internal memo")
    upload = cli("attachments", "upload", "Company", "0", str(tmp_path / "memo.txt"))
    assert upload.code == 0, upload.err
    listed = cli("attachments", "list", "Company", "0", "-o", "jsonl")
    assert [a["file_name"] for a in listed.jsonl()] == ["memo.txt"]


def test_get_reports_missing_ids_after_printing_the_others(cli: Cli) -> None:
    run = cli("get", "Tickets", "29296", "99999999")
    assert run.code == 4
    assert [r["id"] for r in run.jsonl()] == [29296]
    assert run.err_lines == ["autotask: error: Tickets has no record with id 99999999"]


def test_get_with_labels_and_a_table_on_a_terminal(cli: Cli) -> None:
    run = cli("get", "Tickets", "29296", "--labels", "-o", "jsonl")
    (record,) = run.jsonl()
    assert record["status"] == 1 and record["status.label"] == "New"
    table = cli("get", "Tickets", "29296", tty=True, columns=100, env={"NO_COLOR": "1"})
    assert table.code == 0 and "\x1b" not in table.out
    header = table.lines[0]
    assert header.split()[0] == "id" and len(header) <= 100
    assert table.lines[1].startswith("29296")
    colored = cli("get", "Tickets", "29296", tty=True, columns=100)
    assert colored.lines[0].startswith("\x1b[1mid")  # bold header on a terminal


# -- query and count ------------------------------------------------------------------------


def test_query_matches_the_library(cli: Cli, emulator: Emulator, tmp_path: Path) -> None:
    run = cli("query", "Tickets", "status=New", "priority>=2")
    assert run.code == 0
    with _client(emulator, tmp_path) as client:
        expected = [
            t["id"] for t in client.tickets.query((F("status") == 1) & (F("priority") >= 2))
        ]
    assert [r["id"] for r in run.jsonl()] == expected and expected


def test_query_any_fields_limit(cli: Cli) -> None:
    run = cli(
        "query",
        "Tickets",
        "status=New",
        "status=Complete",
        "--any",
        "--fields",
        "id,title,status",
        "--limit",
        "3",
    )
    records = run.jsonl()
    assert len(records) == 3
    assert all(set(r) <= {"id", "title", "status", "userDefinedFields"} for r in records)
    assert all(r["status"] in (1, 5) for r in records)


def test_query_grammar_against_the_emulator(cli: Cli) -> None:
    titles = [r["title"] for r in cli("query", "Tickets", "title~printer").jsonl()]
    assert titles and all("printer" in t.lower() for t in titles)
    begins = cli("query", "Tickets", "title^Printer", "--fields", "title").jsonl()
    assert begins and all(r["title"].startswith("Printer") for r in begins)
    ids = [r["id"] for r in cli("query", "Tickets", "id=in:29296,29298,1").jsonl()]
    assert ids == [29296, 29298]
    none = cli("query", "Tickets", "id!=in:29296", "id=in:29296").jsonl()
    assert none == []
    unassigned = cli("query", "Tickets", "assignedResourceID!=exists", "--fields", "id")
    assigned = cli("query", "Tickets", "assignedResourceID=exists", "--fields", "id")
    total = int(cli("count", "Tickets").out)
    assert len(unassigned.jsonl()) + len(assigned.jsonl()) == total > 0
    due = cli("query", "Tickets", "dueDateTime<2023-10-14T00:00:00Z", "--fields", "dueDateTime")
    assert due.jsonl() and all(r["dueDateTime"] < "2023-10-14" for r in due.jsonl())


def test_query_by_udf_and_raw_filter(cli: Cli) -> None:
    run = cli("query", "Companies", "udf:NAV ID=C05252", "--fields", "id,udf:NAV ID")
    (record,) = run.jsonl()
    assert record["id"] == DEMO_COMPANY
    assert record["userDefinedFields"] == [{"name": "NAV ID", "value": "C05252"}]
    raw = cli("query", "Tickets", "--filter", '[{"op": "eq", "field": "id", "value": 29296}]')
    assert [r["id"] for r in raw.jsonl()] == [29296]


def test_query_of_a_child_collection(cli: Cli) -> None:
    run = cli("query", "Tickets/29296/Notes", "--fields", "id,ticketID,title")
    notes = run.jsonl()
    assert notes and all(n["ticketID"] == 29296 for n in notes)


def test_query_formats(cli: Cli) -> None:
    as_json = json.loads(cli("query", "Tickets", "status=New", "-o", "json").out)
    as_jsonl = cli("query", "Tickets", "status=New").jsonl()
    assert as_json == as_jsonl and as_json
    rows = list(csv.DictReader(io.StringIO(cli("query", "Tickets", "status=New", "-o", "csv").out)))
    assert [int(r["id"]) for r in rows] == [r["id"] for r in as_jsonl]
    assert "udf:Agreed Start Date" in rows[0]  # the header comes from the metadata
    summary = cli("query", "Tickets", "status=New", "-o", "summary")
    assert summary.out == f"{len(as_jsonl)} Tickets\n"
    table = cli("query", "Tickets", "status=New", "--fields", "id,title", "-o", "table")
    assert table.lines[0].split() == ["id", "title"] and len(table.lines) == len(as_jsonl) + 1


def test_count(cli: Cli, emulator: Emulator, tmp_path: Path) -> None:
    run = cli("count", "Tickets", "status=New")
    with _client(emulator, tmp_path) as client:
        assert run.out == f"{client.tickets.count(F('status') == 1)}\n"
    assert cli("count", "Tickets", "status=New", "-o", "csv").out == f"count\n{run.out}"
    assert cli("count", "Tickets", "status=New", "status=Complete", "--any").out != run.out


# -- writes ---------------------------------------------------------------------------------


def test_create_update_replace(cli: Cli, tmp_path: Path) -> None:
    created = cli("create", "Tickets", json.dumps(ticket(title="from the CLI")))
    assert created.code == 0, created.err
    (answer,) = created.jsonl()
    new_id = answer["id"]
    assert cli("get", "Tickets", str(new_id)).jsonl()[0]["title"] == "from the CLI"

    path = tmp_path / "patch.json"
    path.write_text(json.dumps({"id": new_id, "priority": 1}))
    updated = cli("update", "Tickets", f"@{path}", "-o", "summary")
    assert updated.out == f"updated Tickets {new_id}\n"
    assert cli("get", "Tickets", str(new_id)).jsonl()[0]["priority"] == 1

    full = cli("get", "Tickets", str(new_id)).jsonl()[0]
    full["title"] = "replaced"
    replaced = cli("replace", "Tickets", "-", stdin=json.dumps(full))
    assert replaced.code == 0, replaced.err
    assert cli("get", "Tickets", str(new_id)).jsonl()[0]["title"] == "replaced"


def test_update_needs_an_id(cli: Cli) -> None:
    run = cli("update", "Tickets", '{"priority": 1}')
    assert run.code == 2
    assert run.err_lines == ["autotask: error: update needs the record's id in the JSON"]


def test_create_through_a_child_collection_and_delete(cli: Cli) -> None:
    note = cli(
        "create",
        "Tickets/29296/Notes",
        '{"title": "called", "description": "rang back", "noteType": 1, "publish": 1}',
    )
    assert note.code == 0, note.err
    item = cli("create", "Tickets/29296/ChecklistItems", '{"itemName": "call back"}')
    item_id = item.jsonl()[0]["id"]
    refused = cli("delete", "Tickets/29296/ChecklistItems", str(item_id))
    assert refused.code == 2
    assert refused.err_lines == [
        f"autotask: error: delete Tickets/29296/ChecklistItems {item_id}: refused without "
        "--confirm (no terminal to ask)"
    ]
    assert cli("get", "Tickets/29296/ChecklistItems", str(item_id)).code == 0  # still there
    deleted = cli("delete", "Tickets/29296/ChecklistItems", str(item_id), "--confirm")
    assert deleted.code == 0 and deleted.jsonl() == [{"id": item_id}]
    assert cli("get", "Tickets/29296/ChecklistItems", str(item_id)).code == 4


def test_delete_asks_on_a_terminal(cli: Cli) -> None:
    item_id = cli("create", "Tickets/29296/ChecklistItems", '{"itemName": "x"}').jsonl()[0]["id"]
    no = cli("delete", "Tickets/29296/ChecklistItems", str(item_id), tty=True, stdin="n\n")
    assert no.code == 2 and "? [y/N]" in no.err and "not confirmed" in no.err
    yes = cli("delete", "Tickets/29296/ChecklistItems", str(item_id), tty=True, stdin="y\n")
    assert yes.code == 0
    assert cli("get", "Tickets/29296/ChecklistItems", str(item_id)).code == 4


# -- metadata -------------------------------------------------------------------------------


def test_entities(cli: Cli) -> None:
    rows = cli("entities").jsonl()
    names = [r["name"] for r in rows]
    assert "Tickets" in names and names == sorted(names) and len(names) > 100
    tickets = next(r for r in rows if r["name"] == "Tickets")
    assert tickets["capabilities"] == "QGCUR" and "Notes" in tickets["children"].split(",")
    checked = cli("entities", "Tickets", "companies", "--check").jsonl()
    assert [r["name"] for r in checked] == ["Tickets", "Companies"]
    assert checked[0]["canCreate"] is True and checked[0]["canDelete"] is False


def test_info(cli: Cli) -> None:
    (info,) = cli("info", "Tickets").jsonl()
    assert info["canQuery"] is True and info["capabilities"] == "QGCUR"
    fields = cli("info", "Tickets", "--fields").jsonl()
    assert any(f["name"] == "status" and f["isPickList"] for f in fields)
    udfs = cli("info", "Tickets", "--udfs").jsonl()
    assert {"Agreed Start Date", "FR Result"} <= {u["name"] for u in udfs}
    values = cli("info", "Tickets", "--picklist", "status").jsonl()
    assert {"value": "1", "label": "New"}.items() <= values[0].items() or any(
        v["value"] == "1" and v["label"] == "New" for v in values
    )
    udf_values = cli("info", "Tickets", "--picklist", "udf:FR Result").jsonl()
    assert [v["label"] for v in udf_values] == ["Allocated", "Escalated", "Transitioned"]
    table = cli("info", "Tickets", "--fields", "-o", "table")
    assert table.lines[0].split()[:3] == ["name", "dataType", "length"]
    not_picklist = cli("info", "Tickets", "--picklist", "title")
    assert not_picklist.code == 2
    assert not_picklist.err_lines == ["autotask: error: Tickets.title is not a picklist"]


def test_usage(cli: Cli) -> None:
    (figures,) = cli("usage").jsonl()
    assert figures["externalRequestThreshold"] == 10000
    assert figures["currentTimeframeRequestCount"] >= 1
    assert figures["percentUsed"] == round(100 * figures["currentTimeframeRequestCount"] / 10000, 1)
    summary = cli("usage", "-o", "summary").out
    assert (
        summary.endswith("requests used in the last 60 minutes (0.0%)\n") or "of 10000" in summary
    )


def test_doctor_passes_against_the_emulator(cli: Cli, emulator: Emulator) -> None:
    run = cli("doctor", "-o", "table")
    assert run.code == 0, run.out + run.err
    words = [line.split()[:2] for line in run.lines]
    assert words == [
        ["ok", "config"],
        ["ok", "credentials"],
        ["ok", "tls"],
        ["ok", "zone"],
        ["ok", "auth"],
        ["ok", "usage"],
    ]
    assert emulator.base_url in run.out and "round trip" in run.out
    rows = cli("doctor").jsonl()
    assert [r["check"] for r in rows] == ["config", "credentials", "tls", "zone", "auth", "usage"]


def test_doctor_fails_with_the_first_failures_code(run_cli: Cli, emulator: Emulator) -> None:
    run = run_cli("doctor", "-o", "table", env={"AUTOTASK_API_URL": emulator.base_url})
    assert run.code == 3
    assert [line.split()[0] for line in run.lines] == ["ok", "FAIL", "ok", "skip", "skip", "skip"]
    assert "AUTOTASK_SECRET" in run.lines[1]


def test_version(run_cli: Cli) -> None:
    run = run_cli("--version")
    assert run.code == 0
    import ssl

    import urllib3

    from autotask import __version__

    assert run.out.startswith(f"autotask {__version__} (urllib3 {urllib3.__version__}, Python ")
    assert ssl.OPENSSL_VERSION in run.out
