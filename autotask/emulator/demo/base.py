"""Shared pieces of the hand-shaped ``demo`` data set: the record collector, the dates, the
names and texts it draws from (see records.py)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from autotask.emulator.model import schema

Record = dict[str, Any]

BASE = datetime(2024, 1, 8, 8, 0, tzinfo=timezone.utc)  # a Monday
_SEED = 20240108


def at(days: float, minutes: int = 0, millis: int = 0) -> str:
    """A UTC timestamp ``days`` after the base day, API-formatted (fixture shape fact 5)."""
    moment = BASE + timedelta(days=days, minutes=minutes, milliseconds=millis)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}".rstrip("0")
    return text + "Z"


def day(days: int) -> str:
    """A date-only value: midnight UTC (fixture shape fact 5)."""
    moment = datetime(2024, 1, 8, tzinfo=timezone.utc) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT00:00:00Z")


class DemoSet:
    """Collects records per entity, filling unset fields with None and listing every UDF."""

    def __init__(self) -> None:
        self.rng = random.Random(_SEED)
        self.records: dict[str, list[Record]] = {e.name: [] for e in schema.entities()}

    def add(self, entity: str, values: Record, udfs: dict[str, str] | None = None) -> Record:
        e = schema.entity(entity)
        assert e is not None, entity
        record: Record = dict.fromkeys((f.name for f in e.fields), None)
        unknown = set(values) - set(record)
        assert not unknown, f"{entity}: {sorted(unknown)}"
        record.update(values)
        if e.has_udfs:
            given = udfs or {}
            record["userDefinedFields"] = [
                {"name": u.name, "value": given.get(u.name)} for u in e.udfs
            ]
        self.records[entity].append(record)
        return record

    def ids(self, entity: str) -> list[int]:
        return [r["id"] for r in self.records[entity]]


FIRST = ["Rick", "Jane", "José", "Zoë", "Søren", "Łukasz", "François", "Aoife", "Mei", "Omar"]
LAST = ["Roe", "Doe", "Müller", "Núñez", "O'Brien", "Dubois", "Janssens", "Nakamura", "doe", "Ng"]
COMPANIES = [
    "Acme Exemplar",
    "Sirius Cybernetics Corporation",
    "Société Générale de Café",
    "Müller & Söhne GmbH",
    "Ørsted Consulting ApS",
    "Zoë's Bakery",
    "Łódź Logistics",
    "北京 Trading Co.",
    "ACME Exemplar Services",
    "Globex Corporation ",
    "Initech",
    "Umbrella Corp",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Tyrell Corporation",
    "Cyberdyne Systems",
    "Soylent Corp",
    "Wonka Industries",
    "Vandelay Industries",
    "Pied Piper",
    "Aperture Science",
    "Black Mesa",
    "Oceanic Airlines",
    "Dunder Mifflin",
]
CITIES = ["Bruxelles", "Gent", "Zürich", "København", "São Paulo", "Paris", "Köln", "Bruxelles "]
TICKET_TITLES = [
    "Printer offline on 2nd floor",
    "Outlook keeps asking for password",
    "New starter: laptop and accounts",
    "VPN drops every 10 minutes",
    "Backup job failed",
    "Réinitialisation du mot de passe",
    "Firewall firmware update",
    "Disk space low on FS01",
    "ICT Coaching",
    "Phone system: no dial tone ",
]


def pick(entity: str, field: str, n: int) -> Any:
    """The n-th active value (cyclic) of a picklist, typed as the field is."""
    e = schema.entity(entity)
    f = e.field(field) if e else None
    assert f is not None and f.picklist is not None, (entity, field)
    values = [p.value for p in f.picklist if p.is_active]
    value = values[n % len(values)]
    return int(value) if f.data_type in ("integer", "long") else value


def contacts_of(s: DemoSet, company_id: int) -> list[int]:
    """The ids of the demo contacts of ``company_id``."""
    return [c["id"] for c in s.records["Contacts"] if c["companyID"] == company_id]


def first_contact(s: DemoSet, company_id: int) -> int | None:
    """The first demo contact of ``company_id``, if any."""
    return next(iter(contacts_of(s, company_id)), None)
