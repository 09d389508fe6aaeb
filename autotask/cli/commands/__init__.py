"""The command table: each command module has ``register(subparsers)``, and each command it
registers sets ``run(args, ctx) -> int`` as its default (see ``autotask.cli.args.add_command``).

Modules are imported statically (no import by string), so Nuitka follows them; each keeps its
heavy imports (the client, the emulator) inside ``run`` or behind the context, so ``--help``
stays cheap. One module per command group; the order here is the order in ``--help``.
"""

from __future__ import annotations

from types import ModuleType

from autotask.cli.commands import (
    attachments,
    batch,
    config,
    count,
    delete,
    doctor,
    emulator,
    entities,
    export,
    get,
    info,
    query,
    usage,
    write,
)

COMMANDS: tuple[ModuleType, ...] = (
    get,
    query,
    count,
    write,
    delete,
    batch,
    attachments,
    export,
    entities,
    info,
    usage,
    doctor,
    config,
    emulator,
)
