"""What attachments do beyond plain records (fact sheet §7, §11.3).

- **One id space, mirrored in AttachmentInfo.** Every attachment, whatever its parent, gets an id
  from one sequence, and AttachmentInfo, "the query-only aggregate of all attachments" (§7,
  D-AttInfo), holds a row with the same id and the shared fields (parentID, parentType, title,
  fileSize ...). Creating or deleting an attachment through ``{Parent}/{id}/Attachments`` adds
  or removes both rows in one transaction, like the demo data set.
- **Parent fields on create.** The parent id from the URL goes into the parent field
  (``ticketID``) and the generic ``parentID`` (the child route's ``mirror_fields``), and
  ``parentType`` is the entity's AttachmentInfo code. A time entry attachment also takes the
  time entry's ``ticketID`` and ``taskID``: that is what lets a ticket's attachment query find it.
- **Queries since 2021.1** (§7, D-AttChg): a query on an attachment entity must name its parent
  id field (``ticketID`` for TicketAttachments) in a top-level condition, and it returns the
  attachments of the parent's children too, where the tables allow it: a ticket's or a task's
  query includes the attachments of its time entries (those rows carry ``ticketID``/``taskID``
  and, for tickets, ``timeEntryID``). Ticket notes' attachments are not served, so they cannot
  appear. ``--attachment-queries any`` restores the older behaviour (any filter, own rows only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from autotask.emulator.exchange import lower_keys
from autotask.emulator.model import schema
from autotask.emulator.model.schema import EntityDef
from autotask.emulator.model.store import Doc, Store
from autotask.emulator.rules.query import QueryError

INFO_ENTITY = "AttachmentInfo"

# Rows of another attachment entity that a parent's query also returns (attachments of the
# parent's children, §7): {entity: ((source entity, field naming the parent in its rows), ...)}.
ROLLUPS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "TicketAttachments": (("TimeEntryAttachments", "ticketID"),),
    "TaskAttachments": (("TimeEntryAttachments", "taskID"),),
}

# Fields an attachment copies from its parent record on create: a time entry's ticket and task.
INHERITED: Mapping[str, tuple[str, ...]] = {"TimeEntryAttachments": ("ticketID", "taskID")}


def parent_query_text(entity: EntityDef, field: str) -> str:
    """The 500 text of an attachment query that does not name the parent id field.

    Assumed wording: the rule is documented (D-AttChg) but no rejection was captured.
    """
    return (
        f"Queries on the {entity.singular} entity must include a condition on the parent "
        f"id field {field}."
    )


def parent_field(entity: EntityDef) -> str | None:
    """The field holding the parent id of an attachment entity (``ticketID``), if it has one."""
    owner = schema.parent_of(entity.name) if entity.attachment else None
    if owner is None:
        return None
    found = entity.field(owner[1].parent_field)
    return found.name if found is not None else None


def require_parent_condition(entity: EntityDef, body: Any) -> None:
    """Refuse an attachment query whose top-level conditions do not name the parent id field.

    A condition counts when it sits in the top-level filter array or in an ``and`` group
    reached from it (both restrict every row); one inside an ``or`` group does not.

    Raises:
        QueryError: with ``parent_query_text``.
    """
    field = parent_field(entity)
    if field is None or not isinstance(body, Mapping):
        return
    conditions = lower_keys(body).get("filter")
    if isinstance(conditions, list) and _names(conditions, field.lower()):
        return
    raise QueryError(parent_query_text(entity, field))


def _names(conditions: Sequence[Any], field: str) -> bool:
    for raw in conditions:
        if not isinstance(raw, Mapping):
            continue
        cond = lower_keys(raw)
        op = str(cond.get("op") or "").lower()
        if op == "and" and isinstance(cond.get("items"), list):
            if _names(cond["items"], field):
                return True
        elif str(cond.get("field") or "").lower() == field and cond.get("udf") is not True:
            return True
    return False


def rollup_sources() -> dict[str, tuple[tuple[EntityDef, str], ...]]:
    """``ROLLUPS`` resolved to entity definitions, for ``Store(rollups=...)``."""
    out: dict[str, tuple[tuple[EntityDef, str], ...]] = {}
    for name, sources in ROLLUPS.items():
        resolved = []
        for source, field in sources:
            source_entity = schema.entity(source)
            if source_entity is not None and source_entity.field(field) is not None:
                resolved.append((source_entity, field))
        if schema.entity(name) is not None and resolved:
            out[name] = tuple(resolved)
    return out


def parent_values(
    entity: EntityDef, route: schema.ChildRoute, parent_id: int, parent: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The fields a write through ``{Parent}/{parent_id}/{route}`` takes from the URL and parent.

    The parent field and its mirrors (``parentID``) get the URL's id; an attachment's
    ``parentType`` its code; ``INHERITED`` fields the parent record's values.
    """
    values: dict[str, Any] = {route.parent_field: parent_id}
    values.update(dict.fromkeys(route.mirror_fields, parent_id))
    if entity.attachment:
        values["parentType"] = entity.attachment_parent_type
        for name in INHERITED.get(entity.name, ()):
            values[name] = None if parent is None else parent.get(name)
    return values


def inherits_from_parent(entity: EntityDef) -> bool:
    """Whether creating ``entity`` needs its parent record (see ``INHERITED``)."""
    return entity.name in INHERITED


def info_doc(doc: Mapping[str, Any]) -> Doc | None:
    """The AttachmentInfo row mirroring the attachment ``doc`` (same id), or None."""
    info = schema.entity(INFO_ENTITY)
    if info is None:
        return None
    return {f.name: doc.get(f.name) for f in info.fields}


def next_id(store: Store) -> int:
    """The next id of the one attachment sequence (call inside ``store.transaction()``)."""
    return 1 + max(
        (store.max_id(e) for e in schema.entities() if e.attachment or e.name == INFO_ENTITY),
        default=0,
    )


def insert(store: Store, entity: EntityDef, doc: Doc, data: bytes | None) -> int:
    """Store a new attachment and its AttachmentInfo row atomically; returns the id."""
    info = schema.entity(INFO_ENTITY)
    with store.transaction():
        new_id = store.insert(entity, doc, data, record_id=next_id(store))
        mirrored = info_doc(doc)
        if info is not None and mirrored is not None:
            store.insert(info, mirrored, record_id=new_id)
    return new_id


def insert_many(store: Store, entity: EntityDef, rows: Sequence[tuple[Doc, bytes | None]]) -> int:
    """Seed attachments (ids already set from ``next_id``) with their AttachmentInfo rows."""
    info = schema.entity(INFO_ENTITY)
    created = store.insert_many(entity, rows)
    if info is not None and entity.name != INFO_ENTITY:
        mirrored = [(m, None) for doc, _ in rows if (m := info_doc(doc)) is not None]
        store.insert_many(info, mirrored)
    return created


def delete(store: Store, entity: EntityDef, record_id: int) -> bool:
    """Remove an attachment and its AttachmentInfo row atomically; False when not there."""
    info = schema.entity(INFO_ENTITY)
    with store.transaction():
        removed = store.delete(entity, record_id)
        if removed and info is not None:
            store.delete(info, record_id)
    return removed
