"""``autotask info ENTITY [--fields | --udfs | --picklist FIELD]``: entity metadata."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.args import add_command, add_entity_argument
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode, UsageError

EXAMPLES = (
    ("what the API user may do with tickets", "autotask info Tickets"),
    ("the ticket fields, as a table", "autotask info Tickets --fields -o table"),
    ("the tenant's company UDFs", "autotask info Companies --udfs"),
    ("the ticket status labels", "autotask info Tickets --picklist status"),
    ("a picklist UDF", "autotask info Tickets --picklist 'udf:FR Result'"),
)
FIELD_COLUMNS = (
    "name",
    "dataType",
    "length",
    "isRequired",
    "isReadOnly",
    "isQueryable",
    "isPickList",
    "referenceEntityType",
)
UDF_COLUMNS = ("name", "type", "length", "isRequired", "isReadOnly", "isPickList", "description")
PICKLIST_COLUMNS = ("value", "label", "isActive", "isDefaultValue", "sortOrder", "parentValue")


def register(subparsers: Any) -> None:
    """Add ``info``."""
    parser = add_command(
        subparsers,
        "info",
        help="show an entity's metadata: permissions, fields, UDFs, picklists",
        description=(
            "Show entityInformation (what this API user may do), or with --fields, --udfs or "
            "--picklist the field definitions, the tenant's user-defined fields, or one "
            "picklist's values and labels. In JSON the API's definitions are printed whole."
        ),
        examples=EXAMPLES,
        run=run,
    )
    add_entity_argument(parser)
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--fields", action="store_true", help="the field definitions")
    what.add_argument("--udfs", action="store_true", help="the user-defined field definitions")
    what.add_argument(
        "--picklist", metavar="FIELD", help="the values and labels of a picklist field or UDF"
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Print the metadata asked for."""
    entity = ctx.entity(args.entity)
    if args.fields:
        _rows(ctx, entity.fields(), FIELD_COLUMNS, f"{entity.name} fields")
    elif args.udfs:
        _rows(ctx, entity.udfs(), UDF_COLUMNS, f"{entity.name} UDFs")
    elif args.picklist:
        info = ctx.fields(entity).column(args.picklist)
        if not info.is_picklist:
            raise UsageError(f"{entity.name}.{info.name} is not a picklist")
        _rows(ctx, list(info.picklist), PICKLIST_COLUMNS, f"{entity.name}.{info.name} values")
    else:
        document: dict[str, Any] = dict(entity.info())
        spec = entity.spec
        document["capabilities"] = spec.capabilities
        document["children"] = ",".join(r.segment for r in spec.children)
        document["parents"] = ",".join(f"{r.parent}/{{id}}/{r.segment}" for r in spec.parents)
        can = [
            k[3:].lower()
            for k in ("canQuery", "canCreate", "canUpdate", "canDelete")
            if document.get(k)
        ]
        ctx.document(document, f"{entity.name}: {', '.join(can) or 'no access'}")
    return ExitCode.OK


def _rows(ctx: Context, rows: list[dict[str, Any]], columns: tuple[str, ...], noun: str) -> None:
    writer = ctx.writer(columns=columns, noun=noun)
    try:
        for row in rows:
            writer.write(row)
    finally:
        ctx.finish(writer)
