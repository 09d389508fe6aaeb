"""The argument parser, built from the command table.

``build_parser()`` is pure: it reads no configuration, environment, network or clock, so
argparse-manpage and the shell-completion generator can import it (aesthetics §16).
"""

from __future__ import annotations

import argparse

from autotask.cli import exitcodes
from autotask.cli.commands import COMMANDS

PROG = "autotask"
DESCRIPTION = "Autotask PSA REST API client: batch jobs, attachments, queries, metadata, emulator"


def build_parser() -> argparse.ArgumentParser:
    """Build the ``autotask`` parser with one sub-parser per command of the command table.

    Returns:
        The parser; each sub-parser sets ``run`` (a callable taking the namespace) as default.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=exitcodes.epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print versions and exit")
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks and wire logs (secrets masked)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(subparsers)
    return parser


__all__ = ["DESCRIPTION", "PROG", "build_parser"]
