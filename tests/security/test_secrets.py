"""The secret and the integration code never appear, whole or in part, in anything the
library or the command line leaves behind (issue 14 "Security").

One session does everything that writes something down, against an emulator whose
credentials are distinctive and whose faults make errors happen: batches with journals (writes
lost, refused, in doubt), an attachment batch, exports with a state file and a checkpoint left
by a failed run, zone discovery (the zone cache), refused credentials, DEBUG logs of all of it,
and the ``autotask`` command with ``--debug`` as a real process (its output, and its argument
list read from /proc while it runs). Then every byte is searched for any 5 consecutive
characters of the secret or the integration code (and their URL and base64 encodings):
log records, exception texts, reprs and tracebacks, and every file the session wrote.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import subprocess
import sys
import time
import traceback
import urllib.parse
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from autotask import AutotaskClient, AutotaskError, Credentials, F, RequestConfig
from tests.emulator_process import USERNAME, Emulator, running_emulator

SECRET = "Qx7#Vb2@Lm9$Tz4&"
CODE = "KP3WQ8ZR5MN2XJ7H"
WRONG_SECRET = "Wr0ng+Sec9!Yt6^"
WINDOW = 5
ROOT = Path(__file__).resolve().parents[2]


def _pieces(value: str) -> set[str]:
    """Every run of WINDOW characters of ``value``, and the whole value's encodings."""
    runs = {value[i : i + WINDOW] for i in range(len(value) - WINDOW + 1)}
    encoded = {urllib.parse.quote(value, safe=""), base64.b64encode(value.encode()).decode()}
    return runs | encoded


def leaks(text: str) -> list[str]:
    """The pieces of the secrets found in ``text`` (none, for a clean text)."""
    return sorted(
        f"{piece!r} of {name}"
        for name, value in (("the secret", SECRET), ("the code", CODE), ("a wrong", WRONG_SECRET))
        for piece in _pieces(value)
        if piece in text
    )


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with secret_emulator() as emulator:
        yield emulator


def secret_emulator() -> AbstractContextManager[Emulator]:
    """An emulator whose credentials are this module's distinctive ones."""
    env = {"AUTOTASK_EMULATOR_SECRET": SECRET, "AUTOTASK_EMULATOR_INTEGRATION_CODE": CODE}
    return running_emulator("--slow-ms", "1500", env=env)


class _Seen:
    """Everything shown: log records (formatted, with tracebacks), errors, reprs."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.stream = io.StringIO()

    def error(self, exc: BaseException) -> None:
        self.texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]

    def add(self, *values: Any) -> None:
        self.texts += [repr(v) for v in values] + [str(v) for v in values]


@pytest.fixture
def seen() -> Iterator[_Seen]:
    collected = _Seen()
    handler = logging.StreamHandler(collected.stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("autotask")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield collected
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _client(emu: Emulator, folder: Path, secret: str = SECRET, **config: Any) -> AutotaskClient:
    return AutotaskClient(
        Credentials(USERNAME, CODE, secret),
        RequestConfig(cache_dir=str(folder / "cache"), **config),
        environ={"AUTOTASK_ZONE_LOOKUP_URL": emu.api_url},  # discovered: the zone cache
        sleep=lambda seconds: None,
    )


def _faults(emu: Emulator, route: str) -> None:
    kinds = ("500", "503", "reset-before", "reset-after", "truncate", "thread", "429")
    rules = [{"kind": k, "probability": 0.04, "route": route} for k in kinds]
    emu.control("POST", "faults", {"seed": 1420, "rules": rules})


def _library_session(emu: Emulator, folder: Path, seen: _Seen) -> None:
    with _client(emu, folder) as client:
        seen.add(client, client.transport.config)
        company = int(next(client.companies.query(limit=1))["id"])
        tickets = [
            {
                "companyID": company,
                "title": f"secret scan {n}",
                "status": 1,
                "priority": 2 if n % 10 else 99,  # every tenth refused (bad picklist value)
                "queueID": 29683325,
                "userDefinedFields": [{"name": "Ext URL", "value": f"scan-{n}"}],
            }
            for n in range(150)
        ]
        _faults(emu, "POST:*/Tickets")
        for journal, dedupe in (("dedupe.journal", "Ext URL"), ("plain.journal", None)):
            results = client.tickets.batch_create(
                tickets, journal=folder / journal, dedupe_field=dedupe, settle=0
            )
            seen.add(*results)
            for result in results:
                if result.error is not None:
                    seen.error(result.error)
        files = []
        for n in range(30):
            path = folder / "files" / f"f{n}.txt"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(b"x" * (n + 1))
            files.append(path)
        _faults(emu, "POST:*/Attachments")
        uploads = client.attachments.batch_upload(
            "Ticket", 29296, files, journal=folder / "upload.journal"
        )
        seen.add(*uploads)
        emu.control("POST", "faults", {"rules": []})
        stats = client.tickets.export(str(folder / "t.jsonl"), since=folder / "state.json")
        seen.add(stats)
        # A failed run leaves its checkpoint behind (the partial file and SQLite's table).
        for target in (str(folder / "c.csv"), f"sqlite:///{folder / 'db.sqlite'}"):

            def deny(progress: Any) -> None:
                if progress.pages == 2:
                    emu.control("POST", "permissions", {"deny": ["Tickets"]})

            try:
                client.tickets.export(target, page_size=20, progress=deny)
            except AutotaskError as exc:
                seen.error(exc)
            emu.control("POST", "permissions", {"deny": []})
        try:
            client.tickets.query_all(F("noSuchField") == 1)
        except AutotaskError as exc:
            seen.error(exc)
    with _client(emu, folder / "wrong", WRONG_SECRET, max_retries=0) as refused:
        try:
            refused.tickets.count()
        except AutotaskError as exc:
            seen.error(exc)


#: How the command is started: the installed package (the binary face adds its own).
PYTHON_COMMAND = (sys.executable, "-m", "autotask")


def _cli(
    emu: Emulator,
    folder: Path,
    *argv: str,
    secret: str = SECRET,
    watch: bool = False,
    command: tuple[str, ...] = PYTHON_COMMAND,
) -> tuple[int, str, str, str]:
    """``autotask --debug ARGV`` as a real process; returns code, out, err and its argv as
    /proc showed it while it ran (``watch``: read during a slowed request)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder / "home"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "AUTOTASK_CACHE_DIR": str(folder / "cli-cache"),
        "AUTOTASK_USERNAME": USERNAME,
        "AUTOTASK_INTEGRATION_CODE": CODE,
        "AUTOTASK_SECRET": secret,
        "AUTOTASK_API_URL": emu.base_url,
    }
    proc = subprocess.Popen(
        [*command, "--debug", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=folder,
    )
    cmdline = ""
    if watch:
        time.sleep(0.8)  # inside the slowed request
        with open(f"/proc/{proc.pid}/cmdline", "rb") as fh:
            cmdline = fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), cmdline


def cli_session(
    emu: Emulator, folder: Path, command: tuple[str, ...] = PYTHON_COMMAND
) -> list[str]:
    """Reads, a refused write, usage, doctor and wrong credentials, each a ``--debug`` run of
    ``command``; returns everything they printed and their argument lists."""
    texts: list[str] = []
    folder.mkdir(parents=True, exist_ok=True)
    emu.control(
        "POST", "faults", {"rules": [{"kind": "slow", "route": "GET:*/Tickets/*", "times": 1}]}
    )
    items = folder / "items.jsonl"
    items.write_text(
        '{"companyID": 174, "title": "scan", "status": 1, "priority": 2, "queueID": 29683325}\n'
        '{"companyID": 174, "title": "refused", "status": 1, "priority": 99, "queueID": 1}\n',
        encoding="utf-8",
    )
    runs = [
        _cli(emu, folder, "get", "Tickets", "29296", watch=True, command=command),
        _cli(emu, folder, "query", "Tickets", "status=1", "--limit", "3", command=command),
        _cli(emu, folder, "count", "Tickets", command=command),
        _cli(emu, folder, "create", "Tickets", '{"title": "refused"}', command=command),
        _cli(emu, folder, "usage", command=command),
        _cli(emu, folder, "doctor", command=command),
        _cli(emu, folder, "count", "Tickets", secret=WRONG_SECRET, command=command),
        _cli(
            emu,
            folder,
            "batch",
            "create",
            "Tickets",
            str(items),
            "--journal",
            str(folder / "cli.journal"),
            "--results",
            str(folder / "cli-results.jsonl"),
            command=command,
        ),
        _cli(
            emu,
            folder,
            "export",
            "Tickets",
            "--to",
            str(folder / "cli-export.jsonl"),
            "--since",
            str(folder / "cli-state.json"),
            command=command,
        ),
    ]
    codes = [code for code, *_ in runs]
    assert codes[:3] == [0, 0, 0] and codes[3] == 4 and codes[-3:] == [3, 7, 0], codes
    for name in ("cli.journal", "cli-results.jsonl", "cli-state.json"):
        assert (folder / name).is_file(), name  # scanned with every other file
    assert all("autotask" in cmdline for *_, cmdline in runs[:1])  # /proc was read
    for _, out, err, cmdline in runs:
        texts += [out, err, cmdline]
    assert any("-> GET" in t for t in texts)  # the wire log was on
    return texts


def _files(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes().decode("latin-1")


def test_no_piece_of_the_secret_or_code_is_left_anywhere(
    emu: Emulator, tmp_path: Path, seen: _Seen
) -> None:
    emu.reset()
    _library_session(emu, tmp_path / "library", seen)
    texts = [*seen.texts, seen.stream.getvalue()]
    texts += cli_session(emu, tmp_path / "cli")
    texts.append(json.dumps(emu.control("GET", "requests")))  # the emulator's request log
    written = dict(_files(tmp_path))
    # The session did write what it should have: journals, state, checkpoints, the zone cache.
    names = {p.name for p in written}
    assert {"dedupe.journal", "plain.journal", "upload.journal", "state.json"} <= names
    assert any(n.endswith(".partial.json") for n in names), names  # a checkpoint
    assert "zones.json" in names and "db.sqlite" in names
    assert "-> POST" in seen.stream.getvalue()  # DEBUG wire logs were captured
    found = {f"text {i}": leaks(t) for i, t in enumerate(texts)}
    found |= {str(p.relative_to(tmp_path)): leaks(t) for p, t in written.items()}
    assert {where: pieces for where, pieces in found.items() if pieces} == {}


def test_the_scan_finds_a_piece_when_there_is_one() -> None:
    # The search itself must be able to fail: a half of the secret, or its encodings, are found.
    assert leaks(f"...{SECRET[3:11]}...")
    assert leaks(urllib.parse.quote(SECRET, safe=""))
    assert leaks(base64.b64encode(CODE.encode()).decode())
    assert not leaks("Secret: *** ApiIntegrationCode: ***")
