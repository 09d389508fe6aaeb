"""The emulator binds loopback unless ``--host`` says otherwise, and its control API answers
loopback clients only, wherever it listens (issue 14 "Security").

Reached from a non-loopback address of this machine: without ``--host`` nothing listens there;
with ``--host 0.0.0.0`` the API answers (that is what the flag is for) but every control call,
which needs no credentials and can change any record, is 403.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

import pytest

from tests.emulator_process import running_emulator
from tests.security.test_origins import _non_loopback_address

CONTROL_CALLS = [
    ("GET", "stats", None),
    ("GET", "requests", None),
    ("POST", "reset", {}),
    ("POST", "faults", {"rules": []}),
    ("POST", "seed", {"entity": "Companies", "count": 1}),
    ("POST", "records", {"entity": "Tickets", "id": 29296, "delete": True}),
    ("POST", "permissions", {"deny": []}),
    ("POST", "clock", {"advance": 1}),
]


def _status(url: str, method: str = "GET", body: object = None) -> int:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@pytest.fixture(scope="module")
def address() -> str:
    found = _non_loopback_address()
    if found is None:
        pytest.skip("this machine has no non-loopback address to connect from")
    return found


def test_without_host_it_listens_on_loopback_only(address: str) -> None:
    with running_emulator("--data", "empty") as emu:
        assert emu.host == "127.0.0.1"
        with pytest.raises(OSError):
            socket.create_connection((address, emu.port), timeout=5).close()
        assert _status(emu.root_url + "_emulator/stats") == 200


def test_with_host_the_control_api_still_answers_loopback_only(address: str) -> None:
    with running_emulator("--host", "0.0.0.0", "--data", "demo") as emu:
        inside = f"http://127.0.0.1:{emu.port}/_emulator/"
        start = json.loads(urllib.request.urlopen(inside + "stats", timeout=10).read())
        outside = f"http://{address}:{emu.port}/"
        api = outside + "ATServicesRest/versioninformation"
        assert _status(api) == 200  # the API is reachable: --host asked for it
        for method, path, body in CONTROL_CALLS:
            assert _status(outside + "_emulator/" + path, method, body) == 403, path
        stats = json.loads(urllib.request.urlopen(inside + "stats", timeout=10).read())
        assert stats["records"] == start["records"]  # nothing deleted or seeded from outside
