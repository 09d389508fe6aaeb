"""``autotask emulator``: run the local Autotask REST emulator (same flags as
``python -m autotask.emulator``)."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.context import Context

SUMMARY = "run the local Autotask REST API emulator"
EXAMPLES = (
    ("on a free port, with the demo data", "autotask emulator"),
    (
        "Autotask's limits at a real query's speed",
        "autotask emulator --port 8080 --latency-ms 200 --thread-limit 3",
    ),
)


def register(subparsers: Any) -> None:
    """Add the ``emulator`` sub-parser; its flags come from the emulator itself.

    It takes no global options: the emulator has its own ``--username`` and ``--secret`` (the
    credentials it accepts, not ones it sends).
    """
    from autotask.emulator import options

    parser = subparsers.add_parser(
        "emulator",
        help=SUMMARY,
        description=options.DESCRIPTION,
        epilog=options.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        examples=EXAMPLES,
    )
    options.add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Serve until Ctrl-C or SIGTERM; returns the emulator's exit code."""
    from autotask.emulator.cli import run_from_namespace

    return run_from_namespace(args)
