"""Generate the man pages from ``autotask.cli.parser.build_parser()``.

``python tools/gen_man.py man`` writes ``man/autotask.1`` (every command, briefly) and one
``man/autotask-<command>.1`` per command (its options in full). Every page has EXIT STATUS,
ENVIRONMENT, FILES and EXAMPLES sections, rendered from ``autotask.cli.exitcodes``,
``autotask.cli.manual`` and each command's examples. The pages are committed;
tests/meta/test_man_pages.py regenerates them in memory and fails on any difference, and renders
each with ``groff -man -Tascii -ww`` (no warnings allowed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from argparse_manpage.manpage import Manpage

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))
from shared_inputs import fixed_columns  # noqa: E402

# A fixed date keeps regeneration byte-identical; bump it together with the version.
MAN_DATE = "2026-11-26"
MANUAL_TITLE = "autotask manual"
URL = "https://github.com/autotask-psa/autotask"


# groff -Tascii has no glyphs beyond ASCII (and warns); these are the ones our texts use.
ASCII = {"\u00a7": "section ", "\u2026": "...", "\u2013": "-", "\u2014": "-", "\u00d7": "x"}


def ascii_only(text: str) -> str:
    """``text`` with the non-ASCII characters of :data:`ASCII` spelled in ASCII.

    Raises:
        ValueError: another non-ASCII character (add it to :data:`ASCII`).
    """
    for char, spelled in ASCII.items():
        text = text.replace(char, spelled)
    odd = sorted({c for c in text if ord(c) > 127})
    if odd:
        raise ValueError(f"non-ASCII characters in a man page: {odd}")
    return text


def roff(text: str) -> str:
    """Escape plain text for roff: backslashes, hyphens, and a leading dot or quote."""
    text = text.replace("\\", "\\\\").replace("-", "\\-")
    return "\n".join(
        ("\\&" + line if line[:1] in (".", "'") else line) for line in text.split("\n")
    )


def _tagged(rows: Sequence[tuple[str, str]], bold: bool = True) -> str:
    lines = []
    for tag, text in rows:
        lines.append(".TP")
        lines.append(f"\\fB{roff(tag)}\\fR" if bold else roff(tag))
        lines.append(roff(text))
    return "\n".join(lines)


def _examples(examples: Sequence[tuple[str, str]]) -> str:
    return _tagged([(line, what) for what, line in examples])


def _exit_status() -> str:
    from autotask.cli.exitcodes import MEANINGS, ExitCode

    return _tagged([(str(int(code)), MEANINGS[code]) for code in ExitCode])


def _page(
    parser: argparse.ArgumentParser,
    description: str,
    examples: Sequence[tuple[str, str]],
    *,
    emulator: bool = False,
    see_also: Sequence[str] = (),
    title: str | None = None,
) -> str:
    from autotask._version import __version__
    from autotask.cli import manual

    if parser.epilog and not emulator:
        parser.epilog = None  # examples and exit status get their own sections below
    data = {
        "project_name": "autotask",
        "version": __version__,
        "date": MAN_DATE,
        "manual_title": MANUAL_TITLE,
        "description": description,
        "url": URL,
        "authors": ["the autotask developers"],
    }
    page = Manpage(parser, _data=data)
    if title:
        page.prog = title  # .TH and NAME need one word; the synopsis keeps "autotask query"
    page.add_section("EXIT STATUS", "=", _exit_status())
    environment = manual.EMULATOR_ENVIRONMENT if emulator else manual.ENVIRONMENT
    page.add_section("ENVIRONMENT", "=", _tagged(environment))
    page.add_section("FILES", "=", _tagged(manual.EMULATOR_FILES if emulator else manual.FILES))
    if examples:
        page.add_section("EXAMPLES", "=", _examples(examples))
    if see_also:
        page.add_section("SEE ALSO", "=", ",\n".join(f"\\fB{roff(n)}\\fR(1)" for n in see_also))
    return ascii_only(str(page))


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise RuntimeError("the parser has no commands")


def render_pages() -> dict[str, str]:
    """Return ``{file name: man page text}`` for the main page and each command."""
    with fixed_columns():
        return _render_pages()


def _render_pages() -> dict[str, str]:
    from autotask.cli.parser import DESCRIPTION, build_parser

    parser = build_parser()
    commands = _subcommands(parser)
    helps = {a.dest: str(a.help or a.dest) for a in commands._choices_actions}
    names = list(commands.choices)
    pages: dict[str, str] = {}
    overview = build_parser()  # the main page lists the commands; each has its own page
    _subcommands(overview).choices.clear()
    main_examples = [
        ("new tickets as a table", "autotask query Tickets status=New"),
        ("store credentials in the default profile", "autotask config set username api@x.test"),
        ("check the setup", "autotask doctor"),
    ]
    pages["autotask.1"] = _page(
        overview, DESCRIPTION, main_examples, see_also=[f"autotask-{n}" for n in names]
    )
    for name, sub in commands.choices.items():
        examples = getattr(sub, "examples", ())
        pages[f"autotask-{name}.1"] = _page(
            sub,
            helps[name],
            examples,
            emulator=name == "emulator",
            see_also=["autotask"],
            title=f"autotask-{name}",  # build-tooling section 7
        )
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
