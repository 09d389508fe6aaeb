"""Records as rows: columns (``udf:Name``, ``field.label``), cell text, picklist labels.

JSON and JSON Lines keep records exactly as the API sent them (CONTRACTS §1); CSV and tables
need flat rows, so ``userDefinedFields`` become ``udf:Name`` columns (the same spelling the
CSV input reads back) and ``--labels`` adds a ``field.label`` column beside each picklist field
(field names never contain a dot, so the name cannot collide).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from autotask.core.records import UDF_PREFIX, flat_text, udf

__all__ = [
    "LABEL_SUFFIX",
    "Labels",
    "cell_text",
    "columns_of",
    "row_values",
    "with_labels",
]

LABEL_SUFFIX = ".label"

#: field name -> {value as the API's string: label}
Labels = Mapping[str, Mapping[str, str]]


#: One cell: ``""`` for null, ``true``/``false``, nested values as compact JSON.
cell_text = flat_text


def _value_key(value: Any) -> str:
    # Picklist values are the API's strings (fact sheet §4.4); records carry numbers.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def with_labels(record: Mapping[str, Any], labels: Labels) -> dict[str, Any]:
    """``record`` with a ``field.label`` key right after each picklist field that has a value."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        out[key] = value
        choices = labels.get(key)
        if choices is not None:
            out[key + LABEL_SUFFIX] = None if value is None else choices.get(_value_key(value))
    return out


def columns_of(record: Mapping[str, Any]) -> list[str]:
    """The flat columns of one record: its keys, ``userDefinedFields`` as ``udf:Name``."""
    columns = [key for key in record if key != "userDefinedFields"]
    for item in record.get("userDefinedFields") or []:
        name = item.get("name") if isinstance(item, Mapping) else None
        if isinstance(name, str):
            columns.append(UDF_PREFIX + name)
    return columns


def row_values(record: Mapping[str, Any], columns: Iterable[str]) -> list[str]:
    """The cells of ``record`` for ``columns`` (missing keys are empty cells)."""
    cells = []
    for column in columns:
        if column.startswith(UDF_PREFIX) and column not in record:
            cells.append(cell_text(udf(record, column[len(UDF_PREFIX) :])))
        else:
            cells.append(cell_text(record.get(column)))
    return cells
