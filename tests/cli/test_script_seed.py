"""The seed's batch, attachments, export and sync lines through the installed ``autotask``
script in real processes, and a real SIGINT to a running batch whose journal then resumes to
the exact count."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import ticket
from tests.cli.test_script import SCRIPT, _env, _run
from tests.emulator_process import Emulator, running_emulator


def _count_titled(env: dict[str, str], prefix: str) -> int:
    result = _run(["count", "Tickets", f"title^{prefix}"], env)
    assert result.returncode == 0, result.stderr
    return int(result.stdout)


def test_seed_batch_lines(emulator: Emulator, tmp_path: Path) -> None:
    env = _env(emulator, tmp_path)
    tickets = tmp_path / "tickets.json"
    tickets.write_text(json.dumps([ticket(title=f"script {n}") for n in range(150)]))
    created = _run(["batch", "create", "Tickets", str(tickets), "--batch-size", "100"], env)
    assert created.returncode == 0, created.stderr
    assert [json.loads(line)["status"] for line in created.stdout.splitlines()] == ["created"] * 150
    assert created.stderr.startswith("Tickets create: 150 done (150 ok, 0 failed, 0 unknown)")
    assert _count_titled(env, "script ") == 150

    companies = _run(["query", "Companies", "--fields", "id", "--limit", "3"], env)
    ids = [json.loads(line)["id"] for line in companies.stdout.splitlines()]
    updates = tmp_path / "updates.json"
    updates.write_text("".join(json.dumps({"id": i, "phone": "555-0100"}) + "\n" for i in ids))
    updated = _run(["batch", "update", "Companies", str(updates), "--output", "summary"], env)
    assert updated.returncode == 0 and updated.stdout == "Companies update: 3 items: 3 updated\n"

    projects = _run(["query", "Projects", "--fields", "id", "-o", "csv"], env)
    (tmp_path / "project_ids.txt").write_text("\n".join(projects.stdout.splitlines()[1:]) + "\n")
    ids_file = str(tmp_path / "project_ids.txt")
    refused = _run(["batch", "delete", "Projects", "--ids-file", ids_file], env)
    assert refused.returncode == 2 and "--confirm" in refused.stderr
    deleted = _run(["batch", "delete", "Projects", "--ids-file", ids_file, "--confirm"], env)
    assert deleted.returncode == 7  # Autotask has no DELETE for Projects: each item fails
    assert {json.loads(line)["status"] for line in deleted.stdout.splitlines()} == {"failed"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "a"}\n{"title": }\n')
    malformed = _run(["batch", "create", "Tickets", str(bad)], env)
    assert malformed.returncode == 2
    assert malformed.stderr == f"autotask: error: {bad}: line 2: malformed JSON: Expecting value\n"


def test_seed_attachment_lines(emulator: Emulator, tmp_path: Path) -> None:
    env = _env(emulator, tmp_path)
    source = tmp_path / "file.pdf"
    source.write_bytes(os.urandom(300_000))
    uploaded = _run(["attachments", "upload", "Ticket", "29296", str(source), "--title", "T"], env)
    assert uploaded.returncode == 0, uploaded.stderr
    [record] = [json.loads(line) for line in uploaded.stdout.splitlines()]
    assert record["title"] == "T" and record["size"] == 300_000
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    target = downloads / "attachment.pdf"
    got = _run(["attachments", "download", str(record["id"]), str(target)], env)
    assert got.returncode == 0 and target.read_bytes() == source.read_bytes()
    raw = subprocess.run(
        [str(SCRIPT), "attachments", "download", str(record["id"]), "-"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert raw.returncode == 0 and raw.stdout == source.read_bytes()
    listed = _run(["attachments", "list", "Ticket", "29296", "--output", "table"], env)
    assert listed.returncode == 0
    assert any(line.split()[0] == str(record["id"]) for line in listed.stdout.splitlines()[1:])
    gone = _run(["attachments", "delete-attachment", str(record["id"]), "--confirm"], env)
    assert gone.returncode == 0
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as fh:
        fh.truncate(7_000_000)
    over = _run(["attachments", "upload", "Ticket", "29296", str(huge)], env)
    assert over.returncode == 4 and len(over.stderr.splitlines()) == 1
    assert "over the attachment limit of 6,291,456 bytes" in over.stderr


def test_seed_export_and_sync_lines(emulator: Emulator, tmp_path: Path) -> None:
    env = _env(emulator, tmp_path)
    target = tmp_path / "tickets.jsonl"
    exported = _run(["export", "Tickets", "status!=5", "--to", str(target), "-o", "summary"], env)
    assert exported.returncode == 0, exported.stderr
    count = _run(["count", "Tickets", "status!=5"], env)
    assert len(target.read_text().splitlines()) == int(count.stdout)
    assert exported.stdout.startswith(f"Tickets: {int(count.stdout)} records (full)")
    database = tmp_path / "reports.db"
    state = tmp_path / "state.json"
    line = ["sync", "--to", f"sqlite:///{database}", "--since", str(state)]
    synced = _run([*line, "Tickets", "Companies", "Contacts"], env)
    assert synced.returncode == 0, synced.stderr
    assert [json.loads(r)["entity"] for r in synced.stdout.splitlines()] == [
        "Tickets",
        "Companies",
        "Contacts",
    ]
    with sqlite3.connect(database) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert {"Tickets", "Companies", "Contacts"} <= tables


@pytest.fixture(scope="module")
def latent_emulator() -> Iterator[Emulator]:
    with running_emulator("--latency-ms", "20") as emu:
        yield emu


def test_sigint_stops_a_batch_with_130_and_its_journal_resumes_exactly(
    latent_emulator: Emulator, tmp_path: Path
) -> None:
    latent_emulator.reset()
    env = _env(latent_emulator, tmp_path)
    total = 200
    items = tmp_path / "tickets.jsonl"
    items.write_text("".join(json.dumps(ticket(title=f"sig {n}")) + "\n" for n in range(total)))
    journal = tmp_path / "run.journal"
    argv = [str(SCRIPT), "batch", "create", "Tickets", str(items), "--journal", str(journal)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if journal.exists() and journal.read_text().count('"created"') >= 20:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the batch ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    lines = err.decode().splitlines()
    assert lines[-1] == "autotask: interrupted"
    assert lines[-2].startswith("Tickets create: ") and f" of {total} done" in lines[-2]
    first_rows = [json.loads(line) for line in out.decode().splitlines()]
    assert 20 <= len(first_rows) < total
    done_before = _count_titled(env, "sig ")
    assert len(first_rows) <= done_before < total

    resumed = _run([*argv[1:], "-o", "summary"], env)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == (
        f"Tickets create: {total} items: {total - done_before} created, {done_before} skipped\n"
    )
    assert _count_titled(env, "sig ") == total  # every item once: none lost, none twice
