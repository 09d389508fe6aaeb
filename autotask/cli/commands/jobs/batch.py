"""``autotask batch create|update|replace|delete``: many records through the batch engine.

The input is checked whole before anything is sent (a malformed line 50,000 stops the batch
before the first request), then read again lazily; the engine (CONTRACTS §8) hands each
``ItemResult`` over in input order as it is final (``on_result``), and each becomes a row on
stdout (``--output``) and in ``--results FILE`` at once, so no result is held in memory. The
progress bar draws on a terminal; the closing summary line always ends the run on stderr; the
exit code is 7 when any item failed, was invalid or is unknown, and 130 after Ctrl-C (the engine
has flushed the journal by then).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from autotask.cli.args import Parser, add_command, add_confirm_option, add_entity_argument
from autotask.cli.commands.common import positive_int, seconds
from autotask.cli.context import Context
from autotask.cli.exitcodes import UsageError
from autotask.cli.input import CheckedInput, checked_records, open_input, parse_id, read_ids
from autotask.cli.output.results import RESULT_COLUMNS, ResultsFile, Tally, result_row
from autotask.cli.values.entityref import parse_entity_ref
from autotask.errors import ConfigError

if TYPE_CHECKING:
    from autotask.core.entities import Entity

EXAMPLES = (
    (
        "create tickets from a JSON file",
        "autotask batch create Tickets tickets.json --batch-size 100",
    ),
    (
        "update companies, printing only the tally",
        "autotask batch update Companies updates.json --output summary",
    ),
    (
        "delete the projects listed in a file",
        "autotask batch delete Projects --ids-file project_ids.txt --confirm",
    ),
    (
        "a resumable run: the journal records every item; run the same line again after a "
        "crash or Ctrl-C and only the items not done are sent",
        "autotask batch create Tickets tickets.jsonl --journal tickets.journal "
        "--dedupe-field title --results results.jsonl",
    ),
    (
        "check a CSV file against the field metadata, writing nothing",
        "autotask batch create Contacts contacts.csv --dry-run",
    ),
    (
        "ids on standard input",
        "autotask query Tickets status=Complete --fields id | jq .id "
        "| autotask batch delete Tickets --confirm",
    ),
)

_INPUT_HELP = (
    "the records: a JSON array, JSON Lines or CSV with a header row (cells typed by the field "
    "metadata; udf:NAME columns), or - for standard input"
)
#: Action -> its one-line summary.
_ACTIONS = {
    "create": "create a record per item of FILE",
    "update": "update (PATCH) a record per item of FILE; each item holds its id",
    "replace": "replace (PUT) a record per item of FILE; each item holds its id",
}
_DESCRIPTION = (
    "Autotask has no batch endpoint: a batch is one request per item, sent by a few worker "
    "threads within the tenant's thread limit. The input is read through once and checked "
    "(malformed JSON or CSV, unknown fields: nothing is sent) before the first request. Each "
    "item's result (index, status, id, attempts, error) is printed per --output as it is "
    "final, and written to --results FILE as JSON Lines. A progress bar shows on a terminal; a "
    "one-line summary ends every run on stderr. Exit 7 when any item failed, was invalid or "
    "is unknown; 130 after Ctrl-C, with the journal flushed: run the same command again to "
    "resume."
)


def register(subparsers: Any) -> None:
    """Add ``batch`` and its actions."""
    parser = add_command(
        subparsers,
        "batch",
        help="create, update, replace or delete many records (journal, resume, results)",
        description=_DESCRIPTION,
        examples=EXAMPLES,
        run=_missing_action,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    for name, summary in _ACTIONS.items():
        action = add_command(
            actions,
            name,
            help=summary,
            description=f"{summary[0].upper()}{summary[1:]}.",
            examples=(),
            run=run,
        )
        add_entity_argument(action)
        action.add_argument("file", metavar="FILE", help=_INPUT_HELP)
        _add_batch_options(action, dedupe=name == "create")
    delete = add_command(
        actions,
        "delete",
        help="delete the records with these ids (asks first; --confirm in scripts)",
        description=(
            "Delete a record per id: ids as arguments, from --ids-file (one per line, # "
            "comments), or on standard input when neither is given. On a terminal it asks "
            "first unless --confirm; with no terminal and no --confirm it refuses at once "
            "(exit 2)."
        ),
        examples=(),
        run=run,
    )
    add_entity_argument(delete)
    delete.add_argument("ids", metavar="ID", nargs="*", help="record ids")
    delete.add_argument(
        "--ids-file",
        metavar="FILE",
        action="append",
        help="a file of ids, one per line (- for standard input; may be repeated)",
    )
    add_confirm_option(delete)
    _add_batch_options(delete, dedupe=False)


def _add_batch_options(parser: argparse.ArgumentParser, *, dedupe: bool) -> None:
    group = parser.add_argument_group("batch options")
    group.add_argument(
        "--batch-size",
        metavar="N",
        type=positive_int,
        default=200,
        help="items read ahead and held at a time (default: 200)",
    )
    group.add_argument(
        "--concurrency",
        metavar="N",
        type=positive_int,
        help="worker threads (default: 3, the tenant's per-entity thread limit)",
    )
    group.add_argument(
        "--journal",
        metavar="FILE",
        help="journal every item to FILE; when FILE exists, resume from it (items done are "
        "skipped, items in doubt are not sent twice)",
    )
    if dedupe:
        group.add_argument(
            "--dedupe-field",
            metavar="FIELD",
            help="a field (or UDF) unique per item: an item whose create may have landed is "
            "looked up by it instead of being reported unknown",
        )
        group.add_argument(
            "--settle",
            metavar="SECONDS",
            type=seconds,
            help="wait this long before looking an item in doubt up by --dedupe-field, so a "
            "create the server is still applying is found (default: 2)",
        )
    group.add_argument(
        "--dry-run",
        action="store_true",
        help="check each item against the field metadata and send nothing",
    )
    group.add_argument(
        "--fail-fast", action="store_true", help="stop taking items at the first failure"
    )
    group.add_argument(
        "--results",
        metavar="FILE",
        help="write each item's result to FILE as JSON Lines (index, status, id, attempts, error)",
    )


def _missing_action(args: argparse.Namespace, ctx: Context) -> int:
    raise UsageError("batch needs an action: create, update, replace or delete")


class _Counted:
    """A checked input with a length, so the engine's progress has a total."""

    def __init__(self, checked: CheckedInput) -> None:
        self.checked = checked

    def __len__(self) -> int:
        return self.checked.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.checked.records()


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Check the input, run the batch, stream the results, end with the summary line."""
    operation: str = args.action
    ref = parse_entity_ref(args.entity)  # an unknown entity fails before any input is read
    if operation == "delete":
        ids = _delete_ids(args, ctx)
        if not args.dry_run:
            ctx.confirm(f"batch delete {ref} ({len(ids)} ids)")
        return _run(args, ctx, ctx.entity(ref), ids)
    if args.file != "-":
        with open_input(args.file, ctx.env.stdin):
            pass  # a missing file is bad input (exit 2) before credentials are looked at
    entity = ctx.entity(ref)
    with checked_records(args.file, ctx.env.stdin, ctx.fields(entity), check_keys=True) as inp:
        return _run(args, ctx, entity, _Counted(inp))


def _delete_ids(args: argparse.Namespace, ctx: Context) -> list[int]:
    ids = [parse_id(text) for text in args.ids]
    files: list[str] = list(args.ids_file or ())
    if not ids and not files:
        if ctx.env.stdin_isatty:
            raise UsageError(
                "batch delete needs ids: as arguments, --ids-file FILE, or on standard input"
            )
        files = ["-"]
    ids.extend(read_ids(files, ctx.env.stdin))
    if not ids:
        raise UsageError("batch delete: no ids given (the input holds none)")
    return ids


def _run(args: argparse.Namespace, ctx: Context, entity: Entity, items: Any) -> int:
    operation: str = args.action
    label = f"{entity.name} {operation}{' (dry run)' if args.dry_run else ''}"
    tally = Tally()
    bar = ctx.progress(label)
    writer = None if ctx.format == "summary" else ctx.writer(columns=RESULT_COLUMNS, noun="items")
    show = _StdoutRows(ctx, writer, wipe=bar.close if bar.enabled else None)
    results = ResultsFile(args.results) if args.results else None
    finished = False

    def on_result(result: Any) -> None:
        tally.add(result)
        if results is not None:
            results.write(result)
        show.write(result_row(result))

    options: dict[str, Any] = {
        "concurrency": args.concurrency,
        "progress": bar,
        "journal": args.journal,
        "dry_run": args.dry_run,
        "fail_fast": args.fail_fast,
        "on_result": on_result,
    }
    if getattr(args, "dedupe_field", None):
        options["dedupe_field"] = args.dedupe_field
    if getattr(args, "settle", None) is not None:
        options["settle"] = args.settle
    method: Callable[..., Any] = getattr(entity, f"batch_{operation}")
    try:
        try:
            method(items, args.batch_size, **options)
        except ConfigError as exc:  # a bad journal or option: bad input, not configuration
            raise UsageError(str(exc)) from None
        finished = True
    finally:
        bar.close()
        try:
            show.close()
        finally:
            if results is not None:
                results.close(keep=finished)
            ctx.env.say(bar.summary())
            if tally.stopped_by is not None:
                ctx.env.say(
                    f"{label}: stopped, every later item would fail alike: {tally.stopped_by} "
                    "(resume with the same --journal once that is fixed)"
                )
    if ctx.format == "summary":
        show.line(tally.line(label))
    show.done()
    return tally.exit_code()


class _StdoutRows:
    """Result rows on stdout, beside a progress bar on the same terminal.

    Before a row the bar is wiped (it redraws on the next progress call), and the row is
    flushed at once, so rows scroll above the bar instead of running into it. A closed pipe
    (``| head``) stops the rows but not the batch: the items still get sent, the summary and
    the exit code still tell how it went.
    """

    def __init__(self, ctx: Context, writer: Any, wipe: Callable[[], None] | None) -> None:
        self.ctx = ctx
        self.writer = writer
        self.wipe = wipe if ctx.env.stdout_isatty else None
        self.broken = False

    def _guarded(self, action: Callable[[], None]) -> None:
        if self.broken:
            return
        try:
            action()
        except BrokenPipeError:
            self.broken = True

    def write(self, row: dict[str, Any]) -> None:
        if self.writer is None:
            return

        def write() -> None:
            if self.wipe is not None:
                self.wipe()
            self.writer.write(row)
            if self.wipe is not None:
                self.ctx.env.stdout.flush()

        self._guarded(write)

    def line(self, text: str) -> None:
        def write() -> None:
            self.ctx.env.stdout.write(text + "\n")
            self.ctx.env.stdout.flush()

        self._guarded(write)

    def close(self) -> None:
        if self.writer is not None:
            self._guarded(lambda: self.ctx.finish(self.writer))

    def done(self) -> None:
        if self.broken:
            self.ctx.env.silence_stdout()
