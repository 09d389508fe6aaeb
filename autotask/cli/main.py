"""``main(argv) -> int``: parse, dispatch, map the outcome to an exit code."""

from __future__ import annotations

import platform
import sys
from collections.abc import Sequence
from importlib import metadata

from autotask._version import __version__
from autotask.cli.exitcodes import ExitCode
from autotask.cli.parser import build_parser


def _versions() -> str:
    try:
        urllib3_version = metadata.version("urllib3")
    except metadata.PackageNotFoundError:
        urllib3_version = "not installed"
    return f"autotask {__version__} (urllib3 {urllib3_version}, Python {platform.python_version()})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``autotask`` command.

    Args:
        argv: the arguments without the program name; ``None`` means ``sys.argv[1:]``.

    Returns:
        An :class:`~autotask.cli.exitcodes.ExitCode` value.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return int(exc.code) if isinstance(exc.code, int) else int(ExitCode.USAGE)
    if args.version:
        print(_versions())
        return int(ExitCode.OK)
    run = getattr(args, "run", None)
    if run is None:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: a command is required", file=sys.stderr)
        return int(ExitCode.USAGE)
    try:
        return int(run(args))
    except KeyboardInterrupt:
        return int(ExitCode.INTERRUPTED)
