"""The Python package too (issue 12): the wheel gives the same command, its man pages and shell
completions where ``man`` and the shells find them, and ``python -m autotask``.

Builds the wheel from this checkout, installs it into a fresh venv (urllib3 from the package
index, as a user's ``pip install`` would), and runs the installed command.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.paths import ROOT

# Relative to the install prefix: where man-db and the shells look (a venv's prefix included).
MAN_PAGE = Path("share/man/man1/autotask.1")
COMPLETIONS = {
    # bash-completion's per-command directory, and a directory on zsh's default fpath
    "completions/autotask.bash": Path("share/bash-completion/completions/autotask"),
    "completions/_autotask": Path("share/zsh/site-functions/_autotask"),
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel of this checkout installed; returns its prefix."""
    folder = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = folder.glob("autotask_psa-*.whl")
    prefix = folder / "venv"
    venv.create(prefix, with_pip=True)
    subprocess.run(
        [str(prefix / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return prefix


def _bare_env(prefix: Path) -> dict[str, str]:
    return {"PATH": f"{prefix / 'bin'}:/usr/bin:/bin", "HOME": str(prefix), "LANG": "C.UTF-8"}


def test_the_wheel_installs_the_command_and_python_dash_m(installed: Path) -> None:
    env = _bare_env(installed)
    script = subprocess.run(
        ["autotask", "--version"], env=env, capture_output=True, text=True, timeout=60
    )
    module = subprocess.run(
        [str(installed / "bin" / "python"), "-m", "autotask", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert script.returncode == module.returncode == 0, script.stderr + module.stderr
    assert script.stdout == module.stdout
    assert script.stdout.startswith("autotask ")


def test_the_wheel_installs_every_man_page_where_man_finds_it(installed: Path) -> None:
    pages = sorted(p.name for p in (ROOT / "man").glob("*.1"))
    assert pages, "no man pages in man/"
    installed_pages = sorted(p.name for p in (installed / MAN_PAGE.parent).glob("*.1"))
    assert installed_pages == pages
    assert (installed / MAN_PAGE).read_bytes() == (ROOT / "man" / "autotask.1").read_bytes()
    if shutil.which("man") is None:
        return  # the files are in place; nothing here can ask man itself
    # man-db derives its search path from PATH (<dir>/../share/man) when MANPATH is unset.
    found = subprocess.run(
        ["man", "-w", "autotask"], env=_bare_env(installed), capture_output=True, text=True
    )
    assert found.stdout.strip() == str(installed / MAN_PAGE), found.stderr


def test_the_wheel_installs_the_shell_completions(installed: Path) -> None:
    for source, target in COMPLETIONS.items():
        assert (installed / target).read_bytes() == (ROOT / source).read_bytes(), target
