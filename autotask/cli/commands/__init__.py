"""The command table: each command module has ``register(subparsers)``, and each command it
registers sets ``run(args, ctx) -> int`` as its default (see ``autotask.cli.args.add_command``).

Modules are imported statically (no import by string), so Nuitka follows them; each keeps its
heavy imports (the client, the emulator) inside ``run`` or behind the context, so ``--help``
stays cheap. One module per command group, in four folders (records, jobs, metadata, setup);
the order here is the order in ``--help``.
"""

from __future__ import annotations

from types import ModuleType

from autotask.cli.commands.jobs import attachments, batch, export
from autotask.cli.commands.metadata import entities, info, usage
from autotask.cli.commands.records import count, delete, get, query, write
from autotask.cli.commands.setup import config, doctor, emulator

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
