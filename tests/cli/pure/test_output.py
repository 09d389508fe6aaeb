"""Writers for the five formats, table fitting, labels, and the progress bar (no sockets)."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections import namedtuple
from typing import Any

import pytest

from autotask.cli.output import OutputOptions, default_format, record_writer, write_document
from autotask.cli.output.progress import Progress, ProgressBar, progress_of, render, summary_line
from autotask.cli.output.table import CAP, fit_widths

RECORDS = [
    {"id": 1, "title": "Printer", "status": 1, "nested": {"a": 1}, "userDefinedFields": []},
    {
        "id": 2,
        "title": "VPN, again",
        "status": 5,
        "nested": None,
        "userDefinedFields": [{"name": "Customer Code", "value": "C1"}],
    },
]
LABELS = {"status": {"1": "New", "5": "Complete"}}


def _write(fmt: str, records: list[dict[str, Any]] = RECORDS, **options: Any) -> str:
    out = io.StringIO()
    writer = record_writer(out, OutputOptions(format=fmt, **options))
    for record in records:
        writer.write(record)
    writer.close()
    return out.getvalue()


def test_default_format_follows_the_terminal() -> None:
    assert default_format(True) == "table"
    assert default_format(False) == "jsonl"


def test_jsonl_and_json_keep_records_as_the_api_sent_them() -> None:
    assert [json.loads(x) for x in _write("jsonl").splitlines()] == RECORDS
    assert json.loads(_write("json")) == RECORDS
    assert json.loads(_write("json", [])) == []
    assert _write("jsonl", []) == ""


def test_labels_go_beside_the_values() -> None:
    first = json.loads(_write("jsonl", labels=LABELS).splitlines()[0])
    assert list(first)[:4] == ["id", "title", "status", "status.label"]
    assert first["status.label"] == "New"
    rows = list(csv.reader(io.StringIO(_write("csv", columns=["id", "status"], labels=LABELS))))
    assert rows == [["id", "status", "status.label"], ["1", "1", "New"], ["2", "5", "Complete"]]


def test_csv_flattens_udfs_and_nested_values() -> None:
    rows = list(
        csv.reader(
            io.StringIO(_write("csv", columns=["id", "title", "nested", "udf:Customer Code"]))
        )
    )
    assert rows[0] == ["id", "title", "nested", "udf:Customer Code"]
    assert rows[1] == ["1", "Printer", '{"a":1}', ""]
    assert rows[2] == ["2", "VPN, again", "", "C1"]
    header_only = _write("csv", [], columns=["id", "title"])
    assert header_only == "id,title\n"
    # without columns: the first record's keys, UDFs flattened
    assert _write("csv").splitlines()[0] == "id,title,status,nested"


def test_summary_counts() -> None:
    assert _write("summary", noun="Tickets") == "2 Tickets\n"


def test_table_aligns_and_drops_empty_columns() -> None:
    lines = _write("table").splitlines()
    assert lines[0].split() == ["id", "title", "status", "nested", "udf:Customer", "Code"]
    assert lines[1].startswith(" 1  Printer")  # numbers right-aligned
    records = [{"id": 1, "empty": None, "x": "a"}, {"id": 2, "empty": "", "x": "b"}]
    assert _write("table", records).splitlines()[0].split() == ["id", "x"]


def test_table_fits_the_terminal_and_says_what_it_left_out() -> None:
    record = {f"column{i}": "v" * 12 for i in range(20)}
    out = io.StringIO()
    writer = record_writer(out, OutputOptions(format="table", width=60))
    writer.write(record)
    writer.close()
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert lines[0].startswith("column0")
    assert writer.notes and "did not fit the terminal" in writer.notes[0]  # type: ignore[attr-defined]


def test_table_cuts_long_cells_with_an_ellipsis() -> None:
    text = _write("table", [{"id": 1, "title": "x" * 100}])
    row = text.splitlines()[1]
    assert len(row) == len(" 1  ") + CAP and row.endswith(
        "~"
    )  # StringIO has no encoding: ASCII mark


def test_table_streams_after_the_sample() -> None:
    records = [{"id": i, "v": "a"} for i in range(150)]
    out = io.StringIO()
    writer = record_writer(out, OutputOptions(format="table"))
    for record in records[:100]:
        writer.write(record)
    assert out.getvalue().count("\n") == 101  # header + the sample, before close
    writer.write({"id": 100, "v": "a much longer value than any before"})
    assert out.getvalue().splitlines()[-1].endswith("a")  # cut to the sampled width
    writer.close()


def test_table_bold_header_only_with_color() -> None:
    assert "\x1b[" in _write("table", color=True)
    assert "\x1b[" not in _write("table", color=False)


def test_fit_widths() -> None:
    assert fit_widths([5, 10, 8], None) == [5, 10, 8]
    assert fit_widths([5, 10, 8], 19) == [5, 10]
    assert fit_widths([5, 10, 8], 25) == [5, 10, 6]  # the last one cut into the room left
    assert fit_widths([100], 30) == [30]
    assert fit_widths([50, 50], None) == [CAP, CAP]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("json", '{\n  "a": 1,\n  "b": "x"\n}\n'),
        ("jsonl", '{"a": 1, "b": "x"}\n'),
        ("csv", "a,b\n1,x\n"),
        ("table", "a  1\nb  x\n"),
        ("summary", "one line\n"),
    ],
)
def test_documents(fmt: str, expected: str) -> None:
    out = io.StringIO()
    write_document(out, OutputOptions(format=fmt), {"a": 1, "b": "x"}, "one line")
    assert out.getvalue() == expected


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_draws_on_a_terminal_and_wipes_itself() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar(out, enabled=True, label="Tickets create", width=100, clock=clock)
    bar(Progress(10, 100, 9, 1, 0, 2.0))
    text = out.getvalue()
    assert text.startswith("\r") and "10/100" in text and "5.0/s" in text and "ETA 0:18" in text
    assert "failed 1" in text and "unknown 0" in text and "[##..." in text
    clock.now = 0.05
    bar(Progress(11, 100, 10, 1, 0, 2.05))  # within 0.1 s: not redrawn
    assert out.getvalue() == text
    bar(Progress(100, 100, 98, 1, 1, 3.0))  # complete: always drawn
    assert "100/100" in out.getvalue()
    bar.close()
    assert out.getvalue().endswith("\r\x1b[K")
    assert all(len(line) < 100 for line in out.getvalue().replace("\x1b[K", "").split("\r"))


def test_progress_bar_is_silent_when_disabled_but_keeps_the_summary() -> None:
    out = io.StringIO()
    bar = ProgressBar(out, enabled=False, label="Tickets create")
    bar(Progress(3, None, 2, 1, 0, 1.5))
    bar.close()
    assert out.getvalue() == ""
    assert bar.summary() == ("Tickets create: 3 done (2 ok, 1 failed, 0 unknown) in 1.5 s, 2.0/s")


def test_progress_values_by_attribute_or_tuple() -> None:
    Value = namedtuple("Value", "done total ok failed unknown elapsed")
    assert progress_of(Value(1, 2, 1, 0, 0, 0.5)) == Progress(1, 2, 1, 0, 0, 0.5)
    assert progress_of((1, None, 1, 0, 0, 0.5)) == Progress(1, None, 1, 0, 0, 0.5)

    class Engine:
        done, total, ok, failed, unknown, elapsed = 4, 10, 3, 0, 1, 2

    assert progress_of(Engine()) == Progress(4, 10, 3, 0, 1, 2.0)


def test_progress_without_a_total_and_summary_of_nothing() -> None:
    line = render("x", Progress(5, None, 5, 0, 0, 1.0), 80)
    assert "5 done" in line and "ETA" not in line and "[" not in line
    assert summary_line("x", None) == "x: 0 done (0 ok, 0 failed, 0 unknown) in 0.0 s, 0.0/s"
    assert "of 10" in summary_line("x", Progress(4, 10, 4, 0, 0, 1.0))


def test_progress_bar_is_thread_safe() -> None:
    out = io.StringIO()
    bar = ProgressBar(out, enabled=True, label="x", clock=lambda: 0.0)
    threads = [
        threading.Thread(target=lambda i=i: bar(Progress(i, 8, i, 0, 0, 1.0))) for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bar.last is not None and out.getvalue().count("\r") >= 1
