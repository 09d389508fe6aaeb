"""The ``autotask`` command line. ``main(argv) -> int``; only ``__main__`` calls ``sys.exit``."""

from autotask.cli.main import main

__all__ = ["main"]
