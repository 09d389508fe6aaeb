"""Columns of a flat export (CSV, SQLite) from the entity's field metadata.

Every field is a column named as the API names it; each user-defined field becomes a column
``udf:Name`` (its value from ``userDefinedFields``). With ``labels=True`` picklist values become
their labels (fields and UDFs alike; a value missing from the picklist stays as it is).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autotask.core.metadata import picklist_labels
from autotask.core.records import UDF_PREFIX, flat_text, udf
from autotask.errors import InvalidRequest

if TYPE_CHECKING:
    from autotask.core.entities import Entity

__all__ = ["UDF_PREFIX", "Column", "Columns", "build_columns"]

Record = dict[str, Any]

# Field metadata dataType -> SQLite column type (fact sheet §4.4; booleans as 0/1).
_SQL_TYPES = {
    "integer": "INTEGER",
    "long": "INTEGER",
    "short": "INTEGER",
    "byte": "INTEGER",
    "boolean": "INTEGER",
    "decimal": "REAL",
    "double": "REAL",
    "float": "REAL",
}


@dataclass(frozen=True, slots=True)
class Column:
    """One output column.

    Attributes:
        name: the column's name: the field's, or ``udf:`` + the UDF's.
        source: the field's or UDF's name in records.
        is_udf: True for a user-defined field.
        data_type: the metadata ``dataType`` (UDFs: their ``type``), lower case.
        labels: ``{value: label}`` when the column shows picklist labels, else None.
    """

    name: str
    source: str
    is_udf: bool = False
    data_type: str = "string"
    labels: Mapping[str, str] | None = None

    @property
    def sql_type(self) -> str:
        """The SQLite type: INTEGER, REAL or TEXT (UDF values are always text: §3.5)."""
        if self.is_udf or self.labels is not None:
            return "TEXT"
        if self.name == "id":
            return "INTEGER PRIMARY KEY"
        return _SQL_TYPES.get(self.data_type, "TEXT")

    def value(self, record: Mapping[str, Any], udfs: Mapping[str, Any] | None = None) -> Any:
        """The column's value in ``record``, label applied.

        Args:
            record: the record.
            udfs: ``{name: value}`` of its UDFs, when the caller has built it once per record.
        """
        if not self.is_udf:
            value = record.get(self.source)
        elif udfs is not None and self.source in udfs:
            value = udfs[self.source]
        else:
            value = udf(record, self.source)
        labels = self.labels
        if labels is None or value is None:
            return value
        return labels.get(str(value), value)


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns of one export, and the fields its query must include.

    Attributes:
        columns: in output order, ``id`` first.
        include: the ``IncludeFields`` of the query (None: every field).
    """

    columns: tuple[Column, ...]
    include: tuple[str, ...] | None

    @property
    def names(self) -> list[str]:
        """The column names (the CSV header)."""
        return [c.name for c in self.columns]

    def label(self, record: Record) -> Record:
        """``record`` with picklist values replaced by labels (UDF items too)."""
        out = dict(record)
        udfs = _udf_values(record)
        for column in self.columns:
            if column.labels is None:
                continue
            if column.is_udf:
                items = out.get("userDefinedFields")
                if isinstance(items, list):
                    out["userDefinedFields"] = [
                        {**item, "value": column.value(record, udfs)}
                        if isinstance(item, dict) and item.get("name") == column.source
                        else item
                        for item in items
                    ]
            elif column.source in out:
                out[column.source] = column.value(record)
        return out

    def values(self, record: Mapping[str, Any]) -> list[Any]:
        """The record's value for each column, labels applied."""
        udfs = _udf_values(record) if any(c.is_udf for c in self.columns) else None
        return [c.value(record, udfs) for c in self.columns]

    def csv_row(self, record: Mapping[str, Any]) -> list[str]:
        """The record as CSV cells: empty for null, ``true``/``false``, JSON for nested."""
        return [value if type(value) is str else flat_text(value) for value in self.values(record)]

    def sql_row(self, record: Mapping[str, Any]) -> list[Any]:
        """The record as SQLite values: 0/1 for booleans, JSON text for nested values."""
        return [value if type(value) is str else _sql(value) for value in self.values(record)]


def _udf_values(record: Mapping[str, Any]) -> dict[str, Any]:
    # Built once per record: a lookup per UDF column would rescan the list each time.
    items = record.get("userDefinedFields") or ()
    return {str(item.get("name")): item.get("value") for item in items if isinstance(item, dict)}


def _sql(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def build_columns(
    entity: Entity,
    fields: Sequence[str] | None,
    *,
    labels: bool,
    extra: Sequence[str] = (),
    flat: bool = True,
) -> Columns:
    """The columns of an export of ``entity``, from its (cached) metadata.

    Args:
        entity: the entity exported.
        fields: the fields asked for (``udf:Name`` for a UDF; names matched case-insensitively,
            as Autotask does), or None for every field and UDF.
        labels: show picklist labels instead of values.
        extra: fields the query must also include (the watermark's).
        flat: False for JSON Lines: no metadata is read unless needed.

    Raises:
        InvalidRequest: a field or UDF the entity does not have (before anything is sent).
    """
    if fields is None and not flat and not labels:
        return Columns((), None)
    metadata = {str(f.get("name")).lower(): f for f in entity.fields()}
    udfs: dict[str, dict[str, Any]] = {}
    wants_udfs = fields is None or any(f.startswith(UDF_PREFIX) for f in fields)
    if wants_udfs and entity.info().get("hasUserDefinedFields", True):
        udfs = {str(u.get("name")).lower(): u for u in entity.udfs()}
    if fields is None:
        wanted = ["id", *(str(f.get("name")) for f in metadata.values())]
        wanted += [UDF_PREFIX + str(u.get("name")) for u in udfs.values()]
    else:
        wanted = ["id", *fields]
    columns: dict[str, Column] = {}
    for name in wanted:
        is_udf = name.startswith(UDF_PREFIX)
        source = name[len(UDF_PREFIX) :] if is_udf else name
        meta = (udfs if is_udf else metadata).get(source.lower())
        if meta is None:
            kind = "user-defined field" if is_udf else "field"
            raise InvalidRequest(f"{entity.name} has no {kind} {source!r}", entity=entity.name)
        source = str(meta.get("name"))
        values = meta.get("picklistValues") if labels and meta.get("isPickList") else None
        column = Column(
            UDF_PREFIX + source if is_udf else source,
            source,
            is_udf,
            str(meta.get("type" if is_udf else "dataType") or "string").lower(),
            picklist_labels(values) if values else None,
        )
        columns.setdefault(column.name, column)
    names = [c.name for c in columns.values()]
    return Columns(tuple(columns.values()), None if fields is None else _include(names, extra))


def _include(fields: Sequence[str] | None, extra: Sequence[str]) -> tuple[str, ...] | None:
    if fields is None:
        return None
    names = [f[len(UDF_PREFIX) :] if f.startswith(UDF_PREFIX) else f for f in fields]
    return tuple(dict.fromkeys([*names, *extra]))
