"""``autotask batch`` in-process against the real emulator: the seed lines, every option, the
result rows, the summary line, exit codes, and bad inputs that stop a batch before it sends."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from autotask import F
from autotask.client import AutotaskClient
from tests.cli.conftest import DEMO_COMPANY, Cli, ticket, write_jsonl
from tests.client.conftest import requests_to
from tests.emulator_process import INTEGRATION_CODE, SECRET, Emulator


def _titled(lib: AutotaskClient, prefix: str) -> list[dict[str, object]]:
    return list(lib.tickets.query(F("title").begins_with(prefix)))


# -- the seed lines -------------------------------------------------------------------------


def test_seed_batch_create(cli: Cli, lib: AutotaskClient, tmp_path: Path) -> None:
    path = tmp_path / "tickets.json"
    path.write_text(json.dumps([ticket(title=f"seed {n:03d}") for n in range(120)]))
    run = cli("batch", "create", "Tickets", str(path), "--batch-size", "100")
    assert run.code == 0, run.err
    rows = run.jsonl()
    assert [r["index"] for r in rows] == list(range(120))
    assert {r["status"] for r in rows} == {"created"} and all(r["attempts"] == 1 for r in rows)
    made = {t["id"]: t["title"] for t in _titled(lib, "seed ")}
    assert sorted(made) == sorted(r["id"] for r in rows)
    assert {made[r["id"]] for r in rows[:3]} == {"seed 000", "seed 001", "seed 002"}
    assert made[rows[57]["id"]] == "seed 057"  # each row's id is its own item's record
    [summary] = run.err_lines
    assert summary.startswith("Tickets create: 120 done (120 ok, 0 failed, 0 unknown) in ")


def test_seed_batch_update_with_summary(cli: Cli, lib: AutotaskClient, tmp_path: Path) -> None:
    ids = [c["id"] for c in lib.companies.query(fields=["id"], limit=4)]
    path = write_jsonl(tmp_path / "updates.json", ({"id": i, "phone": "555-0142"} for i in ids))
    run = cli("batch", "update", "Companies", path, "--output", "summary")
    assert run.code == 0, run.err
    assert run.lines == ["Companies update: 4 items: 4 updated"]
    assert run.err_lines[-1].startswith("Companies update: 4 done (4 ok, 0 failed")
    assert {c["phone"] for c in lib.companies.query(F("id").in_(ids))} == {"555-0142"}


def test_seed_batch_delete_of_projects_fails_per_item_with_exit_7(
    cli: Cli, lib: AutotaskClient, tmp_path: Path
) -> None:
    ids = [p["id"] for p in lib.projects.query(fields=["id"])]
    (tmp_path / "project_ids.txt").write_text("".join(f"{i}\n" for i in ids))
    run = cli(
        "batch", "delete", "Projects", "--ids-file", str(tmp_path / "project_ids.txt"), "--confirm"
    )
    # Autotask has no DELETE for Projects: every item fails with the API's own text.
    assert run.code == 7
    rows = run.jsonl()
    assert [r["status"] for r in rows] == ["failed"] * len(ids) and ids
    assert all("does not support http method 'DELETE'" in r["error"] for r in rows)
    assert run.err_lines[-1].startswith(f"Projects delete: {len(ids)} done (0 ok, {len(ids)}")
    assert lib.projects.count() == len(ids)


# -- deletes: ids, confirmation ---------------------------------------------------------------


def test_batch_delete_ids_from_arguments_files_and_stdin(
    cli: Cli, lib: AutotaskClient, tmp_path: Path
) -> None:
    ids = [t["id"] for t in lib.time_entries.query(fields=["id"], limit=6)]
    first = cli("batch", "delete", "TimeEntries", str(ids[0]), str(ids[1]), "--yes")
    assert first.code == 0 and [r["status"] for r in first.jsonl()] == ["deleted"] * 2
    listed = tmp_path / "ids.txt"
    listed.write_text(f"# two more\n{ids[2]}\n\n{ids[3]}  # the fourth\n")
    second = cli("batch", "delete", "TimeEntries", "--ids-file", str(listed), "--confirm")
    assert [r["id"] for r in second.jsonl()] == ids[2:4]
    piped = cli("batch", "delete", "TimeEntries", "--confirm", stdin=f"{ids[4]}\n{ids[5]}\n")
    assert piped.code == 0 and [r["id"] for r in piped.jsonl()] == ids[4:6]
    assert lib.time_entries.count(F("id").in_(ids)) == 0


def test_batch_delete_confirms_on_a_terminal_and_refuses_without_one(
    cli: Cli, lib: AutotaskClient
) -> None:
    ids = [str(t["id"]) for t in lib.time_entries.query(fields=["id"], limit=2)]
    refused = cli("batch", "delete", "TimeEntries", *ids)
    assert refused.code == 2 and refused.out == ""
    assert refused.err_lines == [
        "autotask: error: batch delete TimeEntries (2 ids): refused without --confirm "
        "(no terminal to ask)"
    ]
    said_no = cli("batch", "delete", "TimeEntries", *ids, tty=True, stdin="n\n")
    assert said_no.code == 2 and "not confirmed" in said_no.err
    assert lib.time_entries.count(F("id").in_([int(i) for i in ids])) == 2
    said_yes = cli(
        "batch", "delete", "TimeEntries", *ids, tty=True, stdin="y\n", env={"NO_COLOR": "1"}
    )
    assert said_yes.code == 0, said_yes.err
    assert "batch delete TimeEntries (2 ids)? [y/N]" in said_yes.err
    assert lib.time_entries.count(F("id").in_([int(i) for i in ids])) == 0


def test_batch_delete_needs_ids(cli: Cli) -> None:
    run = cli("batch", "delete", "TimeEntries", "--confirm", tty=True)
    assert run.code == 2 and "needs ids" in run.err
    empty = cli("batch", "delete", "TimeEntries", "--confirm", stdin="# nothing\n")
    assert empty.code == 2 and "no ids given" in empty.err


# -- inputs -------------------------------------------------------------------------------------


def test_csv_input_is_typed_by_the_metadata(cli: Cli, lib: AutotaskClient, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text(
        "title,status,priority,companyID,queueID,dueDateTime\n"
        f'"csv one, with a comma",New,Low,{DEMO_COMPANY},29683325,2026-03-01T09:00:00Z\n'
        f"csv two,5,1,{DEMO_COMPANY},29683325,\n"
    )
    run = cli("batch", "create", "Tickets", str(path))
    assert run.code == 0, run.err
    made = sorted(_titled(lib, "csv "), key=lambda t: str(t["title"]))
    assert [(t["title"], t["status"], t["priority"]) for t in made] == [
        ("csv one, with a comma", 1, 3),
        ("csv two", 5, 1),
    ]
    assert str(made[0]["dueDateTime"]).startswith("2026-03-01T09:00:00")


def test_json_lines_on_stdin_and_replace(cli: Cli, lib: AutotaskClient) -> None:
    text = "".join(json.dumps(ticket(title=f"stdin {n}")) + "\n" for n in range(3))
    created = cli("batch", "create", "Tickets", "-", stdin=text)
    assert created.code == 0 and len(created.jsonl()) == 3
    first = lib.tickets.get(created.jsonl()[0]["id"])
    assert first is not None
    replacement = {**ticket(title="stdin replaced"), "id": first["id"]}
    replaced = cli("batch", "replace", "Tickets", "-", stdin=json.dumps([replacement]))
    assert replaced.code == 0 and replaced.jsonl()[0]["status"] == "replaced"
    again = lib.tickets.get(first["id"])
    assert again is not None and again["title"] == "stdin replaced"


def test_a_failed_item_is_exit_7_and_its_row_says_why(
    cli: Cli, lib: AutotaskClient, tmp_path: Path
) -> None:
    items = [ticket(title="ok one"), {**ticket(), "title": None}, ticket(title="ok two")]
    path = write_jsonl(tmp_path / "t.jsonl", items)
    results = tmp_path / "results.jsonl"
    run = cli("batch", "create", "Tickets", path, "--results", str(results))
    assert run.code == 7
    assert [r["status"] for r in run.jsonl()] == ["created", "failed", "created"]
    failed = run.jsonl()[1]
    assert failed["id"] is None and "title" in failed["error"].lower()
    assert [json.loads(line) for line in results.read_text().splitlines()] == run.jsonl()
    assert run.err_lines[-1].startswith("Tickets create: 3 done (2 ok, 1 failed, 0 unknown)")
    assert len(_titled(lib, "ok ")) == 2


def test_an_item_whose_answer_is_lost_is_unknown_and_exit_7(
    cli: Cli, emulator: Emulator, lib: AutotaskClient, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [ticket(title=f"lost {n}") for n in range(3)])
    rule = {"kind": "reset-after", "probability": 1, "route": "POST:*/Tickets", "times": 1}
    emulator.control("POST", "faults", {"rules": [{**rule, "after": 1}]})
    run = cli("batch", "create", "Tickets", path, "--concurrency", "1", "--retries", "0")
    emulator.control("POST", "faults", {"rules": []})
    assert run.code == 7
    assert [r["status"] for r in run.jsonl()] == ["created", "unknown", "created"]
    assert run.err_lines[-1].startswith("Tickets create: 3 done (2 ok, 0 failed, 1 unknown)")
    assert len(_titled(lib, "lost ")) == 3  # the lost answer's ticket was stored, not resent


def test_output_formats_of_the_result_rows(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [ticket(title=f"fmt {n}") for n in range(2)])
    as_csv = cli("batch", "create", "Tickets", path, "-o", "csv")
    assert as_csv.lines[0] == "index,status,id,attempts,error"
    assert as_csv.lines[1].startswith("0,created,")
    as_json = cli("batch", "create", "Tickets", path, "-o", "json")
    assert [r["status"] for r in json.loads(as_json.out)] == ["created", "created"]
    table = cli("batch", "create", "Tickets", path, "-o", "table", env={"NO_COLOR": "1"})
    assert table.lines[0].split() == ["index", "status", "id", "attempts", "error"]


def test_progress_bar_on_a_terminal(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [ticket(title=f"bar {n}") for n in range(30)])
    run = cli("batch", "create", "Tickets", path, tty=True, env={"NO_COLOR": "1"})
    assert run.code == 0
    assert "\rTickets create" in run.err and "30/30" in run.err
    # the bar is wiped before the summary line, which ends stderr
    assert "\r\x1b[KTickets create: 30 done (30 ok, 0 failed, 0 unknown) in " in run.err
    assert run.err.endswith("/s\n")
    assert (
        run.lines[0].split() == ["index", "status", "id", "attempts", "error"]
        and len(run.lines) == 31
    )
    quiet = cli("batch", "create", "Tickets", path, "-q", tty=True, env={"NO_COLOR": "1"})
    assert "\r" not in quiet.err and quiet.err_lines[-1].startswith("Tickets create: 30 done")


# -- options ------------------------------------------------------------------------------------


def test_dry_run_sends_no_write(cli: Cli, emulator: Emulator, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [ticket(title="dry one"), {"title": "dry two"}])
    run = cli("batch", "create", "Tickets", path, "--dry-run")
    assert run.code == 7
    assert [r["status"] for r in run.jsonl()] == ["valid", "invalid"]
    assert run.err_lines[-1].startswith("Tickets create (dry run): 2 done (1 ok, 1 failed")
    assert requests_to(emulator, "POST Tickets") == 0


def test_fail_fast_stops_at_the_first_failure(cli: Cli, emulator: Emulator, tmp_path: Path) -> None:
    items = [{**ticket(), "title": None}] + [ticket(title=f"ff {n}") for n in range(50)]
    path = write_jsonl(tmp_path / "t.jsonl", items)
    run = cli(
        "batch", "create", "Tickets", path, "--fail-fast", "--concurrency", "1", "--batch-size", "1"
    )
    assert run.code == 7
    assert [r["status"] for r in run.jsonl()] == ["failed"]
    assert requests_to(emulator, "POST Tickets") == 1


def test_a_journal_resumes_and_sends_nothing_twice(
    cli: Cli, emulator: Emulator, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [ticket(title=f"jr {n}") for n in range(10)])
    journal = str(tmp_path / "run.journal")
    first = cli("batch", "create", "Tickets", path, "--journal", journal, "--dedupe-field", "title")
    assert first.code == 0 and Path(journal).is_file()
    again = cli("batch", "create", "Tickets", path, "--journal", journal, "-o", "summary")
    assert again.code == 0 and again.lines == ["Tickets create: 10 items: 10 skipped"]
    assert requests_to(emulator, "POST Tickets") == 10
    other = cli("batch", "update", "Tickets", path, "--journal", journal)
    assert other.code == 2 and "is for create Tickets, not update Tickets" in other.err


def test_dedupe_field_is_for_creates_only(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [{"id": 1, "title": "x"}])
    run = cli("batch", "update", "Tickets", path, "--dedupe-field", "title")
    assert run.code == 2 and "unrecognized arguments: --dedupe-field" in run.err


def test_debug_session_shows_no_secret(cli: Cli, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [ticket(title="dbg")])
    run = cli("--debug", "batch", "create", "Tickets", path)
    assert run.code == 0
    assert "POST" in run.err and "Tickets" in run.err  # the wire log is there
    assert SECRET not in run.err and INTEGRATION_CODE not in run.err
    assert SECRET not in run.out and INTEGRATION_CODE not in run.out


# -- bad input: one line, the documented code, nothing sent ------------------------------------


_GOOD = "".join(json.dumps(ticket(title=f"pre {n}")) + "\n" for n in range(3))


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("t.jsonl", _GOOD + '{"title": \n', "t.jsonl: line 4: malformed JSON"),
        (
            "t.json",
            '[{"title": "a"},\n {"title": "b"}\n {"title": "c"}]',
            "t.json: line 3: malformed JSON: expected ','",
        ),
        ("t.csv", 'title,status\n"x,1\n', "t.csv: line 2: malformed CSV"),
        ("t.csv", "title,stauts\nx,1\n", "t.csv: line 1: column 'stauts': Tickets has no field"),
        ("t.csv", "title,status\nx,1\nx,Nwe\n", "t.csv: line 3: column 'status': 'Nwe' is not"),
        (
            "t.jsonl",
            _GOOD + '{"titel": "b"}\n',
            "t.jsonl: line 4: item 4: Tickets has no field 'titel' (did you mean title?)",
        ),
        ("t.jsonl", _GOOD + "[1]\n", "t.jsonl: line 4: item 4 is a list, not an object"),
    ],
)
def test_malformed_input_is_one_line_and_nothing_is_sent(
    cli: Cli, emulator: Emulator, tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    results = tmp_path / "results.jsonl"
    run = cli("batch", "create", "Tickets", str(path), "--results", str(results))
    assert run.code == 2, run.err
    [line] = run.err_lines
    assert line.startswith(f"autotask: error: {tmp_path}/{message}"), line
    assert run.out == "" and not results.exists() and list(tmp_path.glob(".results*")) == []
    assert requests_to(emulator, "POST Tickets") == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["batch", "create", "Tickets", "/nonexistent/t.json"], "/nonexistent/t.json: cannot read"),
        (["batch", "create", "Tikets", "t.json"], "unknown entity 'Tikets' (did you mean Tickets,"),
        (["batch", "delete", "Tickets", "12x", "--confirm"], "bad id '12x'"),
        (["batch", "create", "Tickets", "t.json", "--batch-size", "0"], "'0' must be 1 or more"),
        (["batch", "create", "Tickets"], "the following arguments are required: FILE"),
        (["batch"], "batch needs an action"),
    ],
)
def test_bad_command_lines(cli: Cli, emulator: Emulator, argv: list[str], message: str) -> None:
    run = cli(*argv)
    assert run.code == 2
    [line] = run.err_lines
    assert message in line
    assert requests_to(emulator, "POST Tickets") == 0


def test_a_missing_file_is_exit_2_even_without_credentials(run_cli: Cli, tmp_path: Path) -> None:
    run = run_cli("batch", "create", "Tickets", str(tmp_path / "none.json"))
    assert run.code == 2
    assert run.err_lines == [
        f"autotask: error: {tmp_path}/none.json: cannot read: No such file or directory"
    ]


def test_bad_ids_file(cli: Cli, tmp_path: Path) -> None:
    listed = tmp_path / "ids.txt"
    listed.write_text("1\n2\nthree\n")
    run = cli("batch", "delete", "Tickets", "--ids-file", str(listed), "--confirm")
    assert run.code == 2
    assert run.err_lines == [
        f"autotask: error: {listed}: line 3: bad id 'three': an id is a whole number"
    ]


def test_a_batch_stopped_by_a_missing_permission_exits_with_its_code(
    cli: Cli, emulator: Emulator, lib: AutotaskClient, tmp_path: Path
) -> None:
    # The API user may read Tickets (the metadata the input is typed by) but not create them:
    # every item would be refused alike, so the batch stops instead of sending 200 requests.
    emulator.control("POST", "permissions", {"deny": ["Tickets:C"]})
    path = write_jsonl(tmp_path / "t.jsonl", (ticket(title=f"never {n}") for n in range(200)))
    run = cli("batch", "create", "Tickets", path, "--journal", str(tmp_path / "j.jsonl"))
    assert run.code == 4, run.err  # the permission's own code (REJECTED), not 7
    assert "stopped, every later item would fail alike" in run.err
    assert "adequate permissions" in run.err
    assert 1 <= len(run.jsonl()) <= 6
    assert requests_to(emulator, "POST Tickets") <= 6
    emulator.control("POST", "permissions", {"deny": []})  # fixed: the journal resumes the rest
    again = cli("batch", "create", "Tickets", path, "--journal", str(tmp_path / "j.jsonl"))
    assert again.code == 0, again.err
    assert len(_titled(lib, "never ")) == 200


@pytest.mark.parametrize("settle", ["0", "1.5"])
def test_settle_is_the_wait_before_a_dedupe_lookup(
    cli: Cli, emulator: Emulator, lib: AutotaskClient, tmp_path: Path, settle: str
) -> None:
    path = write_jsonl(
        tmp_path / "t.jsonl", [ticket(title=f"settle {settle} {n}") for n in range(2)]
    )
    rule = {"kind": "reset-after", "probability": 1, "route": "POST:*/Tickets", "times": 1}
    emulator.control("POST", "faults", {"rules": [rule]})
    started = time.monotonic()
    run = cli(
        "batch", "create", "Tickets", path, "--concurrency", "1", "--dedupe-field", "title",
        "--settle", settle,
    )  # fmt: skip
    waited = time.monotonic() - started
    emulator.control("POST", "faults", {"rules": []})
    assert run.code == 0, run.err
    assert [r["status"] for r in run.jsonl()] == ["created", "created"]  # the lost one was found
    assert requests_to(emulator, "POST Tickets") == 2  # and not sent again
    lookups = requests_to(emulator, "POST Tickets/query") + requests_to(
        emulator, "GET Tickets/query"
    )
    assert lookups == 1
    assert len(_titled(lib, f"settle {settle} ")) == 2
    assert waited >= float(settle)  # the lookup waited at least --settle (a lower bound only)


@pytest.mark.parametrize("bad", ["-1", "nan", "inf", "soon"])
def test_settle_must_be_a_finite_number_of_seconds(cli: Cli, tmp_path: Path, bad: str) -> None:
    path = write_jsonl(tmp_path / "t.jsonl", [ticket(title="never")])
    run = cli("batch", "create", "Tickets", path, "--dedupe-field", "title", f"--settle={bad}")
    assert run.code == 2 and "--settle" in run.err
