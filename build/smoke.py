"""Smoke tests of the built single binary: ``make test-binary`` (issue 12).

    .venv/bin/python build/smoke.py dist/autotask

Every check runs the binary from another directory with a bare environment (``env -i`` style:
only PATH, HOME, TMPDIR and LANG, plus the credentials a check passes) whose PATH holds no
Python, so the binary proves it carries everything it needs. The emulator it talks to is the
binary's own (``autotask emulator``). The runner itself is Python only to orchestrate: start
processes, make a throw-away CA with the ``openssl`` command, put a TLS front before the
emulator, compare bytes. The last line is ``N passed, N failed``; the exit status is 1 when
anything failed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import random
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.client.proxy import forwarding_proxy  # noqa: E402
from tests.emulator_process import (  # noqa: E402
    INTEGRATION_CODE,
    SECRET,
    USERNAME,
    Emulator,
    running_emulator,
)

QUEUE = 29683325  # the demo data's "Helpdesk Queue" (a ticket needs a queue or a resource + role)
CHECKS: list[tuple[str, Callable[[Smoke], None]]] = []


def check(function: Callable[[Smoke], None]) -> Callable[[Smoke], None]:
    CHECKS.append((function.__name__.replace("_", " "), function))
    return function


class Smoke:
    """The binary under test, a scratch directory, and one emulator started from the binary."""

    def __init__(self, binary: Path, scratch: Path) -> None:
        self.binary = binary
        self.scratch = scratch
        self.home = scratch / "home"
        self.home.mkdir()
        self.tmp = scratch / "tmp"
        self.tmp.mkdir()
        self.workdir = scratch / "work"  # "another directory": not the repository
        self.workdir.mkdir()
        self.path = scratch / "bin"  # a PATH with a shell and nothing else: no Python
        self.path.mkdir()
        for tool in ("sh",):
            found = shutil.which(tool)
            if found:
                (self.path / tool).symlink_to(found)
        self.emulator: Emulator | None = None

    def env(self, extra: Mapping[str, str] | None = None, api: bool = True) -> dict[str, str]:
        env = {
            "PATH": str(self.path),
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "LANG": "C.UTF-8",
        }
        if api and self.emulator is not None:
            env.update(
                AUTOTASK_USERNAME=USERNAME,
                AUTOTASK_INTEGRATION_CODE=INTEGRATION_CODE,
                AUTOTASK_SECRET=SECRET,
                AUTOTASK_API_URL=self.emulator.base_url,
            )
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str,
        extra: Mapping[str, str] | None = None,
        api: bool = True,
        stdin: bytes | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [str(self.binary), *args],
            cwd=self.workdir,
            env=self.env(extra, api),
            input=stdin,
            capture_output=True,
            timeout=timeout,
        )

    def ok(self, *args: str, **kwargs: Any) -> bytes:
        done = self.run(*args, **kwargs)
        if done.returncode != 0:
            raise AssertionError(
                f"autotask {' '.join(args)} exited {done.returncode}: "
                f"{done.stderr.decode(errors='replace').strip()[-500:]}"
            )
        return done.stdout


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _tickets(path: Path, count: int, prefix: str) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            ticket = {
                "companyID": 0,
                "title": f"{prefix} {i}",
                "status": 1,
                "priority": 2,
                "queueID": QUEUE,
            }
            fh.write(json.dumps(ticket) + "\n")


def _count_titles(smoke: Smoke, prefix: str) -> int:
    out = smoke.ok("count", "Tickets", f"title^{prefix}")
    return int(out.decode().strip().split()[-1])


# -- checks that need no emulator ----------------------------------------------------------


@check
def no_python_on_path(smoke: Smoke) -> None:
    path = smoke.env(api=False)["PATH"]
    for name in ("python", "python3"):
        expect(shutil.which(name, path=path) is None, f"{name} found on the test PATH")


@check
def version(smoke: Smoke) -> None:
    out = smoke.ok("--version", api=False).decode()
    for word in ("autotask", "urllib3", "Python", "OpenSSL"):
        expect(word in out, f"--version does not name {word}: {out!r}")


@check
def help(smoke: Smoke) -> None:
    out = smoke.ok("--help", api=False).decode()
    expect(out.startswith("usage: autotask"), f"--help prints {out[:80]!r}")


@check
def bad_command_exits_2(smoke: Smoke) -> None:
    done = smoke.run("no-such-command", api=False)
    expect(done.returncode == 2, f"exit {done.returncode}, expected 2")
    expect(b"Traceback" not in done.stderr, "a traceback on a usage error")


# -- checks against the binary's own emulator -----------------------------------------------


@check
def emulator_from_the_binary(smoke: Smoke) -> None:
    assert smoke.emulator is not None
    stats = smoke.emulator.stats()
    expect(stats["records"].get("Companies", 0) > 0, f"no demo companies: {stats['records']}")


@check
def batch_create(smoke: Smoke) -> None:
    tickets = smoke.workdir / "tickets.jsonl"
    _tickets(tickets, 60, "Smoke batch")
    journal = smoke.workdir / "batch.journal"
    smoke.ok("batch", "create", "Tickets", str(tickets), "--journal", str(journal), "--quiet")
    expect(_count_titles(smoke, "Smoke batch") == 60, "batch create did not make 60 tickets")


@check
def attachment_round_trip(smoke: Smoke) -> None:
    ticket = _first_id(smoke, "Tickets")
    data = random.Random(7).randbytes(200_001)  # not a multiple of 3: base64 padding
    source = smoke.workdir / "payload.bin"
    source.write_bytes(data)
    out = smoke.ok("attachments", "upload", "Ticket", str(ticket), str(source), "--output", "jsonl")
    attachment = json.loads(out.decode().splitlines()[0])["id"]
    target = smoke.workdir / "downloaded.bin"
    smoke.ok("attachments", "download", str(attachment), str(target))
    expect(target.read_bytes() == data, "the downloaded bytes differ from the uploaded ones")


@check
def query_in_every_output_format(smoke: Smoke) -> None:
    base = ("query", "Companies", "--limit", "5", "--fields", "id,companyName")
    rows = json.loads(smoke.ok(*base, "--output", "json"))
    expect(len(rows) == 5 and all("companyName" in r for r in rows), f"json: {rows!r}")
    lines = smoke.ok(*base, "--output", "jsonl").decode().splitlines()
    expect([json.loads(x)["id"] for x in lines] == [r["id"] for r in rows], "jsonl differs")
    table = list(csv.DictReader(io.StringIO(smoke.ok(*base, "--output", "csv").decode())))
    expect([int(r["id"]) for r in table] == [r["id"] for r in rows], "csv differs")
    text = smoke.ok(*base, "--output", "table").decode()
    expect(rows[0]["companyName"] in text, "table lacks a company name")
    expect(smoke.ok(*base, "--output", "summary").strip() != b"", "summary is empty")


@check
def ctrl_c_of_a_batch_exits_130_and_resumes(smoke: Smoke) -> None:
    assert smoke.emulator is not None
    smoke.emulator.control("POST", "faults", {"rules": [{"kind": "slow", "probability": 1.0}]})
    try:
        tickets = smoke.workdir / "interrupted.jsonl"
        _tickets(tickets, 200, "Smoke interrupt")
        journal = smoke.workdir / "interrupted.journal"
        args = [
            "batch", "create", "Tickets", str(tickets), "--journal", str(journal),
            "--dedupe-field", "title", "--quiet",
        ]  # fmt: skip
        proc = subprocess.Popen(
            [str(smoke.binary), *args],
            cwd=smoke.workdir,
            env=smoke.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            journal.exists() and journal.stat().st_size > 200
        ):
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        expect(proc.returncode == 130, f"Ctrl-C exited {proc.returncode}: {stderr[-300:]!r}")
    finally:
        smoke.emulator.control("POST", "faults", {"rules": []})
    done = _count_titles(smoke, "Smoke interrupt")
    expect(done < 200, f"the batch was not interrupted ({done} of 200 done)")
    smoke.ok(*args)
    expect(_count_titles(smoke, "Smoke interrupt") == 200, "resume did not end with exactly 200")


# -- TLS ------------------------------------------------------------------------------------


@check
def tls_trust_through_ssl_cert_file_or_ca_file(smoke: Smoke) -> None:
    with _tls_front(smoke) as (url, ca):
        extra = {"AUTOTASK_API_URL": url}
        refused = smoke.run("count", "Companies", extra=extra)
        expect(refused.returncode != 0, "an untrusted certificate was accepted")
        expect(b"certificate" in refused.stderr.lower(), f"stderr: {refused.stderr[-300:]!r}")
        smoke.ok("count", "Companies", extra={**extra, "SSL_CERT_FILE": str(ca)})
        smoke.ok("--ca-file", str(ca), "count", "Companies", extra=extra)


@check
def rhel_layout_ca_bundle_is_found(smoke: Smoke) -> None:
    # A root with only what the binary needs and a RHEL-style CA bundle: no /usr/lib/ssl (the
    # bundled OpenSSL's default), so only the CA bundle probe can find the certificate.
    expect(os.geteuid() == 0, "needs root (chroot) to build a RHEL-layout root")
    with _tls_front(smoke) as (url, ca):
        root = smoke.scratch / "rhel"
        bundle = root / "etc/pki/tls/certs/ca-bundle.crt"
        bundle.parent.mkdir(parents=True)
        shutil.copy(ca, bundle)
        _populate_root(root, smoke.binary)
        env = {
            # unshare, mount and chroot come from the host; the root itself has no Python.
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/tmp",
            "TMPDIR": "/tmp",
            "LANG": "C",
            "AUTOTASK_USERNAME": USERNAME,
            "AUTOTASK_INTEGRATION_CODE": INTEGRATION_CODE,
            "AUTOTASK_SECRET": SECRET,
            "AUTOTASK_API_URL": url,
        }
        script = f"mount --bind /proc {root}/proc && exec chroot {root} /autotask count Companies"
        done = subprocess.run(
            ["unshare", "--mount", "sh", "-c", script],
            env=env,
            capture_output=True,
            timeout=120,
        )
        expect(done.returncode == 0, f"exit {done.returncode}: {done.stderr[-400:]!r}")


# -- helpers ---------------------------------------------------------------------------------


def _first_id(smoke: Smoke, entity: str) -> int:
    out = smoke.ok("query", entity, "--limit", "1", "--fields", "id", "--output", "jsonl")
    return int(json.loads(out.decode().splitlines()[0])["id"])


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


@contextlib.contextmanager
def _tls_front(smoke: Smoke) -> Iterator[tuple[str, Path]]:
    """An https front before the emulator, signed by a throw-away CA: (API URL, CA file)."""
    assert smoke.emulator is not None
    folder = smoke.scratch / "tls"
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, csr = folder / "cert.pem", folder / "cert.key", folder / "cert.csr"
    if not ca.exists():
        folder.mkdir()
        ext = folder / "ext.cnf"
        ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n", encoding="ascii")
        _openssl(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=autotask smoke CA", "-keyout", str(ca_key), "-out", str(ca),
        )  # fmt: skip
        _openssl(
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", str(key), "-out", str(csr),
        )  # fmt: skip
        _openssl(
            "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
            "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert),
        )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with forwarding_proxy(smoke.emulator.host, smoke.emulator.port, tls=context) as root:
        yield root + "ATServicesRest/", ca


def _populate_root(root: Path, binary: Path) -> None:
    """Copy the binary, the shared libraries it loads and a /tmp into ``root``."""
    for folder in ("tmp", "proc", "bin"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    os.chmod(root / "tmp", 0o1777)
    shutil.copy(binary, root / "autotask")
    libraries = {"/lib64/ld-linux-x86-64.so.2"}
    for program in (binary, *smoke_unpacked().glob("**/*.so*")):
        out = subprocess.run(["ldd", str(program)], capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split()
            path = parts[2] if "=>" in parts and len(parts) > 2 else parts[0] if parts else ""
            if path.startswith(("/lib", "/usr/lib")):  # the system's, not the payload's own
                libraries.add(path)
    for library in libraries:
        target = root / library.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(library, target)


def smoke_unpacked() -> Path:
    """The dist folder Nuitka built the onefile payload from (its extension modules).

    It is in build/binary.sh's output folder: ``$AUTOTASK_BUILD_DIR``, else ``build/nuitka``,
    relative to the repository root (where binary.sh runs).
    """
    return ROOT / os.environ.get("AUTOTASK_BUILD_DIR", "build/nuitka") / "autotask.dist"


def main(argv: list[str]) -> int:
    binary = Path(argv[0] if argv else "dist/autotask").resolve()
    if not binary.is_file():
        print(f"smoke: {binary} does not exist (make binary)", file=sys.stderr)
        return 1
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="autotask-smoke-") as scratch:
        smoke = Smoke(binary, Path(scratch))
        environment = {"TMPDIR": str(smoke.tmp)}
        with running_emulator(command=[str(binary), "emulator"], env=environment) as emulator:
            smoke.emulator = emulator
            for name, function in CHECKS:
                started = time.monotonic()
                try:
                    function(smoke)
                except Exception as exc:  # a check's failure is reported, not raised
                    failed += 1
                    print(f"FAIL {name}: {exc}")
                    if os.environ.get("SMOKE_DEBUG"):
                        traceback.print_exc()
                else:
                    passed += 1
                    print(f"ok   {name} ({time.monotonic() - started:.1f} s)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
