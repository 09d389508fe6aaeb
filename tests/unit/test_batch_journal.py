"""The batch journal file (no sockets): header, damage, cut-off lines, keys, locking."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path

import pytest

from autotask import ConfigError
from autotask.batch.journal import Journal, item_key


def test_a_new_journal_starts_with_a_header(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal.open(path, "create", "Tickets", lookup=True)
    journal.sending(0, "k0")
    journal.finished(0, "k0", "created", item_id=5, attempts=2)
    journal.finished(1, "k1", "failed", attempts=1, error="CREATE Tickets: HTTP 500: no")
    journal.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["journal"] == "autotask-batch" and lines[0]["version"] == 1
    assert (lines[0]["operation"], lines[0]["target"], lines[0]["lookup"]) == (
        "create",
        "Tickets",
        True,
    )
    assert lines[1:] == [
        {"index": 0, "key": "k0", "state": "sending"},
        {"index": 0, "key": "k0", "status": "created", "id": 5, "attempts": 2},
        {
            "index": 1,
            "key": "k1",
            "status": "failed",
            "id": None,
            "attempts": 1,
            "error": "CREATE Tickets: HTTP 500: no",
        },
    ]


def test_reopening_reads_the_last_state_of_each_item(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal.open(path, "create", "Tickets")
    journal.sending(0, "k0")
    journal.finished(0, "k0", "created", item_id=5)
    journal.sending(1, "k1")
    journal.close()
    again = Journal.open(path, "create", "Tickets")
    try:
        assert again.check(0, "k0") is not None
        assert (again.entries[0].state, again.entries[0].item_id) == ("created", 5)
        assert (again.entries[1].state, again.entries[1].line) == ("sending", 4)
        assert again.check(2, "k2") is None
        with pytest.raises(ConfigError, match="line 4: item 1 differs"):
            again.check(1, "other")
    finally:
        again.close()


def test_a_line_cut_off_by_a_crash_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal.open(path, "create", "Tickets")
    journal.sending(0, "k0")
    journal.close()
    with path.open("a") as fh:
        fh.write('{"index": 0, "key": "k0", "sta')  # kill -9 in the middle of a write
    again = Journal.open(path, "create", "Tickets")
    again.finished(0, "k0", "created", item_id=9)
    again.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 3 and json.loads(lines[-1])["id"] == 9


def test_damage_inside_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    Journal.open(path, "create", "Tickets").close()
    with path.open("a") as fh:
        fh.write("not json\n")
        fh.write('{"index": 1, "key": "k", "state": "sending"}\n')
    with pytest.raises(ConfigError, match="line 2 is damaged"):
        Journal.open(path, "create", "Tickets")


def test_another_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"companyID": 1}\n')
    with pytest.raises(ConfigError, match="not an autotask batch journal"):
        Journal.open(path, "create", "Tickets")
    assert path.read_text() == '{"companyID": 1}\n'  # left as it was
    path.write_text('{"companyID": 1}')  # not even a newline: still not cut
    with pytest.raises(ConfigError, match="not an autotask batch journal"):
        Journal.open(path, "create", "Tickets")
    assert path.read_text() == '{"companyID": 1}'


def test_a_header_cut_off_by_a_crash_starts_a_new_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"journal":"autotask-ba')
    Journal.open(path, "create", "Tickets").close()
    [header] = [json.loads(line) for line in path.read_text().splitlines()]
    assert header["operation"] == "create"


def test_another_run_on_the_same_journal_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    first = Journal.open(path, "create", "Tickets")
    try:
        with pytest.raises(ConfigError, match="in use by another run"):
            Journal.open(path, "create", "Tickets")
    finally:
        first.close()
    Journal.open(path, "create", "Tickets").close()  # free again


def test_an_unwritable_journal_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot open journal"):
        Journal.open(tmp_path / "missing-dir" / "j.jsonl", "create", "Tickets")


def test_writes_after_close_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal.open(path, "create", "Tickets")
    journal.close()
    journal.close()
    journal.sending(0, "k")  # a worker still running after a second Ctrl-C
    assert len(path.read_text().splitlines()) == 1


def test_item_keys_are_canonical() -> None:
    assert item_key({"a": 1, "b": [1, 2]}) == item_key({"b": [1, 2], "a": 1})
    assert item_key({"a": 1}) != item_key({"a": 2})
    assert len(item_key(5)) == 64
    when = dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)
    assert item_key({"d": when, "n": decimal.Decimal("1.50")}) == item_key(
        {"d": "2024-01-02T00:00:00+00:00", "n": "1.50"}
    )
    with pytest.raises(TypeError, match="cannot journal a object"):
        item_key({"x": object()})
