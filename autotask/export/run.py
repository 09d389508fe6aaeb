"""One export run: plan, resume, page in parallel, write, commit, then save the watermark.

Order of durability (issue 13): pages are written with their checkpoint; the target is
committed; only then is the state file replaced. A crash before the commit resumes from the
checkpoint; a crash between the commit and the state file repeats the run's window (harmless:
a delta file is rewritten, SQLite upserts), and no record is ever skipped.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autotask.core.query import FilterLike, filter_json
from autotask.errors import InvalidRequest, NotFound, PermissionDenied
from autotask.export.columns import build_columns
from autotask.export.parallel import Span, check_partitions, iter_parallel_pages
from autotask.export.state import (
    DELETION_LOGS,
    EntityState,
    Tracker,
    choose_modified_fields,
    load_state,
    modified_filter,
    parse_stamp,
    save_state,
    stamp_text,
)
from autotask.export.writers import Writer, open_writer, parse_target
from autotask.retry import Operation

if TYPE_CHECKING:
    from autotask.core.entities import Entity

__all__ = ["DEFAULT_OVERLAP", "ExportProgress", "ExportStats", "export"]

_log = logging.getLogger("autotask.export")
DEFAULT_OVERLAP = 300.0  # seconds; see state.py for what the overlap covers


@dataclass(frozen=True, slots=True)
class ExportStats:
    """What one :meth:`Entity.export` run did.

    Attributes:
        entity: the entity exported.
        target: the target as given (``sqlite:///...`` or the file).
        records: records written (over all attempts of a resumed run).
        pages: pages written.
        requests: API requests the export sent (pages, counts, deletion logs; the transport's
            retries and cached metadata not included).
        seconds: wall time of this call.
        watermark: the newest last-modified stamp seen (ISO 8601, UTC), or None.
        full: True when every matching record was exported (no usable watermark yet).
        resumed: True when the run continued from a killed run's checkpoint.
        deleted: deleted records found in the API's deletion log and removed (SQLite) or
            reported (files); None when the entity has no deletion log, the run was not
            incremental, or the log could not be read.
        deleted_ids: their ids.
    """

    entity: str
    target: str
    records: int
    pages: int
    requests: int
    seconds: float
    watermark: str | None = None
    full: bool = True
    resumed: bool = False
    deleted: int | None = None
    deleted_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """Passed to ``progress`` after each page is written.

    Attributes:
        entity: the entity exported.
        records: records written so far.
        total: records the query matched when it started (None when resuming).
        pages: pages written so far.
        seconds: time since the call started.
    """

    entity: str
    records: int
    total: int | None
    pages: int
    seconds: float


def _fingerprint(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def export(
    entity: Entity,
    target: str | os.PathLike[str],
    filter: FilterLike | None = None,
    *,
    fields: Sequence[str] | None = None,
    since: str | os.PathLike[str] | None = None,
    labels: bool = False,
    partitions: int = 3,
    progress: Callable[[ExportProgress], None] | None = None,
    modified_field: str | Sequence[str] | None = None,
    overlap: float = DEFAULT_OVERLAP,
    page_size: int | None = None,
    resume: bool = True,
) -> ExportStats:
    """Export ``entity``'s matching records to ``target``; see ``Entity.export``."""
    clock = time.monotonic()
    with entity._checking(Operation.QUERY):
        kind, path = parse_target(target)
        terms = entity._terms(filter)
        if overlap < 0:
            raise InvalidRequest(f"overlap must be >= 0 seconds, not {overlap!r}")
        if fields is not None and (isinstance(fields, str) or not fields):
            raise InvalidRequest("fields must be a non-empty list of field names")
        check_partitions(partitions)
        entity._page_size(page_size, None)
    state_path = Path(since) if since is not None else None
    previous = load_state(state_path, entity.name) if state_path is not None else None
    modified: tuple[str, ...] = ()
    if state_path is not None:
        modified = choose_modified_fields(entity.name, entity.fields(), modified_field)
    columns = build_columns(entity, fields, labels=labels, extra=modified, flat=kind != "jsonl")
    wanted = {c.source for c in columns.columns}
    strip = frozenset(columns.include or ()) - wanted
    # What a watermark is valid for: the records asked for and, for SQLite, the table it has
    # been applied to. A delta file stands alone, so its name and columns may change freely
    # (a cron job may name each run's file by date).
    table = [str(path.resolve()), columns.names, labels] if kind == "sqlite" else None
    fingerprint = _fingerprint(entity.name, filter_json(terms), modified, table)
    # What a partial target holds: a checkpoint is resumed only into the same shape.
    content = _fingerprint(fingerprint, kind, str(path.resolve()), fields, labels, columns.names)
    writer = open_writer(kind, path, entity.name, columns, strip)
    try:
        return _run(
            entity,
            writer,
            _Plan(
                terms=terms,
                include=columns.include,
                modified=modified,
                overlap=overlap,
                fingerprint=fingerprint,
                content=content,
                previous=previous,
                state_path=state_path,
                partitions=partitions,
                page_size=page_size,
                resume=resume,
                target=os.fspath(target),
            ),
            progress,
            clock,
        )
    finally:
        writer.close()


@dataclass(frozen=True)
class _Plan:
    terms: tuple[Any, ...]
    include: tuple[str, ...] | None
    modified: tuple[str, ...]
    overlap: float
    fingerprint: str
    content: str
    previous: EntityState | None
    state_path: Path | None
    partitions: int
    page_size: int | None
    resume: bool
    target: str


@dataclass
class _Progress:
    """Where this export stands: what kind of run, from where, and the running counts."""

    incremental: bool
    lower: str | None  # the modified-since bound of an incremental run
    started: _dt.datetime
    tracker: Tracker
    checkpoint: dict[str, Any] | None
    counts: dict[str, int]

    def resume_point(self, plan: _Plan, spans: Sequence[Span]) -> dict[str, Any]:
        """The checkpoint written with a page: resuming there redoes nothing committed."""
        return {
            "content": plan.content,
            "lower": self.lower,
            "started": stamp_text(self.started),
            "spans": [s.to_json() for s in spans],
            "tracker": self.tracker.to_json(),
            **self.counts,
        }


def _begin(entity: Entity, writer: Writer, plan: _Plan) -> _Progress:
    """Decide full or incremental, and pick up an interrupted run of the same export."""
    previous = plan.previous
    incremental = (
        previous is not None
        and previous.fingerprint == plan.fingerprint
        and previous.fields == plan.modified
        and writer.can_apply_delta()
    )
    if previous is not None and not incremental:
        _log.warning(
            "%s: the export changed since the state file was written (filter, last-modified "
            "fields, or the SQLite table); exporting everything",
            entity.name,
        )
    known = previous if incremental else None
    lower = known.lower if known is not None else None
    checkpoint = writer.checkpoint() if plan.resume else None
    if checkpoint is not None and (
        checkpoint.get("content") != plan.content or checkpoint.get("lower") != lower
    ):
        _log.info("%s: the interrupted export was a different one; starting afresh", entity.name)
        checkpoint = None
    started = _dt.datetime.now(_dt.timezone.utc)
    if checkpoint is not None:
        started = parse_stamp(str(checkpoint["started"]))
    tracker = Tracker(
        plan.modified,
        started,
        plan.overlap,
        skip=frozenset(known.seen) if known is not None else frozenset(),
        newest=parse_stamp(known.watermark) if known is not None and known.watermark else None,
    )
    counts = {"records": 0, "pages": 0, "requests": 0}
    if checkpoint is not None:
        tracker.restore(checkpoint.get("tracker") or {})
        counts.update({k: int(checkpoint.get(k, 0)) for k in counts})
    return _Progress(incremental, lower, started, tracker, checkpoint, counts)


def _run(
    entity: Entity,
    writer: Writer,
    plan: _Plan,
    progress: Callable[[ExportProgress], None] | None,
    clock: float,
) -> ExportStats:
    now = _begin(entity, writer, plan)
    counts, tracker = now.counts, now.tracker
    writer.start(now.checkpoint)
    terms = plan.terms
    if now.lower is not None:
        terms = (*terms, modified_filter(plan.modified, parse_stamp(now.lower)))
    spans = None
    if now.checkpoint is not None:
        spans = [Span.from_json(s) for s in now.checkpoint["spans"]]
    requests_before = counts["requests"]
    pages = iter_parallel_pages(
        entity,
        list(terms),
        partitions=plan.partitions,
        fields=plan.include,
        page_size=plan.page_size,
        spans=spans,
    )
    for page in pages:
        records = [r for r in page.records if tracker.accept(r)] if plan.modified else page.records
        counts["records"] += len(records)
        counts["pages"] += 1 if page.records else 0
        counts["requests"] = requests_before + page.requests
        writer.write(records, now.resume_point(plan, page.spans))
        if progress is not None and page.records:
            elapsed = time.monotonic() - clock
            progress(
                ExportProgress(entity.name, counts["records"], page.total, counts["pages"], elapsed)
            )
    deleted, deleted_state = _deletion_pass(entity, plan, now)
    writer.commit(full=not now.incremental, deleted=deleted or ())
    if plan.state_path is not None:
        save_state(
            plan.state_path,
            entity.name,
            EntityState(
                fingerprint=plan.fingerprint,
                fields=plan.modified,
                watermark=tracker.watermark(),
                lower=stamp_text(tracker.lower()),
                seen=tracker.seen(),
                deleted_lower=deleted_state[0],
                deleted_seen=deleted_state[1],
            ),
        )
    return ExportStats(
        entity=entity.name,
        target=plan.target,
        records=counts["records"],
        pages=counts["pages"],
        requests=counts["requests"],
        seconds=time.monotonic() - clock,
        watermark=tracker.watermark(),
        full=not now.incremental,
        resumed=now.checkpoint is not None,
        deleted=None if deleted is None else len(deleted),
        deleted_ids=tuple(i for i, _ in deleted or ()),
    )


_DeletionState = tuple[str | None, tuple[tuple[int, str], ...]]


def _deletion_pass(
    entity: Entity, plan: _Plan, now: _Progress
) -> tuple[list[tuple[int, str]] | None, _DeletionState]:
    """Deleted records to remove, and where the next run reads the deletion log from."""
    log = DELETION_LOGS.get(entity.name)
    previous = plan.previous
    if plan.state_path is None or log is None:
        return None, (None, ())
    if now.incremental and previous is not None and previous.deleted_lower is not None:
        deleted, state, asked = _deletions(entity, previous, plan, now.started)
        now.counts["requests"] += asked
        return deleted, state
    # A full run holds no deleted record; deletions from its start on are read next time.
    since_start = now.started - _dt.timedelta(seconds=plan.overlap)
    return None, (stamp_text(since_start), ())


def _deletions(
    entity: Entity, previous: EntityState, plan: _Plan, started: _dt.datetime
) -> tuple[list[tuple[int, str]] | None, tuple[str | None, tuple[tuple[int, str], ...]], int]:
    """Deleted records logged since the last run: ``(deleted, next state, requests)``.

    A log the API user may not read (Autotask wants admin rights for DeletedTicketLogs) or
    that the server does not serve leaves the deletion state as it was and returns None.
    """
    log = DELETION_LOGS[entity.name]
    from autotask.core.entities import Entity

    logs = Entity(log.entity, entity._transport, entity._config, entity._metadata)
    assert previous.deleted_lower is not None
    tracker = Tracker(
        (log.time_field,),
        started,
        plan.overlap,
        skip=frozenset(previous.deleted_seen),
    )
    lower = parse_stamp(previous.deleted_lower)
    found: list[tuple[int, str]] = []
    requests = 0
    try:
        for page in iter_parallel_pages(
            logs, [modified_filter((log.time_field,), lower)], partitions=1
        ):
            requests = page.requests
            for row in page.records:
                if tracker.accept(row) and row.get(log.id_field) is not None:
                    found.append((int(row[log.id_field]), str(row.get(log.time_field))))
    except (NotFound, PermissionDenied) as exc:
        _log.warning(
            "%s: cannot read %s, so deletions are not detected this run: %s",
            entity.name,
            log.entity,
            exc,
        )
        return None, (previous.deleted_lower, previous.deleted_seen), requests
    return found, (stamp_text(tracker.lower()), tracker.seen()), requests
