"""The committed shell completions are what tools/gen_completions.py renders from the parser,
and bash completes commands, options and the registry's entity names with them."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _render() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location(
        "gen_completions", ROOT / "tools" / "gen_completions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scripts: dict[str, str] = module.render()
    return scripts


def test_completions_match_the_parser() -> None:
    scripts = _render()
    assert sorted(scripts) == ["_autotask", "autotask.bash"]
    for name, text in scripts.items():
        committed = (ROOT / "completions" / name).read_text(encoding="utf-8")
        assert committed == text, f"completions/{name} is stale: run `make completions`"


def test_entity_names_come_from_the_registry() -> None:
    from autotask.core.registry import entity_names

    scripts = _render()
    for name in ("Tickets", "TicketNotes", "Companies", "ConfigurationItems"):
        assert name in entity_names()
        assert f" {name} " in scripts["autotask.bash"] and f" {name} " in scripts["_autotask"]


def _complete(words: list[str]) -> list[str]:
    script = ROOT / "completions" / "autotask.bash"
    line = " ".join(words)
    program = (
        f"source {script}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={line!r}\nCOMP_POINT=${{#COMP_LINE}}\n"
        "_shtab_autotask\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        ["bash", "--norc", "--noprofile"],
        input=program,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_and_entities() -> None:
    assert _complete(["autotask", "qu"]) == ["query"]
    assert "config" in _complete(["autotask", "c"])
    assert _complete(["autotask", "query", "Tickets", "--ou"]) == ["--output"]
    entities = _complete(["autotask", "query", "TicketN"])
    assert entities == ["TicketNoteAttachments", "TicketNotes"]
    assert "Companies" in _complete(["autotask", "get", "Comp"])
    assert _complete(["autotask", "config", "s"]) == ["set"]
