"""``autotask query ENTITY [CONDITION...]``: matching records, streamed page by page."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.args import add_command, add_entity_argument
from autotask.cli.commands.common import (
    add_condition_arguments,
    add_fields_option,
    add_labels_option,
    resolve_fields,
)
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode, UsageError
from autotask.cli.values.conditions import build_filter, parse_condition, parse_filter_json

EXAMPLES = (
    ("new tickets (status looked up by its label)", "autotask query Tickets status=New"),
    (
        "high-priority tickets with 'printer' in the title, two fields",
        "autotask query Tickets 'priority>=2' title~printer --fields id,title",
    ),
    (
        "tickets due before 2026, or without a due date",
        "autotask query Tickets 'dueDateTime<2026-01-01T00:00:00Z' dueDateTime!=exists --any",
    ),
    ("companies by a UDF, as CSV", "autotask query Companies 'udf:Customer Code=C05252' -o csv"),
    ("three ids", "autotask query Tickets id=in:29296,29297,29298"),
    ("a ticket's notes", "autotask query Tickets/29296/Notes"),
    (
        "a raw Autotask filter",
        'autotask query Tickets --filter \'{"op": "gte", "field": "id", "value": 0}\' --limit 5',
    ),
)


def register(subparsers: Any) -> None:
    """Add ``query``."""
    parser = add_command(
        subparsers,
        "query",
        help="print the records matching conditions",
        description=(
            "Print every record matching the conditions (all records without any), page by "
            "page as they arrive. Values are typed by the field's metadata; on a picklist "
            "field a label works as well as a value (status=New). Quote conditions that hold "
            "shell characters (> < ~ $ ^ spaces)."
        ),
        examples=EXAMPLES,
        run=run,
    )
    add_entity_argument(parser)
    add_condition_arguments(parser)
    add_fields_option(parser)
    parser.add_argument(
        "--limit", metavar="N", type=int, help="stop after N records (default: all)"
    )
    add_labels_option(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Query and print, streaming."""
    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be a positive number, not {args.limit}")
    for text in args.conditions:
        parse_condition(text)  # grammar errors before any request
    raw = parse_filter_json(args.filter) if args.filter else None
    entity = ctx.entity(args.entity)
    table = ctx.fields(entity)
    query_filter = build_filter(args.conditions, table, any_of=args.any, raw=raw)
    include: list[str] | None = None
    columns: list[str] | None = None
    if args.fields:
        include, columns = resolve_fields(args.fields, table)
    elif ctx.format == "csv":
        columns = table.columns()  # a stable header, whatever the first record holds
    labels = table.labels() if args.labels else None
    writer = ctx.writer(columns=columns, labels=labels, noun=entity.name)
    try:
        for record in entity.query(query_filter, fields=include, limit=args.limit):
            writer.write(record)
    finally:
        ctx.finish(writer)
    return ExitCode.OK
