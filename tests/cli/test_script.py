"""The installed ``autotask`` script (the venv's console entry point) in real processes: the
seed-like command lines, exit codes, a closed pipe, Ctrl-C and SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import credentials_env, ticket
from tests.emulator_process import Emulator, running_emulator

SCRIPT = Path(sys.executable).parent / "autotask"


def _env(emulator: Emulator | None, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOTASK_") and k != "COLUMNS"}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), AUTOTASK_CACHE_DIR=str(tmp_path / "c"))
    if emulator is not None:
        env.update(credentials_env(emulator))
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_the_script_is_installed() -> None:
    assert SCRIPT.is_file() and os.access(SCRIPT, os.X_OK)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--version"], 0),
        (["--help"], 0),
        (["query", "--help"], 0),
        ([], 2),
        (["frobnicate"], 2),
        (["get", "Tickets", "abc"], 2),
    ],
)
def test_exit_codes_without_a_server(tmp_path: Path, args: list[str], code: int) -> None:
    result = _run(args, _env(None, tmp_path))
    assert result.returncode == code, result.stderr
    if code:
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_seed_like_lines(emulator: Emulator, tmp_path: Path) -> None:
    env = _env(emulator, tmp_path)
    got = _run(["get", "Tickets", "29296"], env)
    assert got.returncode == 0 and json.loads(got.stdout)["id"] == 29296
    table = _run(
        ["query", "Tickets", "status=New", "--fields", "id,title", "--output", "table"], env
    )
    assert table.returncode == 0 and table.stdout.splitlines()[0].split() == ["id", "title"]
    count = _run(["count", "Tickets", "status=New"], env)
    assert count.returncode == 0 and int(count.stdout) == len(table.stdout.splitlines()) - 1
    created = _run(["create", "Tickets", "-"], env, stdin=json.dumps(ticket(title="script")))
    assert created.returncode == 0, created.stderr
    new_id = json.loads(created.stdout)["id"]
    updated = _run(["update", "Tickets", json.dumps({"id": new_id, "priority": 1})], env)
    assert updated.returncode == 0
    usage = _run(["usage", "-o", "json"], env)
    assert usage.returncode == 0 and json.loads(usage.stdout)["externalRequestThreshold"] == 10000
    assert _run(["doctor"], env).returncode == 0
    refused = _run(["delete", "Tickets/29296/ChecklistItems", "5000"], env)
    assert refused.returncode == 2 and "--confirm" in refused.stderr
    assert _run(["query", "Tickets", "status=Nope"], env).returncode == 2
    assert _run(["get", "Tickets", "99999999"], env).returncode == 4


def test_profiles_through_the_script(emulator: Emulator, tmp_path: Path) -> None:
    env = _env(None, tmp_path)
    creds = credentials_env(emulator)
    assert _run(["config", "set", "username", creds["AUTOTASK_USERNAME"]], env).returncode == 0
    assert _run(["config", "set", "api_url", creds["AUTOTASK_API_URL"]], env).returncode == 0
    for key, variable in (
        ("secret", "AUTOTASK_SECRET"),
        ("integration_code", "AUTOTASK_INTEGRATION_CODE"),
    ):
        assert _run(["config", "set", key], env, stdin=creds[variable] + "\n").returncode == 0
    path = Path(_run(["config", "path"], env).stdout.strip())
    assert path == tmp_path / "config" / "autotask" / "config.ini"
    assert (path.stat().st_mode & 0o777) == 0o600
    assert _run(["count", "Tickets"], env).returncode == 0


def test_a_closed_pipe_is_quiet(emulator: Emulator, tmp_path: Path) -> None:
    emulator.seed("Companies", 3000)  # megabytes of JSON Lines: more than a pipe buffer holds
    proc = subprocess.Popen(
        [str(SCRIPT), "query", "Companies"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(emulator, tmp_path),
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    assert isinstance(json.loads(first)["id"], int)  # a record (the own company is id 0)
    proc.stdout.close()  # like `| head -1`
    try:
        code = proc.wait(timeout=60)
    finally:
        stderr = proc.stderr.read().decode()
        proc.stderr.close()
    assert stderr == ""
    assert code == 0


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Emulator]:
    with running_emulator("--latency-ms", "3000") as emu:
        yield emu


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_end_with_130(
    slow_emulator: Emulator, tmp_path: Path, sig: signal.Signals
) -> None:
    deadline = time.monotonic() + 30
    while slow_emulator.stats().get("in_flight") and time.monotonic() < deadline:
        time.sleep(0.05)  # an earlier test's request is still being held
    proc = subprocess.Popen(
        [str(SCRIPT), "query", "Tickets", "--retries", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(slow_emulator, tmp_path),
    )
    while not slow_emulator.stats().get("in_flight") and time.monotonic() < deadline:
        time.sleep(0.05)  # until the query is in flight (the emulator holds it for 3 s)
    assert slow_emulator.stats().get("in_flight"), "the query never reached the emulator"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.decode().splitlines() == ["autotask: interrupted"]


def test_the_emulator_command_serves_and_stops(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [str(SCRIPT), "emulator", "--port", "0", "--data", "empty"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(None, tmp_path),
        text=True,
    )
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:")
        env = _env(None, tmp_path, AUTOTASK_API_URL=line.split()[-1])
        env.update(
            AUTOTASK_USERNAME="emulator@example.com",
            AUTOTASK_SECRET="emulator-secret",
            AUTOTASK_INTEGRATION_CODE="EMULATORINTEGRATIONCODE",
        )
        assert _run(["count", "Tickets"], env).stdout == "0\n"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
