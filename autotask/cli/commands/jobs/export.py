"""``autotask export`` and ``autotask sync``: entities to JSON Lines, CSV or SQLite (issue 13).

Both call ``Entity.export`` (``autotask/export/``), which pages the query in parallel inside the
thread limit, writes the target all at once (a temporary file renamed, or one SQLite
transaction) and keeps the watermark in a state file. Here: the target and conditions are
checked before any request, the progress bar is fed from the export's ``ExportProgress``
(records, the opening count as the total, so rate and ETA), and the returned ``ExportStats``
is printed per ``--output``. ``InvalidRequest`` from an export means bad input and nothing
written, so it exits 2 like every other bad input; any other failure leaves a run that the same
command resumes.

``sync`` runs its entities one after another into one database with one state file (by
default beside the database). An entity that fails is reported on its own line and the others
still run; the exit code is the first failure's.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotask._log import mask
from autotask.cli.args import add_command, add_entity_argument, entity_completion
from autotask.cli.commands.common import (
    add_condition_arguments,
    add_fields_option,
    add_labels_option,
    positive_int,
    resolve_fields,
    split_names,
)
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode, UsageError, exit_code_for
from autotask.cli.output.progress import Progress
from autotask.cli.values.conditions import build_filter, parse_condition, parse_filter_json
from autotask.cli.values.entityref import EntityRef, parse_entity_ref
from autotask.errors import AuthenticationError, AutotaskError, ConfigError, InvalidRequest

if TYPE_CHECKING:
    from autotask.core.entities import Entity
    from autotask.export import ExportProgress, ExportStats

SQLITE = "sqlite:///"
STATE_SUFFIX = ".state.json"
STATS_COLUMNS = (
    "entity",
    "records",
    "pages",
    "requests",
    "seconds",
    "full",
    "resumed",
    "deleted",
    "watermark",
    "target",
)
EXPORT_EXAMPLES = (
    ("every ticket to JSON Lines", "autotask export Tickets --to tickets.jsonl"),
    (
        "open tickets, some fields, picklist labels, as CSV",
        "autotask export Tickets status!=Complete --to open.csv --fields id,title,status --labels",
    ),
    (
        "what changed since the last run, into SQLite (the first run takes everything)",
        "autotask export Tickets --to sqlite:///reports.db --since state.json",
    ),
    ("a closing line instead of the stats", "autotask export Companies --to c.jsonl -o summary"),
)
SYNC_EXAMPLES = (
    (
        "the nightly sync into one database (state in reports.db.state.json)",
        "autotask sync --to sqlite:///reports.db Tickets Companies Contacts",
    ),
    (
        "from cron, with the state file named",
        "15 2 * * * autotask sync --to sqlite:////var/lib/autotask/reports.db "
        "--since /var/lib/autotask/state.json Tickets Companies Contacts -o summary",
    ),
)
_TO_HELP = "FILE.jsonl, FILE.csv, or sqlite:///PATH (a table per entity; sqlite:////abs/path.db)"
_PARTITIONS_HELP = "id ranges paged at once (default: 3, the tenant's per-entity thread limit)"


def register(subparsers: Any) -> None:
    """Add ``export`` and ``sync``."""
    export = add_command(
        subparsers,
        "export",
        help="write an entity's records to JSON Lines, CSV or SQLite (resumable)",
        description=(
            "Write every record matching the conditions (all records without any) to a JSON "
            "Lines or CSV file or a SQLite table, paging id ranges in parallel within the "
            "tenant's thread limit. The target appears all at once when complete. With "
            "--since STATE only what changed since the last run is exported (the first run "
            "exports everything); SQLite upserts it, a file holds that run's changes. A run "
            "that is stopped or fails resumes when the same command is run again. A progress "
            "bar (records, rate, ETA) shows on a terminal; the run's figures are printed per "
            "--output (-o summary: one line). A bad target, state file, field or condition "
            "exits 2 with nothing written."
        ),
        examples=EXPORT_EXAMPLES,
        run=run_export,
    )
    add_entity_argument(export, help="entity name (Tickets)")
    add_condition_arguments(export)
    _add_target_options(export, state_help="a state file: export only what changed since")
    add_fields_option(export)
    add_labels_option(export)
    sync = add_command(
        subparsers,
        "sync",
        help="bring a SQLite database up to date with several entities (cron)",
        description=(
            "For each ENTITY in turn, export what changed since the last sync into its table "
            "of one SQLite database (the first sync takes everything), keeping every "
            "entity's watermark in one state file. An entity without a last-modified field "
            "(Countries and a few other reference tables) is exported in full each time, "
            "which replaces its table. An entity that fails is reported and the "
            "others still run; the exit code is then the first failure's, and running the "
            "same command again resumes. One row per entity is printed per --output."
        ),
        examples=SYNC_EXAMPLES,
        run=run_sync,
    )
    action = sync.add_argument(
        "entities", metavar="ENTITY", nargs="+", help="entity names (several, or comma-separated)"
    )
    action.complete = entity_completion()  # type: ignore[attr-defined]
    _add_target_options(
        sync,
        state_help=f"the state file (default: the database's path + {STATE_SUFFIX})",
        sqlite_only=True,
    )


def _add_target_options(
    parser: argparse.ArgumentParser, *, state_help: str, sqlite_only: bool = False
) -> None:
    parser.add_argument(
        "--to",
        metavar="sqlite:///PATH" if sqlite_only else "TARGET",
        required=True,
        help="the database: sqlite:///PATH (sqlite:////abs/path.db)" if sqlite_only else _TO_HELP,
    )
    parser.add_argument("--since", metavar="STATE", help=state_help)
    parser.add_argument(
        "--partitions", metavar="N", type=positive_int, default=3, help=_PARTITIONS_HELP
    )


def _plain_entity(text: str) -> EntityRef:
    ref = parse_entity_ref(text)
    if ref.parent is not None:
        raise UsageError(
            f"{text}: export takes an entity, not a child collection "
            f"(export {ref.name} with a condition on its parent's id)"
        )
    return ref


def _check_target(target: str, since: str | None) -> None:
    """The target's form and folder, and the state file's folder, before any request (the
    library checks the target again; a state file that cannot be written would otherwise fail
    only after the target was committed)."""
    from autotask.export.writers import parse_target

    try:
        parse_target(target)
    except InvalidRequest as exc:
        raise UsageError(exc.message) from None
    if since is not None:
        state = Path(since)
        if state.is_dir():
            raise UsageError(f"--since {since}: a folder, not a state file")
        if not state.parent.is_dir() and str(state.parent) != "":
            raise UsageError(f"--since {since}: folder {state.parent} does not exist")


def stats_row(stats: ExportStats) -> dict[str, Any]:
    """The figures of one export as a flat row (:data:`STATS_COLUMNS`)."""
    return {
        "entity": stats.entity,
        "records": stats.records,
        "pages": stats.pages,
        "requests": stats.requests,
        "seconds": round(stats.seconds, 3),
        "full": stats.full,
        "resumed": stats.resumed,
        "deleted": stats.deleted,
        "watermark": stats.watermark,
        "target": stats.target,
    }


def summary_line(stats: ExportStats) -> str:
    """``Tickets: 1200 records (full) in 3 pages, 5 requests, 1.2 s -> tickets.jsonl``."""
    kind = "full" if stats.full else "changes"
    more = [kind]
    if stats.resumed:
        more.append("resumed")
    if stats.deleted:
        more.append(f"{stats.deleted} deleted")
    return (
        f"{stats.entity}: {_count(stats.records, 'record')} ({', '.join(more)}) in "
        f"{_count(stats.pages, 'page')}, {_count(stats.requests, 'request')}, "
        f"{stats.seconds:.1f} s -> {stats.target}"
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _export(
    ctx: Context,
    entity: Entity,
    target: str,
    query_filter: Any,
    *,
    since: str | None,
    fields: list[str] | None,
    labels: bool,
    partitions: int,
) -> ExportStats:
    """One entity's export with a progress bar; bad input as :class:`UsageError`."""
    bar = ctx.progress(f"{entity.name} export")

    def progress(p: ExportProgress) -> None:
        bar(Progress(p.records, p.total, p.records, 0, 0, p.seconds))

    try:
        return entity.export(
            target,
            query_filter,
            fields=fields,
            since=since,
            labels=labels,
            partitions=partitions,
            progress=progress,
        )
    except InvalidRequest as exc:  # bad input, nothing written (autotask/export/__init__.py)
        raise UsageError(str(exc)) from None
    finally:
        bar.close()


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    """Check the arguments, export, print the figures."""
    for text in args.conditions:
        parse_condition(text)  # grammar errors before any request
    raw = parse_filter_json(args.filter) if args.filter else None
    ref = _plain_entity(args.entity)
    _check_target(args.to, args.since)
    entity = ctx.entity(ref)
    table = ctx.fields(entity)
    query_filter = build_filter(args.conditions, table, any_of=args.any, raw=raw)
    fields = None
    if args.fields:
        _, columns = resolve_fields(args.fields, table)
        fields = columns
    stats = _export(
        ctx,
        entity,
        args.to,
        query_filter,
        since=args.since,
        fields=fields,
        labels=args.labels,
        partitions=args.partitions,
    )
    ctx.document(stats_row(stats), summary_line(stats))
    return ExitCode.OK


def run_sync(args: argparse.Namespace, ctx: Context) -> int:
    """Each entity in turn into one database; report failures and carry on."""
    names = list(dict.fromkeys(_plain_entity(n).name for n in split_names(args.entities)))
    target: str = args.to
    if not target.startswith(SQLITE):
        raise UsageError(
            f"sync writes into one SQLite database: --to sqlite:///PATH, not {target!r} "
            "(autotask export writes files)"
        )
    since = args.since or target[len(SQLITE) :] + STATE_SUFFIX
    _check_target(target, since)
    ctx.client()  # credentials checked once, before the first entity
    summary = ctx.format == "summary"
    writer = None if summary else ctx.writer(columns=STATS_COLUMNS, noun="entities")
    first_failure: ExitCode | None = None
    try:
        for name in names:
            code = _sync_one(
                ctx,
                name,
                target=target,
                since=since,
                partitions=args.partitions,
                writer=writer,
                summary=summary,
            )
            if code is not None and first_failure is None:
                first_failure = code
    finally:
        if writer is not None:
            ctx.finish(writer)
    return first_failure if first_failure is not None else ExitCode.OK


def _has_watermark(entity: Entity) -> bool:
    """Whether ``entity`` has a last-modified field to sync by; one without (Countries,
    a few reference tables) is exported in full each time, which replaces its table."""
    from autotask.export.state import choose_modified_fields

    try:
        choose_modified_fields(entity.name, entity.fields(), None)
    except InvalidRequest:
        return False
    return True


def _sync_one(
    ctx: Context,
    name: str,
    *,
    target: str,
    since: str,
    partitions: int,
    writer: Any,
    summary: bool,
) -> ExitCode | None:
    """Sync one entity; its failure is one line on stderr and its exit code (credentials
    that do not work stop the whole sync: every other entity would fail the same way)."""
    try:
        entity = ctx.entity(name)
        stats = _export(
            ctx,
            entity,
            target,
            None,
            since=since if _has_watermark(entity) else None,
            fields=None,
            labels=False,
            partitions=partitions,
        )
    except (ConfigError, AuthenticationError):
        raise
    except (AutotaskError, UsageError) as exc:
        message = str(exc)
        if not message.startswith(f"{name}:"):
            message = f"{name}: {message}"
        ctx.env.say(mask(f"autotask: error: {message}"))
        return exit_code_for(exc)
    if summary:
        ctx.env.stdout.write(summary_line(stats) + "\n")
        ctx.env.stdout.flush()
    else:
        writer.write(stats_row(stats))
    return None
