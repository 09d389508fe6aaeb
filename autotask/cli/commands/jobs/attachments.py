"""``autotask attachments upload|download|list|info|delete-attachment`` (CONTRACTS §9).

Uploads stream from the file and downloads decode as the answer arrives (the library's
``client.attachments``); a file over ``attachment_max_bytes`` (6 MiB) is refused before a byte is
read or sent. Every file of an upload is checked first (readable, within the limit), so a bad
last file does not leave the first ones attached. An attachment is shown as a flat row: ``id``,
``parent_type``, ``parent_id``, ``title``, ``file_name``, ``content_type``, ``size``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotask.cli.args import Parser, add_command, add_confirm_option
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode, RecordsMissing, UsageError
from autotask.cli.input import parse_id
from autotask.cli.output.results import ResultsFile, Tally

if TYPE_CHECKING:
    from autotask.attachments.data import AttachmentData

COLUMNS = ("id", "parent_type", "parent_id", "title", "file_name", "content_type", "size")
EXAMPLES = (
    ("attach a file to ticket 12345", "autotask attachments upload Ticket 12345 /path/to/file.pdf"),
    (
        "attach two files with one title",
        "autotask attachments upload Ticket 12345 a.pdf b.png --title 'Site survey'",
    ),
    (
        "download into a folder (the attachment's own file name) or to a path",
        "autotask attachments download 67890 /downloads/attachment.pdf",
    ),
    ("download to standard output", "autotask attachments download 67890 - | sha256sum"),
    ("a ticket's attachments as a table", "autotask attachments list Ticket 12345 --output table"),
    ("delete one, in a script", "autotask attachments delete-attachment 67890 --confirm"),
)
_PARENT_HELP = (
    "the parent record's type: Ticket, Project, Company (Account), ConfigurationItem, "
    "TimeEntry, ... (singular or plural, any case)"
)


def register(subparsers: Any) -> None:
    """Add ``attachments`` and its actions."""
    parser = add_command(
        subparsers,
        "attachments",
        help="upload, download, list and delete attachments",
        description=(
            "Files attached to tickets, projects, companies and the other records that take "
            "them. Uploads stream from the file; a file over the attachment limit (6 MiB, "
            "6,291,456 bytes) is refused before anything is sent (exit 4). Downloads are "
            "written to a temporary file and renamed into place when complete."
        ),
        examples=EXAMPLES,
        run=_missing_action,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    upload = add_command(
        actions,
        "upload",
        help="attach files to a record and print the new attachments",
        description=(
            "Attach each FILE to the record (a few at a time, within the tenant's limits) and "
            "print each new attachment in the order given (JSON Lines: one record per file, "
            "with its id). Every file is checked first: a missing, unreadable or over-size "
            "file stops the command before anything is sent. A file whose upload fails or "
            "whose answer was lost (unknown: it is never sent again) gets a line on stderr and "
            "the others go on; the command then ends with exit 7. With --journal, the same "
            "command again skips the files already attached."
        ),
        examples=(),
        run=run_upload,
    )
    upload.add_argument("parent_type", metavar="PARENT_TYPE", help=_PARENT_HELP)
    upload.add_argument("parent_id", metavar="PARENT_ID", help="the parent record's id")
    upload.add_argument("files", metavar="FILE", nargs="+", help="the files to attach")
    upload.add_argument(
        "--title", metavar="TEXT", help="the attachments' title (default: each file's name)"
    )
    upload.add_argument(
        "--publish",
        type=int,
        choices=(1, 2, 4),
        default=1,
        help="who sees them: 1 all Autotask users (default), 2 internal users only, 4 "
        "internal and co-managed users",
    )
    upload.add_argument(
        "--journal",
        metavar="FILE",
        help="journal every file to FILE; when FILE exists, resume from it (files attached "
        "are skipped, files in doubt are not sent twice)",
    )
    upload.add_argument(
        "--results",
        metavar="FILE",
        help="write each file's result to FILE as JSON Lines (index, status, id, attempts, error)",
    )
    download = add_command(
        actions,
        "download",
        help="download an attachment to a folder, a path, or standard output",
        description=(
            "Download the attachment's file. TARGET is an existing folder (the file takes the "
            "attachment's own name, cleaned of any path), a file path (replaced when it "
            "exists), or - for the bytes on standard output. Nothing is left at TARGET when the "
            "download fails."
        ),
        examples=(),
        run=run_download,
    )
    download.add_argument("attachment_id", metavar="ATTACHMENT_ID", help="the attachment's id")
    download.add_argument(
        "target", metavar="TARGET", nargs="?", default=".", help="folder, path or - (default: .)"
    )
    listing = add_command(
        actions,
        "list",
        help="list a record's attachments (not their data)",
        description=(
            "One row per attachment of the record, in id order. Autotask includes the "
            "attachments of the record's children (a ticket's time entries, notes); "
            "parent_type names each one's own parent."
        ),
        examples=(),
        run=run_list,
    )
    listing.add_argument("parent_type", metavar="PARENT_TYPE", help=_PARENT_HELP)
    listing.add_argument("parent_id", metavar="PARENT_ID", help="the parent record's id")
    info = add_command(
        actions,
        "info",
        help="describe one attachment (AttachmentInfo)",
        description="Describe one attachment without downloading it; exit 4 when there is none.",
        examples=(),
        run=run_info,
    )
    info.add_argument("attachment_id", metavar="ATTACHMENT_ID", help="the attachment's id")
    delete = add_command(
        actions,
        "delete-attachment",
        help="delete an attachment (asks first; --confirm in scripts)",
        description=(
            "Delete one attachment. On a terminal it asks first unless --confirm; with no "
            "terminal and no --confirm it refuses at once (exit 2)."
        ),
        examples=(),
        run=run_delete,
    )
    delete.add_argument("attachment_id", metavar="ATTACHMENT_ID", help="the attachment's id")
    add_confirm_option(delete)


def _missing_action(args: argparse.Namespace, ctx: Context) -> int:
    raise UsageError(
        "attachments needs an action: upload, download, list, info or delete-attachment"
    )


def row(attachment: AttachmentData) -> dict[str, Any]:
    """An attachment as a flat output row (:data:`COLUMNS`)."""
    return {name: getattr(attachment, name) for name in COLUMNS}


def _parent(text: str) -> str:
    """The parent type as the library knows it, checked before any request."""
    from autotask.attachments.parents import find_parent
    from autotask.errors import InvalidRequest

    try:
        return find_parent(text).name
    except InvalidRequest as exc:
        raise UsageError(exc.message) from None


def _readable_file(path: str) -> None:
    try:
        if not Path(path).is_file():
            reason = "is a folder" if Path(path).is_dir() else "no such file"
            raise UsageError(f"{path}: cannot read: {reason}")
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None


def run_upload(args: argparse.Namespace, ctx: Context) -> int:
    """Check every file, then upload them through the batch engine, printing each attachment
    in input order; a file that fails is a line on stderr and exit 7, not the end."""
    from autotask.attachments.api import content_type
    from autotask.errors import ConfigError

    parent = _parent(args.parent_type)
    parent_id = parse_id(args.parent_id)
    for path in args.files:
        _readable_file(path)
    attachments = ctx.client().attachments
    # The library's own dry run: the size limit and the name rules, per file, nothing sent.
    checks = attachments.batch_upload(parent, parent_id, args.files, dry_run=True, title=args.title)
    for result in checks:
        if not result.ok and result.error is not None:
            raise result.error
    writer = ctx.writer(columns=COLUMNS, noun="attachments")
    results = ResultsFile(args.results) if args.results else None
    tally = Tally()
    finished = False

    def on_result(result: Any) -> None:
        tally.add(result)
        if results is not None:
            results.write(result)
        path = Path(args.files[result.index])
        if result.ok:  # uploaded now, or skipped: attached by an earlier run (journal)
            name = path.name
            writer.write(
                {
                    "id": result.item_id,
                    "parent_type": parent,
                    "parent_id": parent_id,
                    "title": name if args.title is None else args.title,
                    "file_name": name,
                    "content_type": content_type(name),
                    "size": path.stat().st_size,
                }
            )
        else:
            ctx.env.say(f"autotask: {path}: {result.status}: {result.error}")

    try:
        try:
            attachments.batch_upload(
                parent,
                parent_id,
                args.files,
                title=args.title,
                publish=args.publish,
                journal=args.journal,
                on_result=on_result,
            )
        except ConfigError as exc:  # a bad journal: bad input, not configuration
            raise UsageError(str(exc)) from None
        finished = True
    finally:
        ctx.finish(writer)
        if results is not None:
            results.close(keep=finished)
    # 7 when a file failed or is unknown; an error about the job (credentials, the budget)
    # stopped the run and ends it with that error's own code.
    return int(tally.exit_code())


def run_download(args: argparse.Namespace, ctx: Context) -> int:
    """Download to a folder, a path, or stdout."""
    attachment_id = parse_id(args.attachment_id)
    attachments = ctx.client().attachments
    if args.target == "-":
        data = attachments.download_file(attachment_id)
        ctx.env.stdout.flush()
        ctx.env.stdout.buffer.write(data)
        ctx.env.stdout.buffer.flush()
        return ExitCode.OK
    target = Path(args.target)
    folder = target if target.is_dir() else target.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {target}: the folder {folder} is not writable")
    try:
        written = attachments.download_file(attachment_id, target)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    size = written.stat().st_size
    ctx.document(
        {"id": attachment_id, "path": str(written), "size": size},
        f"downloaded attachment {attachment_id} to {written} ({size:,} bytes)",
    )
    return ExitCode.OK


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    """One row per attachment of the record."""
    parent = _parent(args.parent_type)
    parent_id = parse_id(args.parent_id)
    found = ctx.client().attachments.list(parent, parent_id)
    writer = ctx.writer(columns=COLUMNS, noun="attachments")
    try:
        for attachment in found:
            writer.write(row(attachment))
    finally:
        ctx.finish(writer)
    return ExitCode.OK


def run_info(args: argparse.Namespace, ctx: Context) -> int:
    """One attachment's description."""
    attachment_id = parse_id(args.attachment_id)
    found = ctx.client().attachments.get_info(attachment_id)
    if found is None:
        raise RecordsMissing(f"there is no attachment with id {attachment_id}")
    ctx.document(row(found), f"attachment {found.id}: {found.file_name} ({found.size} bytes)")
    return ExitCode.OK


def run_delete(args: argparse.Namespace, ctx: Context) -> int:
    """Confirm, delete, print ``{"id": N}``."""
    attachment_id = parse_id(args.attachment_id)
    ctx.confirm(f"delete attachment {attachment_id}")
    ctx.client().attachments.delete(attachment_id)
    ctx.document({"id": attachment_id}, f"deleted attachment {attachment_id}")
    return ExitCode.OK
