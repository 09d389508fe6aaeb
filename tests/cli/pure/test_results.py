"""Batch results as rows and a tally (CONTRACTS §8 ItemResult fields), and exit code 7."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from autotask.cli.exitcodes import ExitCode, UsageError
from autotask.cli.output import OutputOptions, record_writer
from autotask.cli.output.results import RESULT_COLUMNS, ResultsFile, Tally, result_row
from autotask.errors import InvalidRequest, OutcomeUnknown


@dataclass(frozen=True)
class Item:
    """The fields CONTRACTS §8 pins for ItemResult (the engine lands on another branch)."""

    index: int
    ok: bool
    item_id: int | None
    status: str
    error: Exception | None
    attempts: int


RESULTS = [
    Item(0, True, 101, "created", None, 1),
    Item(
        1,
        False,
        None,
        "failed",
        InvalidRequest("Missing Required Field: title", operation="CREATE", entity="Tickets"),
        1,
    ),
    Item(2, False, None, "unknown", OutcomeUnknown("no answer", operation="CREATE"), 1),
    Item(3, True, 99, "skipped", None, 0),
]


def test_rows_and_tally() -> None:
    out = io.StringIO()
    writer = record_writer(out, OutputOptions(format="csv", columns=RESULT_COLUMNS))
    tally = Tally()
    for result in RESULTS:
        tally.add(result)
        writer.write(result_row(result))
    writer.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "index,status,id,attempts,error"
    assert lines[1] == "0,created,101,1,"
    assert lines[2] == "1,failed,,1,CREATE Tickets: Missing Required Field: title"
    assert tally.total == 4 and tally.failed == 1 and tally.unknown == 1
    assert tally.exit_code() == ExitCode.BATCH_FAILURES
    assert tally.line("Tickets create") == (
        "Tickets create: 4 items: 1 created, 1 failed, 1 skipped, 1 unknown"
    )
    assert json.loads(json.dumps(result_row(RESULTS[2])))["status"] == "unknown"


def test_all_good_is_zero() -> None:
    tally = Tally()
    tally.add(RESULTS[0])
    tally.add(RESULTS[3])
    assert tally.exit_code() == ExitCode.OK
    assert Tally().line("x") == "x: 0 items"


def test_one_item_is_singular() -> None:
    tally = Tally()
    tally.add(RESULTS[0])
    assert tally.line("Companies update") == "Companies update: 1 item: 1 created"


def test_results_file_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    unused = ResultsFile(str(path))
    assert not path.exists() and len(list(tmp_path.iterdir())) == 1  # the temporary file
    unused.close(keep=False)
    assert list(tmp_path.iterdir()) == []  # a run that never started leaves nothing
    written = ResultsFile(str(path))
    for result in RESULTS[:2]:
        written.write(result)
    assert not path.exists()  # still the temporary file until closed
    written.close(keep=False)  # rows were written: they record what was done
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["status"] for r in rows] == ["created", "failed"]
    assert list(tmp_path.iterdir()) == [path]
    empty = ResultsFile(str(path))
    empty.close(keep=True)  # a finished batch of no items: an empty file
    assert path.read_text() == ""


def test_results_file_in_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--results .*/no/r.jsonl: cannot write"):
        ResultsFile(str(tmp_path / "no" / "r.jsonl"))
