"""Generate bash and zsh completion from ``autotask.cli.parser.build_parser()`` with shtab.

``python tools/gen_completions.py completions`` writes ``completions/autotask.bash`` and
``completions/_autotask`` (zsh). Command, option and entity names all come from the parser,
whose ENTITY arguments carry the registry's names (``autotask.cli.args.entity_completion``),
so nothing asks the API. The files are committed; tests/cli/pure/test_completions.py regenerates
them in memory and fails on any difference.

Install: ``source completions/autotask.bash`` (or copy it to
``/usr/share/bash-completion/completions/autotask``); for zsh, put ``_autotask`` in a folder
on ``$fpath`` (e.g. ``/usr/share/zsh/site-functions``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import shtab

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from shared_inputs import fixed_columns  # noqa: E402

FILES = {"bash": "autotask.bash", "zsh": "_autotask"}


def render() -> dict[str, str]:
    """Return ``{file name: completion script}`` for each shell."""
    from autotask.cli.parser import build_parser

    scripts = {}
    with fixed_columns():  # help texts are wrapped by width: keep them reproducible
        for shell, name in FILES.items():
            text = shtab.complete(build_parser(), shell=shell)
            scripts[name] = text if text.endswith("\n") else text + "\n"
    return scripts


def main(argv: list[str]) -> int:
    """Write the scripts into the directory ``argv[0]`` (default ``completions``)."""
    out = Path(argv[0] if argv else "completions")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
