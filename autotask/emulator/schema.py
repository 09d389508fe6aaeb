"""The emulator's entity table: names, fields, UDFs, picklists, capabilities and child routes.

Written separately from the client's registry on purpose (CONTRACTS §6): the emulator must not
share the client's understanding of the API. The data lives in ``data/entities.json`` (derived
from the real field metadata in ../shared/fixtures/real/, the 2020 Swagger and the fact sheet;
values not backed by real metadata carry ``"assumed": true``). This module only types and
indexes it.

Everything here is immutable and built once per process.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

# Letters of the fact sheet §4.2/§4.3: Q query, G get by id, C create, U update, D delete,
# L list (child collection GET).
ROOT_OPS = frozenset("QGCUD")
CHILD_OPS = frozenset("LCUGD")


@dataclass(frozen=True)
class PicklistValue:
    """One picklist entry; ``value`` is a string on the wire even for integer fields (§4.4)."""

    value: str
    label: str
    is_default: bool = False
    sort_order: int = 0
    parent_value: str = ""
    is_active: bool = True
    is_system: bool = False


@dataclass(frozen=True)
class FieldDef:
    """One standard field, as ``entityInformation/fields`` describes it."""

    name: str  # canonical camelCase, as records and metadata spell it
    data_type: str  # string | integer | long | short | decimal | double | boolean | datetime
    length: int = 0
    required: bool = False
    read_only: bool = False
    queryable: bool = True
    reference: str = ""  # referenceEntityType: singular type name ("Company"), "" if none
    picklist: tuple[PicklistValue, ...] | None = None
    picklist_parent: str = ""  # picklistParentValueField ("IssueType")
    webhook: bool = False  # isSupportedWebhookField
    scale: int = 0  # decimal places written on the wire (estimatedHours 3.5000 -> 4)
    assumed: bool = False  # required/length/scale not from real field metadata

    @property
    def is_picklist(self) -> bool:
        return self.picklist is not None


@dataclass(frozen=True)
class UdfDef:
    """One user-defined field, as ``entityInformation/userDefinedFields`` describes it."""

    name: str
    label: str
    type: str  # the UDF metadata says "type", not "dataType" (§4.4)
    length: int = 0
    description: str | None = None
    required: bool = False
    read_only: bool = False
    queryable: bool = True
    picklist: tuple[PicklistValue, ...] | None = None
    default_value: str | None = ""
    webhook: bool = False


@dataclass(frozen=True)
class ChildRoute:
    """``{Parent}/{parentId}/{segment}`` serving ``entity`` (fact sheet §4.2)."""

    segment: str  # "Notes"
    entity: str  # "TicketNotes"
    parent_field: str  # "ticketID": the child's field that holds the parent id
    ops: frozenset[str] = CHILD_OPS  # subset of L C U G D


@dataclass(frozen=True)
class EntityDef:
    """One REST entity."""

    name: str  # URL name, canonical casing: "Tickets"
    singular: str  # "Ticket": used in error texts and referenceEntityType
    fields: tuple[FieldDef, ...]  # in output order
    udfs: tuple[UdfDef, ...] = ()
    has_udfs: bool = False  # records carry "userDefinedFields" (fixture shape fact 7)
    ops: frozenset[str] = frozenset("QG")  # root capabilities, subset of Q G C U D
    children: tuple[ChildRoute, ...] = ()
    attachment: bool = False  # base64 "data", size limits, `items` wrapper on GET by id
    webhook_callouts: bool = False
    _by_lower: dict[str, FieldDef] = field(default_factory=dict, compare=False, repr=False)
    _udf_by_lower: dict[str, UdfDef] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_lower.update({f.name.lower(): f for f in self.fields})
        self._udf_by_lower.update({u.name.lower(): u for u in self.udfs})

    def field(self, name: str) -> FieldDef | None:
        """The field called ``name``, matched case-insensitively (§3.2)."""
        return self._by_lower.get(name.lower())

    def udf(self, name: str) -> UdfDef | None:
        """The UDF called ``name``, matched case-insensitively."""
        return self._udf_by_lower.get(name.lower())

    def child(self, segment: str) -> ChildRoute | None:
        """The child route ``segment`` (case-insensitive), e.g. ``Notes`` under Tickets."""
        lower = segment.lower()
        return next((c for c in self.children if c.segment.lower() == lower), None)


def _picklist(raw: list[dict[str, Any]] | None) -> tuple[PicklistValue, ...] | None:
    if raw is None:
        return None
    return tuple(
        PicklistValue(
            value=str(p["value"]),
            label=p["label"],
            is_default=p.get("isDefaultValue", False),
            sort_order=p.get("sortOrder", 0),
            parent_value=p.get("parentValue", ""),
            is_active=p.get("isActive", True),
            is_system=p.get("isSystem", False),
        )
        for p in raw
    )


def _field(raw: dict[str, Any]) -> FieldDef:
    return FieldDef(
        name=raw["name"],
        data_type=raw["dataType"],
        length=raw.get("length", 0),
        required=raw.get("isRequired", False),
        read_only=raw.get("isReadOnly", False),
        queryable=raw.get("isQueryable", True),
        reference=raw.get("referenceEntityType", ""),
        picklist=_picklist(raw.get("picklistValues")),
        picklist_parent=raw.get("picklistParentValueField", ""),
        webhook=raw.get("isSupportedWebhookField", False),
        scale=raw.get("scale", 0),
        assumed=raw.get("assumed", False),
    )


def _udf(raw: dict[str, Any]) -> UdfDef:
    return UdfDef(
        name=raw["name"],
        label=raw.get("label", raw["name"]),
        type=raw["type"],
        length=raw.get("length", 0),
        description=raw.get("description"),
        required=raw.get("isRequired", False),
        read_only=raw.get("isReadOnly", False),
        queryable=raw.get("isQueryable", True),
        picklist=_picklist(raw.get("picklistValues")),
        default_value=raw.get("defaultValue", ""),
        webhook=raw.get("isSupportedWebhookField", False),
    )


def _entity(raw: dict[str, Any]) -> EntityDef:
    return EntityDef(
        name=raw["name"],
        singular=raw["singular"],
        fields=tuple(_field(f) for f in raw["fields"]),
        udfs=tuple(_udf(u) for u in raw.get("udfs", ())),
        has_udfs=raw.get("hasUdfs", False),
        ops=frozenset(raw.get("ops", "QG")),
        children=tuple(
            ChildRoute(
                segment=c["segment"],
                entity=c["entity"],
                parent_field=c["parentField"],
                ops=frozenset(c.get("ops", "LCUGD")),
            )
            for c in raw.get("children", ())
        ),
        attachment=raw.get("attachment", False),
        webhook_callouts=raw.get("webhookCallouts", False),
    )


@functools.cache
def _table() -> dict[str, EntityDef]:
    text = resources.files("autotask.emulator").joinpath("data/entities.json").read_text("utf-8")
    return {e.name.lower(): e for e in map(_entity, json.loads(text)["entities"])}


def entity(name: str) -> EntityDef | None:
    """The entity whose URL name is ``name`` (case-insensitive), or None."""
    return _table().get(name.lower())


def entities() -> tuple[EntityDef, ...]:
    """All entities, in table order."""
    return tuple(_table().values())


def parent_of(child_entity: str) -> tuple[EntityDef, ChildRoute] | None:
    """The (parent, route) through which the child entity ``child_entity`` is written, if any."""
    lower = child_entity.lower()
    for parent in _table().values():
        for route in parent.children:
            if route.entity.lower() == lower:
                return parent, route
    return None
