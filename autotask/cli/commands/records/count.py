"""``autotask count ENTITY [CONDITION...]``: how many records match."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.args import add_command, add_entity_argument
from autotask.cli.commands.common import add_condition_arguments
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode
from autotask.cli.values.conditions import build_filter, parse_condition, parse_filter_json

EXAMPLES = (
    ("open tickets", "autotask count Tickets status!=Complete"),
    ("in a script", 'n=$(autotask count Tickets status=New) && echo "$n new tickets"'),
)


def register(subparsers: Any) -> None:
    """Add ``count``."""
    parser = add_command(
        subparsers,
        "count",
        help="print how many records match conditions",
        description=(
            "Print the number of records matching the conditions (the same grammar as query). "
            "The number alone is the output in every format but csv (a number is a JSON "
            "document), so n=$(autotask count ...) works."
        ),
        examples=EXAMPLES,
        run=run,
    )
    add_entity_argument(parser)
    add_condition_arguments(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Count and print the number."""
    for text in args.conditions:
        parse_condition(text)
    raw = parse_filter_json(args.filter) if args.filter else None
    entity = ctx.entity(args.entity)
    query_filter = build_filter(args.conditions, ctx.fields(entity), any_of=args.any, raw=raw)
    count = entity.count(query_filter)
    if ctx.format == "csv":
        ctx.env.stdout.write(f"count\n{count}\n")
    else:
        ctx.env.stdout.write(f"{count}\n")
    ctx.env.stdout.flush()
    return ExitCode.OK
