"""Helpers for records, which stay plain dicts exactly as the API's JSON decodes (CONTRACTS §1).

Records are not converted: keys stay camelCase, datetimes stay ISO-8601 strings and
``userDefinedFields`` stays a list of ``{"name", "value"}``. These helpers read them::

    from autotask import parse_datetime, udf

    udf(company, "Customer Code")                    # "C05252", or None when unset/absent
    parse_datetime(ticket["createDate"])             # datetime(..., tzinfo=timezone.utc)
"""

from __future__ import annotations

import datetime as _dt
import decimal as _decimal
import enum as _enum
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from autotask.errors import InvalidRequest

__all__ = [
    "UDF_PREFIX",
    "encode_record",
    "encode_value",
    "flat_text",
    "format_datetime",
    "parse_datetime",
    "udf",
]

_UTC = _dt.timezone.utc

#: How a user-defined field is named where fields and UDFs share one namespace: export columns,
#: and the command line's conditions, ``--fields``, columns and input keys (``udf:Name``).
UDF_PREFIX = "udf:"

# 0-7 fraction digits (the API drops trailing zeros: ".2", ".52", ".167"; .NET can emit 7),
# optional Z or +hh:mm offset, or a bare date (fact sheet §3.5, fixtures README fact 5).
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)


def flat_text(value: Any) -> str:
    """One value as the text of a flat cell (CSV, tables): ``""`` for null, ``true``/``false``,
    nested values (lists, objects) as compact JSON, anything else as ``str()``. The command
    line's output and the export's CSV flatten records the same way."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def udf(record: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """The value of the user-defined field ``name`` in ``record``.

    The exact name wins; otherwise the first case-insensitive match is used. Values are
    returned as the API sent them (strings, even for numeric UDFs: fixtures README fact 7).

    Args:
        record: a record as returned by ``get()`` or ``query()``.
        name: the UDF's name (may contain spaces), e.g. ``"Customer Code"``.
        default: returned when the record has no such UDF (or no ``userDefinedFields``).

    Returns:
        The UDF's value (``None`` when it is unset), or ``default`` when it is absent.
    """
    fields = record.get("userDefinedFields") or []
    folded = None
    for item in fields:
        item_name = item.get("name")
        if item_name == name:
            return item.get("value")
        if (
            folded is None
            and isinstance(item_name, str)
            and item_name.casefold() == name.casefold()
        ):
            folded = item
    return default if folded is None else folded.get("value")


def parse_datetime(value: str) -> _dt.datetime:
    """Parse an Autotask datetime string into an aware UTC ``datetime``.

    Accepts every form the API emits or accepts: ``2023-05-04T08:53:10Z``,
    ``2019-11-25T15:47:59.167Z``, ``2023-03-17T10:32:29.52Z``, ``2022-12-07T09:15:45.2Z``,
    the same without ``Z`` (Autotask stores and returns UTC, fact sheet §3.5), explicit
    offsets, and date-only values (midnight UTC).

    Args:
        value: the string from a record.

    Returns:
        An aware ``datetime`` in UTC.

    Raises:
        ValueError: ``value`` is not an Autotask datetime.
    """
    if not isinstance(value, str):
        raise ValueError(f"not a datetime string: {value!r}")
    match = _DATETIME.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"not an Autotask datetime: {value!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz: _dt.tzinfo = _UTC
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = _dt.timezone(sign * _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    parsed = _dt.datetime(
        int(year),
        int(month),
        int(day),
        int(hour or 0),
        int(minute or 0),
        int(second or 0),
        micro,
        tzinfo=tz,
    )
    return parsed.astimezone(_UTC)


def format_datetime(value: _dt.datetime | _dt.date, field: str | None = None) -> str:
    """Format a value for the API: UTC ISO-8601 with ``Z`` (CONTRACTS §1).

    A ``date`` becomes midnight UTC (Autotask forces date-only fields to midnight, fact sheet
    §3.5). A naive ``datetime`` is refused, because guessing its zone is the root of years of
    off-by-hours bugs in other clients (peers.md §3.6).

    Args:
        value: an aware ``datetime`` or a ``date``.
        field: the field the value is for, named in the error.

    Raises:
        InvalidRequest: ``value`` is a naive ``datetime``.
    """
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            where = f"field {field!r}" if field else "a value"
            raise InvalidRequest(
                f"naive datetime for {where}: attach a timezone "
                f"(e.g. datetime.now(timezone.utc)); Autotask stores UTC"
            )
        utc = value.astimezone(_UTC)
        text = utc.strftime("%Y-%m-%dT%H:%M:%S")
        millis = utc.microsecond // 1000  # the API keeps 3 digits (fact sheet §3.5)
        if millis:
            text += f".{millis:03d}"
        return text + "Z"
    return f"{value.isoformat()}T00:00:00Z"


def encode_value(value: Any, field: str | None = None) -> Any:
    """Turn one Python value into what the API's JSON expects (CONTRACTS §1).

    Aware datetimes become UTC ``...Z`` strings, dates midnight UTC, ``Decimal`` a JSON
    number, enums their value; lists, tuples and dicts are encoded item by item.

    Args:
        value: the value to send.
        field: the field it belongs to, named in errors.

    Raises:
        InvalidRequest: a naive ``datetime`` anywhere in ``value``, a NaN or infinite number,
            text that is not valid Unicode (a lone surrogate), or a type JSON cannot carry.
    """
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        if not value.isascii():
            _check_unicode(value, field)
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _not_a_json_number(value, field)
        return value
    if isinstance(value, (_dt.datetime, _dt.date)):
        return format_datetime(value, field)
    if isinstance(value, Mapping):
        return encode_record(value, _udf_item=True)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [encode_value(item, field) for item in value]
    if isinstance(value, _decimal.Decimal):
        if not value.is_finite():
            raise _not_a_json_number(value, field)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, _enum.Enum):
        return encode_value(value.value, field)
    raise InvalidRequest(f"cannot send a {type(value).__name__} for {_where(field)}")


def _where(field: str | None) -> str:
    return f"field {field!r}" if field else "a value"


def _not_a_json_number(value: Any, field: str | None) -> InvalidRequest:
    # json.dumps would write NaN or Infinity, which is not JSON: a .NET server refuses the
    # whole body, a lenient one stores nonsense.
    return InvalidRequest(f"cannot send {value!r} for {_where(field)}: JSON numbers are finite")


def _check_unicode(text: str, field: str | None) -> None:
    """Refuse text UTF-8 cannot carry (a lone surrogate, e.g. from a file read with
    ``surrogateescape``): encoding the body would fail after the request was prepared."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise InvalidRequest(
            f"cannot send {_where(field)}: it holds {bad!r}, which is not a Unicode character"
        ) from None


def encode_record(data: Mapping[str, Any], *, _udf_item: bool = False) -> dict[str, Any]:
    """Encode a record (a create/update body) with :func:`encode_value` per field.

    For ``userDefinedFields`` items the UDF's ``name`` is used in error messages.
    """
    label = data.get("name") if _udf_item else None
    return {
        str(key): encode_value(val, str(label) if isinstance(label, str) else str(key))
        for key, val in data.items()
    }
