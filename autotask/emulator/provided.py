"""The entity-data functions the server uses: metadata bodies, demo data, seed records.

They live in ``metadata.py`` and ``demo.py`` (the data tables' side of the emulator). This module
looks them up by name and falls back to small local versions when a module or function is not
there (yet), so the server never depends on the order in which the two halves land.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from autotask.emulator import schema, wire
from autotask.emulator.schema import EntityDef, FieldDef, PicklistValue


def _provided(module: str, name: str) -> Callable[..., Any] | None:
    try:
        found = importlib.import_module(f"autotask.emulator.{module}")
    except ImportError:
        return None
    func = getattr(found, name, None)
    return func if callable(func) else None


def entity_information(entity: EntityDef) -> dict[str, Any]:
    """``{"info": {...}}`` of ``GET {E}/entityInformation`` (fact sheet §4.4)."""
    func = _provided("metadata", "entity_information")
    if func is not None:
        result: dict[str, Any] = func(entity)
        return result
    access = {True: "All", False: "None"}
    return {
        "info": {
            "name": entity.singular,
            "canCreate": "C" in entity.ops or _child_op(entity, "C"),
            "canDelete": "D" in entity.ops or _child_op(entity, "D"),
            "canQuery": "Q" in entity.ops,
            "canUpdate": "U" in entity.ops or _child_op(entity, "U"),
            "userAccessForCreate": access["C" in entity.ops or _child_op(entity, "C")],
            "userAccessForDelete": access["D" in entity.ops or _child_op(entity, "D")],
            "userAccessForQuery": access["Q" in entity.ops],
            "userAccessForUpdate": access["U" in entity.ops or _child_op(entity, "U")],
            "hasUserDefinedFields": entity.has_udfs,
            "supportsWebhookCallouts": entity.webhook_callouts,
        }
    }


def _child_op(entity: EntityDef, op: str) -> bool:
    parent = schema.parent_of(entity.name)
    return parent is not None and op in parent[1].ops


def _picklist(values: Sequence[PicklistValue] | None) -> list[dict[str, Any]] | None:
    if values is None:
        return None
    return [
        {
            "value": p.value,
            "label": p.label,
            "isDefaultValue": p.is_default,
            "sortOrder": p.sort_order,
            "parentValue": p.parent_value,
            "isActive": p.is_active,
            "isSystem": p.is_system,
        }
        for p in values
    ]


def fields_body(entity: EntityDef) -> dict[str, Any]:
    """``{"fields": [...]}`` of ``GET {E}/entityInformation/fields``."""
    func = _provided("metadata", "fields_body")
    if func is not None:
        result: dict[str, Any] = func(entity)
        return result
    return {
        "fields": [
            {
                "name": f.name,
                "dataType": f.data_type,
                "length": f.length,
                "isRequired": f.required,
                "isReadOnly": f.read_only,
                "isQueryable": f.queryable,
                "isReference": bool(f.reference),
                "referenceEntityType": f.reference,
                "isPickList": f.picklist is not None,
                "picklistValues": _picklist(f.picklist),
                "picklistParentValueField": f.picklist_parent,
                "isSupportedWebhookField": f.webhook,
            }
            for f in entity.fields
        ]
    }


def udfs_body(entity: EntityDef) -> dict[str, Any]:
    """``{"fields": [...]}`` of ``GET {E}/entityInformation/userDefinedFields``."""
    func = _provided("metadata", "udfs_body")
    if func is not None:
        result: dict[str, Any] = func(entity)
        return result
    return {
        "fields": [
            {
                "name": u.name,
                "label": u.label,
                "type": u.type,
                "length": u.length,
                "description": u.description,
                "isRequired": u.required,
                "isReadOnly": u.read_only,
                "isQueryable": u.queryable,
                "isReference": False,
                "referenceEntityType": None,
                "isPickList": u.picklist is not None,
                "picklistValues": _picklist(u.picklist),
                "picklistParentValueField": None,
                "defaultValue": u.default_value,
                "isSupportedWebhookField": u.webhook,
            }
            for u in entity.udfs
        ]
    }


def demo_dataset() -> dict[str, list[dict[str, Any]]]:
    """The ``--data demo`` start set: entity name -> records in wire shape with ids."""
    func = _provided("demo", "demo_dataset")
    if func is not None:
        result: dict[str, list[dict[str, Any]]] = func()
        return result
    return _fallback_demo()


def generate(
    entity_name: str, count: int, first_id: int, refs: Mapping[str, Sequence[int]]
) -> list[dict[str, Any]]:
    """``count`` valid synthetic records of ``entity_name`` with ids from ``first_id``."""
    func = _provided("demo", "generate")
    if func is not None:
        result: list[dict[str, Any]] = func(entity_name, count, first_id, refs)
        return result
    entity = schema.entity(entity_name)
    if entity is None:
        raise KeyError(entity_name)
    return [_fallback_record(entity, first_id + i, refs) for i in range(count)]


# --- local fallbacks (used only while demo.py is missing) -------------------------------------

_ORDER = ("Resources", "Companies", "Contacts", "Tickets", "TicketNotes")


def _fallback_demo() -> dict[str, list[dict[str, Any]]]:
    refs: dict[str, list[int]] = {}
    data: dict[str, list[dict[str, Any]]] = {}
    names = [n for n in _ORDER if schema.entity(n)] + [
        e.name for e in schema.entities() if e.name not in _ORDER
    ]
    for name in names:
        records = generate(name, 5, 1, refs)
        data[name] = records
        refs[name] = [r["id"] for r in records]
    return data


def _fallback_value(
    entity: EntityDef, field: FieldDef, record_id: int, refs: Mapping[str, Sequence[int]]
) -> Any:
    if field.name == "id":
        return record_id
    if field.picklist:
        active = [p for p in field.picklist if p.is_active and not p.parent_value]
        value = (active or list(field.picklist))[0].value
        return value if field.data_type == "string" else int(value)
    if field.reference:
        target = next((e for e in schema.entities() if e.singular == field.reference), None)
        ids = refs.get(target.name, ()) if target else ()
        return ids[record_id % len(ids)] if ids else None
    if not field.required:
        return None
    kind = field.data_type
    if kind == "string":
        return f"{entity.singular} {record_id}"[: field.length or None]
    if kind == "boolean":
        return True
    if kind == "datetime":
        return "2024-01-02T03:04:05Z"
    if kind in ("decimal", "double"):
        return 1.5
    return 1


def _fallback_record(
    entity: EntityDef, record_id: int, refs: Mapping[str, Sequence[int]]
) -> dict[str, Any]:
    record = {f.name: _fallback_value(entity, f, record_id, refs) for f in entity.fields}
    if entity.has_udfs:
        record[wire.UDF_KEY] = [{"name": u.name, "value": None} for u in entity.udfs]
    return record
