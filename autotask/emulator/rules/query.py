"""The query language: a query body parsed against an entity and compiled to SQL.

Grammar (fact sheet §3.2): ``{"filter": [conditions], "IncludeFields": [...], "MaxRecords": n}``
with case-insensitive keys; a condition is ``{"op", "field", "value", "udf"?}`` or a group
``{"op": "and"|"or", "items": [...]}``; the top-level array is AND-ed. Semantics, with the
fact sheet §11 defaults (CONTRACTS §5):

- 13 operators; an unknown operator is ignored (the condition matches everything, §3.2 and
  §11.4 "noteExist"), or rejected with ``strict_operators``.
- Field names are case-insensitive; an unknown one is 500 ``Unable to find X in the Y Entity``.
- Strings compare case-insensitively and ``eq``/``noteq``/``gt``... ignore trailing spaces, like
  SQL Server's default collation; ``beginsWith``/``endsWith``/``contains`` are case-insensitive.
- Datetimes are accepted with or without ``Z``/fraction, or date-only.
- Values are read the way a .NET model binder reads them (issue 15, assumed; ``--filter-values
  strict`` keeps the fact sheet's letter, §3.2: booleans only as JSON ``true``/``false``):
  ``"true"``/``"false"`` (any case) on a boolean field, and on an integer field (Contacts'
  isActive is one, fixture fact 10) JSON booleans and those strings as 1/0; numeric strings
  on numeric fields either way.
- A condition with no ``value`` key on a boolean field compares with false (a client that drops
  a false value sends it so, and live tenants answer it, issue 15; ``--condition-without-value
  null`` treats it as the explicit null the fact sheet's "null errors" means, §3.2: 500).
- ``"filter": []`` (and an empty group) matches nothing (§11.4), except in a GET query's
  ``search``, where it matches every row (issue 15: a widely deployed client lists all rows so;
  assumed, ``--get-empty-filter none`` to match nothing there too); a missing filter is 500
  ``Value cannot be null.\\r\\nParameter name: filters``.
- At most one UDF condition (§3.2, D-UDF). ``--max-in-values N`` refuses an ``in``/``notIn``
  list of more than N values with the SOAP-era text (§3.2, D-SOAPThr); off by default.
- NULL follows SQL: ``noteq``, ``gt``... never match a null value; ``notExist`` does.

Compiled SQL reads the stored doc with ``json_extract`` (model/store.py); ``id`` uses the primary
key. The string semantics live in the SQL functions of ``SQL_FUNCTIONS``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autotask.emulator.exchange import lower_keys
from autotask.emulator.model import store, wire
from autotask.emulator.model.schema import INTEGER_TYPES, NUMBER_TYPES, EntityDef, UdfDef
from autotask.emulator.settings import Quirks

MAX_PAGE_SIZE = 500  # fact sheet §3.3
FILTERS_NULL = "Value cannot be null.\r\nParameter name: filters"  # §11.4, verbatim
MAX_RECORDS_TEXT = "MaxRecords must be between 1 and 500."  # assumed: no capture (§11.4)
ONE_UDF_TEXT = "Only one user-defined field can be queried at a time."  # wording assumed (D-UDF)
# The SOAP-era refusal of too many OR conditions (fact sheet §3.2, D-SOAPThr), with the limit.
TOO_MANY_OR_TEXT = "Invalid query syntax. Queries are limited to {} or fewer 'OR' conditions."
_TRUE_FALSE = {"true": True, "false": False}

_COMPARE = {"eq": "=", "noteq": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_MATCH = {"beginswith": "at_begins", "endswith": "at_ends", "contains": "at_contains"}
_OPERATORS = frozenset({*_COMPARE, *_MATCH, "exist", "notexist", "in", "notin"})
_NUMERIC_UDF = frozenset({"number", "decimal", "double", "integer", "currency"})


class QueryError(Exception):
    """A query the API refuses: HTTP 500 with ``errors`` (fact sheet §5)."""

    def __init__(self, *errors: str) -> None:
        super().__init__(errors[0] if errors else "")
        self.errors = list(errors)


# --- SQL functions (registered on the connection by the store) ---------------------------------


def _key(value: Any) -> Any:
    # SQL Server collation: case-insensitive, trailing spaces not significant (§11 defaults).
    return value.lower().rstrip(" ") if isinstance(value, str) else value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.lower() if isinstance(value, str) else str(value).lower()


def _begins(value: Any, prefix: str) -> bool:
    text = _text(value)
    return text is not None and text.startswith(prefix)


def _ends(value: Any, suffix: str) -> bool:
    text = _text(value)
    return text is not None and text.endswith(suffix)


def _contains(value: Any, part: str) -> bool:
    text = _text(value)
    return text is not None and part in text


SQL_FUNCTIONS: tuple[store.SqlFunction, ...] = (
    ("at_key", 1, _key),
    ("at_begins", 2, _begins),
    ("at_ends", 2, _ends),
    ("at_contains", 2, _contains),
)


# --- the parsed query ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A query compiled for one entity."""

    where: str  # SQL boolean expression over the entity's table
    params: tuple[Any, ...]
    page_size: int  # MaxRecords, default 500
    fields: tuple[str, ...] | None  # IncludeFields (canonical names), None = every field
    udfs: tuple[str, ...] | None  # UDFs named in IncludeFields (None = every UDF)


def parse_search(text: str | None) -> Any:
    """Decode the ``search`` parameter of a GET query (None when absent)."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise QueryError("The search parameter is not valid JSON.") from None


def compile_query(entity: EntityDef, body: Any, quirks: Quirks, *, get: bool = False) -> Query:
    """Parse a query body for ``entity`` and compile its filter.

    Args:
        entity: the entity queried.
        body: the decoded JSON body (or ``search`` parameter).
        quirks: the behaviour switches (unknown operators, MaxRecords, id in IncludeFields,
            value coercion, in-list limit).
        get: the body came as a GET query's ``search`` (an empty filter may match every row).

    Raises:
        QueryError: the texts of fact sheet §3.2/§11.4/§11.5.
    """
    if not isinstance(body, Mapping):
        raise QueryError(FILTERS_NULL)
    keys = lower_keys(body)
    conditions = keys.get("filter")
    if not isinstance(conditions, list):
        raise QueryError(FILTERS_NULL)
    compiler = _Compiler(entity, quirks)
    if not conditions and get and quirks.get_empty_filter_all:
        where = "1"
    else:
        where = compiler.all_of(conditions)
    params = tuple(compiler.params)
    fields, udfs = _include_fields(entity, keys.get("includefields"), quirks)
    return Query(where, params, _page_size(keys.get("maxrecords"), quirks), fields, udfs)


def _page_size(value: Any, quirks: Quirks) -> int:
    if value is None:
        return MAX_PAGE_SIZE
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise QueryError(MAX_RECORDS_TEXT)
    if 1 <= value <= MAX_PAGE_SIZE:
        return value
    if quirks.clamp_max_records and value > MAX_PAGE_SIZE:
        return MAX_PAGE_SIZE
    raise QueryError(MAX_RECORDS_TEXT)


def _not_found(name: Any, entity: EntityDef) -> QueryError:
    return QueryError(f"Unable to find {name} in the {entity.singular} Entity")


def _include_fields(
    entity: EntityDef, names: Any, quirks: Quirks
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    if not names:
        return None, None
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list):
        raise QueryError("IncludeFields must be a list of field names.")
    fields: list[str] = ["id"] if quirks.include_id_always else []
    udfs: list[str] = []
    for name in names:
        field = entity.field(str(name))
        if field is not None:
            fields.append(field.name)
            continue
        udf = entity.udf(str(name))
        if udf is None:
            raise _not_found(name, entity)
        udfs.append(udf.name)
    return tuple(fields), tuple(udfs)


class _Compiler:
    def __init__(self, entity: EntityDef, quirks: Quirks) -> None:
        self.entity = entity
        self.quirks = quirks
        self.params: list[Any] = []
        self.udf_conditions = 0

    def all_of(self, items: Sequence[Any]) -> str:
        if not items:
            return "0"  # "filter": [] matches nothing (§11.4)
        return "(" + " AND ".join(self.condition(item) for item in items) + ")"

    def condition(self, raw: Any) -> str:
        if not isinstance(raw, Mapping):
            raise QueryError("Each filter item must be an object with op, field and value.")
        cond = lower_keys(raw)
        op = str(cond.get("op") or "").lower()
        if op in ("and", "or"):
            items = cond.get("items") or []
            if not isinstance(items, list):
                raise QueryError("The items of an and/or group must be a list.")
            if not items:
                return "0"
            joiner = " AND " if op == "and" else " OR "
            return "(" + joiner.join(self.condition(item) for item in items) + ")"
        if op not in _OPERATORS:
            if self.quirks.strict_operators:
                raise QueryError(f"Invalid query operator: {cond.get('op')}")
            return "1"  # unknown operators are ignored: no restriction (§3.2, §11.4)
        name = cond.get("field")
        if cond.get("udf") is True:
            return self.udf_condition(op, name, cond.get("value"))
        field = self.entity.field(str(name)) if name is not None else None
        if field is None:
            raise _not_found(name if name is not None else "", self.entity)
        if not field.queryable:
            raise QueryError(f"{field.name} cannot be queried in the {self.entity.singular} Entity")
        column = (
            "id" if field.name == "id" else f"json_extract(doc, '{store.json_path(field.name)}')"
        )
        value = cond.get("value")
        if "value" not in cond and field.data_type.lower() == "boolean":
            # A client that drops a false value sends {"op": "eq", "field": "isActive"}: read
            # as false (issue 15, assumed), or as the null it decodes to (fact sheet §3.2).
            value = False if self.quirks.valueless_boolean_is_false else None
        return self.compare(op, column, field.data_type, field.name, value)

    def udf_condition(self, op: str, name: Any, value: Any) -> str:
        udf: UdfDef | None = self.entity.udf(str(name)) if name is not None else None
        if udf is None:
            raise _not_found(name, self.entity)
        self.udf_conditions += 1
        if self.udf_conditions > 1:
            raise QueryError(ONE_UDF_TEXT)
        column = f"json_extract(doc, '{store.udf_path(udf.name).replace(chr(39), chr(39) * 2)}')"
        if udf.type.lower() in _NUMERIC_UDF:
            return self.compare(op, f"CAST({column} AS REAL)", "decimal", udf.name, value)
        return self.compare(op, column, "string", udf.name, value)

    def compare(self, op: str, column: str, data_type: str, name: str, value: Any) -> str:
        if op == "exist":
            return f"{column} IS NOT NULL"
        if op == "notexist":
            return f"{column} IS NULL"
        kind = data_type.lower()
        if op in ("in", "notin"):
            values = value if isinstance(value, list) else [value]
            limit = self.quirks.max_in_values
            if limit and len(values) > limit:
                raise QueryError(TOO_MANY_OR_TEXT.format(limit))
            converted = [self.convert(kind, name, v) for v in values if v is not None]
            if kind == "string":
                converted = [_key(v) for v in converted]
                column = f"at_key({column})"
            if not converted:
                return "0" if op == "in" else f"{column} IS NOT NULL"
            self.params.append(json.dumps(converted))
            negate = "NOT " if op == "notin" else ""
            return f"{column} {negate}IN (SELECT value FROM json_each(?))"
        if value is None:
            if kind == "boolean":
                raise QueryError(bad_value_text(value, name))
            return "0"  # SQL: a comparison with NULL is never true
        if isinstance(value, list):
            raise QueryError(bad_value_text(value, name))
        converted = self.convert(kind, name, value)
        if op in _MATCH:
            self.params.append(_text(converted))
            return f"{_MATCH[op]}({column}, ?)"
        if kind == "string":
            self.params.append(_key(converted))
            return f"at_key({column}) {_COMPARE[op]} ?"
        self.params.append(converted)
        return f"{column} {_COMPARE[op]} ?"

    def convert(self, kind: str, name: str, value: Any) -> Any:
        """The filter value as the stored type of the field; 500 when it cannot be."""
        if kind == "string":
            if isinstance(value, (dict, list)):
                raise QueryError(bad_value_text(value, name))
            return value if isinstance(value, str) else json.dumps(value)
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            if self.quirks.lenient_filter_values and isinstance(value, str):
                # "true"/"false" as a .NET model binder reads them (issue 15, assumed).
                truth = _TRUE_FALSE.get(value.strip().lower())
                if truth is not None:
                    return truth
            raise QueryError(bad_value_text(value, name))  # JSON true/false only (§3.2)
        if kind == "datetime":
            parsed = wire.parse_datetime(value) if isinstance(value, str) else None
            if parsed is None:
                raise QueryError(bad_value_text(value, name))
            return parsed
        if self.quirks.lenient_filter_values and kind in INTEGER_TYPES:
            # A boolean-like integer field (Contacts.isActive, fixture fact 10) compared with a
            # boolean or "true"/"false" reads it as 1/0 (issue 15, assumed).
            if isinstance(value, bool):
                return int(value)
            if isinstance(value, str) and value.strip().lower() in _TRUE_FALSE:
                return int(_TRUE_FALSE[value.strip().lower()])
        number = _number(value)
        if number is None:
            raise QueryError(bad_value_text(value, name))
        if kind in INTEGER_TYPES:
            if number != int(number):
                raise QueryError(bad_value_text(value, name))
            return int(number)
        return float(number) if kind in NUMBER_TYPES else number


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            try:
                return float(value.strip())
            except ValueError:
                return None
    return None


def bad_value_text(value: Any, name: str) -> str:
    """The 500 text of a filter or body value the field's type cannot take.

    Wording assumed: no capture of this rejection exists (fact sheet §3.2 says it errors).
    """
    return f"Invalid value {json.dumps(value)} for field {name}."
