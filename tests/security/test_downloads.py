"""Downloaded file names cannot escape the target directory (issue 14 "Security").

The attachment's file name comes from the server. Names planted in the real emulator through
its API (``fullPath``), however hostile (``../``, absolute paths, Windows paths, control
characters, NUL, dots only, very long), end up as exactly one new file directly inside the
target folder, and nothing changes anywhere else; a symbolic link already at the target name is
replaced, never followed.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autotask import AutotaskClient
from tests.client.conftest import connect
from tests.emulator.support import Api
from tests.emulator_process import Emulator

TICKET = 29296
DATA = b"attachment bytes"


def _plant(api: Api, name: str) -> int | None:
    """Create an attachment named ``name`` straight through the API (None if refused)."""
    body = {
        "attachmentType": "FILE_ATTACHMENT",
        "fullPath": name,
        "title": "planted",
        "publish": 1,
        "data": base64.b64encode(DATA).decode(),
    }
    reply = api.post(f"Tickets/{TICKET}/Attachments", body)
    return int(reply.json["itemId"]) if reply.status == 200 else None


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() if p.is_file() and not p.is_symlink() else b""
        for p in root.rglob("*")
    }


_NAMES = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(["..", ".", "", "etc", "a", "\\", "C:", "~"]), max_size=6).map(
        "/".join
    ),
    st.lists(st.sampled_from(["..", ".", "x", "C:", "%2e%2e"]), max_size=6).map("\\".join),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example(name="../../escaped.txt")
@example(name="/tmp/absolute.txt")
@example(name="C:\\Windows\\System32\\evil.dll")
@example(name="..")
@example(name="a\x00b/../../c")
@example(name="~/.bashrc")
@example(name="é" * 300 + ".pdf")
@given(name=_NAMES)
def test_a_server_given_name_cannot_leave_the_target_folder(
    emulator: Emulator, tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    api = Api(emulator)
    attachment = _plant(api, name)
    api.pool.clear()
    if attachment is None:
        return  # the API refused the name (too long, empty): nothing to download
    root = tmp_path_factory.mktemp("download")
    (root / "outside").mkdir()
    (root / "outside" / "keep.txt").write_bytes(b"untouched")
    target = root / "a" / "b" / "target"
    target.mkdir(parents=True)
    before = _tree(root)
    with connect(emulator, root / "cache") as client:
        path = client.attachments.download_file(attachment, target)
    after = _tree(root)
    new = {k: v for k, v in after.items() if k not in before and not k.startswith("cache")}
    assert path.parent == target and path.read_bytes() == DATA
    assert new == {str(path.relative_to(root)): DATA}  # one file, right there
    assert {k: v for k, v in after.items() if k in before} == before  # nothing else changed


def test_a_symlink_at_the_target_name_is_replaced_not_followed(
    client: AutotaskClient, emulator: Emulator, tmp_path: Path
) -> None:
    api = Api(emulator)
    attachment = _plant(api, "report.pdf")
    assert attachment is not None
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "report.pdf").symlink_to(victim)
    path = client.attachments.download_file(attachment, folder)
    assert path == folder / "report.pdf" and not path.is_symlink()
    assert path.read_bytes() == DATA
    assert victim.read_bytes() == b"precious"
