"""``python -m autotask``: the CLI. The only place besides the emulator's that exits."""

import sys

from autotask.cli import main

if __name__ == "__main__":
    sys.exit(main())
