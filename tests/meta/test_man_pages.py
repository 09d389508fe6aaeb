"""The committed man pages are exactly what tools/gen_man.py renders from the parser."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _render() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("gen_man", ROOT / "tools" / "gen_man.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pages: dict[str, str] = module.render_pages()
    return pages


def test_man_pages_match_the_parser() -> None:
    pages = _render()
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "man").glob("*.1")}
    assert sorted(committed) == sorted(pages), "run `make man` and commit man/"
    for name, text in pages.items():
        assert committed[name] == text, f"man/{name} is stale: run `make man` and commit it"


def test_main_page_documents_exit_status() -> None:
    page = _render()["autotask.1"]
    for code in ("130", "BATCH", "batch finished"):
        assert code in page or code.lower() in page.lower()
