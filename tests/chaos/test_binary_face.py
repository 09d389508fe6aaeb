"""The single binary's face of issue 14, where it is cheap: a ``--debug`` session of
``dist/autotask`` (or ``$AUTOTASK_BINARY``) shows no piece of a secret in its output, its
argument list, its journal, results or state files, and hostile command lines end with
documented exit codes and no traceback. (tests/chaos/test_cli_chaos.py runs its batch scenario
through the binary too.)

The tests exist only when the binary does (``make binary``); its own smoke tests are
build/smoke.py's.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from autotask.cli.exitcodes import ExitCode
from tests.security.test_secrets import cli_session, leaks, secret_emulator

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("AUTOTASK_BINARY") or ROOT / "dist" / "autotask")
DOCUMENTED = {int(code) for code in ExitCode} - {int(ExitCode.UNEXPECTED)}
HOSTILE = [
    ["query", "Tickets", "--filter", "[" * 100_000],
    ["create", "Tickets", '{"title": "\\udc80"}'],
    ["create", "Tickets", '{"title": NaN}'],
    ["--timeout", "nan", "count", "Tickets"],
    ["--api-url", "http://example.com\\@127.0.0.1:1/ATServicesRest/", "count", "Tickets"],
    ["get", "Tickets", "99999999999999999999"],
    ["query", "Tickets", "priority>=1e999"],
    ["frobnicate"],
    ["--secret", "abc", "usage"],
]

if BINARY.is_file() and os.access(BINARY, os.X_OK):

    def test_a_binary_debug_session_shows_no_piece_of_a_secret(tmp_path: Path) -> None:
        with secret_emulator() as emu:
            texts = cli_session(emu, tmp_path, command=(str(BINARY),))
        assert any("-> GET" in t for t in texts)  # the binary's wire log was on
        found = {str(i): leaks(t) for i, t in enumerate(texts)}
        for path in tmp_path.rglob("*"):  # its journal, results and state files too
            if path.is_file():
                found[str(path)] = leaks(path.read_bytes().decode("latin-1"))
        assert {i: pieces for i, pieces in found.items() if pieces} == {}

    def test_hostile_command_lines_through_the_binary(tmp_path: Path) -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(tmp_path),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "AUTOTASK_USERNAME": "u@example.com",
            "AUTOTASK_INTEGRATION_CODE": "CODE",
            "AUTOTASK_SECRET": "secret",
            "AUTOTASK_API_URL": "http://127.0.0.1:1/ATServicesRest/",  # nothing listens
        }
        for argv in HOSTILE:
            run = subprocess.run(
                [str(BINARY), *argv], env=env, capture_output=True, text=True, timeout=120
            )
            assert run.returncode in DOCUMENTED, (argv, run.returncode, run.stderr[-1000:])
            assert "Traceback" not in run.stderr, (argv, run.stderr[-1000:])
            assert run.stderr.strip().split("\n")[-1].startswith("autotask: error:"), argv
