"""Attachment batch upload and a full export through every fault kind (issue 14 "Chaos").

An upload has no dedupe lookup (another file of the same name may be there), so each file is
attached at most once and each upload whose answer was lost is reported ``unknown``; what was
attached is read back byte for byte. An export is all reads: it is retried through the faults,
resumed from its checkpoint when the retries run out, and ends with every record exactly once.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from autotask import AutotaskError, OutcomeUnknown
from tests.chaos.conftest import Record
from tests.chaos.support import (
    KINDS,
    Waits,
    chaos_client,
    faults_fired,
    mixed,
    outcomes,
    set_faults,
)
from tests.emulator_process import Emulator

FILES = 120
EXPORTED = 6000
SEED = 1410
#: Export attempts: a page whose four tries all met a fault fails the run, which resumes.
MAX_EXPORT_RUNS = 5
PAGE = 50


def _files(folder: Path) -> list[Path]:
    """Files of 1 byte to about 40 KB, each with its own content."""
    folder.mkdir()
    paths = []
    for n in range(FILES):
        path = folder / f"scan-{n:03}.bin"
        path.write_bytes(hashlib.sha256(str(n).encode()).digest() * (1 + n * 11) + bytes([n]))
        paths.append(path)
    return paths


def test_attachment_batch_upload_is_at_most_once_and_intact(
    emu: Emulator, tmp_path: Path, figures: Record
) -> None:
    paths = _files(tmp_path / "files")
    journal = tmp_path / "upload.journal"
    waits = Waits()
    with chaos_client(emu, tmp_path / "cache", waits) as client:
        parent = int(next(client.tickets.query(limit=1))["id"])
        before = {a.id for a in client.attachments.list("Ticket", parent)}
        set_faults(emu, SEED, mixed("POST:*/Tickets/*/Attachments", 0.3))
        results = client.attachments.batch_upload(
            "Ticket", parent, paths, batch_size=20, journal=journal
        )
        fired = faults_fired(emu)
        set_faults(emu, 0)
        listed = [a for a in client.attachments.list("Ticket", parent) if a.id not in before]
        names = Counter(a.file_name for a in listed)
        intact = all(
            client.attachments.download_file(a.id)
            == (tmp_path / "files" / a.file_name).read_bytes()
            for a in listed
        )
        resumed = client.attachments.batch_upload("Ticket", parent, paths, journal=journal)
        after = [a for a in client.attachments.list("Ticket", parent) if a.id not in before]
    statuses = Counter(r.status for r in results)
    uploaded = {paths[r.index].name: r.item_id for r in results if r.status == "uploaded"}
    unknown = {paths[r.index].name for r in results if r.status == "unknown"}
    assert set(fired) == set(KINDS), fired
    assert statuses["uploaded"] > 0 and statuses["unknown"] > 0
    assert all(isinstance(r.error, OutcomeUnknown) for r in results if r.status == "unknown")
    assert set(names.values()) == {1}  # no file attached twice
    assert {a.file_name: a.id for a in listed if a.file_name in uploaded} == uploaded
    assert set(names) <= set(uploaded) | unknown  # every other attachment was reported
    assert intact  # every attached file is whole, truncated answers or not
    # The same command again: finished files skipped, unknown ones not resent.
    again = Counter(r.status for r in resumed)
    assert again["skipped"] == statuses["uploaded"] and again["unknown"] == statuses["unknown"]
    assert len(after) == len(listed) + statuses["failed"]
    figures(
        "attachment_batch_upload_journal",
        files=FILES,
        bytes=sum(p.stat().st_size for p in paths),
        seed=SEED,
        faults=fired,
        outcomes=outcomes(results),
        attached=len(listed),
        unknown_attached=len(set(names) & unknown),
        duplicates=sum(n - 1 for n in names.values()),
        resumed_outcomes=outcomes(resumed),
        longest_wait_s=round(waits.longest, 3),
    )


def _read(kind: str, target: str) -> list[int]:
    if kind == "jsonl":
        with open(target, encoding="utf-8") as fh:
            return [json.loads(line)["id"] for line in fh]
    db = sqlite3.connect(target.removeprefix("sqlite:///"))
    try:
        return [row[0] for row in db.execute('SELECT id FROM "Tickets"')]
    finally:
        db.close()


@pytest.mark.parametrize("kind", ["jsonl", "sqlite"])
def test_full_export_through_faults_has_every_record_exactly_once(
    emu: Emulator, tmp_path: Path, figures: Record, kind: str
) -> None:
    emu.seed("Tickets", EXPORTED)
    target = str(tmp_path / "t.jsonl") if kind == "jsonl" else f"sqlite:///{tmp_path / 't.db'}"
    waits = Waits()
    with chaos_client(emu, tmp_path / "cache", waits) as client:
        expected = client.tickets.query_all(fields=["id"], limit=None)
        set_faults(emu, SEED + 1, mixed("*/Tickets/query*", 0.3))
        failures: list[str] = []
        stats = None
        for _ in range(MAX_EXPORT_RUNS):
            try:
                stats = client.tickets.export(target, page_size=PAGE, partitions=3)
                break
            except AutotaskError as exc:  # retries ran out on one page: resume
                failures.append(type(exc).__name__)
        fired = faults_fired(emu)
        set_faults(emu, 0)
        assert stats is not None, failures
    ids = _read(kind, target)
    assert set(fired) == set(KINDS), fired
    assert len(ids) == len(set(ids)) == len(expected)  # each record once
    assert set(ids) == {r["id"] for r in expected}
    assert stats.records == len(expected)
    figures(
        f"export_full_{kind}",
        records=len(expected),
        page_size=PAGE,
        partitions=3,
        seed=SEED + 1,
        faults=fired,
        failed_runs=failures,
        resumed=stats.resumed,
        exported=len(ids),
        duplicates=len(ids) - len(set(ids)),
        retry_waits=len(waits.asked),
        longest_wait_s=round(waits.longest, 3),
    )
