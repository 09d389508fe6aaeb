"""The condition grammar of ``query`` and ``count``: ``status=1``, ``title~printer``, ...

::

    CONDITION  = FIELD OP VALUE
    FIELD      = name                      a field, matched case-insensitively
               | "udf:" UDF name           a user-defined field (spaces allowed)
    OP         = "="  eq        "!="  noteq
               | ">"  gt        ">="  gte       "<"  lt       "<="  lte
               | "~"  contains  "^"   beginsWith               "$"  endsWith
    VALUE      = text                      typed by the field's metadata
               | "in:" v1,v2,...           with = (in) or != (notIn)
               | "exists"                  with = (exist) or != (notExist)

The first operator character after the field name splits the condition, so values may
contain anything (``title~a=b``). Conditions are AND-ed; ``--any`` ORs them. Parsing is pure
(:func:`parse_condition`); :func:`build_filter` types the values with a
:class:`~autotask.cli.values.fieldtypes.FieldTable` and looks picklist labels up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from autotask.cli.exitcodes import UsageError
from autotask.cli.values.fieldtypes import FieldTable
from autotask.core.query import Condition, FilterLike, Group, compile_filter
from autotask.core.records import UDF_PREFIX
from autotask.errors import InvalidRequest

__all__ = ["GRAMMAR", "Spec", "build_filter", "parse_condition", "parse_filter_json"]

GRAMMAR = (
    "FIELD OP VALUE with OP one of = != > >= < <= ~ (contains) ^ (begins with) $ (ends with); "
    "VALUE in:a,b,c (with = or !=), exists (with = or !=), or text; FIELD may be udf:NAME"
)
_OPS = {
    "=": "eq",
    "!=": "noteq",
    ">": "gt",
    ">=": "gte",
    "<": "lt",
    "<=": "lte",
    "~": "contains",
    "^": "beginsWith",
    "$": "endsWith",
}
_OP_CHARS = "=!<>~^$"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Spec:
    """One parsed condition, before typing.

    Attributes:
        field: the field or UDF name as written.
        op: the Autotask operator (``eq``, ``in``, ``exist``, ...).
        values: the value texts (none for exist/notExist, several for in/notIn).
        udf: True for ``udf:NAME``.
        text: the condition as written (for messages).
    """

    field: str
    op: str
    values: tuple[str, ...]
    udf: bool
    text: str


def _bad(text: str, why: str) -> UsageError:
    return UsageError(f"bad condition {text!r}: {why} (expected {GRAMMAR})")


def parse_condition(text: str) -> Spec:
    """Parse one CONDITION.

    Raises:
        UsageError: it does not parse (the message names the condition and the grammar).
    """
    udf = text[: len(UDF_PREFIX)].lower() == UDF_PREFIX
    rest = text[len(UDF_PREFIX) :] if udf else text
    if udf:
        at = next((i for i, ch in enumerate(rest) if ch in _OP_CHARS), -1)
        if at <= 0 or not rest[:at].strip():
            raise _bad(text, "no UDF name before the operator" if at == 0 else "no operator")
        field = rest[:at].strip()
    else:
        match = _NAME.match(rest)
        if match is None:
            raise _bad(text, "it does not start with a field name")
        field, at = match.group(), match.end()
        if at == len(rest) or rest[at] not in _OP_CHARS:
            raise _bad(text, f"no operator after {field!r}")
    two = rest[at : at + 2]
    symbol = two if two in _OPS else rest[at]
    if symbol not in _OPS:
        raise _bad(text, f"unknown operator {symbol!r}")
    value = rest[at + len(symbol) :]
    op = _OPS[symbol]
    if value.lower() == "exists" and op in ("eq", "noteq"):
        return Spec(field, "exist" if op == "eq" else "notExist", (), udf, text)
    if value[:3].lower() == "in:":
        if op not in ("eq", "noteq"):
            raise _bad(text, "in: lists go with = or !=")
        items = tuple(v.strip() for v in value[3:].split(","))
        if not items or any(v == "" for v in items):
            raise _bad(text, "an empty value in the in: list")
        return Spec(field, "in" if op == "eq" else "notIn", items, udf, text)
    if value == "":
        raise _bad(text, f"no value after {symbol!r} (use {field}!=exists for empty fields)")
    return Spec(field, op, (value,), udf, text)


def _typed(spec: Spec, table: FieldTable) -> Condition:
    info = table.field(spec.field, udf=spec.udf)
    try:
        values = [table.convert(info, v) for v in spec.values]
    except ValueError as exc:
        where = f"{table.entity}.{info.name}"
        detail = str(exc) if where in str(exc) else f"{where}: {exc}"
        raise UsageError(f"condition {spec.text!r}: {detail}") from None
    if spec.op in ("exist", "notExist"):
        return Condition(info.name, spec.op, None, spec.udf)
    if spec.op in ("in", "notIn"):
        return Condition(info.name, spec.op, values, spec.udf)
    return Condition(info.name, spec.op, values[0], spec.udf)


def parse_filter_json(text: str) -> Any:
    """The ``--filter`` argument: Autotask's filter JSON (an object or a list of them).

    Raises:
        UsageError: malformed JSON, or a filter the client refuses (unknown operator, ...).
    """
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--filter: malformed JSON at column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise UsageError("--filter: the JSON is nested too deeply to read") from None
    try:
        compile_filter(raw)
    except InvalidRequest as exc:
        raise UsageError(f"--filter: {exc.message}") from None
    return raw


def build_filter(
    conditions: Sequence[str],
    table: FieldTable,
    *,
    any_of: bool = False,
    raw: Any = None,
) -> FilterLike | None:
    """The filter for ``query``/``count``: the conditions typed and joined, AND ``--filter``.

    Args:
        conditions: the CONDITION arguments.
        table: the entity's fields.
        any_of: OR the conditions (``--any``) instead of AND-ing them.
        raw: a parsed ``--filter`` value, AND-ed with the conditions.

    Raises:
        UsageError: a condition that does not parse, an unknown field, a value that does not
            fit its field, or a filter Autotask would refuse (two UDF conditions).
    """
    specs = [parse_condition(c) for c in conditions]  # parse all before asking for metadata
    terms: list[Any] = [_typed(spec, table) for spec in specs]
    if any_of and len(terms) > 1:
        terms = [Group("or", tuple(terms))]
    if raw is not None:
        terms.extend(raw if isinstance(raw, list) else [raw])
    if not terms:
        return None
    try:
        compile_filter(terms)  # one UDF condition per query, list sizes (before any request)
    except InvalidRequest as exc:
        raise UsageError(exc.message) from None
    return terms
