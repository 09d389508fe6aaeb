"""JSON on the wire: records with Autotask's number and datetime formats, and plain bodies.

Autotask writes decimals with a fixed number of places per field (``"estimatedHours": 3.5000``,
fixtures README fact 6) and datetimes as UTC with 0-3 fraction digits, trailing zeros dropped
(``2023-03-17T10:32:29.52Z``, fact 5). Python's ``json`` cannot write ``3.5000``, so records are
encoded here field by field from a per-entity plan; strings still go through the C string
encoder. Everything else (envelopes, errors, metadata) uses ``dumps``.

Stored records (see store.py) hold datetimes in the fixed-width form ``YYYY-MM-DDTHH:MM:SS.fffZ``
so that text order is time order; ``format_datetime`` trims them for the wire.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from json.encoder import encode_basestring
from typing import Any

from autotask.emulator.model.schema import EntityDef

UDF_KEY = "userDefinedFields"

_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON for bodies that carry no decimal fields (envelopes, errors)."""
    return _DUMPS(obj).encode("utf-8")


# --- datetimes ---------------------------------------------------------------------------------

_DATETIME = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?\s*$"
)


def canonical_datetime(moment: datetime) -> str:
    """The stored form of an aware or naive-UTC ``datetime``: ``YYYY-MM-DDTHH:MM:SS.fffZ``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> str | None:
    """Parse a datetime as clients send it and return the stored form, or None if invalid.

    Accepted (fact sheet §3.5, §11 defaults): with or without ``Z``, 0-9 fraction digits,
    a numeric offset (converted to UTC), or a date only (midnight). No zone means UTC.
    """
    match = _DATETIME.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
        )
    except ValueError:
        return None
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return canonical_datetime(moment)


def format_datetime(stored: str) -> str:
    """Wire form of a stored datetime: 0-3 fraction digits, trailing zeros dropped, ``Z``."""
    if len(stored) == 24 and stored[19] == ".":
        fraction = stored[20:23].rstrip("0")
        return stored[:19] + ("." + fraction if fraction else "") + "Z"
    return stored


# --- records -----------------------------------------------------------------------------------

Encode = Callable[[Any], str]


def _json_value(value: Any) -> str:
    return _DUMPS(value)


def _string(value: Any) -> str:
    return encode_basestring(value) if type(value) is str else _json_value(value)


def _integer(value: Any) -> str:
    return str(value) if type(value) is int else _json_value(value)


def _boolean(value: Any) -> str:
    if value is True:
        return "true"
    return "false" if value is False else _json_value(value)


def _datetime(value: Any) -> str:
    return '"' + format_datetime(value) + '"' if type(value) is str else _json_value(value)


def _decimal(scale: int) -> Encode:
    # A decimal is always a float literal: 3.5 with scale 4 is 3.5000, with scale 0 it is 3.5
    # (repr); never the int literal 3 (fixtures README fact 6).
    spec = f".{scale}f"

    def encode(value: Any) -> str:
        if type(value) is float or type(value) is int:
            return format(value, spec) if scale else repr(float(value))
        return _json_value(value)

    return encode


def _encoder(data_type: str, scale: int) -> Encode:
    kind = data_type.lower()
    if kind == "string":
        return _string
    if kind in ("integer", "long", "short", "int", "byte"):
        return _integer
    if kind in ("decimal", "double", "float"):
        return _decimal(scale)
    if kind == "boolean":
        return _boolean
    if kind == "datetime":
        return _datetime
    return _json_value


@dataclass(frozen=True)
class Projection:
    """Which fields and UDFs a record is written with (all of them, or IncludeFields)."""

    fields: tuple[tuple[str, str, Encode], ...]  # (name, '"name":', encoder) in entity order
    udfs: tuple[tuple[str, str], ...]  # (name, encoded name) in UDF order
    with_udf_key: bool  # the entity's records carry "userDefinedFields" (fact 7)


class RecordEncoder:
    """Writes one entity's stored records as wire JSON text, in entity field order."""

    def __init__(self, entity: EntityDef) -> None:
        self.entity = entity
        self._fields = tuple(
            (f.name, encode_basestring(f.name) + ":", _encoder(f.data_type, f.scale))
            for f in entity.fields
        )
        self._udfs = tuple((u.name, encode_basestring(u.name)) for u in entity.udfs)
        self.full = Projection(self._fields, self._udfs, entity.has_udfs)

    def projection(self, fields: Iterable[str], udfs: Iterable[str]) -> Projection:
        """The projection for IncludeFields: only ``fields`` and ``udfs`` (canonical names)."""
        wanted, wanted_udfs = set(fields), set(udfs)
        return Projection(
            tuple(f for f in self._fields if f[0] in wanted),
            tuple(u for u in self._udfs if u[0] in wanted_udfs),
            self.entity.has_udfs,
        )

    def encode(self, record: Mapping[str, Any], projection: Projection | None = None) -> str:
        """One record as a JSON object text; missing fields are written as ``null``."""
        plan = projection or self.full
        get = record.get
        parts = [
            key + ("null" if (v := get(name)) is None else enc(v)) for name, key, enc in plan.fields
        ]
        if plan.with_udf_key:
            values: Mapping[str, Any] = record.get(UDF_KEY) or {}
            udf_items = ",".join(
                '{"name":' + key + ',"value":' + _udf_value(values.get(name)) + "}"
                for name, key in plan.udfs
            )
            parts.append('"' + UDF_KEY + '":[' + udf_items + "]")
        return "{" + ",".join(parts) + "}"

    def encode_many(
        self, records: Sequence[Mapping[str, Any]], projection: Projection | None = None
    ) -> str:
        """A JSON array text of ``records``."""
        return "[" + ",".join(self.encode(r, projection) for r in records) + "]"


def _udf_value(value: Any) -> str:
    # UDF values are strings or null on the wire, even numeric ones (fixtures README fact 7).
    if value is None:
        return "null"
    return encode_basestring(value if type(value) is str else str(value))


_ENCODERS: dict[str, RecordEncoder] = {}


def encoder_for(entity: EntityDef) -> RecordEncoder:
    """The (cached) record encoder of ``entity``."""
    enc = _ENCODERS.get(entity.name)
    if enc is None or enc.entity is not entity:
        enc = _ENCODERS[entity.name] = RecordEncoder(entity)
    return enc


def raw(text: str) -> RawJson:
    """Mark pre-encoded JSON text for ``envelope``."""
    return RawJson(text)


@dataclass(frozen=True)
class RawJson:
    """JSON text that ``envelope`` splices in as it is."""

    text: str


def envelope(parts: Mapping[str, Any]) -> bytes:
    """A JSON object whose values are either plain JSON values or ``RawJson`` texts."""
    body = ",".join(
        encode_basestring(key) + ":" + (v.text if isinstance(v, RawJson) else _DUMPS(v))
        for key, v in parts.items()
    )
    return ("{" + body + "}").encode("utf-8")
