"""Run ``autotask`` in-process (``main(argv, env)``) against the real emulator.

``cli(...)`` returns a :class:`Run` with the exit code, stdout and stderr. Streams are real
text streams over bytes (so ``.buffer`` exists); terminal flags are whatever the test says.
Every run gets its own ``XDG_CONFIG_HOME`` and zone cache under the test's tmp_path, and the
emulator's credentials in the environment unless the test passes ``creds=False``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from autotask.cli import main
from autotask.cli.env import Env
from autotask.client import AutotaskClient
from tests.client.conftest import connect
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator

#: A valid minimal ticket (the emulator's assignment rule needs a queue: BRIEF).
QUEUE_ID = 29683325
DEMO_COMPANY = 174


def ticket(**fields: Any) -> dict[str, Any]:
    """A creatable ticket, with ``fields`` on top."""
    base = {
        "companyID": DEMO_COMPANY,
        "title": "cli test",
        "status": 1,
        "priority": 2,
        "queueID": QUEUE_ID,
    }
    base.update(fields)
    return base


def _stream(text: str = "") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8", write_through=True)


@dataclass
class Run:
    """The outcome of one in-process run."""

    code: int
    out: str
    err: str
    out_bytes: bytes = b""

    @property
    def lines(self) -> list[str]:
        """stdout's lines."""
        return self.out.splitlines()

    def jsonl(self) -> list[Any]:
        """stdout read as JSON Lines."""
        return [json.loads(line) for line in self.lines]

    @property
    def err_lines(self) -> list[str]:
        """stderr's lines."""
        return self.err.splitlines()


def _raw(stream: io.TextIOWrapper) -> bytes:
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue()


def _read(stream: io.TextIOWrapper) -> str:
    return _raw(stream).decode(errors="replace")


def credentials_env(emulator: Emulator) -> dict[str, str]:
    """The variables that point the command at ``emulator``."""
    return {
        "AUTOTASK_USERNAME": USERNAME,
        "AUTOTASK_INTEGRATION_CODE": INTEGRATION_CODE,
        "AUTOTASK_SECRET": SECRET,
        "AUTOTASK_API_URL": emulator.base_url,
    }


Cli = Callable[..., Run]


@pytest.fixture
def base_env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: private config and cache folders, no colour preference."""
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "AUTOTASK_CACHE_DIR": str(tmp_path / "cache"),
        "HOME": str(tmp_path / "home"),
    }


@pytest.fixture
def run_cli(base_env: dict[str, str]) -> Cli:
    """``run_cli(*argv, stdin="", tty=False, env={}, columns=None, secret_prompt=None)``."""

    def run(
        *argv: str,
        stdin: str = "",
        tty: bool = False,
        stdin_tty: bool | None = None,
        env: dict[str, str] | None = None,
        columns: int | None = None,
        secret_prompt: str | None = None,
    ) -> Run:
        out, err = _stream(), _stream()
        environ = dict(base_env)
        environ.update(env or {})

        def read_secret(prompt: str) -> str:
            assert secret_prompt is not None, "the command prompted for a secret"
            return secret_prompt

        environment = Env(
            stdin=_stream(stdin),
            stdout=out,
            stderr=err,
            environ=environ,
            stdin_isatty=tty if stdin_tty is None else stdin_tty,
            stdout_isatty=tty,
            stderr_isatty=tty,
            columns=columns if columns is not None else (100 if tty else None),
            read_secret=read_secret,
        )
        code = main(list(argv), environment)
        return Run(code, _read(out), _read(err), _raw(out))

    return run


@pytest.fixture
def cli(run_cli: Cli, emulator: Emulator) -> Cli:
    """Like ``run_cli``, with the (reset) session emulator's credentials in the environment."""

    def run(*argv: str, env: dict[str, str] | None = None, **kwargs: Any) -> Run:
        environ = credentials_env(emulator)
        environ.update(env or {})
        return run_cli(*argv, env=environ, **kwargs)

    return run


@pytest.fixture
def lib(emulator: Emulator, tmp_path: Path) -> Iterator[AutotaskClient]:
    """A library client for the (reset) emulator: to check what a command did."""
    with connect(emulator, tmp_path / "lib-cache") as client:
        yield client


def write_jsonl(path: Path, records: Iterable[Any]) -> str:
    """Write ``records`` as JSON Lines to ``path``; returns the path as text."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)
