"""``python -m autotask.emulator``: runs with the standard library alone."""

import sys

from autotask.emulator.cli import main

if __name__ == "__main__":
    sys.exit(main())
