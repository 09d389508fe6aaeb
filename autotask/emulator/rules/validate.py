"""Write validation: a JSON body checked against the entity and turned into a stored doc.

Error texts are the fact sheet's §11.6 templates, one string per violation, all HTTP 500:

- ``Missing Required Field: title``; ``Value does not exist for the required field contactID``
  when the required field is a reference.
- ``Picklist value [3] does not exist for priority``; ``Value does not exist for child picklist:
  subIssueType`` for a dependent picklist whose parent value does not own it.
- ``Reference value on field: contactID of type: Contact does not exist or is invalid.``
- ``String value exceeds maximum length (field:description). `` (trailing space kept).
- Updates (PATCH/PUT) add ``Error updating entity for record number [1].``

Choices where the fact sheet has no capture (documented in the README):

- Read-only fields in a body are ignored, like ASP.NET model binding ignores what the entity
  does not let you set. Exception: an attachment's required fields (title, fullPath, publish,
  attachmentType) are flagged read-only in the live metadata yet needed on create (§7).
- Unknown body fields are ignored (JSON.NET's default); ``reject_unknown_fields`` makes them a
  500 ``Unable to find X in the Y Entity``.
- ``id`` in a create body is ignored (``"id": 0`` is tolerated, §4.1).
- References are checked only against entities the emulator serves.

Cross-field rules beyond the metadata (ticket assignment, time entries, tasks) and the fields
an update keeps are in business.py.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autotask.emulator.exchange import lower_keys
from autotask.emulator.model import schema, wire
from autotask.emulator.model.schema import (
    CREATED_AT,
    INTEGER_TYPES,
    MODIFIED_AT,
    NUMBER_TYPES,
    EntityDef,
    FieldDef,
)
from autotask.emulator.model.store import Store
from autotask.emulator.rules import business
from autotask.emulator.rules.query import bad_value_text
from autotask.emulator.settings import Quirks

UPDATE_SUFFIX = "Error updating entity for record number [1]."
NOT_FOUND_DELETE = (
    "No message. No matching records found. The logged in Resource may not have the required "
    "permissions to delete the data."
)  # fact sheet §4.1 (django-autotask constant)
NOT_FOUND_UPDATE = (
    "No message. No matching records found. The logged in Resource may not have the required "
    "permissions to update the data."
)  # assumed: the delete text with the verb changed

# Fields the server sets itself on create, where an entity has them (case-insensitive).
_CREATED_BY = frozenset({"creatorresourceid", "createdbyresourceid"})


class ValidationError(Exception):
    """A write the API refuses: HTTP 500 with ``errors`` (fact sheet §5, §11.6)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if errors else "")
        self.errors = errors


@dataclass(frozen=True)
class WriteContext:
    """What a write needs besides the body."""

    now: str  # stored datetime form, from the emulator's clock
    quirks: Quirks
    exists: Callable[[EntityDef, int], bool]  # reference lookups in the store
    resource_id: int | None  # the API user's resource (creatorResourceID ...)
    impersonated_id: int | None = None  # ImpersonationResourceId header (§2)
    # Child-URL writes: fields set from the URL and the parent record, whatever the body says
    # (the parent id, parentID, an attachment's parentType; attachments.parent_values).
    parent_values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    store: Store | None = None  # lookups of the cross-field rules (business.py)


@dataclass(frozen=True)
class Prepared:
    """A validated write: the doc to store and, for attachments, the decoded bytes."""

    doc: dict[str, Any]
    data: bytes | None = None


def _settable_on_create(entity: EntityDef, field: FieldDef) -> bool:
    if field.name == "id":
        return False
    if not field.read_only:
        return True
    return entity.attachment and field.required and field.name not in ("fileSize", "contentType")


def _body_map(entity: EntityDef, body: Any, quirks: Quirks) -> dict[str, Any]:
    if not isinstance(body, Mapping):
        raise ValidationError(["The request body must be a JSON object."])
    values = lower_keys(body)
    if quirks.reject_unknown_fields:
        unknown = [
            str(k)
            for k in body
            if entity.field(str(k)) is None and str(k).lower() != wire.UDF_KEY.lower()
        ]
        if unknown:
            raise ValidationError(
                [f"Unable to find {k} in the {entity.singular} Entity" for k in unknown]
            )
    return values


def prepare_create(entity: EntityDef, body: Any, ctx: WriteContext) -> Prepared:
    """Validate a create body and build the new record (without its id).

    Raises:
        ValidationError: one text per violation.
    """
    values = _body_map(entity, body, ctx.quirks)
    errors: list[str] = []
    doc: dict[str, Any] = {}
    data: bytes | None = None
    for field in entity.fields:
        key = field.name.lower()
        if entity.attachment and field.name == "data":
            data = _attachment_bytes(values.get("data"), errors)
            continue
        value = None
        if _settable_on_create(entity, field) and key in values:
            value = _convert(field, values[key], errors)
        doc[field.name] = value
    _set_parent(entity, doc, ctx)
    _server_fields(entity, doc, ctx, creating=True, data=data)
    if entity.has_udfs:
        doc[wire.UDF_KEY] = _udfs(entity, values.get(wire.UDF_KEY.lower()), {}, errors)
    touched = frozenset(f.name for f in entity.fields if f.name.lower() in values)
    findings = _business(entity, doc, touched | frozenset(ctx.parent_values), ctx)
    checked = [f for f in entity.fields if f.name != "data"]
    errors += _rules(entity, doc, checked, ctx, creating=True, claimed=findings.claimed)
    errors += findings.errors
    if errors:
        raise ValidationError(errors)
    return Prepared(doc, data)


def prepare_update(
    entity: EntityDef, existing: Mapping[str, Any], body: Any, ctx: WriteContext, *, replace: bool
) -> Prepared:
    """Validate a PATCH (merge) or PUT (replace) body against the stored record.

    PUT sets every writable field the body omits to null (fact sheet §4.1, D-PUT).

    Raises:
        ValidationError: one text per violation, plus the update suffix.
    """
    values = _body_map(entity, body, ctx.quirks)
    errors: list[str] = []
    doc = dict(existing)
    changed: list[FieldDef] = []
    kept = business.KEPT_ON_UPDATE.get(entity.name, ())
    for field in entity.fields:
        if field.read_only or field.name in ("id", "data"):
            continue
        key = field.name.lower()
        if field.name in kept:
            # Autotask answers 200 and keeps the value (issue 8 item 4), also when a PUT omits it.
            if (
                key in values
                and ctx.quirks.reject_kept_field_changes
                and _convert(field, values[key], errors) != existing.get(field.name)
            ):
                errors.append(business.kept_text(field.name, entity.singular))
            continue
        if key in values:
            doc[field.name] = _convert(field, values[key], errors)
            changed.append(field)
        elif replace:
            doc[field.name] = None
            changed.append(field)
    _set_parent(entity, doc, ctx)
    _server_fields(entity, doc, ctx, creating=False, data=None)
    if entity.has_udfs:
        base = {} if replace else dict(existing.get(wire.UDF_KEY) or {})
        doc[wire.UDF_KEY] = _udfs(entity, values.get(wire.UDF_KEY.lower()), base, errors)
    findings = _business(entity, doc, frozenset(f.name for f in changed), ctx)
    errors += _rules(entity, doc, changed, ctx, creating=False, claimed=findings.claimed)
    errors += findings.errors
    if errors:
        raise ValidationError([*errors, UPDATE_SUFFIX])
    return Prepared(doc)


def _business(
    entity: EntityDef, doc: dict[str, Any], touched: frozenset[str], ctx: WriteContext
) -> business.Findings:
    """The cross-field rules' findings (none with ``--business-rules off``)."""
    if not ctx.quirks.business_rules or ctx.store is None:
        return business.Findings()
    return business.check(entity.name, doc, touched, ctx.store)


def _set_parent(entity: EntityDef, doc: dict[str, Any], ctx: WriteContext) -> None:
    # A child-URL write takes the parent id from the URL, whatever the body says, even into a
    # field the metadata marks read-only (Contacts.companyID, an attachment's parentType).
    for name, value in ctx.parent_values.items():
        target = entity.field(name)
        if target is not None:
            doc[target.name] = value


def _convert(field: FieldDef, value: Any, errors: list[str]) -> Any:
    """The body value as the field's stored type (lenient like JSON.NET); None on error."""
    if value is None:
        return None
    kind = field.data_type.lower()
    if kind == "string":
        if isinstance(value, (dict, list)):
            errors.append(bad_value_text(value, field.name))
            return None
        return value if isinstance(value, str) else json.dumps(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        errors.append(bad_value_text(value, field.name))
        return None
    if kind == "datetime":
        parsed = wire.parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            errors.append(bad_value_text(value, field.name))
        return parsed
    if kind in INTEGER_TYPES or kind in NUMBER_TYPES:
        number: Any = value
        if isinstance(value, bool):
            number = int(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip()) if kind in NUMBER_TYPES else int(value.strip())
            except ValueError:
                number = None
        if not isinstance(number, (int, float)) or (
            kind in INTEGER_TYPES and number != int(number)
        ):
            errors.append(bad_value_text(value, field.name))
            return None
        return int(number) if kind in INTEGER_TYPES else float(number)
    return value


def _attachment_bytes(value: Any, errors: list[str]) -> bytes | None:
    if value is None or value == "":
        errors.append("Missing Required Field: data")
        return None
    if not isinstance(value, str):
        errors.append(bad_value_text("<data>", "data"))
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        errors.append("The data field is not valid base64.")  # wording assumed
        return None


def _udfs(entity: EntityDef, raw: Any, base: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    """UDF values from ``[{"name", "value"}]``, merged over ``base``; stored as strings."""
    values = dict(base)
    if raw is None:
        return values
    if not isinstance(raw, list):
        errors.append("userDefinedFields must be a list of {name, value} objects.")
        return values
    for item in raw:
        if not isinstance(item, Mapping):
            errors.append("userDefinedFields must be a list of {name, value} objects.")
            continue
        keys = lower_keys(item)
        name = str(keys.get("name", ""))
        udf = entity.udf(name)
        if udf is None:
            continue  # unknown UDF names are ignored like unknown fields
        value = keys.get("value")
        text = None if value is None else (value if isinstance(value, str) else json.dumps(value))
        if (
            text is not None
            and udf.picklist is not None
            and text not in {p.value for p in udf.picklist}
        ):
            errors.append(f"Picklist value [{text}] does not exist for {udf.name}")
        if text is not None and udf.length and len(text) > udf.length:
            errors.append(f"String value exceeds maximum length (field:{udf.name}). ")
        values[udf.name] = text
    return values


def _server_fields(
    entity: EntityDef, doc: dict[str, Any], ctx: WriteContext, *, creating: bool, data: bytes | None
) -> None:
    creator = ctx.impersonated_id if ctx.impersonated_id is not None else ctx.resource_id
    for field in entity.fields:
        key = field.name.lower()
        given = doc.get(field.name)
        stamped_on_create = creating and key in CREATED_AT and (field.read_only or given is None)
        touched = key in MODIFIED_AT and (field.read_only or given is None or not creating)
        if stamped_on_create or touched:
            doc[field.name] = ctx.now
        elif creating and key in _CREATED_BY and (field.read_only or given is None):
            doc[field.name] = creator
        elif creating and key == "impersonatorcreatorresourceid" and ctx.impersonated_id:
            doc[field.name] = ctx.resource_id
    if entity.attachment and creating:
        _attachment_fields(entity, doc, ctx, data)
    if creating and entity.name == "Tickets" and "ticketNumber" in doc and not doc["ticketNumber"]:
        doc["ticketNumber"] = _ticket_number(ctx.now)


def _attachment_fields(
    entity: EntityDef, doc: dict[str, Any], ctx: WriteContext, data: bytes | None
) -> None:
    names = {f.name for f in entity.fields}
    if "fileSize" in names:
        doc["fileSize"] = float(len(data)) if data is not None else None
    if "contentType" in names:
        path = doc.get("fullPath") or doc.get("title") or ""
        guessed = mimetypes.guess_type(str(path))[0]
        doc["contentType"] = guessed or "application/octet-stream"
    if "attachDate" in names and doc.get("attachDate") is None:
        doc["attachDate"] = ctx.now
    if (
        "attachedByResourceID" in names
        and doc.get("attachedByResourceID") is None
        and doc.get("attachedByContactID") is None
    ):
        doc["attachedByResourceID"] = ctx.resource_id


def _ticket_number(now: str) -> str:
    # Autotask numbers tickets T{yyyymmdd}.{nnnn}; the sequence part here is time-derived.
    return f"T{now[0:4]}{now[5:7]}{now[8:10]}.{int(now[11:13]) * 60 + int(now[14:16]):04d}"


def _rules(
    entity: EntityDef,
    doc: Mapping[str, Any],
    fields: list[FieldDef],
    ctx: WriteContext,
    *,
    creating: bool,
    claimed: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    errors: list[str] = []
    for field in fields:
        value = doc.get(field.name)
        needed = field.required and (
            not field.read_only or (creating and _settable_on_create(entity, field))
        )
        if needed and field.name in claimed:
            continue  # a business rule reported it in its own words
        if needed and (value is None or value == ""):
            if field.reference:
                errors.append(f"Value does not exist for the required field {field.name}")
            else:
                errors.append(f"Missing Required Field: {field.name}")
            continue
        if value is None:
            continue
        if field.picklist is not None:
            errors += _picklist(entity, field, value, doc)
        if field.reference and isinstance(value, int):
            target = schema.by_singular(field.reference)
            if target is not None and not ctx.exists(target, value):
                errors.append(
                    f"Reference value on field: {field.name} of type: {field.reference} "
                    "does not exist or is invalid."
                )
        if field.length and isinstance(value, str) and len(value) > field.length:
            errors.append(f"String value exceeds maximum length (field:{field.name}). ")
    return errors


def _picklist(entity: EntityDef, field: FieldDef, value: Any, doc: Mapping[str, Any]) -> list[str]:
    assert field.picklist is not None
    text = str(value)
    entry = next((p for p in field.picklist if p.value == text), None)
    if entry is None:
        return [f"Picklist value [{text}] does not exist for {field.name}"]
    parent = entity.field(field.picklist_parent) if field.picklist_parent else None
    if parent is not None and entry.parent_value:
        parent_value = doc.get(parent.name)
        if parent_value is not None and str(parent_value) != entry.parent_value:
            return [f"Value does not exist for child picklist: {field.name}"]
    return []
