"""``autotask create|update|replace ENTITY JSON|@FILE|-``: write one record."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from autotask.cli.args import add_command, add_entity_argument
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode, UsageError
from autotask.cli.input import read_document

_DATA_HELP = (
    "the record as JSON text, @FILE for a file holding it, or - for standard input; "
    "udf:NAME keys become userDefinedFields"
)
_COMMANDS: dict[str, tuple[str, str, tuple[tuple[str, str], ...]]] = {
    "create": (
        "create a record and print its id",
        "Create one record and print its new id. A child collection (Tickets/123/Notes) "
        "fills the parent id in.",
        (
            (
                "a ticket (a queue, or a resource and role, is required)",
                'autotask create Tickets \'{"companyID": 0, "title": "Printer", '
                '"status": 1, "priority": 2, "queueID": 29683325}\'',
            ),
            ("a note on ticket 123, from a file", "autotask create Tickets/123/Notes @note.json"),
        ),
    ),
    "update": (
        "change some fields of a record (PATCH)",
        "Change the fields given (PATCH); the JSON must hold the record's id. Other fields "
        "keep their values.",
        (("raise a ticket's priority", 'autotask update Tickets \'{"id": 123, "priority": 1}\''),),
    ),
    "replace": (
        "replace a record (PUT): fields left out become empty",
        "Replace the record (PUT); the JSON must hold the record's id. Writable fields left "
        "out become null.",
        (("from standard input", "jq '.priority = 1' ticket.json | autotask replace Tickets -"),),
    ),
}


def register(subparsers: Any) -> None:
    """Add ``create``, ``update`` and ``replace``."""
    for name, (summary, description, examples) in _COMMANDS.items():
        parser = add_command(
            subparsers,
            name,
            help=summary,
            description=description,
            examples=examples,
            run=run,
        )
        parser.set_defaults(write=name)
        add_entity_argument(parser)
        parser.add_argument("data", metavar="JSON|@FILE|-", help=_DATA_HELP)


_PAST = {"create": "created", "update": "updated", "replace": "replaced"}


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Read the record, write it, print ``{"id": N}``."""
    operation: str = args.write
    data = read_document(args.data, ctx.env.stdin)
    entity = ctx.entity(args.entity)
    if operation != "create" and not any(k.lower() == "id" for k in data):
        raise UsageError(f"{operation} needs the record's id in the JSON")
    write: Callable[[dict[str, Any]], int] = getattr(entity, operation)
    record_id = write(data)
    ctx.document({"id": record_id}, f"{_PAST[operation]} {entity.name} {record_id}")
    return ExitCode.OK
