"""docs/RELIABILITY.md quotes the runs, not a typist: its figures block is exactly what
tools/gen_reliability.py renders from tests/chaos/results.json and
bench/results/soak.json, and every test it
names exists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "RELIABILITY.md"


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "gen_reliability", ROOT / "tools" / "gen_reliability.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_figures_are_rendered_from_the_results_files() -> None:
    page = DOC.read_text(encoding="utf-8")
    assert _tool().rendered_page(page) == page, (
        "docs/RELIABILITY.md's figures differ from tests/chaos/results.json and "
        "bench/results/soak.json: "
        "run `make chaos` (or tools/gen_reliability.py docs/RELIABILITY.md) and commit"
    )


def test_every_test_it_names_exists() -> None:
    page = DOC.read_text(encoding="utf-8")
    named = re.findall(r"`((?:tests|bench)/[\w/]+\.py)(?:::(\w+))?", page)
    assert len(named) > 40
    for path, name in named:
        source = ROOT / path
        assert source.is_file(), path
        if name:
            assert re.search(rf"^def {name}\(", source.read_text(encoding="utf-8"), re.M), (
                f"{path}::{name} is named in docs/RELIABILITY.md but does not exist"
            )
