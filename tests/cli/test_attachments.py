"""``autotask attachments`` in-process against the real emulator: upload, download (folder,
path, stdout), list, info, delete-attachment, and the inputs it refuses."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autotask.client import AutotaskClient
from tests.cli.conftest import Cli
from tests.client.conftest import requests_to
from tests.emulator_process import Emulator

TICKET = 29296


def _file(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    return path


def test_seed_upload_prints_one_record_per_file(
    cli: Cli, lib: AutotaskClient, tmp_path: Path
) -> None:
    pdf = _file(tmp_path, "file.pdf", 200_000)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    run = cli("attachments", "upload", "Ticket", str(TICKET), str(pdf), str(notes))
    assert run.code == 0, run.err
    first, second = run.jsonl()
    assert (first["file_name"], first["size"], first["parent_type"]) == (
        "file.pdf",
        200_000,
        "Tickets",
    )
    assert (second["file_name"], second["title"], second["parent_id"]) == (
        "notes.txt",
        "notes.txt",
        TICKET,
    )
    assert lib.attachments.download_file(first["id"]) == pdf.read_bytes()
    titled = cli("attachments", "upload", "tickets", str(TICKET), str(notes), "--title", "Survey")
    assert titled.jsonl()[0]["title"] == "Survey"
    info = lib.attachments.get_info(titled.jsonl()[0]["id"])
    assert info is not None and info.title == "Survey"


def test_seed_download_to_a_path_a_folder_and_stdout(
    cli: Cli, lib: AutotaskClient, tmp_path: Path
) -> None:
    source = _file(tmp_path, "report.pdf", 50_000)
    made = lib.attachments.upload_file("Ticket", TICKET, source)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    target = downloads / "attachment.pdf"
    to_path = cli("attachments", "download", str(made.id), str(target))
    assert to_path.code == 0, to_path.err
    assert target.read_bytes() == source.read_bytes()
    assert to_path.jsonl() == [{"id": made.id, "path": str(target), "size": 50_000}]
    folder = cli("attachments", "download", str(made.id), str(downloads), "-o", "summary")
    assert folder.code == 0
    assert (downloads / "report.pdf").read_bytes() == source.read_bytes()
    assert folder.lines == [
        f"downloaded attachment {made.id} to {downloads / 'report.pdf'} (50,000 bytes)"
    ]
    raw = cli("attachments", "download", str(made.id), "-")
    assert raw.code == 0 and raw.out_bytes == source.read_bytes() and raw.err == ""


def test_seed_list_as_a_table(cli: Cli, lib: AutotaskClient, tmp_path: Path) -> None:
    lib.attachments.upload_file("Ticket", TICKET, _file(tmp_path, "listed.bin", 1234))
    run = cli("attachments", "list", "Ticket", str(TICKET), "--output", "table")
    assert run.code == 0
    assert run.lines[0].split() == [
        "id",
        "parent_type",
        "parent_id",
        "title",
        "file_name",
        "content_type",
        "size",
    ]
    rows = [line.split() for line in run.lines[1:]]
    assert any(r[4] == "listed.bin" and r[-1] == "1234" for r in rows)
    expected = sorted(a.id for a in lib.attachments.list("Ticket", TICKET))
    assert [int(r[0]) for r in rows] == expected
    as_jsonl = cli("attachments", "list", "Ticket", str(TICKET))
    assert [r["id"] for r in as_jsonl.jsonl()] == expected


def test_info(cli: Cli, lib: AutotaskClient, tmp_path: Path) -> None:
    made = lib.attachments.upload_file("Ticket", TICKET, _file(tmp_path, "i.bin", 10))
    run = cli("attachments", "info", str(made.id), "-o", "json")
    assert run.code == 0
    assert '"file_name": "i.bin"' in run.out and f'"id": {made.id}' in run.out
    missing = cli("attachments", "info", "999999999")
    assert missing.code == 4
    assert missing.err_lines == ["autotask: error: there is no attachment with id 999999999"]


def test_seed_delete_attachment(cli: Cli, lib: AutotaskClient, tmp_path: Path) -> None:
    made = lib.attachments.upload_file("Ticket", TICKET, _file(tmp_path, "gone.bin", 10))
    refused = cli("attachments", "delete-attachment", str(made.id))
    assert refused.code == 2 and "refused without --confirm" in refused.err
    assert lib.attachments.get_info(made.id) is not None
    run = cli("attachments", "delete-attachment", str(made.id), "--confirm")
    assert run.code == 0 and run.jsonl() == [{"id": made.id}]
    assert lib.attachments.get_info(made.id) is None
    again = cli("attachments", "delete-attachment", str(made.id), "--confirm")
    assert again.code == 4 and len(again.err_lines) == 1


def test_an_over_size_file_is_refused_before_anything_is_sent(
    cli: Cli, emulator: Emulator, lib: AutotaskClient, tmp_path: Path
) -> None:
    small = _file(tmp_path, "small.txt", 10)
    big = tmp_path / "big.bin"
    with big.open("wb") as fh:
        fh.truncate(6 * 1024 * 1024 + 1)
    before = [a.id for a in lib.attachments.list("Ticket", TICKET)]
    run = cli("attachments", "upload", "Ticket", str(TICKET), str(small), str(big))
    assert run.code == 4 and run.out == ""
    assert run.err_lines == [
        f"autotask: error: UPLOAD TicketAttachments: {big} is 6,291,457 bytes, over the "
        "attachment limit of 6,291,456 bytes (RequestConfig.attachment_max_bytes)"
    ]
    assert requests_to(emulator, "POST Tickets/{id}/Attachments") == 0
    assert [a.id for a in lib.attachments.list("Ticket", TICKET)] == before


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["upload", "Ticket", "29296", "{tmp}/none.pdf"],
            2,
            "{tmp}/none.pdf: cannot read: no such file",
        ),
        (["upload", "Ticket", "29296", "{tmp}"], 2, "{tmp}: cannot read: is a folder"),
        (
            ["upload", "Tocket", "29296", "{tmp}/a.txt"],
            2,
            "'Tocket' takes no attachments; parent types:",
        ),
        (["upload", "Ticket", "abc", "{tmp}/a.txt"], 2, "bad id 'abc'"),
        (["download", "-5", "{tmp}"], 2, "bad id '-5'"),
        (
            ["download", "29684500", "{tmp}/no/such/x.pdf"],
            2,
            "cannot write {tmp}/no/such/x.pdf: the folder",
        ),
        (["download", "999999999", "{tmp}"], 4, "attachment 999999999 not found"),
        (["list", "Nothing", "1"], 2, "'Nothing' takes no attachments"),
        ([], 2, "attachments needs an action"),
    ],
)
def test_bad_input(cli: Cli, tmp_path: Path, argv: list[str], code: int, message: str) -> None:
    (tmp_path / "a.txt").write_text("a")
    run = cli("attachments", *(a.replace("{tmp}", str(tmp_path)) for a in argv))
    assert run.code == code
    [line] = run.err_lines
    assert message.replace("{tmp}", str(tmp_path)) in line
    assert list((tmp_path).glob("*")) == [tmp_path / "a.txt"]  # nothing written


def test_a_failed_upload_is_reported_and_the_others_go_on_with_exit_7(
    cli: Cli, emulator: Emulator, lib: AutotaskClient, tmp_path: Path
) -> None:
    # Before: the first upload whose answer was lost ended the command (exit 5) and the files
    # after it were never sent; running it again attached the first ones twice.
    files = [_file(tmp_path, f"f{n}.bin", 100 + n) for n in range(4)]
    before = {a.id for a in lib.attachments.list("Ticket", TICKET)}
    rule = {"kind": "reset-before", "route": "POST:*/Tickets/*/Attachments", "after": 1, "times": 1}
    emulator.control("POST", "faults", {"seed": 1, "rules": [rule]})
    journal, results = tmp_path / "upload.journal", tmp_path / "results.jsonl"
    argv = ["attachments", "upload", "Ticket", str(TICKET), *map(str, files)]
    argv += ["--journal", str(journal), "--results", str(results)]
    run = cli(*argv)
    assert run.code == 7, run.err
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert sorted(r["status"] for r in rows) == ["unknown", "uploaded", "uploaded", "uploaded"]
    (lost,) = [r["index"] for r in rows if r["status"] == "unknown"]  # whichever met the reset
    kept = [f.name for n, f in enumerate(files) if n != lost]
    assert [r["file_name"] for r in run.jsonl()] == kept  # the others, in input order
    assert run.err_lines[0].startswith(f"autotask: {files[lost]}: unknown: UPLOAD")
    emulator.control("POST", "faults", {"rules": []})
    again = cli(*argv)  # the same command: nothing attached twice, the unknown file not resent
    assert again.code == 7
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    assert [r["status"] for r in rows] == ["unknown" if n == lost else "skipped" for n in range(4)]
    names = [a.file_name for a in lib.attachments.list("Ticket", TICKET) if a.id not in before]
    assert sorted(names) == kept  # reset-before applied nothing; nothing attached twice
