"""The chaos scenarios through the ``autotask`` command, as a real process (issue 14 "Chaos").

``autotask batch create|update|delete``, ``autotask attachments upload`` and ``autotask
export`` through every fault kind at once (fixed seeds), with the final state read back
through the API: with ``--journal`` and ``--dedupe-field`` every item exactly once (running
the same command again until it exits 0); without, at most once, every unknown item in
``--results`` and exit code 7. The hourly budget used up ends the command with exit 6 and the
same command completes it later. The single binary runs the first scenario too when it exists.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from autotask import F
from tests.chaos.cli import PYTHON, command, results, statuses, write_jsonl
from tests.chaos.conftest import Record
from tests.chaos.support import (
    KINDS,
    chaos_client,
    faults_fired,
    first_company,
    mixed,
    set_faults,
    stored_titles,
    ticket,
)
from tests.chaos.test_binary_face import BINARY
from tests.client.conftest import requests_to
from tests.emulator_process import Emulator, running_emulator

ITEMS = 600
SEED = 1430
MAX_RUNS = 3


def _binary_has_batch() -> bool:
    if not BINARY.is_file():
        return False
    run = subprocess.run([str(BINARY), "batch", "--help"], capture_output=True, timeout=120)
    return run.returncode == 0


FACES = [pytest.param(PYTHON, id="python")]
if _binary_has_batch():
    FACES.append(pytest.param((str(BINARY),), id="binary"))


def _faults(emu: Emulator, write_route: str, seed: int) -> None:
    # Fewer than the library's scenarios: the command waits its backoff and settle for real.
    set_faults(emu, seed, mixed(write_route, 0.08), mixed("POST:*/Tickets/query", 0.03))


@pytest.mark.parametrize("face", FACES)
def test_batch_create_with_journal_and_dedupe_field_is_exactly_once(
    emu: Emulator, tmp_path: Path, figures: Record, face: tuple[str, ...]
) -> None:
    with chaos_client(emu, tmp_path / "reader") as reader:
        company = first_company(reader)
        source = write_jsonl(
            tmp_path / "tickets.jsonl", [ticket(company, "cli", n) for n in range(ITEMS)]
        )
        argv = ("batch", "create", "Tickets", str(source), "--journal", str(tmp_path / "j"))
        argv += ("--dedupe-field", "Ext URL", "--results", str(tmp_path / "r.jsonl"), "-q")
        _faults(emu, "POST:*/Tickets", SEED)
        codes, per_run = [], []
        for _ in range(MAX_RUNS):
            run = command(emu, tmp_path, *argv, "-o", "summary", face=face)
            codes.append(run.returncode)
            per_run.append(statuses(results(tmp_path / "r.jsonl")))
            if run.returncode == 0:
                break
            assert run.returncode == 7, run.stderr  # only items in doubt may remain
        fired = faults_fired(emu)
        set_faults(emu, 0)
        stored = stored_titles(reader, "cli")
        count = reader.tickets.count(F("title").begins_with("cli "))
        posts = requests_to(emu, "POST Tickets")
        again = command(emu, tmp_path, *argv, face=face)
        assert requests_to(emu, "POST Tickets") == posts  # the finished journal sends nothing
    assert set(fired) == set(KINDS), fired
    assert codes[-1] == 0, codes
    assert count == ITEMS and len(stored) == ITEMS and set(stored.values()) == {1}
    assert again.returncode == 0 and statuses(results(tmp_path / "r.jsonl")) == {"skipped": ITEMS}
    figures(
        f"cli_batch_create_dedupe{'_binary' if face != PYTHON else ''}",
        items=ITEMS,
        seed=SEED,
        faults=fired,
        outcomes_per_run=per_run,
        exit_codes=codes,
        stored=count,
        duplicates=sum(n - 1 for n in stored.values()),
    )


def test_batch_create_without_dedupe_field_reports_every_unknown_with_exit_7(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    with chaos_client(emu, tmp_path / "reader") as reader:
        company = first_company(reader)
        source = write_jsonl(
            tmp_path / "tickets.jsonl", [ticket(company, "plain", n) for n in range(ITEMS)]
        )
        argv = ("batch", "create", "Tickets", str(source), "--journal", str(tmp_path / "j"))
        argv += ("--results", str(tmp_path / "r.jsonl"), "-q", "-o", "summary")
        _faults(emu, "POST:*/Tickets", SEED + 1)
        first = command(emu, tmp_path, *argv)
        rows = results(tmp_path / "r.jsonl")
        fired = faults_fired(emu)
        set_faults(emu, 0)
        stored = stored_titles(reader, "plain")
        posts = requests_to(emu, "POST Tickets")
        second = command(emu, tmp_path, *argv)
        again = results(tmp_path / "r.jsonl")
        resent = requests_to(emu, "POST Tickets") - posts
    by_status = Counter(r["status"] for r in rows)
    unknown = {f"plain {r['index']}" for r in rows if r["status"] == "unknown"}
    created = {f"plain {r['index']}" for r in rows if r["status"] == "created"}
    assert set(fired) == set(KINDS), fired
    assert first.returncode == 7 and by_status["unknown"] > 0, first.stderr
    assert len(rows) == ITEMS and all(r["error"] for r in rows if r["status"] == "unknown")
    assert f"{by_status['unknown']} unknown" in first.stderr  # the closing summary says so
    assert set(stored.values()) == {1} and created <= set(stored) <= created | unknown
    assert second.returncode == 7  # the unknown items stay unknown: never resent
    assert Counter(r["status"] for r in again)["unknown"] == by_status["unknown"]
    assert resent == by_status["failed"]
    figures(
        "cli_batch_create_no_dedupe",
        items=ITEMS,
        seed=SEED + 1,
        faults=fired,
        outcomes=statuses(rows),
        exit_code=first.returncode,
        stored=len(stored),
        unknown_stored=len(set(stored) & unknown),
        unknown_not_stored=len(unknown - set(stored)),
        duplicates=sum(n - 1 for n in stored.values()),
        resumed_outcomes=statuses(again),
    )


def test_batch_update_and_delete_report_every_unknown_with_exit_7(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    emu.seed("TimeEntries", 300)
    with chaos_client(emu, tmp_path / "reader") as reader:
        company = first_company(reader)
        made = reader.tickets.batch_create([ticket(company, "upd", n) for n in range(300)])
        ids = [r.item_id for r in made]
        changes = [{"id": i, "title": f"upd {n} changed"} for n, i in enumerate(ids)]
        source = write_jsonl(tmp_path / "changes.jsonl", changes)
        _faults(emu, "PATCH:*/Tickets", SEED + 2)
        update = command(
            emu, tmp_path, "batch", "update", "Tickets", str(source), "--journal",
            str(tmp_path / "u.journal"), "--results", str(tmp_path / "u.jsonl"), "-q",
        )  # fmt: skip
        updated = results(tmp_path / "u.jsonl")
        update_faults = faults_fired(emu)
        victims = [r["id"] for r in reader.time_entries.query(fields=["id"])][-300:]
        (tmp_path / "ids.txt").write_text("".join(f"{i}\n" for i in victims))
        set_faults(emu, SEED + 3, mixed("DELETE:*/TimeEntries/*", 0.15))
        delete = command(
            emu, tmp_path, "batch", "delete", "TimeEntries", "--ids-file",
            str(tmp_path / "ids.txt"), "--confirm", "--journal", str(tmp_path / "d.journal"),
            "--results", str(tmp_path / "d.jsonl"), "-q",
        )  # fmt: skip
        deleted = results(tmp_path / "d.jsonl")
        delete_faults = faults_fired(emu)
        set_faults(emu, 0)
        titles = {r["id"]: r["title"] for r in reader.tickets.query(F("id").in_(ids))}
        left = {r["id"] for r in reader.time_entries.query(F("id").in_(victims), fields=["id"])}
    assert update.returncode == 7 and delete.returncode == 7, (update.stderr, delete.stderr)
    for row, change in zip(updated, changes, strict=True):
        if row["status"] == "updated":
            assert titles[change["id"]] == change["title"]
        elif row["status"] == "failed":
            assert titles[change["id"]] == f"upd {row['index']}"
    gone = {victims[r["index"]] for r in deleted if r["status"] == "deleted"}
    in_doubt = {victims[r["index"]] for r in deleted if r["status"] == "unknown"}
    assert in_doubt and not gone & left and set(victims) - gone - in_doubt <= left
    figures(
        "cli_batch_update",
        items=len(changes),
        seed=SEED + 2,
        faults=update_faults,
        outcomes=statuses(updated),
        exit_code=update.returncode,
        unknown_applied=sum(
            1
            for row, change in zip(updated, changes, strict=True)
            if row["status"] == "unknown" and titles[change["id"]] == change["title"]
        ),
    )
    figures(
        "cli_batch_delete",
        items=len(victims),
        seed=SEED + 3,
        faults=delete_faults,
        outcomes=statuses(deleted),
        exit_code=delete.returncode,
        unknown_applied=len(in_doubt - left),
    )


def test_export_through_faults_has_every_record_exactly_once(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    emu.seed("Tickets", 12_000)
    target = tmp_path / "export.db"
    with chaos_client(emu, tmp_path / "reader") as reader:
        expected = {r["id"] for r in reader.tickets.query(fields=["id"])}
    set_faults(emu, SEED + 4, mixed("*/Tickets/query*", 0.3))
    codes = []
    for _ in range(5):
        run = command(emu, tmp_path, "export", "Tickets", "--to", f"sqlite:///{target}", "-q")
        codes.append(run.returncode)
        if run.returncode == 0:
            break
        assert "Traceback" not in run.stderr and run.returncode in (5, 6), run.stderr
    fired = faults_fired(emu)
    set_faults(emu, 0)
    db = sqlite3.connect(target)
    try:
        ids = [row[0] for row in db.execute('SELECT id FROM "Tickets"')]
    finally:
        db.close()
    assert len(fired) >= 4, fired  # pages of 500: fewer requests, fewer faults (the library's
    assert codes[-1] == 0, codes  # export scenario meets every kind)
    assert len(ids) == len(set(ids)) == len(expected) and set(ids) == expected
    figures(
        "cli_export",
        records=len(expected),
        seed=SEED + 4,
        faults=fired,
        exit_codes=codes,
        failed_runs=[c for c in codes if c],
        exported=len(ids),
        duplicates=len(ids) - len(set(ids)),
    )


@pytest.fixture
def small_budget() -> Emulator:
    with running_emulator(
        "--hourly-limit", "300", "--threshold-latency-ms", "0", "--hourly-retry-after"
    ) as emu:
        yield emu  # type: ignore[misc]


def test_an_exhausted_hourly_budget_ends_with_exit_6_and_the_same_command_completes(
    small_budget: Emulator, tmp_path: Path, figures: Record
) -> None:
    # The emulator's 429 says when the window frees (an hour): longer than any retry waits,
    # so the command stops at once, with exit 6, every finished item journaled.
    emu = small_budget
    with chaos_client(emu, tmp_path / "reader") as reader:
        company = first_company(reader)
    source = write_jsonl(tmp_path / "t.jsonl", [ticket(company, "budget", n) for n in range(400)])
    argv = ("batch", "create", "Tickets", str(source), "--journal", str(tmp_path / "j"))
    argv += ("--dedupe-field", "Ext URL", "--results", str(tmp_path / "r.jsonl"), "-q")
    first = command(emu, tmp_path, *argv)
    stopped = statuses(results(tmp_path / "r.jsonl"))
    emu.control("POST", "clock", {"advance": 3600})  # the hour passes
    second = command(emu, tmp_path, *argv)
    resumed = statuses(results(tmp_path / "r.jsonl"))
    emu.control("POST", "clock", {"advance": 3600})
    with chaos_client(emu, tmp_path / "reader2") as reader:
        stored = stored_titles(reader, "budget")
    assert first.returncode == 6, first.stderr
    assert "hourly" in first.stderr.lower() or "threshold" in first.stderr.lower()
    assert second.returncode == 0, second.stderr
    assert resumed.get("skipped") == stopped.get("created")
    assert len(stored) == 400 and set(stored.values()) == {1}
    figures(
        "cli_hourly_budget_stop_and_resume",
        hourly_limit=300,
        items=400,
        max_budget_wait_s=300,
        outcomes=stopped,
        exit_code=first.returncode,
        not_taken=400 - sum(stopped.values()),
        resumed_outcomes=resumed,
        stored=len(stored),
    )


def test_attachments_upload_is_at_most_once_and_reports_every_unknown_with_exit_7(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    paths = []
    for n in range(60):
        path = folder / f"doc-{n:02}.txt"
        path.write_bytes(bytes([n]) * (1 + n * 997))
        paths.append(path)
    with chaos_client(emu, tmp_path / "reader") as reader:
        parent = int(next(reader.tickets.query(limit=1))["id"])
        before = {a.id for a in reader.attachments.list("Ticket", parent)}
        set_faults(emu, SEED + 5, mixed("POST:*/Tickets/*/Attachments", 0.3))
        argv = ("attachments", "upload", "Ticket", str(parent), *map(str, paths))
        argv += ("--journal", str(tmp_path / "j"), "--results", str(tmp_path / "r.jsonl"))
        first = command(emu, tmp_path, *argv)
        rows = results(tmp_path / "r.jsonl")
        fired = faults_fired(emu)
        set_faults(emu, 0)
        attached = [a for a in reader.attachments.list("Ticket", parent) if a.id not in before]
        names = Counter(a.file_name for a in attached)
        intact = all(
            reader.attachments.download_file(a.id) == (folder / a.file_name).read_bytes()
            for a in attached
        )
        again = command(emu, tmp_path, *argv)
        rerun = results(tmp_path / "r.jsonl")
        after = [a for a in reader.attachments.list("Ticket", parent) if a.id not in before]
    uploaded = {paths[r["index"]].name for r in rows if r["status"] == "uploaded"}
    unknown = {paths[r["index"]].name for r in rows if r["status"] == "unknown"}
    failed = sum(1 for r in rows if r["status"] == "failed")
    assert first.returncode == 7 and unknown, first.stderr
    assert len(rows) == len(paths)  # every file has its result: the others went on
    assert sum(1 for line in first.stderr.splitlines() if ": unknown: " in line) == len(unknown)
    assert set(names.values()) == {1} and uploaded <= set(names) <= uploaded | unknown
    assert intact
    assert again.returncode == 7 and statuses(rerun).get("unknown") == len(unknown)
    assert len(after) == len(attached) + failed  # only the certainly failed ones were resent
    figures(
        "cli_attachments_upload",
        files=len(paths),
        seed=SEED + 5,
        faults=fired,
        outcomes=statuses(rows),
        exit_code=first.returncode,
        attached=len(attached),
        unknown_attached=len(set(names) & unknown),
        duplicates=sum(n - 1 for n in names.values()),
        resumed_outcomes=statuses(rerun),
    )
