"""Input files: JSON array, JSON Lines, CSV typed by metadata, ids, one-document arguments."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest

from autotask.cli.exitcodes import UsageError
from autotask.cli.input import checked_records, read_document, read_ids, read_records
from autotask.cli.input.jsonstream import JsonStreamError, iter_json_values
from autotask.cli.values.fieldtypes import FieldTable


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _stdin(text: str = "") -> io.StringIO:
    return io.StringIO(text)


def test_json_array_items_stream_with_their_lines(tmp_path: Path) -> None:
    text = '[\n  {"a": 1},\n  {"a": 2,\n   "b": "x"}\n]\n'
    assert list(iter_json_values(io.StringIO(text))) == [(2, {"a": 1}), (3, {"a": 2, "b": "x"})]
    path = _write(tmp_path, "items.json", text)
    assert list(read_records(path, _stdin())) == [{"a": 1}, {"a": 2, "b": "x"}]


def test_json_lines_and_concatenated_objects(tmp_path: Path) -> None:
    path = _write(tmp_path, "items.jsonl", '{"a": 1}\n\n{"a": 2}\n{\n "a": 3\n}\n')
    assert [r["a"] for r in read_records(path, _stdin())] == [1, 2, 3]


def test_values_crossing_chunk_edges() -> None:
    # Numbers and strings split by the 64 KiB window must come out whole.
    big = "x" * 70_000
    records = [{"n": 1234567890123, "s": big}, {"n": 98765, "s": "y"}] * 3
    text = "\n".join(json.dumps(r) for r in records)
    assert [v for _, v in iter_json_values(io.StringIO(text))] == records
    text = "[" + ",".join(json.dumps(r) for r in records) + "]"
    assert [v for _, v in iter_json_values(io.StringIO(text))] == records
    numbers = (" ".join(str(10**k) for k in range(30)) + "\n") * 3000
    assert [v for _, v in iter_json_values(io.StringIO(numbers))] == [
        10**k for k in range(30)
    ] * 3000


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ('{"a": 1}\n{"a": }\n', 2, "Expecting value"),
        ('[\n{"a": 1}\n{"a": 2}]', 3, "expected ',' or ']'"),
        ('[{"a": 1},\n', 2, "not closed"),
        ('[{"a": 1}] x', 1, "unexpected text"),
        ('{"a": "broken\n}', 1, "Invalid control character"),
        ('{"a": 1}\n{"a": "open', 2, "Unterminated string"),
        ('{"a": 1}\n{"a":\n\n}', 2, "Expecting value (at line 4"),
    ],
)
def test_malformed_json_names_the_line(text: str, line: int, what: str) -> None:
    with pytest.raises(JsonStreamError) as caught:
        list(iter_json_values(io.StringIO(text)))
    assert caught.value.line == line and what in caught.value.message


def test_a_malformed_line_is_a_usage_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.jsonl", '{"a": 1}\n{"a": 2}\n{"a": \n')
    with pytest.raises(UsageError) as caught:
        list(read_records(path, _stdin()))
    assert str(caught.value).startswith(f"{path}: line 3: malformed JSON")
    path = _write(tmp_path, "list.json", '[{"a": 1}, [1, 2]]')
    with pytest.raises(UsageError, match=r"line 1: item 2 is a list, not an object"):
        list(read_records(path, _stdin()))


def test_missing_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.json")
    with pytest.raises(UsageError, match=f"{missing}: cannot read: No such file"):
        list(read_records(missing, _stdin()))


def test_stdin_is_sniffed(tickets: FieldTable) -> None:
    assert list(read_records("-", _stdin(' [{"a": 1}]'))) == [{"a": 1}]
    assert list(read_records("-", _stdin('\ufeff{"a": 1}\n{"a": 2}'))) == [{"a": 1}, {"a": 2}]
    rows = list(read_records("-", _stdin("title,status\nx,New\n"), tickets))
    assert rows == [{"title": "x", "status": 1}]


def test_csv_is_typed_by_the_metadata(tmp_path: Path, tickets: FieldTable) -> None:
    path = _write(
        tmp_path,
        "tickets.csv",
        "title,status,priority,estimatedHours,dueDateTime,udf:FR Result,udf:Ext URL\n"
        '"Printer, 2nd floor",New,Critical,1.5,2026-01-02T09:00:00Z,escalated,http://x\n'
        "Second,5,3,,,,\n",
    )
    first, second = read_records(path, _stdin(), tickets)
    assert first["title"] == "Printer, 2nd floor"
    assert first["status"] == 1 and first["priority"] == 1
    assert str(first["estimatedHours"]) == "1.5"
    assert first["dueDateTime"].isoformat() == "2026-01-02T09:00:00+00:00"
    assert first["userDefinedFields"] == [
        {"name": "FR Result", "value": "Escalated"},
        {"name": "Ext URL", "value": "http://x"},
    ]
    assert second == {"title": "Second", "status": 5, "priority": 3}  # empty cells left out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title,stauts\nx,1\n", "line 1: column 'stauts': Tickets has no field 'stauts'"),
        ("title,title\nx,y\n", "line 1: column 'title' appears twice"),
        ("title,\nx,y\n", "line 1: column 2 of the header has no name"),
        ("title,status\nx,1\ny,Nwe\n", "line 3: column 'status': 'Nwe' is not a label"),
        ("title,priority\nx,1,extra\n", "line 2: 3 cells but the header has 2"),
        ('title,status\n"x,1\n', "malformed CSV"),
        ("title,udf:Nope\nx,1\n", "line 1: column 'udf:Nope': Tickets has no UDF 'Nope'"),
    ],
)
def test_bad_csv(tmp_path: Path, tickets: FieldTable, text: str, message: str) -> None:
    path = _write(tmp_path, "bad.csv", text)
    with pytest.raises(UsageError) as caught:
        list(read_records(path, _stdin(), tickets))
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_udf_keys_in_json_become_user_defined_fields(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.jsonl", '{"title": "t", "udf:Customer Code": "C1"}\n')
    (record,) = read_records(path, _stdin())
    assert record == {"title": "t", "userDefinedFields": [{"name": "Customer Code", "value": "C1"}]}


def test_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, "ids.txt", "1\n\n# a comment\n 2  # two\n3\n")
    assert list(read_ids([path, "-"], _stdin("4\n5\n"))) == [1, 2, 3, 4, 5]
    bad = _write(tmp_path, "bad.txt", "1\nx2\n")
    with pytest.raises(UsageError, match=r"bad.txt: line 2: bad id 'x2'"):
        list(read_ids([bad], _stdin()))
    with pytest.raises(UsageError, match=r"line 1: bad id '-3': an id is a whole number, 0 or"):
        list(read_ids(["-"], _stdin("-3\n")))


def test_read_document(tmp_path: Path) -> None:
    assert read_document('{"a": 1}', _stdin()) == {"a": 1}
    assert read_document("-", _stdin('{"b": 2}')) == {"b": 2}
    path = _write(tmp_path, "doc.json", '{\n  "c": 3\n}')
    assert read_document(f"@{path}", _stdin()) == {"c": 3}
    with pytest.raises(UsageError, match=r"the JSON argument: line 1: malformed JSON"):
        read_document("{", _stdin())
    with pytest.raises(UsageError, match="expected a JSON object, got list"):
        read_document("[1]", _stdin())
    with pytest.raises(UsageError, match="cannot read"):
        read_document(f"@{tmp_path / 'none.json'}", _stdin())


def test_a_100000_line_file_is_never_in_memory_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = json.dumps({"companyID": 174, "title": "t" * 60, "status": 1, "priority": 2})
    with path.open("w", encoding="utf-8") as fh:
        for index in range(100_000):
            fh.write(line.replace('"t', f'"{index:06d}t', 1) + "\n")
    size = path.stat().st_size
    assert size > 9_000_000
    tracemalloc.start()
    try:
        count = 0
        for record in read_records(str(path), _stdin()):
            count += 1
            assert record["status"] == 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert peak < 1_000_000, f"peak {peak} bytes while reading a {size}-byte file"


def test_checked_records_counts_then_reads_again(tmp_path: Path, tickets: FieldTable) -> None:
    path = _write(tmp_path, "t.csv", "title,status\na,New\nb,Complete\n")
    with checked_records(path, _stdin(), tickets) as checked:
        assert checked.count == 2 and checked.name == path
        assert [r["status"] for r in checked.records()] == [1, 5]
        assert [r["title"] for r in checked.records()] == ["a", "b"]  # again, from the start


def test_checked_records_spools_stdin_and_names_it(tickets: FieldTable) -> None:
    with checked_records("-", _stdin('{"a": 1}\n{"a": 2}\n')) as checked:
        assert checked.count == 2
        spooled = checked._path
        assert [r["a"] for r in checked.records()] == [1, 2]
    assert not Path(spooled).exists()  # the temporary copy is gone
    with pytest.raises(UsageError) as caught, checked_records("-", _stdin('{"a": 1}\n{"a"\n')):
        pass
    assert str(caught.value).startswith("<stdin>: line 2: malformed JSON")


def test_a_bad_last_line_fails_before_any_record_is_used(tmp_path: Path) -> None:
    lines = [json.dumps({"n": i}) for i in range(1000)] + ["{oops"]
    path = _write(tmp_path, "many.jsonl", "\n".join(lines))
    used = []
    with pytest.raises(UsageError, match="line 1001"), checked_records(path, _stdin()) as checked:
        used.extend(checked.records())
    assert used == []


def test_json_keys_are_checked_only_when_asked(tmp_path: Path, tickets: FieldTable) -> None:
    text = (
        '{"title": "a", "Status": 1, "udf:FR Result": "x"}\n'
        '{"title": "b", "userDefinedFields": [{"name": "Ext URL", "value": "u"}]}\n'
        '{"title": "c", "userDefinedFields": [{"name": "Nope", "value": "u"}]}\n'
    )
    path = _write(tmp_path, "t.jsonl", text)
    assert len(list(read_records(path, _stdin(), tickets))) == 3  # not asked: as before
    with pytest.raises(UsageError) as caught:
        list(read_records(path, _stdin(), tickets, check_keys=True))
    assert str(caught.value).startswith(f"{path}: line 3: item 3: Tickets has no UDF 'Nope'")
    bad_field = _write(tmp_path, "f.json", '[{"title": "a"},\n {"titel": "b"}]')
    with pytest.raises(UsageError, match=r"f.json: line 2: item 2: Tickets has no field 'titel'"):
        list(read_records(bad_field, _stdin(), tickets, check_keys=True))
    with checked_records(bad_field, _stdin(), tickets) as unchecked:
        assert unchecked.count == 2
    with (
        pytest.raises(UsageError, match="line 2: item 2"),
        checked_records(bad_field, _stdin(), tickets, check_keys=True),
    ):
        pass


def test_json_nested_too_deeply_is_a_usage_error(tmp_path: Path) -> None:
    # Before: RecursionError from the JSON decoder ended the command with exit 1 (a "bug").
    deep = "[" * 100_000 + "]" * 100_000
    source = tmp_path / "deep.jsonl"
    source.write_text('{"a": 1}\n{"b": ' + deep + "}\n")
    with pytest.raises(UsageError, match="line 2: malformed JSON: nested too deeply"):
        list(read_records(str(source), io.StringIO()))
    with pytest.raises(UsageError, match="nested too deeply"):
        read_document('{"a": ' + deep + "}", io.StringIO())


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ""])
def test_invalid_utf8_in_the_first_characters_is_a_usage_error(
    tmp_path: Path, tickets: FieldTable, suffix: str
) -> None:
    # Before: the bytes read to sniff the format raised UnicodeDecodeError (exit 1).
    source = tmp_path / f"items{suffix}"
    source.write_bytes(b'{"a": 1}\n{"b": \xff}\n')
    with pytest.raises(UsageError, match="not UTF-8 text"):
        list(read_records(str(source), io.StringIO(), tickets))
