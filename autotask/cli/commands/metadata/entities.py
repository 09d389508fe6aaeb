"""``autotask entities [NAME...] [--check]``: the entity table, and what the API allows."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.args import add_command
from autotask.cli.commands.common import split_names
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode
from autotask.cli.values.entityref import parse_entity_ref
from autotask.core.registry import entity_names, entity_spec
from autotask.errors import InvalidRequest, NotFound, PermissionDenied

EXAMPLES = (
    ("every entity the command knows, with its capabilities", "autotask entities"),
    ("what this API user may do with two entities", "autotask entities Tickets Contacts --check"),
)
COLUMNS = ("name", "capabilities", "children")
CHECKED = ("canQuery", "canCreate", "canUpdate", "canDelete", "hasUserDefinedFields", "error")


def register(subparsers: Any) -> None:
    """Add ``entities``."""
    parser = add_command(
        subparsers,
        "entities",
        help="list the entities, with the API's permissions when asked",
        description=(
            "List the entity names the command knows (from the 2020 Swagger and later "
            "additions), their capabilities (Q query, G get, C create, U update, R replace, "
            "D delete) and child collections. --check asks the API's entityInformation for "
            "each one listed: one request per entity."
        ),
        examples=EXAMPLES,
        run=run,
    )
    parser.add_argument(
        "names", metavar="NAME", nargs="*", help="only these entities (default: all)"
    )
    parser.add_argument(
        "--check", action="store_true", help="ask the API what this user may do with each"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    """One row per entity."""
    names = [parse_entity_ref(n).name for n in split_names(args.names)] or list(entity_names())
    columns = [*COLUMNS, *CHECKED] if args.check else list(COLUMNS)
    writer = ctx.writer(columns=columns, noun="entities")
    try:
        for name in names:
            spec = entity_spec(name)
            row: dict[str, Any] = {
                "name": spec.name,
                "capabilities": spec.capabilities,
                "children": ",".join(r.segment for r in spec.children),
            }
            if args.check:
                row.update(_check(ctx, spec.name))
            writer.write(row)
    finally:
        ctx.finish(writer)
    return ExitCode.OK


def _check(ctx: Context, name: str) -> dict[str, Any]:
    try:
        info = ctx.client().entity(name).info()
    except (NotFound, PermissionDenied, InvalidRequest) as exc:  # the entity's answer, not ours
        return {"error": str(exc)}
    return {key: info.get(key) for key in CHECKED if key != "error"}
