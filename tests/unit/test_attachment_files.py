"""Safe local names from server-given file names, all-or-nothing writes, parent names."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autotask.attachments.files import PartFile, safe_file_name
from autotask.attachments.parents import find_parent, parent_for_code, parent_for_label, parents
from autotask.errors import InvalidRequest


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("/etc/passwd", "passwd"),
        ("../../.bashrc", "bashrc"),
        ("..", "fallback"),
        ("...", "fallback"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("a\nb\x00c\x1b[31m.txt", "a bc[31m.txt"),
        ("tab\there\u00a0.txt", "tab here .txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("  spaced name.txt  ", "spaced name.txt"),
        ("dir/", "fallback"),
        ("", "fallback"),
        (None, "fallback"),
        (42, "fallback"),
        ("logs-été.txt", "logs-été.txt"),
    ],
)
def test_server_file_names_are_made_safe(name: object, expected: str) -> None:
    assert safe_file_name(name, "fallback") == expected


def test_long_names_keep_their_extension_within_255_bytes() -> None:
    name = safe_file_name("é" * 300 + ".pdf", "x")
    assert name.endswith(".pdf") and len(name.encode()) <= 255


@given(st.text())
def test_no_name_can_leave_the_directory(name: str) -> None:
    safe = safe_file_name(name, "fallback")
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert safe.isprintable()
    assert len(safe.encode()) <= 255
    assert (Path("/base") / safe).parent == Path("/base")


def test_a_part_file_appears_only_on_commit(tmp_path: Path) -> None:
    with PartFile(tmp_path, "x") as part:
        part.write(b"abc")
        assert [p.name.endswith(".part") for p in tmp_path.iterdir()] == [True]
        target = part.commit(tmp_path / "final.bin")
    assert target.read_bytes() == b"abc" and [p.name for p in tmp_path.iterdir()] == ["final.bin"]
    with pytest.raises(RuntimeError), PartFile(tmp_path, "x") as part:
        part.write(b"partial")
        raise RuntimeError("broken off")
    assert [p.name for p in tmp_path.iterdir()] == ["final.bin"]
    assert (tmp_path / "final.bin").read_bytes() == b"abc"


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_a_downloaded_file_gets_the_mode_of_any_new_file(tmp_path: Path, umask: int) -> None:
    # Not tempfile's 0600: a download is a normal file of its user (as with curl -o).
    previous = os.umask(umask)
    try:
        with PartFile(tmp_path, "x") as part:
            part.write(b"abc")
            target = part.commit(tmp_path / f"final-{umask:o}.bin")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize(
    ("name", "parent", "path"),
    [
        ("Ticket", "Tickets", "Tickets/5/Attachments"),
        ("tickets", "Tickets", "Tickets/5/Attachments"),
        ("TICKET_NOTES", "TicketNotes", "TicketNotes/5/Attachments"),
        ("time entry", "TimeEntries", "TimeEntries/5/Attachments"),
        ("Company", "Companies", "Companies/5/Attachments"),
        ("account", "Companies", "Companies/5/Attachments"),
        ("Opportunity", "Opportunities", "Opportunities/5/Attachments"),
        ("configurationitem", "ConfigurationItems", "ConfigurationItems/5/Attachments"),
        ("ExpenseReport", "ExpenseReports", "Expenses/5/Attachments"),
        ("expenses", "ExpenseReports", "Expenses/5/Attachments"),
    ],
)
def test_parent_names_singular_plural_any_case(name: str, parent: str, path: str) -> None:
    found = find_parent(name)
    assert found.name == parent and found.path(5) == path
    assert found.entity.endswith("Attachments")


def test_every_parent_comes_from_the_registry_and_unknown_ones_are_refused() -> None:
    names = {p.name for p in parents()}
    assert {"Tickets", "Projects", "Companies", "Tasks", "Opportunities", "TicketNotes"} <= names
    with pytest.raises(InvalidRequest, match="'Contracts' takes no attachments; parent types:"):
        find_parent("Contracts")


def test_parent_type_codes_and_labels() -> None:
    assert parent_for_code(4) == find_parent("Tickets") == parent_for_code(4.0)
    assert parent_for_code("5") == find_parent("Projects")
    assert parent_for_code(99) is None and parent_for_code(True) is None
    assert parent_for_code(None) is None and parent_for_code(4.5) is None
    assert parent_for_label("Time Entry") == find_parent("TimeEntries")
    assert parent_for_label("Account") == find_parent("Companies")
    assert parent_for_label("Something Else") is None
