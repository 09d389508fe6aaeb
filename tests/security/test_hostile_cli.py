"""Hostile command lines, input files and profile files (issue 14 "Hostile input").

``autotask`` runs in-process against the real emulator with whatever a generator throws at it:
argument lists built from its own vocabulary and junk, input documents of random bytes (BOMs,
CRLF, invalid UTF-8, wrong types, missing fields, huge strings), JSON, JSON Lines and CSV files
read as a batch reads them, a 100 MB line, and profiles files of random text. Every run ends
with a documented exit code other than 1 (1 is "a bug"), one ``autotask: error:`` line and no
traceback (unless ``--debug`` asked for one), and writes nothing outside its own folders.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autotask.cli.exitcodes import ExitCode, UsageError
from autotask.cli.input import checked_records
from autotask.cli.values.fieldtypes import FieldTable
from autotask.errors import ConfigError
from autotask.profiles import ProfileStore, config_path
from tests.cli.conftest import Cli, Run
from tests.cli.pure.conftest import real_fields
from tests.emulator_process import Emulator

DOCUMENTED = {int(code) for code in ExitCode} - {int(ExitCode.UNEXPECTED)}
_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(run: Run, argv: list[str] | tuple[str, ...]) -> None:
    assert run.code in DOCUMENTED, (argv, run.code, run.err[-2000:])
    if "--debug" not in argv:
        assert "Traceback" not in run.err, (argv, run.err[-2000:])
    if run.code in (0, int(ExitCode.BATCH_FAILURES)):
        return
    if "doctor" in argv and "--help" not in argv and '"FAIL"' in run.out + run.err:
        return  # doctor reports its failed check in its own output
    assert run.err.strip(), (argv, run.out[-500:])  # a failure says why
    last = run.err.strip().split("\n")[-1]
    assert last.startswith("autotask: error:") or "usage:" in run.err, (argv, last)


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


_COMMANDS = st.sampled_from(
    [
        ["get"],
        ["query"],
        ["count"],
        ["create"],
        ["update"],
        ["replace"],
        ["delete"],
        ["entities"],
        ["info"],
        ["usage"],
        ["doctor"],
        ["config", "set"],
        ["config", "get"],
        ["config", "list"],
        ["config", "path"],
        ["config", "delete"],
        [],
    ]
)
_TOKENS = st.one_of(
    st.sampled_from(
        [
            "Tickets",
            "tickets",
            "Companies",
            "Tickets/29296/Notes",
            "Tickets/x/Notes",
            "Nope",
            "TimeEntries",
            "29296",
            "0",
            "-1",
            "1e3",
            "99999999999999999999",
            "status=New",
            "status=Nope",
            "priority>=2",
            "title~a=b",
            "udf:FR Result=x",
            "id=in:1,2,,3",
            '{"title": "x"}',
            '{"id": 29296, "priority": 1}',
            "[1, 2]",
            "@/nonexistent.json",
            "-",
            "--output",
            "-o",
            "json",
            "csv",
            "table",
            "summary",
            "--fields",
            "id,title",
            "--limit",
            "--labels",
            "--any",
            "--filter",
            "--picklist",
            "--udfs",
            "--check",
            "--confirm",
            "--yes",
            "--quiet",
            "--debug",
            "--profile",
            "--timeout",
            "--retries",
            "--ca-file",
            "--username",
            "--api-url",
            "http://example.com/ATServicesRest/",
            "http://127.0.0.1:1/ATServicesRest/",
            "--secret",
            "--help",
            "username",
            "secret",
            "api_url",
            "timeout",
        ]
    ),
    st.text(max_size=12),
)


@_SETTINGS
@example(command=["query"], tokens=["Tickets", "--filter", "[" * 5000])
@example(command=["create"], tokens=["Tickets", '{"title": "\\udc80"}'])
@example(command=["create"], tokens=["Tickets", '{"title": NaN}'])
@example(command=["get"], tokens=["Tickets", "99999999999999999999"])
@example(command=["query"], tokens=["Tickets", "priority>=1e999"])
@example(command=["config", "set"], tokens=["timeout", "nan"])
@given(command=_COMMANDS, tokens=st.lists(_TOKENS, max_size=6))
def test_any_command_line_ends_with_a_documented_code(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], tokens: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [*command, *tokens]
    before = _files(tmp_path)
    run = cli(*argv)
    _check(run, argv)
    written = _files(tmp_path) - before
    allowed = (tmp_path / "config", tmp_path / "cache", tmp_path / "home")
    assert all(any(p.is_relative_to(a) for a in allowed) for p in written), written


_BYTES = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(str.encode),
    st.sampled_from(
        [
            b'\xef\xbb\xbf{"companyID": 174, "title": "bom", "status": 1, "priority": 2,'
            b' "queueID": 29683325}',
            b'{"companyID": 174,\r\n "title": "crlf",\r\n "status": 1, "priority": 2,'
            b' "queueID": 29683325}\r\n',
            b'{"title": "\xff\xfe not utf-8"}',
            b'{"companyID": "one hundred", "title": 5, "status": [], "priority": {}}',
            b'{"title": "' + b"x" * 100_000 + b'"}',
            b"{}",
            b"[]",
            b"null",
            b'{"id": 29296}',
            b'{"userDefinedFields": "not a list"}',
            b'{"userDefinedFields": [{"name": null}]}',
            b'{"udf:FR Result": [1]}',
        ]
    ),
)


@_SETTINGS
@given(data=_BYTES, command=st.sampled_from(["create", "update", "replace"]))
def test_any_input_document_ends_with_a_documented_code(
    cli: Cli, tmp_path: Path, data: bytes, command: str
) -> None:
    source = tmp_path / "input.json"
    source.write_bytes(data)
    argv = (command, "Tickets", f"@{source}")
    _check(cli(*argv), argv)


@pytest.fixture(scope="module")
def tickets() -> FieldTable:
    return FieldTable(
        "Tickets",
        lambda: real_fields("ticket_fields.json"),
        lambda: real_fields("ticket_udf_fields.json"),
    )


@settings(max_examples=400, deadline=None)
@example(data=b"\xef\xbb\xbfid,title\r\n1,a\r\n", suffix=".csv")
@example(data=b"title,title\n", suffix=".csv")
@example(data=b'title\n"unclosed\n', suffix=".csv")
@example(data=b"status\nNope\n", suffix=".csv")
@example(data=b"priority\n1e999\n", suffix=".csv")
@example(data=b'{"a": 1}\n{"b": \xff}\n', suffix=".jsonl")
@example(data=b'[{"a": 1}, 2]', suffix=".json")
@given(
    data=st.one_of(_BYTES, st.binary(max_size=100)),
    suffix=st.sampled_from([".json", ".jsonl", ".ndjson", ".csv", ".txt", ""]),
)
def test_any_input_file_is_records_or_a_usage_error(
    tickets: FieldTable, tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    source = tmp_path_factory.mktemp("input") / f"items{suffix}"
    source.write_bytes(data)
    try:
        with checked_records(str(source), io.StringIO(), tickets) as checked:
            records = list(checked.records())
    except UsageError as exc:
        assert str(exc).startswith(str(source)) and "\n" not in str(exc)
        return
    assert len(records) == checked.count
    assert all(isinstance(r, dict) for r in records)


HUNDRED_MB = 100 * 1024 * 1024


def test_a_100_mb_line(tickets: FieldTable, tmp_path: Path) -> None:
    # JSON Lines: the line is one record and is read (the reader's window doubles: linear time).
    jsonl = tmp_path / "big.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        fh.write('{"title": "a"}\n{"title": "')
        fh.write("b" * HUNDRED_MB)
        fh.write('"}\n{"title": "c"}\n')
    with checked_records(str(jsonl), io.StringIO(), tickets) as checked:
        assert checked.count == 3
        sizes = [len(r["title"]) for r in checked.records()]
    assert sizes == [1, HUNDRED_MB, 1]
    # CSV: a cell past the csv module's field limit is a usage error naming file and line.
    csv = tmp_path / "big.csv"
    with csv.open("w", encoding="utf-8") as fh:
        fh.write("title\na\n")
        fh.write("b" * HUNDRED_MB)
        fh.write("\n")
    with (
        pytest.raises(UsageError, match=r"big\.csv: line \d+: malformed CSV"),
        checked_records(str(csv), io.StringIO(), tickets),
    ):
        pass


def test_a_100_mb_record_is_refused_by_the_server_with_a_clear_error(
    cli: Cli, tmp_path: Path
) -> None:
    source = tmp_path / "big.json"
    with source.open("w", encoding="utf-8") as fh:
        fh.write('{"companyID": 174, "status": 1, "priority": 2, "queueID": 29683325, "title": "')
        fh.write("b" * HUNDRED_MB)
        fh.write('"}')
    run = cli("create", "Tickets", f"@{source}")
    assert run.code == int(ExitCode.REJECTED), run.err
    assert run.err_lines == [
        "autotask: error: CREATE Tickets: HTTP 413: request refused: The request body is larger "
        "than 10485760 bytes."
    ]


_INI = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.one_of(
            st.sampled_from(["[default]", "[p]", "[p]", "[", "]", "[default"]),
            st.tuples(
                st.sampled_from(
                    [
                        "username",
                        "secret",
                        "integration_code",
                        "api_url",
                        "zone_lookup_url",
                        "ca_file",
                        "timeout",
                        "retries",
                        "impersonation_resource_id",
                        "unknown_key",
                        "",
                    ]
                ),
                st.sampled_from([" = ", ": ", "=", " "]),
                st.one_of(
                    st.text(max_size=20),
                    st.sampled_from(
                        [
                            "http://example.com/ATServicesRest/",
                            "http://127.0.0.1:1/ATServicesRest/",
                            "http://a\\@127.0.0.1:1/",
                            "-5",
                            "nan",
                            "1e999",
                            "%(secret)s",
                            "/nonexistent.pem",
                        ]
                    ),
                ),
            ).map("".join),
        ),
        max_size=8,
    ).map("\n".join),
)


@_SETTINGS
@example(
    text="[p]\nusername = u\nsecret = s\nintegration_code = c\napi_url = http://a\\@127.0.0.1:1/"
)
@example(text="[p]\ntimeout = nan\n")
@example(text="[p]\n\x00\n")
@given(text=_INI)
def test_any_profiles_file_is_used_or_refused_with_a_documented_code(
    run_cli: Cli, base_env: dict[str, str], emulator: Emulator, text: str
) -> None:
    path = config_path(base_env)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    os.chmod(path, 0o600)
    with contextlib.suppress(ConfigError):
        ProfileStore(path).profile("p")
    for argv in (("--profile", "p", "count", "Tickets"), ("config", "list"), ("doctor",)):
        _check(run_cli(*argv), argv)
