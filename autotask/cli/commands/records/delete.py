"""``autotask delete ENTITY ID --confirm``: delete one record."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.args import add_command, add_confirm_option, add_entity_argument
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode
from autotask.cli.input import parse_id
from autotask.cli.values.entityref import parse_entity_ref

EXAMPLES = (
    ("in a script (no terminal: --confirm is required)", "autotask delete Projects 42 --confirm"),
    ("a ticket's note", "autotask delete Tickets/123/Notes 7 --yes"),
)


def register(subparsers: Any) -> None:
    """Add ``delete``."""
    parser = add_command(
        subparsers,
        "delete",
        help="delete a record (asks first; --confirm in scripts)",
        description=(
            "Delete one record. On a terminal it asks first unless --confirm; with no terminal "
            "and no --confirm it refuses at once (exit 2) instead of waiting for an answer."
        ),
        examples=EXAMPLES,
        run=run,
    )
    add_entity_argument(parser)
    parser.add_argument("id", metavar="ID", help="the record's id")
    add_confirm_option(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Confirm, delete, print ``{"id": N}``."""
    record_id = parse_id(args.id)
    ref = parse_entity_ref(args.entity)
    ctx.confirm(f"delete {ref} {record_id}")
    entity = ctx.entity(ref)
    deleted = entity.delete(record_id)
    ctx.document({"id": deleted}, f"deleted {entity.name} {deleted}")
    return ExitCode.OK
