"""``autotask emulator``: run the local Autotask REST emulator (same flags as
``python -m autotask.emulator``)."""

from __future__ import annotations

import argparse
from typing import Any

SUMMARY = "run the local Autotask REST API emulator"


def register(subparsers: Any) -> None:
    """Add the ``emulator`` sub-parser; its flags come from the emulator itself."""
    from autotask.emulator import options

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "emulator",
        help=SUMMARY,
        description=options.DESCRIPTION,
        epilog=options.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    options.add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM; returns the emulator's exit code."""
    from autotask.emulator.cli import run_from_namespace

    return run_from_namespace(args)
