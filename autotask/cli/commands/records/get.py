"""``autotask get ENTITY ID...``: records by id."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.args import add_command, add_entity_argument
from autotask.cli.commands.common import add_labels_option
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode, RecordsMissing
from autotask.cli.input import parse_id

EXAMPLES = (
    ("one ticket, as a table on a terminal", "autotask get Tickets 29296"),
    ("two companies as JSON Lines", "autotask get Companies 174 175 -o jsonl"),
    ("a ticket's note, with picklist labels", "autotask get Tickets/29296/Notes 7 --labels"),
)


def register(subparsers: Any) -> None:
    """Add ``get``."""
    parser = add_command(
        subparsers,
        "get",
        help="print records by id",
        description=(
            "Print the records with these ids. An id with no record is reported on stderr and "
            "the command exits 4 after printing the others."
        ),
        examples=EXAMPLES,
        run=run,
    )
    add_entity_argument(parser)
    parser.add_argument("ids", metavar="ID", nargs="+", help="record ids")
    add_labels_option(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Fetch and print each record; exit 4 when some id has none."""
    ids = [parse_id(text) for text in args.ids]
    entity = ctx.entity(args.entity)
    labels = ctx.fields(entity).labels() if args.labels else None
    writer = ctx.writer(labels=labels, noun=entity.name)
    missing = []
    try:
        for record_id in ids:
            record = entity.get(record_id)
            if record is None:
                missing.append(str(record_id))
            else:
                writer.write(record)
    finally:
        ctx.finish(writer)
    if missing:
        raise RecordsMissing(f"{entity.name} has no record with id {', '.join(missing)}")
    return ExitCode.OK
