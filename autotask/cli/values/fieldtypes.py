"""Typing text by an entity's field metadata: conditions, CSV cells, picklist labels.

A value on the command line or in a CSV cell is only text. It is typed by the field's
``dataType`` from ``entityInformation/fields`` (UDFs: ``type`` from ``/userDefinedFields``),
never guessed: ``priority>=2`` sends the number 2, ``title=2`` the string "2". On a picklist
field a label is looked up (``status=New`` sends 1); a label that matches nothing is an error
that names the choices. Metadata is fetched once per entity (the client caches it); UDF
definitions only when a UDF is named.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autotask.cli.exitcodes import UsageError
from autotask.core.metadata import picklist_labels, picklist_value
from autotask.core.records import UDF_PREFIX, parse_datetime
from autotask.errors import InvalidRequest

__all__ = ["FieldInfo", "FieldTable"]

_INTEGER = frozenset({"integer", "long", "short", "byte", "int", "int32", "int64"})
_DECIMAL = frozenset({"decimal", "double", "float", "single"})
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})

Loader = Callable[[], list[dict[str, Any]]]


@dataclass(frozen=True)
class FieldInfo:
    """What typing needs to know about one field or UDF.

    Attributes:
        name: the field's name as the API spells it.
        data_type: ``integer``, ``string``, ``datetime``, ... (lower case).
        udf: True for a user-defined field.
        picklist: the raw ``picklistValues`` (empty when not a picklist).
    """

    name: str
    data_type: str
    udf: bool
    picklist: tuple[dict[str, Any], ...] = ()

    @property
    def is_picklist(self) -> bool:
        """Whether the field has picklist values."""
        return bool(self.picklist)


def _info(item: dict[str, Any], udf: bool) -> FieldInfo:
    data_type = str(item.get("dataType") or item.get("type") or "string").lower()
    values = item.get("picklistValues") if item.get("isPickList") else None
    return FieldInfo(str(item.get("name")), data_type, udf, tuple(values or ()))


class FieldTable:
    """The fields of one entity, for typing text.

    Args:
        entity: the entity's name (for messages).
        fields: returns the field definitions (``Entity.fields``).
        udfs: returns the UDF definitions (``Entity.udfs``); asked only when a UDF is named.
    """

    def __init__(self, entity: str, fields: Loader, udfs: Loader) -> None:
        self.entity = entity
        self._load_fields = fields
        self._load_udfs = udfs
        self._fields: dict[str, FieldInfo] | None = None
        self._udfs: dict[str, FieldInfo] | None = None

    # -- lookup ----------------------------------------------------------------------------

    def fields(self) -> dict[str, FieldInfo]:
        """Folded name -> field, in metadata order."""
        if self._fields is None:
            self._fields = {
                str(i.get("name")).lower(): _info(i, False) for i in self._load_fields()
            }
        return self._fields

    def udfs(self) -> dict[str, FieldInfo]:
        """Folded name -> UDF, in metadata order."""
        if self._udfs is None:
            self._udfs = {str(i.get("name")).lower(): _info(i, True) for i in self._load_udfs()}
        return self._udfs

    def field(self, name: str, *, udf: bool = False) -> FieldInfo:
        """The field (or UDF) called ``name``, matched case-insensitively.

        Raises:
            UsageError: no such field; the message suggests close names.
        """
        table = self.udfs() if udf else self.fields()
        found = table.get(name.strip().lower())
        if found is not None:
            return found
        kind = "UDF" if udf else "field"
        names = [info.name for info in table.values()]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        if not close and udf:
            hint = f" (UDFs: {', '.join(names[:12]) or 'none'}{', ...' if len(names) > 12 else ''})"
        raise UsageError(f"{self.entity} has no {kind} {name!r}{hint}")

    def column(self, column: str) -> FieldInfo:
        """The field of a CSV column or output column: ``name`` or ``udf:Name``."""
        if column.startswith(UDF_PREFIX):
            return self.field(column[len(UDF_PREFIX) :], udf=True)
        return self.field(column)

    def check_column(self, column: str) -> None:
        """Raise :class:`UsageError` unless ``column`` names a field or ``udf:`` UDF."""
        self.column(column)

    def columns(self) -> list[str]:
        """``id``, every other field, then every UDF as ``udf:Name`` (the CSV columns of a
        full record)."""
        names = [f.name for f in self.fields().values()]
        first = [n for n in names if n.lower() == "id"]
        rest = [n for n in names if n.lower() != "id"]
        return first + rest + [UDF_PREFIX + u.name for u in self.udfs().values()]

    def labels(self) -> dict[str, dict[str, str]]:
        """Picklist field name -> ``{value: label}`` (for ``--labels``)."""
        return {f.name: picklist_labels(f.picklist) for f in self.fields().values() if f.picklist}

    # -- typing ----------------------------------------------------------------------------

    def convert(self, info: FieldInfo, text: str) -> Any:
        """``text`` typed for ``info``.

        Raises:
            ValueError: it does not fit (the message says why, and names a picklist's labels).
        """
        if info.is_picklist:
            text = self._picklist(info, text)
        kind = info.data_type
        if kind in _INTEGER:
            try:
                return int(text.strip())
            except ValueError:
                raise ValueError(f"{text!r} is not a whole number") from None
        if kind in _DECIMAL:
            try:
                return decimal.Decimal(text.strip())
            except decimal.InvalidOperation:
                raise ValueError(f"{text!r} is not a number") from None
        if kind == "boolean":
            folded = text.strip().lower()
            if folded in _TRUE or folded in _FALSE:
                return folded in _TRUE
            raise ValueError(f"{text!r} is not true or false")
        if kind in ("datetime", "date"):
            return _datetime(text)
        return text

    def convert_cell(self, column: str, text: str) -> Any:
        """A CSV cell typed for its column. UDF values travel as strings (the API's form,
        fact sheet §4.3), after the same checks and label lookup.

        Raises:
            UsageError: the column names no field.
            ValueError: the text does not fit the field.
        """
        info = self.column(column)
        value = self.convert(info, text)
        if not info.udf:
            return value
        if isinstance(value, _dt.datetime):
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        return str(value) if not isinstance(value, bool) else ("true" if value else "false")

    def _picklist(self, info: FieldInfo, text: str) -> str:
        if info.data_type in _INTEGER and text.strip().lstrip("-").isdigit():
            return text  # a value, not a label
        try:
            # picklist_value only reads the dicts: a list of the same dicts, none copied
            return picklist_value(list(info.picklist), text, entity=self.entity, field=info.name)
        except InvalidRequest as exc:
            if any(str(v.get("value")) == text for v in info.picklist):
                return text  # a string picklist's value given as such
            raise ValueError(exc.message) from None


def _datetime(text: str) -> _dt.datetime:
    try:
        return parse_datetime(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date/time (use e.g. 2026-01-01 or 2026-01-01T09:00:00Z)"
        ) from None
