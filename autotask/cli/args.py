"""Building blocks of the parser that commands share: the one-line-error ``Parser``, the
global options, ENTITY and ``--confirm`` arguments, and :func:`add_command`.

Pure like ``build_parser()``: nothing here reads configuration, environment, network or clock.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from autotask.cli.credentials import refuse_secret_flag
from autotask.cli.exitcodes import UsageError
from autotask.cli.output import FORMATS
from autotask.core.registry import entity_names

__all__ = [
    "Examples",
    "Parser",
    "add_command",
    "add_confirm_option",
    "add_entity_argument",
    "add_global_options",
    "entity_completion",
]

Examples = Sequence[tuple[str, str]]


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line and an exception, not an exit.

    Attributes:
        examples: ``(what, command line)`` pairs for ``--help`` and the man page's EXAMPLES.
    """

    def __init__(self, *args: Any, examples: Examples = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.examples: Examples = examples

    def error(self, message: str) -> NoReturn:
        """Raise :class:`UsageError` (exit 2) naming the command and where help is."""
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _examples_epilog(examples: Examples) -> str:
    lines = ["examples:"]
    for what, line in examples:
        lines.append(f"  {line}")
        lines.append(f"      {what}")
    return "\n".join(lines)


def add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The options every command takes (defaults only on the top-level parser)."""

    def default(value: Any) -> Any:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    group.add_argument(
        "-o",
        "--output",
        choices=FORMATS,
        default=default(None),
        help="output format (default: table on a terminal, jsonl otherwise)",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="no progress bars or notes on stderr (errors and summaries still show)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log the API traffic on stderr (secrets masked) and show tracebacks",
    )
    group.add_argument(
        "--profile",
        metavar="NAME",
        default=default(None),
        help="the profile in the config file to use (default: $AUTOTASK_PROFILE, else 'default')",
    )
    group.add_argument(
        "--username", metavar="USER", default=default(None), help="the API user's username"
    )
    group.add_argument(
        "--api-url",
        metavar="URL",
        default=default(None),
        help="the zone URL (.../ATServicesRest/); skips zone discovery",
    )
    group.add_argument(
        "--ca-file", metavar="FILE", default=default(None), help="CA bundle to verify TLS with"
    )
    group.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=default(None),
        help="seconds to wait for an answer (default: 30)",
    )
    group.add_argument(
        "--retries",
        metavar="N",
        type=int,
        default=default(None),
        help="resends per request where resending is safe (default: 3)",
    )
    # Secrets are refused as arguments (CONTRACTS §10); these exist to say where they go.
    for flag in ("--secret", "--integration-code"):
        group.add_argument(flag, action=refuse_secret_flag, help=argparse.SUPPRESS)


def entity_completion() -> dict[str, Any]:
    """shtab completion data for ENTITY arguments: the registry's names (pure data)."""
    names = " ".join(entity_names())
    return {
        "bash": "_autotask_entities",
        "zsh": f"({names})",
        "preamble": {
            "bash": (f'_autotask_entities() {{\n  compgen -W "{names}" -- "$1"\n}}\n'),
        },
    }


def add_entity_argument(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """The ENTITY positional, completed from the registry."""
    action = parser.add_argument(
        "entity",
        metavar="ENTITY",
        help=help or "entity name (Tickets), or a child collection (Tickets/123/Notes)",
    )
    action.complete = entity_completion()  # type: ignore[attr-defined]


def add_confirm_option(parser: argparse.ArgumentParser) -> None:
    """``--confirm``/``--yes`` for destructive commands."""
    parser.add_argument(
        "--confirm",
        "--yes",
        "-y",
        action="store_true",
        help="do it without asking (required when there is no terminal to ask on)",
    )


def add_command(
    subparsers: Any,
    name: str,
    *,
    help: str,
    description: str,
    examples: Examples,
    run: Callable[..., int],
) -> Parser:
    """Add one command: its parser (with the global options and examples) and its ``run``."""
    parser: Parser = subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog=_examples_epilog(examples) if examples else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        examples=examples,
    )
    add_global_options(parser, top=False)
    parser.set_defaults(run=run)
    return parser
