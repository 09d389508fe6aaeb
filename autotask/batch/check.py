"""Dry-run checks of a record against its entity's field metadata (pure: no I/O).

``batch_create(items, dry_run=True)`` and friends report each item ``valid`` or ``invalid`` with
these reasons, from ``entityInformation/fields`` and ``/userDefinedFields`` fetched once per
entity (fact sheet §4.4). They catch what the metadata can tell: unknown field names, read-only
fields, missing required fields, types, string lengths and picklist values. What only the
server knows (whether a referenced record exists, a ticket's queue rules) is left to the run.

The texts name the field the way Autotask's own errors do (fact sheet §11.6), e.g.
``Missing Required Field: title``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from autotask.core.records import parse_datetime

__all__ = ["KEPT_ON_UPDATE", "capability_problem", "record_problems"]

UDF_KEY = "userDefinedFields"
_INTEGERS = frozenset({"integer", "long", "short", "byte"})
_NUMBERS = frozenset({"decimal", "double", "float", "currency"})
# Fields Autotask keeps as they were when a PATCH changes them, answering 200 all the same
# (issue 8 item 4: a time entry stays on its ticket; on its task, assumed). The emulator models
# the same table (emulator/rules/business.py, which may not import this); a test holds the two
# equal. An update naming one is reported, since the change would be lost without a word.
KEPT_ON_UPDATE: Mapping[str, tuple[str, ...]] = {"TimeEntries": ("ticketID", "taskID")}
_VERB = {
    "C": ("canCreate", "created"),
    "U": ("canUpdate", "updated"),
    "D": ("canDelete", "deleted"),
}


def capability_problem(info: Mapping[str, Any], letter: str, entity: str) -> str | None:
    """Why ``entityInformation`` says no ``letter`` (C, U, R, D) write is allowed, or None."""
    flag, verb = _VERB["U" if letter == "R" else letter]
    if info.get(flag) is False:
        return f"{entity} cannot be {verb} through the API (entityInformation {flag} is false)"
    return None


def record_problems(
    record: Mapping[str, Any],
    letter: str,
    fields: Sequence[Mapping[str, Any]],
    udfs: Sequence[Mapping[str, Any]] = (),
    *,
    allowed: Iterable[str] = (),
    kept: Iterable[str] = (),
) -> list[str]:
    """Everything the field metadata says is wrong with ``record``, one text per problem.

    Args:
        record: the record as it would be sent (values already encoded for JSON).
        letter: ``C`` create, ``U`` update (PATCH), ``R`` replace (PUT).
        fields: ``entityInformation/fields``.
        udfs: ``entityInformation/userDefinedFields``.
        allowed: read-only fields the record may carry anyway (the parent id of a child-only
            entity, which its parent route needs).
        kept: fields Autotask keeps on update (:data:`KEPT_ON_UPDATE`); an update (``U``)
            naming one is a problem. A replace carries every field, so it is not.

    Returns:
        The problems; empty when the record passes.
    """
    by_name = {str(f.get("name", "")).lower(): f for f in fields}
    exempt = {a.lower() for a in allowed}
    kept_here = {k.lower() for k in kept} if letter == "U" else set()
    problems: list[str] = []
    given = {str(k).lower(): (str(k), v) for k, v in record.items()}
    for folded, (name, value) in given.items():
        if folded == UDF_KEY.lower():
            problems += _udf_problems(value, udfs)
            continue
        field = by_name.get(folded)
        if field is None:
            problems.append(f"Unknown field: {name}")
            continue
        if folded == "id":
            if letter in "UR" and not _is_integer(value):
                problems.append(f"id must be the record's id, not {value!r}")
            continue
        if field.get("isReadOnly") and folded not in exempt and value is not None:
            problems.append(f"Read-only field: {field['name']} (Autotask ignores it)")
            continue
        if folded in kept_here:
            problems.append(
                f"Kept field: {field['name']} (Autotask keeps it after create and ignores a "
                "change; leave it out of an update)"
            )
            continue
        problems += _value_problems(field, field.get("dataType"), value)
    if letter in "UR" and given.get("id", (None, None))[1] is None:
        problems.append("Missing Required Field: id (an update names the record)")
    for folded, field in by_name.items():
        if folded == "id" or not field.get("isRequired"):
            continue
        if field.get("isReadOnly") and folded not in exempt:
            continue
        value = given.get(folded, (None, None))[1]
        missing = value is None or value == ""
        if missing and (letter in "CR" or folded in given):
            problems.append(f"Missing Required Field: {field['name']}")
    return problems


def _value_problems(field: Mapping[str, Any], kind: Any, value: Any) -> list[str]:
    if value is None:
        return []
    name = field.get("name")
    kind = str(kind or "").lower()
    if kind in _INTEGERS and not _is_integer(value):
        return [f"{name}: {value!r} is not an integer"]
    if kind in _NUMBERS and not _is_number(value):
        return [f"{name}: {value!r} is not a number"]
    if kind == "boolean" and not (isinstance(value, bool) or value in (0, 1)):
        return [f"{name}: {value!r} is not true or false"]
    if kind == "datetime" and not _is_datetime(value):
        return [f"{name}: {value!r} is not a datetime"]
    if kind == "string":
        if isinstance(value, (dict, list)):
            return [f"{name}: a {type(value).__name__} is not a string"]
        length = field.get("length") or 0
        if isinstance(value, str) and length and len(value) > length:
            return [f"String value exceeds maximum length {length} (field:{name}): {len(value)}"]
    if field.get("isPickList"):
        choices = {str(p.get("value")) for p in field.get("picklistValues") or ()}
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if choices and text not in choices:
            return [f"Picklist value [{text}] does not exist for {name}"]
    return []


def _udf_problems(value: Any, udfs: Sequence[Mapping[str, Any]]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        return ["userDefinedFields must be a list of {name, value} objects"]
    by_name = {str(u.get("name", "")).lower(): u for u in udfs}
    problems: list[str] = []
    for item in value:
        name = str(item.get("name", ""))
        udf = by_name.get(name.lower())
        if udf is None:
            problems.append(f"Unknown user-defined field: {name}")
            continue
        if udf.get("isReadOnly") and item.get("value") is not None:
            problems.append(f"Read-only user-defined field: {udf['name']}")
            continue
        problems += _value_problems(udf, udf.get("type") or udf.get("dataType"), item.get("value"))
    return problems


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):  # Autotask converts numeric strings (JSON.NET)
        return value.strip().lstrip("+-").isdigit()
    return False


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return False


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parse_datetime(value)
    except ValueError:
        return False
    return True
