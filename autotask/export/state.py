"""Watermarks for incremental exports, the state file that keeps them, and atomic JSON files.

An incremental run asks for the records whose last-modified field is at or after a lower bound,
and skips the ``(id, stamp)`` pairs the previous run already delivered. The next lower bound is

    min(newest stamp ever seen, local time when the run started) - overlap

- the newest stamp alone would skip a record changed during a run after its id range was read
  (its stamp is older than a record changed later in a range read later);
- the run's start time alone trusts the local clock; the overlap (default 5 minutes) covers the
  skew between the local clock and Autotask's, and records committed a little after they were
  stamped;
- records stamped exactly at the bound are fetched again (``gte``), and the pairs already
  delivered are skipped, so a change is delivered once and a same-timestamp record is never lost.

The state file is replaced atomically, and only after the target is committed: a crash repeats
work, never skips a record.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autotask._files import replace_atomically
from autotask.core.query import Condition, Group
from autotask.core.records import parse_datetime
from autotask.errors import InvalidRequest

__all__ = [
    "DELETION_LOGS",
    "MODIFIED_FIELDS",
    "DeletionLog",
    "EntityState",
    "Tracker",
    "choose_modified_fields",
    "load_state",
    "modified_filter",
    "parse_stamp",
    "record_stamp",
    "save_state",
    "stamp_text",
    "write_json_atomic",
]

STATE_VERSION = 1
_UTC = _dt.timezone.utc

#: Last-modified fields, in the order they are preferred; every one an entity has (queryable
#: datetime fields in its metadata) is used, OR-ed: Autotask stamps some changes in one and not
#: the other (the real Ticket fixture was completed two years after its
#: lastTrackedModificationDateTime, and its lastActivityDate shows it).
MODIFIED_FIELDS = (
    "lastModifiedDateTime",
    "lastModifiedDate",
    "lastModifiedTime",
    "lastActivityDate",
    "lastActivityDateTime",
    "lastTrackedModifiedDateTime",
    "lastTrackedModificationDateTime",
    "updateDateTime",
)


@dataclass(frozen=True, slots=True)
class DeletionLog:
    """Where the API logs deletions of an entity's records (fact sheet §9.2, newer entities).

    Attributes:
        entity: the log entity, e.g. ``DeletedTicketLogs``.
        id_field: its field holding the deleted record's id.
        time_field: its field holding when the record was deleted.
    """

    entity: str
    id_field: str
    time_field: str


#: Entities whose deletions the API logs with the deleted record's id. DeletedTaskActivityLogs
#: and DeletedTicketActivityLogs record deleted notes and time entries without their ids, so
#: they cannot remove rows; no other entity has a deletion log.
DELETION_LOGS: Mapping[str, DeletionLog] = {
    "Tickets": DeletionLog("DeletedTicketLogs", "ticketID", "deletedDateTime"),
}


def choose_modified_fields(
    entity: str, metadata: Iterable[Mapping[str, Any]], override: str | Sequence[str] | None
) -> tuple[str, ...]:
    """The last-modified field(s) to watermark ``entity`` by.

    Args:
        entity: the entity's name, for errors.
        metadata: its field definitions (``Entity.fields()``).
        override: a field name or names to use instead (checked against the metadata).

    Raises:
        InvalidRequest: no usable field, or an override that is not a datetime field.
    """
    kinds = {str(f.get("name")): f for f in metadata}
    if override is not None:
        names = (override,) if isinstance(override, str) else tuple(override)
        for name in names:
            meta = kinds.get(name)
            if meta is None or meta.get("dataType") not in ("datetime", "date"):
                raise InvalidRequest(
                    f"{entity} has no datetime field {name!r} to keep a watermark by",
                    entity=entity,
                )
        if not names:
            raise InvalidRequest("modified_field names no field", entity=entity)
        return names
    chosen = tuple(
        name
        for name in MODIFIED_FIELDS
        if name in kinds
        and kinds[name].get("dataType") == "datetime"
        and kinds[name].get("isQueryable", True)
    )
    if not chosen:
        raise InvalidRequest(
            f"{entity} has no last-modified field ({', '.join(MODIFIED_FIELDS)}), so it cannot "
            "be exported incrementally; export it in full (no since=) or pass modified_field=",
            entity=entity,
        )
    return chosen


def modified_filter(fields: Sequence[str], lower: _dt.datetime) -> Condition | Group:
    """Records whose any of ``fields`` is at or after ``lower``."""
    conditions = [Condition(name, "gte", lower) for name in fields]
    return conditions[0] if len(conditions) == 1 else Group("or", tuple(conditions))


def stamp_text(moment: _dt.datetime) -> str:
    """A stamp as the state file writes it: ISO 8601 in UTC, to the microsecond."""
    return moment.astimezone(_UTC).isoformat(timespec="microseconds")


def parse_stamp(text: str) -> _dt.datetime:
    """A stamp written by :func:`stamp_text` (``ValueError`` when it is not one)."""
    if not isinstance(text, str):
        raise ValueError(f"not a timestamp: {text!r}")
    return _dt.datetime.fromisoformat(text)


def record_stamp(record: Mapping[str, Any], fields: Sequence[str]) -> _dt.datetime | None:
    """The newest of the record's ``fields`` (None when all are empty or absent)."""
    newest = None
    for name in fields:
        value = record.get(name)
        if isinstance(value, str) and value:
            try:
                moment = parse_datetime(value)
            except ValueError:
                continue
            if newest is None or moment > newest:
                newest = moment
    return newest


@dataclass(frozen=True, slots=True)
class EntityState:
    """One entity's entry in the state file, as the last committed run left it.

    Attributes:
        fingerprint: what the run exported (target, filter, fields, labels, modified fields);
            a different one makes the next run a full one.
        fields: the last-modified fields used.
        watermark: the newest stamp seen (ISO 8601), or None.
        lower: where the next run starts (ISO 8601).
        seen: ``(id, stamp)`` pairs at or after ``lower`` already delivered.
        deleted_lower: where the next deletion-log read starts (None: not read).
        deleted_seen: deletion-log ``(id, stamp)`` pairs at or after ``deleted_lower``.
    """

    fingerprint: str
    fields: tuple[str, ...]
    watermark: str | None
    lower: str
    seen: tuple[tuple[int, str], ...] = ()
    deleted_lower: str | None = None
    deleted_seen: tuple[tuple[int, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The entry as written to the state file."""
        return {
            "fingerprint": self.fingerprint,
            "fields": list(self.fields),
            "watermark": self.watermark,
            "lower": self.lower,
            "seen": [list(p) for p in self.seen],
            "deletedLower": self.deleted_lower,
            "deletedSeen": [list(p) for p in self.deleted_seen],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> EntityState:
        """Read an entry; raises ``KeyError``/``TypeError``/``ValueError`` when malformed."""
        lower = str(raw["lower"])
        parse_stamp(lower)
        return cls(
            fingerprint=str(raw["fingerprint"]),
            fields=tuple(str(f) for f in raw["fields"]),
            watermark=raw.get("watermark"),
            lower=lower,
            seen=_pairs(raw.get("seen") or ()),
            deleted_lower=raw.get("deletedLower"),
            deleted_seen=_pairs(raw.get("deletedSeen") or ()),
        )


def _pairs(raw: Iterable[Any]) -> tuple[tuple[int, str], ...]:
    pairs = []
    for item in raw:
        record_id, stamp = item
        if not isinstance(record_id, int) or not isinstance(stamp, str):
            raise ValueError(f"not an (id, stamp) pair: {item!r}")
        pairs.append((record_id, stamp))
    return tuple(pairs)


@dataclass
class Tracker:
    """Follows the stamps of one run's records: what to skip, and where the next run starts.

    Args:
        fields: the last-modified fields.
        started: local UTC time when the run (its first attempt, if resumed) started.
        overlap: seconds subtracted from the next lower bound.
        skip: ``(id, stamp)`` pairs the previous run delivered (from the state file).
        newest: the newest stamp seen so far (the previous watermark to begin with).
    """

    fields: tuple[str, ...]
    started: _dt.datetime
    overlap: float
    skip: frozenset[tuple[int, str]] = frozenset()
    newest: _dt.datetime | None = None
    near: dict[int, str] = field(default_factory=dict)  # id -> stamp near the newest

    def accept(self, record: Mapping[str, Any]) -> bool:
        """Note the record's stamp; False when the previous run already delivered it."""
        stamp = record_stamp(record, self.fields)
        if stamp is None:
            return True
        if self.newest is None or stamp > self.newest:
            self.newest = stamp
        text = stamp_text(stamp)
        record_id = int(record["id"])
        if stamp >= self.lower():
            self.near[record_id] = text
            if len(self.near) > 1024 and len(self.near) & (len(self.near) - 1) == 0:
                self._prune()  # at powers of two: amortised, the bound moves up
        return (record_id, text) not in self.skip

    def lower(self) -> _dt.datetime:
        """The next run's lower bound, given what has been seen so far."""
        base = self.started if self.newest is None else min(self.newest, self.started)
        return base - _dt.timedelta(seconds=self.overlap)

    def _prune(self) -> None:
        bound = self.lower()
        self.near = {i: s for i, s in self.near.items() if _dt.datetime.fromisoformat(s) >= bound}

    def seen(self) -> tuple[tuple[int, str], ...]:
        """The pairs the next run must skip."""
        self._prune()
        return tuple(sorted(self.near.items()))

    def watermark(self) -> str | None:
        """The newest stamp, as ISO 8601 text."""
        return None if self.newest is None else stamp_text(self.newest)

    def to_json(self) -> dict[str, Any]:
        """The tracker's progress, for a checkpoint."""
        return {"newest": self.watermark(), "near": [[i, s] for i, s in self.near.items()]}

    def restore(self, raw: Mapping[str, Any]) -> None:
        """Take back the progress written by :meth:`to_json`."""
        newest = raw.get("newest")
        self.newest = None if newest is None else parse_stamp(newest)
        self.near = dict(_pairs(raw.get("near") or ()))


# -- files ----------------------------------------------------------------------------------


def write_json_atomic(path: Path, value: Any) -> None:
    """Replace ``path`` with ``value`` as JSON (:func:`autotask._files.replace_atomically`)."""
    path = Path(path)
    replace_atomically(path, json.dumps(value, indent=1, sort_keys=True) + "\n")


def _read_state(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"version": STATE_VERSION, "entities": {}}
    except OSError as exc:
        raise InvalidRequest(f"cannot read state file {path}: {exc.strerror}") from exc
    try:
        raw = json.loads(text)
        if not isinstance(raw, dict) or not isinstance(raw.get("entities"), dict):
            raise ValueError("no 'entities' object")
        if raw.get("version") != STATE_VERSION:
            raise ValueError(f"version {raw.get('version')!r}, expected {STATE_VERSION}")
    except ValueError as exc:
        raise InvalidRequest(f"state file {path} is not an export state file: {exc}") from exc
    return raw


def load_state(path: Path, entity: str) -> EntityState | None:
    """``entity``'s entry in the state file at ``path`` (None: no file or no entry).

    Raises:
        InvalidRequest: the file cannot be read or is not a state file (named in the message).
    """
    raw = _read_state(path).get("entities", {}).get(entity)
    if raw is None:
        return None
    try:
        return EntityState.from_json(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidRequest(
            f"state file {path}: the entry for {entity} is malformed ({exc})", entity=entity
        ) from exc


def save_state(path: Path, entity: str, state: EntityState) -> None:
    """Put ``entity``'s entry into the state file (others kept), atomically."""
    raw = _read_state(path)
    raw["entities"][entity] = state.to_json()
    write_json_atomic(path, raw)
