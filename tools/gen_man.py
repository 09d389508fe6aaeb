"""Generate the man pages from ``autotask.cli.parser.build_parser()``.

``python tools/gen_man.py man`` writes ``man/autotask.1`` and one ``man/autotask-<command>.1``
per command. The pages are committed; tests/meta/test_man_pages.py regenerates them in memory
and fails on any difference, so the parser and the pages never drift.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from argparse_manpage.manpage import Manpage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A fixed date keeps regeneration byte-identical; bump it together with the version.
MAN_DATE = "2026-11-26"
MANUAL_TITLE = "autotask manual"
URL = "https://github.com/autotask-psa/autotask"


def _page(parser: argparse.ArgumentParser, description: str) -> str:
    from autotask._version import __version__

    data = {
        "project_name": "autotask",
        "version": __version__,
        "date": MAN_DATE,
        "manual_title": MANUAL_TITLE,
        "description": description,
        "url": URL,
        "authors": ["the autotask developers"],
    }
    return str(Manpage(parser, _data=data))


def render_pages() -> dict[str, str]:
    """Return ``{file name: man page text}`` for the main page and each command."""
    os.environ["COLUMNS"] = "80"  # argparse wraps help by terminal width
    from autotask.cli.parser import DESCRIPTION, build_parser

    parser = build_parser()
    pages = {"autotask.1": _page(parser, DESCRIPTION)}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                sub.prog = f"autotask-{name}"  # .TH and NAME need one word (build-tooling §7)
                pages[f"autotask-{name}.1"] = _page(sub, str(helps.get(name) or name))
    return pages


def main(argv: list[str]) -> int:
    """Write the pages into the directory ``argv[0]`` (default ``man``)."""
    out = Path(argv[0] if argv else "man")
    out.mkdir(parents=True, exist_ok=True)
    pages = render_pages()
    for stale in out.glob("autotask*.1"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
