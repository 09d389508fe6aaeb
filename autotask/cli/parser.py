"""The argument parser, built from the command table and the registry.

``build_parser()`` is pure: it reads no configuration, environment, network or clock, so
argparse-manpage and shtab import it (tools/gen_man.py, tools/gen_completions.py; aesthetics
§16). Entity arguments carry their completion data from the registry (``action.complete``,
read by shtab), so shells complete entity names without asking the API.

Global options work before or after the command (``autotask -o json query ...`` and
``autotask query ... -o json``): each command's parser repeats them with suppressed defaults, so
a value given after the command wins and one given before it is kept.
"""

from __future__ import annotations

import argparse

from autotask.cli import exitcodes
from autotask.cli.args import Parser, add_global_options
from autotask.cli.commands import COMMANDS

PROG = "autotask"
DESCRIPTION = "Autotask PSA REST API client: queries, writes, metadata, profiles, emulator"

__all__ = ["DESCRIPTION", "PROG", "build_parser"]


def build_parser() -> Parser:
    """Build the ``autotask`` parser with one sub-parser per command of the command table.

    Returns:
        The parser; each sub-parser sets ``run`` (``run(args, ctx) -> int``) as default.
    """
    parser = Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=exitcodes.epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="store_true",
        help="print the autotask, urllib3, Python, OpenSSL versions",
    )
    add_global_options(parser, top=True)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(subparsers)
    return parser
