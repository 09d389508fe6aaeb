"""Bodies of the metadata endpoints, built from the entity table (fact sheet §4.4).

``{Entity}/entityInformation``, ``.../entityInformation/fields`` and
``.../entityInformation/userDefinedFields``. Shapes follow the real recorded metadata
(fixture shape fact 9): 12 keys per standard field, 15 per UDF, 7 per picklist value, picklist
values as strings, fields listed by name.
"""

from __future__ import annotations

from typing import Any

from autotask.emulator.limits.permissions import Permissions
from autotask.emulator.model.schema import EntityDef, FieldDef, PicklistValue, UdfDef, parent_of

_EVERYTHING = Permissions()


def _access(allowed: bool) -> str:
    # Documented as 0 None / 1 All / 2 Restricted; clients' fixtures show the names (§4.4).
    return "All" if allowed else "None"


def entity_information(e: EntityDef, permissions: Permissions = _EVERYTHING) -> dict[str, Any]:
    """The ``{"info": {...}}`` body of ``{Entity}/entityInformation``.

    A write counts as possible when the entity allows it at its root or through the child
    route that owns it (Contacts are created via ``Companies/{id}/Contacts``, fact sheet §4.2),
    and the API user's security level allows it (``--deny``; "per-tenant truth", §4.3-4.4).

    Args:
        e: The entity.
        permissions: What the API user may do.

    Returns:
        The response body, keys in the Swagger's ``EntityInformationModel`` order.
    """
    ops = set(e.ops)
    owner = parent_of(e.name)
    if owner is not None:
        ops |= {op for op in owner[1].ops if op in "CUD"}
    ops = {op for op in ops if permissions.allows(e.name, op)}
    return {
        "info": {
            "name": e.singular,
            "canCreate": "C" in ops,
            "canDelete": "D" in ops,
            "canQuery": "Q" in ops,
            "canUpdate": "U" in ops,
            "userAccessForCreate": _access("C" in ops),
            "userAccessForDelete": _access("D" in ops),
            "userAccessForQuery": _access("Q" in ops),
            "userAccessForUpdate": _access("U" in ops),
            "hasUserDefinedFields": e.has_udfs,
            "supportsWebhookCallouts": e.webhook_callouts,
        }
    }


def _picklist(values: tuple[PicklistValue, ...] | None) -> list[dict[str, Any]] | None:
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


def field_info(f: FieldDef) -> dict[str, Any]:
    """One standard field as ``entityInformation/fields`` lists it (12 keys)."""
    return {
        "name": f.name,
        "dataType": f.data_type,
        "length": f.length,
        "isRequired": f.required,
        "isReadOnly": f.read_only,
        "isQueryable": f.queryable,
        "isReference": f.is_reference,
        "referenceEntityType": f.reference,
        "isPickList": f.is_picklist,
        "picklistValues": _picklist(f.picklist),
        "picklistParentValueField": f.picklist_parent,
        "isSupportedWebhookField": f.webhook,
    }


def fields_body(e: EntityDef) -> dict[str, Any]:
    """The ``{"fields": [...]}`` body of ``entityInformation/fields``, sorted by name.

    The real metadata lists fields by name, case-insensitively (ticket_fields.json), while
    records keep their own order (id first).
    """
    ordered = sorted(e.fields, key=lambda f: f.name.lower())
    return {"fields": [field_info(f) for f in ordered]}


def udf_info(u: UdfDef) -> dict[str, Any]:
    """One UDF as ``entityInformation/userDefinedFields`` lists it (15 keys).

    UDF metadata says ``type`` (not ``dataType``) and uses null, not "", for the unused
    reference and parent fields (fixture shape fact 9).
    """
    return {
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


def udfs_body(e: EntityDef) -> dict[str, Any]:
    """The ``{"fields": [...]}`` body of ``entityInformation/userDefinedFields``.

    UDFs keep their defined order (ticket_udf_fields.json is not sorted); an entity without
    UDFs answers ``{"fields": []}`` (resource_udf_fields.json).
    """
    return {"fields": [udf_info(u) for u in e.udfs]}
