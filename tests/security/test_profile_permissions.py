"""A profile file that group or others may read, write or even search is refused, by the
library and by the command line, before any of it is used (issue 14 "Security", CONTRACTS §10).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autotask import ConfigError
from autotask.profiles import ProfileStore, config_path
from tests.cli.conftest import Cli, credentials_env
from tests.emulator_process import Emulator

BITS = (0o040, 0o020, 0o010, 0o004, 0o002, 0o001)


def _write_profile(path: Path, emulator: Emulator) -> None:
    env = credentials_env(emulator)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[default]\n"
        f"username = {env['AUTOTASK_USERNAME']}\n"
        f"integration_code = {env['AUTOTASK_INTEGRATION_CODE']}\n"
        f"secret = {env['AUTOTASK_SECRET']}\n"
        f"api_url = {env['AUTOTASK_API_URL']}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize("bit", BITS, ids=lambda b: f"{0o600 | b:04o}")
def test_each_permission_for_group_or_others_is_refused(
    run_cli: Cli, base_env: dict[str, str], emulator: Emulator, bit: int
) -> None:
    path = config_path(base_env)
    _write_profile(path, emulator)
    os.chmod(path, 0o600)
    assert run_cli("count", "Tickets").code == 0  # private: used
    os.chmod(path, 0o600 | bit)
    with pytest.raises(ConfigError, match="open to other users"):
        ProfileStore(path).profile("default")
    run = run_cli("count", "Tickets")
    assert run.code == 3 and run.out == ""
    assert "open to other users" in run.err and "chmod 600" in run.err
    assert "Traceback" not in run.err


def test_a_symlink_to_a_readable_file_is_judged_by_the_file(
    run_cli: Cli, base_env: dict[str, str], emulator: Emulator, tmp_path: Path
) -> None:
    real = tmp_path / "elsewhere" / "profiles.ini"
    _write_profile(real, emulator)
    os.chmod(real, 0o644)
    path = config_path(base_env)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(real)
    assert run_cli("count", "Tickets").code == 3
    os.chmod(real, 0o600)
    assert run_cli("count", "Tickets").code == 0
