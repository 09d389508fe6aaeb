"""The emulator's flags and control endpoints are documented where users look for them."""

from __future__ import annotations

import re
from pathlib import Path

from autotask.emulator.cli import build_parser
from autotask.emulator.control import Control

README = Path(__file__).resolve().parents[3] / "README.md"


def _emulator_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## The emulator")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_every_flag_is_in_help_and_in_the_readme() -> None:
    parser = build_parser()
    help_text = parser.format_help()
    section = _emulator_section()
    flags = [
        option
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ]
    assert len(flags) > 30
    assert [f for f in flags if f not in help_text] == []
    assert [f for f in flags if not re.search(re.escape(f) + r"\b", section)] == []


def test_every_control_endpoint_is_in_the_readme_and_the_epilog() -> None:
    section = _emulator_section()
    epilog = build_parser().epilog or ""
    names = Control.ENDPOINTS
    assert [n for n in names if f"/_emulator/{n}" not in section] == []
    assert [n for n in names if f"/_emulator/{n}" not in epilog] == []
