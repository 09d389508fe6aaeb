"""Fast bulk generation of valid records for ``POST /_emulator/seed``.

Records are in wire shape: dicts keyed by canonical field names with every field of the entity
present (None when unset), ids included, datetimes as ``YYYY-MM-DDTHH:MM:SS[.fff]Z`` strings
(fixture shape fact 5), decimals as floats, and ``userDefinedFields`` as ``[{"name", "value"}]``
listing every UDF for entities that carry them (fact 7). Everything is derived from fixed tables,
so the same request always yields the same records.
"""

from __future__ import annotations

import functools
import gc
import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from autotask.emulator.model import schema
from autotask.emulator.model.schema import EntityDef, FieldDef

Record = dict[str, Any]

_EPOCH = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)
_SEED_DATA = "ZW11bGF0b3Igc2VlZCBhdHRhY2htZW50Cg=="  # "emulator seed attachment\n"


class _Plan:
    """What ``generate`` fills in for one entity, worked out once per entity."""

    def __init__(self, e: EntityDef) -> None:
        self.entity = e
        self.template: Record = dict.fromkeys((f.name for f in e.fields), None)
        self.strings: list[tuple[str, str, int]] = []  # (field, text prefix, max length)
        self.emails: list[tuple[str, str]] = []
        self.cycles: list[tuple[str, tuple[Any, ...]]] = []  # picklists, cycled by index
        self.refs: list[tuple[str, str]] = []  # (field, target entity URL name)
        self.times: list[tuple[str, int]] = []  # (field, minutes after the record's start)
        self.udfs: tuple[dict[str, Any], ...] | None = None
        if e.has_udfs:
            self.udfs = tuple({"name": u.name, "value": None} for u in e.udfs)
        self.mirrors: list[tuple[str, str]] = []  # (from field, to field): parentID
        for f in e.fields:
            if f.name == "id":
                continue
            self._plan_field(e, f)
        owner = schema.parent_of(e.name)
        if owner is not None:
            route = owner[1]
            self.mirrors = [(route.parent_field, m) for m in route.mirror_fields]
        if e.attachment:
            self.template["parentType"] = e.attachment_parent_type

    def _plan_field(self, e: EntityDef, f: FieldDef) -> None:
        target = schema.by_singular(f.reference) if f.reference else None
        if target is not None:
            if f.required or (f.name in _SEED_REFS and f.name not in _NO_SEED.get(e.name, ())):
                self.refs.append((f.name, target.name))
            return
        if e.attachment and f.name == "attachmentType":
            self.template[f.name] = "FILE_ATTACHMENT"  # the only type that carries data (§7)
            return
        if f.picklist is not None:
            if (f.required or f.name in _SEED_PICKS) and not f.picklist_parent:
                self.cycles.append((f.name, _active_values(f)))
            return
        if f.data_type == "string":
            if "email" in f.name.lower() and f.required:
                self.emails.append((f.name, e.singular.lower()))
            elif "phone" in f.name.lower() and f.required:
                self.strings.append((f.name, "+32 2 555 ", f.length or 25))
            elif f.required or f.name in _SEED_TEXT:
                limit = f.length or 1000
                self.strings.append((f.name, f"{e.singular} ", limit))
        elif f.data_type == "datetime":
            if f.required or f.name in _SEED_TIMES:
                self.times.append((f.name, 60 if f.name.lower().startswith("end") else 0))
        elif f.required or f.name in _SEED_CONSTANTS:
            self.template[f.name] = _constant(f, _SEED_CONSTANTS.get(f.name))
        if e.attachment and f.name == "data":
            self.template["data"] = _SEED_DATA
            self.template["fileSize"] = 25.0


# Optional fields worth filling when seeding, so bulk data is not mostly null.
_SEED_REFS = frozenset({"contactID", "assignedResourceID", "resourceID", "ownerResourceID"})
# ... except where a rule ties them to another field: a ticket's or task's resource needs a
# role the resource holds (rules/business.py). Seeded tickets go to a queue instead.
_NO_SEED: dict[str, frozenset[str]] = {
    "Tickets": frozenset({"assignedResourceID", "contactID"}),
    "Tasks": frozenset({"assignedResourceID"}),
}
_SEED_PICKS = frozenset({"queueID"})
_SEED_TEXT = frozenset({"city", "description", "companyNumber", "title"})
_SEED_TIMES = frozenset({"createDate", "createDateTime", "startDateTime", "endDateTime"})
_SEED_CONSTANTS: dict[str, float | None] = {"isActive": None, "estimatedHours": 1.5}


def _constant(f: FieldDef, number: float | None = None) -> Any:
    """A fixed value of the field's type: True, 1 or 1.0 (or ``number`` for decimals)."""
    if f.data_type == "boolean":
        return True
    if f.data_type in ("decimal", "double"):
        return 1.0 if number is None else number
    if f.data_type in ("integer", "long", "short"):
        return 1  # Contacts.isActive is an integer 1 (fixture shape fact 10)
    return None


def _active_values(f: FieldDef) -> tuple[Any, ...]:
    active = [p.value for p in f.picklist or () if p.is_active] or [
        p.value for p in f.picklist or ()
    ]
    if f.data_type in ("integer", "long", "short"):
        return tuple(int(v) for v in active)
    return tuple(active)


@functools.cache
def _plan(entity_name: str) -> _Plan:
    e = schema.entity(entity_name)
    if e is None:
        raise ValueError(f"unknown entity {entity_name!r}")
    return _Plan(e)


def timestamp(moment: datetime) -> str:
    """``moment`` (UTC) in the API's form: seconds, or milliseconds without trailing zeros."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    if millis:
        text += f".{millis:03d}".rstrip("0")
    return text + "Z"


def generate(
    entity_name: str, count: int, first_id: int, refs: Mapping[str, Sequence[int]]
) -> list[Record]:
    """``count`` valid records of ``entity_name`` with ids ``first_id`` onwards (for seeding).

    Required fields are filled (text from the entity name and id, picklists cycled through
    their active values, datetimes spread a minute apart), plus a few common optional ones.
    Deterministic: the same arguments give the same records.

    Args:
        entity_name: URL name, any casing ("Companies").
        count: How many records.
        first_id: The id of the first record; the rest follow consecutively.
        refs: Existing ids per entity URL name, used for reference fields (e.g. "Resources"
            for a Company's ownerResourceID). A reference whose target has no ids stays None.

    Returns:
        The records, in id order.

    Raises:
        ValueError: For an unknown entity or a negative count.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    plan = _plan(entity_name)
    # Millions of small dicts: the cyclic GC would rescan them over and over (3x slower);
    # none of them form cycles, so pause it for the loop.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _generate(plan, count, first_id, refs)
    finally:
        if paused:
            gc.enable()


def _generate(
    plan: _Plan, count: int, first_id: int, refs: Mapping[str, Sequence[int]]
) -> list[Record]:
    ref_ids = [(name, refs.get(target) or ()) for name, target in plan.refs]
    ref_ids = [(name, ids) for name, ids in ref_ids if ids]
    template = plan.template
    out: list[Record] = []
    append = out.append
    for n, record_id in zip(range(count), itertools.count(first_id)):
        record = dict(template)
        record["id"] = record_id
        for name, prefix, limit in plan.strings:
            record[name] = f"{prefix}{record_id}"[:limit]
        for name, local in plan.emails:
            record[name] = f"{local}{record_id}@example.com"
        for name, values in plan.cycles:
            record[name] = values[n % len(values)]
        for name, ids in ref_ids:
            record[name] = ids[(n * 7919) % len(ids)]  # a stride, so neighbours differ
        for source, target in plan.mirrors:
            record[target] = record[source]
        if plan.times:
            start = _EPOCH + timedelta(minutes=n)
            for name, offset in plan.times:
                record[name] = timestamp(start + timedelta(minutes=offset))
        if plan.udfs is not None:
            record["userDefinedFields"] = list(map(dict.copy, plan.udfs))
        append(record)
    return out
