"""The committed man pages are exactly what tools/gen_man.py renders from the parser, every
page has the sections the issue asks for, and groff renders each without a warning."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH FILES", ".SH EXAMPLES")


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location("gen_man", ROOT / "tools" / "gen_man.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _render() -> dict[str, str]:
    pages: dict[str, str] = _tool().render_pages()
    return pages


def test_man_pages_match_the_parser() -> None:
    pages = _render()
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "man").glob("*.1")}
    assert sorted(committed) == sorted(pages), "run `make man` and commit man/"
    for name, text in pages.items():
        assert committed[name] == text, f"man/{name} is stale: run `make man` and commit it"


def test_one_page_per_command() -> None:
    from autotask.cli.parser import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if hasattr(a, "choices") and a.dest == "command"]
    expected = {"autotask.1", *(f"autotask-{name}.1" for name in commands.choices)}
    assert set(_render()) == expected
    assert {"autotask-query.1", "autotask-config.1", "autotask-emulator.1"} <= expected


def test_every_page_has_the_sections() -> None:
    for name, text in _render().items():
        for section in SECTIONS:
            assert section in text, f"{name} lacks {section}"
        assert "130" in text and "a batch finished" in text, name


def test_pages_are_ascii() -> None:
    for name, text in _render().items():
        assert text.isascii(), name


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_groff_renders_every_page_without_warnings() -> None:
    for page in sorted((ROOT / "man").glob("*.1")):
        result = subprocess.run(
            ["groff", "-man", "-Tascii", "-ww", str(page)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, (page.name, result.stderr)
        assert result.stderr == "", f"{page.name}: {result.stderr}"
        plain = re.sub(".\b", "", result.stdout)  # -Tascii bolds by overstriking
        assert "EXIT STATUS" in plain and "EXAMPLES" in plain


def test_roff_escaping() -> None:
    tool = _tool()
    assert tool.roff("a-b\\c") == "a\\-b\\\\c"
    assert tool.roff(".dot\n'quote") == "\\&.dot\n\\&'quote"
    assert tool.ascii_only("CONTRACTS \u00a75") == "CONTRACTS section 5"
    with pytest.raises(ValueError, match="non-ASCII"):
        tool.ascii_only("\u00e9")
