"""Entry points of the emulator: ``main(argv) -> int`` and ``run_from_namespace``."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from autotask.emulator import options


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of ``python -m autotask.emulator``."""
    parser = argparse.ArgumentParser(
        prog="python -m autotask.emulator",
        description=options.DESCRIPTION,
        epilog=options.EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    options.add_arguments(parser)
    return parser


def run_from_namespace(ns: argparse.Namespace) -> int:
    """Start the emulator from parsed flags and serve until Ctrl-C or SIGTERM."""
    from autotask.emulator.server import run

    return run(options.settings_from(ns))


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the emulator; returns the exit code."""
    parser = build_parser()
    try:
        ns = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else 2
    return run_from_namespace(ns)
