"""The command table: each command module has ``register(subparsers)`` and a ``run(args)``.

Modules are imported statically (no import by string), so Nuitka follows them; each keeps its
heavy imports inside ``run`` so ``--help`` stays cheap.
"""

from __future__ import annotations

from types import ModuleType

from autotask.cli.commands import emulator

COMMANDS: tuple[ModuleType, ...] = (emulator,)
