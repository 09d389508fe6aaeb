"""Start a real emulator process for tests and benchmarks, and talk to its control API.

Used by tests/conftest.py and bench/. Only the standard library, so it works wherever the
emulator does. Every process started here is stopped by the caller's ``with`` block (or the
session fixture), and every wait has a deadline, so nothing hangs a test run.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

USERNAME = "emulator@example.com"
SECRET = "emulator-secret"
INTEGRATION_CODE = "EMULATORINTEGRATIONCODE"
START_TIMEOUT = 30.0


@dataclass
class Emulator:
    """A running emulator: its URLs, its process, and helpers for the control API."""

    base_url: str  # http://127.0.0.1:PORT/ATServicesRest/
    root_url: str  # http://127.0.0.1:PORT/
    host: str
    port: int
    proc: subprocess.Popen[bytes]
    stderr_path: str
    flags: tuple[str, ...] = field(default=())

    @property
    def api_url(self) -> str:
        """The versioned API root, ``.../ATServicesRest/V1.0/``."""
        return self.base_url + "V1.0/"

    def auth_headers(self) -> dict[str, str]:
        """The default credentials as Autotask headers."""
        return {
            "UserName": USERNAME,
            "Secret": SECRET,
            "ApiIntegrationCode": INTEGRATION_CODE,
            "Content-Type": "application/json",
        }

    def control(self, method: str, path: str, body: Any = None, timeout: float = 120) -> Any:
        """Call ``/_emulator/<path>`` and return the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.root_url + "_emulator/" + path.lstrip("/"),
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def reset(self) -> None:
        """Put data, counters, budget, gates and clock back to the start state."""
        self.control("POST", "reset")

    def stats(self) -> dict[str, Any]:
        """The control API's counters."""
        result: dict[str, Any] = self.control("GET", "stats")
        return result

    def seed(self, entity: str, count: int) -> Any:
        """Bulk-create ``count`` valid records of ``entity`` outside the API's limits."""
        return self.control("POST", "seed", {"entity": entity, "count": count})

    def stderr_text(self) -> str:
        """What the process wrote to stderr so far (for failure messages)."""
        with open(self.stderr_path, encoding="utf-8", errors="replace") as fh:
            return fh.read()


def _drain(stream: Any) -> None:
    for _ in iter(stream.readline, b""):
        pass


@contextmanager
def running_emulator(
    *flags: str,
    env: dict[str, str] | None = None,
    command: Sequence[str] | None = None,
) -> Iterator[Emulator]:
    """Start ``python -m autotask.emulator --port 0 FLAGS`` and stop it on exit.

    Args:
        flags: extra command-line flags, e.g. ``"--thread-limit", "0"``.
        env: extra environment variables for the process; with ``command``, the whole
            environment (nothing is inherited: the single binary's smoke tests run it bare).
        command: what to run instead of ``python -m autotask.emulator`` (e.g. the binary's
            ``autotask emulator``).
    """
    stderr_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in the finally below)
        prefix="emulator-", suffix=".log", delete=False
    )
    process_env = {} if command is not None else dict(os.environ)
    process_env.update(env or {})
    drain: threading.Thread | None = None
    proc = subprocess.Popen(
        [*(command or (sys.executable, "-m", "autotask.emulator")), "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=stderr_file,
        stdin=subprocess.DEVNULL,
        env=process_env,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
        line = proc.stdout.readline().decode() if ready else ""
        prefix = "listening on "
        if not line.startswith(prefix):
            proc.kill()
            proc.wait(10)
            stderr_file.flush()
            with open(stderr_file.name, encoding="utf-8", errors="replace") as fh:
                stderr = fh.read()
            raise RuntimeError(f"emulator did not start (first line {line!r}); stderr:\n{stderr}")
        drain = threading.Thread(target=_drain, args=(proc.stdout,), daemon=True)
        drain.start()
        base_url = line[len(prefix) :].strip()
        hostport = base_url.split("//", 1)[1].split("/", 1)[0]
        host, port = hostport.rsplit(":", 1)
        yield Emulator(
            base_url=base_url,
            root_url=base_url.split("ATServicesRest/")[0],
            host=host,
            port=int(port),
            proc=proc,
            stderr_path=stderr_file.name,
            flags=tuple(flags),
        )
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        if drain is not None:
            drain.join(10)  # EOF once the process is gone
        if proc.stdout is not None:
            proc.stdout.close()
        stderr_file.close()
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            try:
                os.unlink(stderr_file.name)
                break
            except OSError:
                time.sleep(0.05)
