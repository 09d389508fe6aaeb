"""`make demo` (tools/demo.sh), the README's first command, runs end to end and cleans up.

It is run as the Makefile runs it, with the venv's ``autotask``: exit 0 and ``demo: OK``; no
colour codes when standard error is not a terminal; and on success and on Ctrl-C alike the
emulator it started is stopped and its scratch folder removed.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.paths import ROOT

DEMO = ROOT / "tools" / "demo.sh"
AUTOTASK = Path(sys.executable).parent / "autotask"


def _start(tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
    }
    return subprocess.Popen(
        ["bash", str(DEMO), str(AUTOTASK)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's job is
    )


def _listening(err: str) -> tuple[str, int]:
    found = re.search(r"^http://([\d.]+):(\d+)/", err, re.MULTILINE)
    assert found, err
    return found.group(1), int(found.group(2))


def _stopped(address: tuple[str, int]) -> bool:
    for _ in range(50):  # the emulator is waited for by the script; allow the socket to close
        try:
            socket.create_connection(address, timeout=1).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


def test_the_demo_runs_and_leaves_nothing_behind(tmp_path: Path) -> None:
    demo = _start(tmp_path)
    out, err = demo.communicate(timeout=300)
    assert demo.returncode == 0, err
    assert err.rstrip().endswith("demo: OK")
    assert "tickets created by the demo: 1000" in err
    assert "byte-identical" in err
    assert "Demo ticket" in out  # the query's table
    assert "\x1b[" not in out + err  # not a terminal: no colour or bold codes
    assert _stopped(_listening(err))
    assert not list(tmp_path.glob("autotask-demo.*"))


def test_ctrl_c_exits_130_and_stops_the_emulator(tmp_path: Path) -> None:
    demo = _start(tmp_path)
    assert demo.stderr is not None
    seen = ""
    for line in demo.stderr:  # wait for the batch to be under way
        seen += line
        if "Batch create" in line:
            break
    time.sleep(1.0)
    os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C on a terminal sends: the whole group
    _, rest = demo.communicate(timeout=60)
    err = seen + rest
    assert demo.returncode == 130, err
    assert "demo: FAILED (exit 130)" in err
    assert "Traceback" not in err
    assert _stopped(_listening(err))
    assert not list(tmp_path.glob("autotask-demo.*"))
