"""Every bad input of issue 11 gives one line on stderr and its documented exit code; --debug
shows the wire and tracebacks but never a secret."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Cli, credentials_env
from tests.emulator_process import INTEGRATION_CODE, SECRET, Emulator, running_emulator


def _one_error_line(err: str, *fragments: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {lines}"
    (line,) = lines
    assert line.startswith("autotask: error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert "Traceback" not in err
    return line


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


@pytest.mark.parametrize(
    ("argv", "code", "fragments"),
    [
        (("create", "Tickets", '{"title": '), 2, ("the JSON argument: line 1: malformed JSON",)),
        (("create", "Tickets", "@/no/such/file.json"), 2, ("/no/such/file.json: cannot read",)),
        (("query", "Tikets"), 2, ("unknown entity 'Tikets'", "did you mean Tickets")),
        (("query", "Tickets/x/Notes"), 2, ("the parent id 'x' is not a whole number",)),
        (("query", "Tickets/1/Nope"), 2, ("Tickets has no child collection 'Nope'",)),
        (("query", "Tickets", "stauts=1"), 2, ("Tickets has no field 'stauts'", "status")),
        (("query", "Tickets", "--fields", "id,titel"), 2, ("no field 'titel'", "title")),
        (("query", "Tickets", "status=Nwe"), 2, ("'Nwe' is not a label", "New")),
        (("query", "Tickets", "status"), 2, ("bad condition 'status'", "FIELD OP VALUE")),
        (("query", "Tickets", "priority>>2"), 2, ("'>2' is not a label of Tickets.priority",)),
        (("query", "Tickets", "--filter", "{x"), 2, ("--filter: malformed JSON",)),
        (("query", "Tickets", "--limit", "0"), 2, ("--limit must be a positive number",)),
        (("count", "Tickets", "title"), 2, ("bad condition 'title'",)),
        (("get", "Tickets", "abc"), 2, ("bad id 'abc'",)),
        (("get", "Tickets", "-1"), 2, ("bad id '-1': an id is a whole number, 0 or more",)),
        (("delete", "Tickets", "12x", "--confirm"), 2, ("bad id '12x'",)),
        (("get", "Tickets"), 2, ("the following arguments are required: ID",)),
        (("frobnicate",), 2, ("invalid choice: 'frobnicate'",)),
        (("query", "Tickets", "--output", "xml"), 2, ("invalid choice: 'xml'",)),
        (("info", "Tickets", "--picklist", "nope"), 2, ("Tickets has no field 'nope'",)),
        (("create", "Tickets", '{"title": "x"}'), 4, ("CREATE Tickets: HTTP 500",)),
        (("get", "Tickets", "99999999"), 4, ("no record with id 99999999",)),
        (
            ("query", "Tickets", "--secret", "abc"),
            2,
            ("--secret is not accepted", "AUTOTASK_SECRET"),
        ),
        (("--integration-code=abc", "usage"), 2, ("AUTOTASK_INTEGRATION_CODE",)),
        (("--timeout", "nan", "count", "Tickets"), 3, ("timeout must be a finite number",)),
        # An argument's line break or escape sequence is shown escaped: still one line.
        (("query", "Tickets", "a\nb\x1b[2J"), 2, ("bad condition 'a\\nb\\x1b[2J'",)),
        (("create", "Tickets", "{}", "\n\x85"), 2, ("unrecognized arguments: \\n\\x85 (see",)),
    ],
)
def test_bad_input(cli: Cli, argv: tuple[str, ...], code: int, fragments: tuple[str, ...]) -> None:
    run = cli(*argv)
    assert run.code == code, run.err
    line = _one_error_line(run.err, *fragments)
    assert "abc" not in line or "bad id" in line  # a refused secret is never echoed


def test_no_credentials(run_cli: Cli) -> None:
    run = run_cli("query", "Tickets")
    assert run.code == 3
    _one_error_line(run.err, "no credentials", "AUTOTASK_USERNAME", "autotask config set")


def test_unreachable_host(run_cli: Cli, emulator: Emulator) -> None:
    env = credentials_env(emulator)
    env["AUTOTASK_API_URL"] = f"http://127.0.0.1:{_closed_port()}/ATServicesRest/"
    run = run_cli("usage", "--retries", "0", env=env)
    assert run.code == 5
    _one_error_line(run.err, "cannot connect")


def test_wrong_secret_is_401(run_cli: Cli, emulator: Emulator) -> None:
    env = credentials_env(emulator)
    env["AUTOTASK_SECRET"] = "not-the-secret-at-all"
    run = run_cli("query", "Tickets", "--limit", "1", env=env)
    assert run.code == 3
    line = _one_error_line(run.err, "HTTP 401")
    assert "not-the-secret-at-all" not in line


@pytest.fixture(scope="module")
def small_budget() -> Iterator[Emulator]:
    with running_emulator("--hourly-limit", "3", "--threshold-latency-ms", "0") as emu:
        yield emu


def test_hourly_budget_exhausted(run_cli: Cli, small_budget: Emulator) -> None:
    small_budget.reset()
    env = credentials_env(small_budget)
    for _ in range(3):
        run_cli("count", "Companies", "--retries", "0", env=env)
    run = run_cli("count", "Companies", "--retries", "0", env=env)
    assert run.code == 6
    _one_error_line(run.err, "429", "Request Threshold Exceeded")


def test_tracebacks_only_with_debug(cli: Cli) -> None:
    plain = cli("create", "Tickets", '{"title": "x"}')
    assert "Traceback" not in plain.err
    debug = cli("--debug", "create", "Tickets", '{"title": "x"}')
    assert debug.code == 4
    assert "Traceback (most recent call last)" in debug.err
    assert debug.err_lines[-1].startswith("autotask: error: CREATE Tickets: HTTP 500")


def test_debug_session_never_shows_a_secret(cli: Cli, run_cli: Cli, emulator: Emulator) -> None:
    """A whole session with --debug: reads, writes, metadata, failures, profiles."""
    wrong = "wrong-secret-0123456789"
    runs = [
        cli("--debug", "get", "Tickets", "29296", "--labels"),
        cli("--debug", "query", "Tickets", "status=New", "udf:FR Result=Escalated"),
        cli("--debug", "count", "Tickets", "priority>=2"),
        cli(
            "--debug",
            "create",
            "Tickets/29296/Notes",
            '{"title": "t", "description": "d", "noteType": 1, "publish": 1}',
        ),
        cli("--debug", "create", "Tickets", '{"title": "fails"}'),
        cli("--debug", "info", "Tickets", "--udfs"),
        cli("--debug", "usage"),
        cli("--debug", "doctor"),
        cli("--debug", "query", "Tickets", env={"AUTOTASK_SECRET": wrong}),
        cli("--debug", "config", "set", "secret", stdin=SECRET + "\n"),
        cli("--debug", "config", "set", "integration_code", stdin=INTEGRATION_CODE + "\n"),
        cli("--debug", "config", "list"),
        cli("--debug", "config", "get", "secret"),
    ]
    text = "".join(r.out + r.err for r in runs)
    assert "-> POST" in text and "-> GET" in text and "ApiIntegrationCode" in text  # the wire log
    for secret in (SECRET, INTEGRATION_CODE, wrong):
        assert secret not in text


def test_an_internal_error_is_one_line_and_1(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug cannot be produced on purpose, so one is planted; Ctrl-C and SIGTERM are tested
    # with real signals in test_script.py.
    from autotask.core.entities import Entity

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Entity, "count", broken)
    run = cli("count", "Tickets")
    assert run.code == 1
    assert run.err_lines == [
        "autotask: internal error: RuntimeError: a bug (run with --debug for the traceback, "
        "and please report it)"
    ]


def test_help_exits_zero(run_cli: Cli, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run_cli("--help").code == 0
    assert run_cli("query", "--help").code == 0
    out = capsys.readouterr().out
    assert "autotask query" in out and "examples:" in out and "exit status:" in out
