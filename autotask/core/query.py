"""Filters as values: conditions, and/or groups, UDF conditions, validation, JSON encoding.

Build filters with :class:`F` and combine them with ``&`` and ``|`` (parenthesise each
comparison: ``&`` binds tighter than ``==`` in Python)::

    from autotask import F

    open_high = (F("status") == 1) & F("priority").in_([1, 2])
    recent = F("createDate") >= datetime(2024, 1, 1, tzinfo=timezone.utc)
    client.tickets.query(open_high | recent)
    client.companies.query(F.udf("Customer Code") == "X")

Raw Autotask filter dicts (``{"op": "eq", "field": "id", "value": 5}``, ``{"op": "or",
"items": [...]}``) and lists of them are accepted wherever a filter is.

Everything is checked before it is sent, because Autotask itself is lenient in dangerous ways:
it silently ignores an unknown operator and returns every row (fact sheet §3.2, §11.4), allows
only one UDF condition per query, and limits ``or`` conditions (``MAX_OR_CONDITIONS``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autotask.core.records import encode_value, format_datetime
from autotask.errors import InvalidRequest

__all__ = [
    "MAX_OR_CONDITIONS",
    "OPERATORS",
    "Condition",
    "F",
    "FilterLike",
    "Group",
    "compile_filter",
    "filter_json",
    "split_in_lists",
]

#: The most values one ``in``/``notIn`` list (or ``or`` group) may carry. The figure is
#: documented for the SOAP API ("Queries are limited to 500 or fewer 'OR' conditions",
#: fact sheet §3.2, D-SOAPThr) and assumed for REST, as other REST clients do (CONTRACTS §2).
MAX_OR_CONDITIONS = 500
# Groups nested deeper than this are refused: Autotask documents no limit, no real filter comes
# near it, and far deeper ones would fail on Python's recursion instead of with a clear error.
_MAX_DEPTH = 100

#: The 13 Autotask operators, spelled as the API spells them (fact sheet §3.2).
OPERATORS = (
    "eq",
    "noteq",
    "gt",
    "gte",
    "lt",
    "lte",
    "beginsWith",
    "endsWith",
    "contains",
    "exist",
    "notExist",
    "in",
    "notIn",
)
_CANONICAL = {op.lower(): op for op in OPERATORS}
_NO_VALUE = frozenset({"exist", "notExist"})
_LIST_OPS = frozenset({"in", "notIn"})
_GROUP_OPS = frozenset({"and", "or"})


def _canonical_op(op: object, field: object) -> str:
    canonical = _CANONICAL.get(op.lower()) if isinstance(op, str) else None
    if canonical is None:
        raise InvalidRequest(
            f"unknown filter operator {op!r} for field {field!r}: Autotask silently ignores "
            f"unknown operators and returns every row; use one of {', '.join(OPERATORS)}"
        )
    return canonical


@dataclass(frozen=True, slots=True)
class Condition:
    """One comparison, e.g. ``Condition("status", "eq", 1)``; usually built with :class:`F`.

    Args:
        field: the field name (Autotask matches it case-insensitively), or a UDF's name.
        op: one of :data:`OPERATORS` (matched case-insensitively, stored canonically).
        value: the value; none for ``exist``/``notExist``, a sequence for ``in``/``notIn``.
        udf: True when ``field`` names a user-defined field.
    """

    field: str
    op: str
    value: Any = None
    udf: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.field, str) or not self.field.strip():
            raise InvalidRequest(f"a filter condition needs a field name, got {self.field!r}")
        op = _canonical_op(self.op, self.field)
        object.__setattr__(self, "op", op)
        value = self.value
        if op in _NO_VALUE:
            if value is not None:
                raise InvalidRequest(f"operator {op!r} takes no value (field {self.field!r})")
        elif op in _LIST_OPS:
            if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
                raise InvalidRequest(
                    f"operator {op!r} needs a list of values for field {self.field!r}"
                )
            object.__setattr__(self, "value", tuple(value))
            for item in self.value:
                _check_scalar(item, self.field)
        else:
            if value is None:
                raise InvalidRequest(
                    f"no value for {op!r} on field {self.field!r}: Autotask rejects null "
                    f"comparisons; use .exists() / .not_exists()"
                )
            _check_scalar(value, self.field)

    def to_json(self) -> dict[str, Any]:
        """The condition as Autotask's JSON: ``{"op", "field", "value"[, "udf"]}``."""
        out: dict[str, Any] = {"op": self.op, "field": self.field}
        if self.op not in _NO_VALUE:
            out["value"] = encode_value(self.value, self.field)
        if self.udf:
            out["udf"] = True
        return out

    def __and__(self, other: FilterLike) -> Group:
        return _combine("and", self, other)

    def __or__(self, other: FilterLike) -> Group:
        return _combine("or", self, other)


@dataclass(frozen=True, slots=True)
class Group:
    """Conditions joined by ``and`` or ``or``; nest freely (fact sheet §3.2).

    Args:
        op: ``"and"`` or ``"or"``.
        items: the conditions and groups joined.
    """

    op: str
    items: tuple[Condition | Group, ...]

    def __post_init__(self) -> None:
        op = self.op.lower() if isinstance(self.op, str) else self.op
        if op not in _GROUP_OPS:
            raise InvalidRequest(f"a filter group joins with 'and' or 'or', not {self.op!r}")
        object.__setattr__(self, "op", op)
        items = tuple(_to_term(item) for item in self.items)
        if not items:
            raise InvalidRequest(f"an empty {op!r} group matches nothing useful")
        object.__setattr__(self, "items", items)

    def to_json(self) -> dict[str, Any]:
        """The group as Autotask's JSON: ``{"op": "and"|"or", "items": [...]}``."""
        return {"op": self.op, "items": [item.to_json() for item in self.items]}

    def __and__(self, other: FilterLike) -> Group:
        return _combine("and", self, other)

    def __or__(self, other: FilterLike) -> Group:
        return _combine("or", self, other)


#: What ``query()``, ``count()`` and friends accept as a filter.
FilterLike = Condition | Group | Mapping[str, Any] | Sequence[Any]


def _check_scalar(value: Any, field: str) -> None:
    if isinstance(value, _dt.datetime):
        format_datetime(value, field)  # raises for a naive datetime, naming the field
    elif isinstance(value, (Mapping, list, tuple, set)):
        raise InvalidRequest(f"field {field!r} compares with a single value, got {value!r}")


def _combine(op: str, left: FilterLike, right: FilterLike) -> Group:
    items: list[Condition | Group] = []
    for side in (_to_term(left), _to_term(right)):
        # Flatten (a & b) & c into one group: same meaning, shallower JSON.
        if isinstance(side, Group) and side.op == op:
            items.extend(side.items)
        else:
            items.append(side)
    return Group(op, tuple(items))


def _to_term(value: Any) -> Condition | Group:
    if isinstance(value, (Condition, Group)):
        return value
    if isinstance(value, Mapping):
        return _from_json(value)
    if isinstance(value, F):
        raise InvalidRequest(f"F({value.name!r}) needs a comparison, e.g. F({value.name!r}) == 1")
    raise InvalidRequest(f"not a filter condition or group: {value!r}")


def _from_json(raw: Mapping[str, Any]) -> Condition | Group:
    # Autotask treats keys case-insensitively (fact sheet §3.2); so do we.
    keys = {str(k).lower(): v for k, v in raw.items()}
    unknown = set(keys) - {"op", "field", "value", "udf", "items"}
    if unknown:
        raise InvalidRequest(f"unknown key(s) {sorted(unknown)} in filter {dict(raw)!r}")
    op = keys.get("op")
    if isinstance(op, str) and op.lower() in _GROUP_OPS:
        items = keys.get("items")
        if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
            raise InvalidRequest(f"filter group {op!r} needs an 'items' list")
        return Group(op, tuple(items))
    if "items" in keys:
        raise InvalidRequest(f"'items' belongs to an 'and'/'or' group, not to op {op!r}")
    udf = keys.get("udf", False)
    if not isinstance(udf, bool):
        raise InvalidRequest(f"'udf' must be true or false, got {udf!r}")
    return Condition(str(keys.get("field", "")), op, keys.get("value"), udf)  # type: ignore[arg-type]


class F:
    """A field to compare; every comparison returns a :class:`Condition`.

    Example::

        F("status") == 1                      # eq
        F("status") != 5                      # noteq
        F("dueDateTime") < aware_datetime     # lt (naive datetimes are refused)
        F("priority").in_([1, 2])             # in
        F("title").contains("printer")        # contains
        F("lastActivityDate").not_exists()    # notExist
        F.udf("Customer Code") == "X"         # a UDF condition (one per query)
    """

    __slots__ = ("is_udf", "name")
    __hash__ = None  # type: ignore[assignment]  # == builds a Condition, so F is unhashable

    def __init__(self, name: str, *, udf: bool = False) -> None:
        if not isinstance(name, str) or not name.strip():
            raise InvalidRequest(f"F() needs a field name, got {name!r}")
        self.name = name
        self.is_udf = udf

    @classmethod
    def udf(cls, name: str) -> F:
        """A user-defined field by its name, e.g. ``F.udf("Customer Code")``."""
        return cls(name, udf=True)

    def __repr__(self) -> str:
        return f"F.udf({self.name!r})" if self.is_udf else f"F({self.name!r})"

    def _cond(self, op: str, value: Any = None) -> Condition:
        return Condition(self.name, op, value, self.is_udf)

    def __eq__(self, value: object) -> Condition:  # type: ignore[override]
        return self._cond("eq", value)

    def __ne__(self, value: object) -> Condition:  # type: ignore[override]
        return self._cond("noteq", value)

    def __gt__(self, value: Any) -> Condition:
        return self._cond("gt", value)

    def __ge__(self, value: Any) -> Condition:
        return self._cond("gte", value)

    def __lt__(self, value: Any) -> Condition:
        return self._cond("lt", value)

    def __le__(self, value: Any) -> Condition:
        return self._cond("lte", value)

    def in_(self, values: Iterable[Any]) -> Condition:
        """``in``: the field equals one of ``values``."""
        return self._cond("in", values)

    def not_in(self, values: Iterable[Any]) -> Condition:
        """``notIn``: the field equals none of ``values``."""
        return self._cond("notIn", values)

    def contains(self, text: str) -> Condition:
        """``contains``: the text appears anywhere (case-insensitive on the server)."""
        return self._cond("contains", text)

    def begins_with(self, text: str) -> Condition:
        """``beginsWith``."""
        return self._cond("beginsWith", text)

    def ends_with(self, text: str) -> Condition:
        """``endsWith``."""
        return self._cond("endsWith", text)

    def exists(self) -> Condition:
        """``exist``: the field has a value."""
        return self._cond("exist")

    def not_exists(self) -> Condition:
        """``notExist``: the field is empty."""
        return self._cond("notExist")


def compile_filter(filter: FilterLike | None) -> tuple[Condition | Group, ...]:
    """Normalise any accepted filter into its top-level AND terms, validated.

    ``None`` gives no terms (the caller then lists everything with ``id gte 0``, because
    Autotask refuses a missing filter and matches nothing on an empty one, fact sheet §11.4).
    A top-level ``and`` group is flattened into terms: same meaning, and it lets oversized
    ``in`` lists in it be split (CONTRACTS §2).

    Raises:
        InvalidRequest: an unknown operator, more than one UDF condition, a malformed
            condition, or a ``notIn``/nested ``in``/``or`` group over ``MAX_OR_CONDITIONS``.
    """
    if filter is None:
        return ()
    if isinstance(filter, (Condition, Group, Mapping)):
        raw: Sequence[Any] = [filter]
    elif isinstance(filter, Sequence) and not isinstance(filter, (str, bytes)):
        raw = filter
    else:
        raise InvalidRequest(f"not a filter: {filter!r}")
    terms: list[Condition | Group] = []
    try:
        for item in raw:
            term = _to_term(item)
            if isinstance(term, Group) and term.op == "and":
                terms.extend(term.items)
            else:
                terms.append(term)
        _validate(terms)
    except RecursionError:  # groups nested beyond what Python's recursion can walk
        raise _too_deep() from None
    return tuple(terms)


def _too_deep() -> InvalidRequest:
    return InvalidRequest(f"the filter's groups are nested more than {_MAX_DEPTH} deep")


def _validate(terms: Sequence[Condition | Group]) -> None:
    udfs = [c for c in _walk(terms) if c.udf]
    if len(udfs) > 1:
        names = ", ".join(repr(c.field) for c in udfs)
        raise InvalidRequest(
            f"Autotask allows one UDF condition per query, this filter has {len(udfs)} ({names})"
        )
    for term in terms:
        _check_sizes(term, top_level=True)


def _check_sizes(term: Condition | Group, *, top_level: bool, depth: int = 0) -> None:
    if isinstance(term, Condition):
        if term.op in _LIST_OPS and len(term.value) > MAX_OR_CONDITIONS:
            if term.op == "notIn":
                raise InvalidRequest(
                    f"notIn on {term.field!r} has {len(term.value)} values; Autotask allows "
                    f"{MAX_OR_CONDITIONS} (MAX_OR_CONDITIONS) and a notIn cannot be split"
                )
            if not top_level:
                raise InvalidRequest(
                    f"in on {term.field!r} has {len(term.value)} values inside a group; only "
                    f"a top-level in list can be split below {MAX_OR_CONDITIONS}"
                )
        return
    if term.op == "or" and len(term.items) > MAX_OR_CONDITIONS:
        raise InvalidRequest(
            f"an 'or' group with {len(term.items)} items; Autotask allows {MAX_OR_CONDITIONS}"
        )
    if depth >= _MAX_DEPTH:
        raise _too_deep()
    for item in term.items:
        _check_sizes(item, top_level=False, depth=depth + 1)


def _walk(terms: Iterable[Condition | Group]) -> Iterable[Condition]:
    for term in terms:
        if isinstance(term, Condition):
            yield term
        else:
            yield from _walk(term.items)


def filter_json(terms: Sequence[Condition | Group]) -> list[dict[str, Any]]:
    """The ``filter`` array for a request body; ``id gte 0`` when there are no terms."""
    if not terms:
        # Never send a missing or empty filter: missing is a 500, [] matches nothing
        # (fact sheet §11.4). This is how every client lists everything.
        return [{"op": "gte", "field": "id", "value": 0}]
    return [term.to_json() for term in terms]


def split_in_lists(
    terms: Sequence[Condition | Group],
) -> list[tuple[Condition | Group, ...]] | None:
    """Split a query whose top-level ``in`` list is over ``MAX_OR_CONDITIONS`` (CONTRACTS §2).

    Returns:
        ``None`` when no split is needed; otherwise one tuple of terms per chunk, each with
        the same other terms and at most ``MAX_OR_CONDITIONS`` distinct values.
        An empty list means an ``in`` list was empty: the query matches nothing.

    Raises:
        InvalidRequest: more than one top-level ``in`` list needs splitting.
    """
    if any(isinstance(t, Condition) and t.op == "in" and not t.value for t in terms):
        return []
    oversized = [
        i
        for i, t in enumerate(terms)
        if isinstance(t, Condition) and t.op == "in" and len(t.value) > MAX_OR_CONDITIONS
    ]
    if not oversized:
        return None
    if len(oversized) > 1:
        raise InvalidRequest(
            f"{len(oversized)} in lists over {MAX_OR_CONDITIONS} values in one query; "
            f"only one can be split"
        )
    index = oversized[0]
    big = terms[index]
    assert isinstance(big, Condition)
    values = list(dict.fromkeys(big.value))  # distinct, first-seen order
    chunks = []
    for start in range(0, len(values), MAX_OR_CONDITIONS):
        part = Condition(big.field, "in", values[start : start + MAX_OR_CONDITIONS], big.udf)
        chunks.append((*terms[:index], part, *terms[index + 1 :]))
    return chunks
