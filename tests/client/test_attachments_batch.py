"""``client.attachments.batch_upload`` through the batch engine (CONTRACTS §8, §9)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autotask import AutotaskClient, ConfigError, InvalidRequest, ItemResult
from tests.client.conftest import requests_to
from tests.emulator_process import Emulator

LIMIT = 6 * 1024 * 1024
ROUTE = "POST Projects/{id}/Attachments"


def _files(tmp_path: Path) -> list[Path]:
    files = []
    for n in range(6):
        path = tmp_path / f"file{n}.bin"
        path.write_bytes(os.urandom(10_000 + n))
        files.append(path)
    missing = tmp_path / "missing.pdf"
    oversized = tmp_path / "oversized.iso"
    with oversized.open("wb") as fh:
        fh.truncate(LIMIT + 1)
    return [files[0], files[1], missing, files[2], oversized, *files[3:]]


def test_one_bad_file_fails_alone_and_the_rest_are_uploaded(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    project = int(next(client.projects.query(limit=1))["id"])
    files = _files(tmp_path)
    seen: list[int] = []
    results = client.attachments.batch_upload(
        "Project", project, files, batch_size=4, progress=lambda p: seen.append(p.done)
    )
    assert [r.index for r in results] == list(range(len(files)))
    assert [r.status for r in results] == ["uploaded"] * 2 + ["failed"] + ["uploaded"] + [
        "failed"
    ] + ["uploaded"] * 3
    assert sum(results) == 6 and seen[-1] == len(files)
    missing, oversized = results[2], results[4]
    assert isinstance(missing.error, InvalidRequest) and "missing.pdf" in str(missing.error)
    assert isinstance(oversized.error, InvalidRequest)
    assert "oversized.iso is 6,291,457 bytes" in str(oversized.error)
    assert missing.attempts == oversized.attempts == 0
    uploaded = [(r, f) for r, f in zip(results, files, strict=True) if r.ok]
    assert all(r.attempts == 1 and r.item_id is not None for r, _ in uploaded)
    for result, path in uploaded:
        assert result.item_id is not None
        assert client.attachments.download_file(result.item_id) == path.read_bytes()
    listed = {a.id: a.file_name for a in client.attachments.list("projects", project)}
    assert {listed[r.item_id] for r, _ in uploaded if r.item_id} == {f.name for _, f in uploaded}
    assert requests_to(emulator, ROUTE) == 6  # the bad files were never sent
    # Concurrent, inside the thread gate: never more than 3 uploads in flight.
    assert 1 <= client.transport.gate.peak("ProjectAttachments") <= 3


def test_dry_run_checks_every_file_without_sending(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    files = _files(tmp_path)
    results = client.attachments.batch_upload("Project", 1, files, dry_run=True)
    assert [r.status for r in results].count("valid") == 6
    assert [r.status for r in results if not r.ok] == ["invalid", "invalid"]
    assert requests_to(emulator, ROUTE) == 0


def test_items_that_are_not_paths_and_bad_options(client: AutotaskClient, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_bytes(b"ok")
    project = int(next(client.projects.query(limit=1))["id"])
    results = client.attachments.batch_upload("Project", project, [42, str(good)])  # type: ignore[list-item]
    assert [r.status for r in results] == ["failed", "uploaded"]
    assert isinstance(results[0], ItemResult) and "must be a file path" in str(results[0].error)
    with pytest.raises(ConfigError, match="dedupe_field does not apply"):
        client.attachments.batch_upload("Project", project, [good], dedupe_field="title")
    with pytest.raises(TypeError, match="unexpected option"):
        client.attachments.batch_upload("Project", project, [good], colour="red")  # type: ignore[call-arg]
    with pytest.raises(InvalidRequest, match="takes no attachments"):
        client.attachments.batch_upload("Contract", project, [good])


def test_a_journaled_batch_resumed_uploads_nothing_twice(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    project = int(next(client.projects.query(limit=1))["id"])
    files = _files(tmp_path)
    journal = tmp_path / "uploads.jsonl"
    first = client.attachments.batch_upload("Project", project, files, journal=journal)
    again = client.attachments.batch_upload("Project", project, files, journal=journal)
    assert [r.status for r in again] == [
        "skipped" if r.ok else "failed" for r in first
    ]  # finished files are skipped; failed ones are tried again (and fail again)
    assert [r.item_id for r in again if r.ok] == [r.item_id for r in first if r.ok]
    assert requests_to(emulator, ROUTE) == 6
