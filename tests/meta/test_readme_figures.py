"""The README's performance table is the benchmark results, not numbers typed by hand."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from tests.paths import ROOT


def _generator() -> object:
    spec = importlib.util.spec_from_file_location(
        "gen_readme_figures", ROOT / "tools" / "gen_readme_figures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_performance_table_matches_bench_results() -> None:
    generator = _generator()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == generator.render(readme), (  # type: ignore[attr-defined]
        "README figures differ from bench/results: run tools/gen_readme_figures.py"
    )


def test_every_benchmark_with_a_result_is_in_the_table() -> None:
    generator = _generator()
    named = {row[0] for row in generator.ROWS}  # type: ignore[attr-defined]
    results = {p.stem for p in Path(ROOT / "bench" / "results").glob("*.json")}
    assert results <= named, f"results without a README row: {sorted(results - named)}"


def test_a_missed_goal_says_so() -> None:
    # The table shows each result file's own verdict: a figure that missed its goal is marked,
    # not left for the reader to compare.
    generator = _generator()
    table = generator.table()  # type: ignore[attr-defined]
    for name, _, _, goal in generator.ROWS:  # type: ignore[attr-defined]
        path = ROOT / "bench" / "results" / f"{name}.json"
        if not goal or not path.is_file():
            continue
        passed = json.loads(path.read_text(encoding="utf-8"))["passed"]
        rows = [line for line in table.splitlines() if line.startswith(f"| `{name}` |")]
        assert rows and all(
            line.endswith("| yes |" if passed else "| **missed** |")
            for line in rows
            if not line.endswith("|  |")  # a row without a goal (build times)
        ), (name, rows)
