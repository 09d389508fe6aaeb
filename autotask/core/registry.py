"""The entity table as data: names, capabilities, child routes, parent-id fields, aliases.

The data lives in ``autotask/core/_registry_data.py``, generated from the Swagger by
``tools/derive_registry.py``. This module answers questions about it. Any entity name works even
when the table does not know it (tenants get new entities before any table does: peers.md §3.5);
the table only adds routing (``Tickets/{id}/Notes``), aliases and the thread-limit bucket rule.

The CLI, completion and man pages read the same data: :func:`entity_names` lists every known
entity; :func:`entity_spec` gives its canonical name, root ``capabilities`` (Q G C U R D),
the ``parents`` routes it is written through and the ``children`` below it (each a
:class:`ChildRoute` with ``parent``, ``segment``, ``entity``, ``parent_field`` and
``capabilities``); :func:`snake_name` is the ``client.<attribute>`` spelling.

Example::

    spec = entity_spec("ticketnotes")          # EntitySpec(name='TicketNotes', ...)
    spec.parents[0].path(5)                    # 'Tickets/5/Notes'
    name_for_attribute("ticket_notes")         # 'TicketNotes'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from autotask.core._registry_data import CHILDREN, ENTITIES, PARENT_ALIASES

__all__ = [
    "ChildRoute",
    "EntitySpec",
    "canonical_name",
    "child_route",
    "entity_names",
    "entity_spec",
    "name_for_attribute",
    "snake_name",
]


@dataclass(frozen=True, slots=True)
class ChildRoute:
    """One ``{Parent}/{parentId}/{Segment}`` route.

    Attributes:
        parent: the URL's parent prefix, e.g. ``"Tickets"``.
        segment: the child segment, e.g. ``"Notes"``.
        entity: the child's root entity name, e.g. ``"TicketNotes"``.
        parent_field: the child's field holding the parent id, e.g. ``"ticketID"`` ("" if none).
        capabilities: L list, C create, U update, R replace, G get by id, D delete.
    """

    parent: str
    segment: str
    entity: str
    parent_field: str
    capabilities: str

    def path(self, parent_id: int | str) -> str:
        """The route for one parent, e.g. ``Tickets/5/Notes``."""
        return f"{self.parent}/{parent_id}/{self.segment}"

    def can(self, letter: str) -> bool:
        """Whether the Swagger lists capability ``letter`` on this route."""
        return letter in self.capabilities


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """What the table knows about one entity.

    Attributes:
        name: the canonical name (``"TicketNotes"``); as given when unknown.
        capabilities: root capabilities, Q query, G get, C create, U update, R replace,
            D delete ("" when unknown).
        known: False for names the table does not have (they still work).
        parents: routes through which this entity is reached as a child.
        children: routes below this entity.
    """

    name: str
    capabilities: str
    known: bool
    parents: tuple[ChildRoute, ...]
    children: tuple[ChildRoute, ...]

    def can(self, letter: str) -> bool:
        """Whether the Swagger lists root capability ``letter``."""
        return letter in self.capabilities

    def writes_through_parent(self, letter: str) -> bool:
        """True when the root URL cannot do ``letter`` but a parent route can.

        ``TicketNotes`` has no root create (``POST /TicketNotes`` is 404, fact sheet §4.2), but
        ``Tickets/{id}/Notes`` has: creates must go through the parent.
        """
        return self.known and not self.can(letter) and any(r.can(letter) for r in self.parents)


_ROUTES = tuple(ChildRoute(*row) for row in CHILDREN)
_BY_FOLDED = {name.lower(): name for name in ENTITIES}
_ROUTE_BY_KEY = {(r.parent.lower(), r.segment.lower()): r for r in _ROUTES}
_PREFIXES_OF: dict[str, list[str]] = {}
for _prefix, _entity in PARENT_ALIASES.items():
    _PREFIXES_OF.setdefault(_entity, []).append(_prefix)
_SNAKE_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake_name(name: str) -> str:
    """``TicketNotes`` -> ``ticket_notes``, ``OrganizationalLevel1s`` -> ``organizational_level1s``.

    The alias a client attribute uses for the entity.
    """
    return _SNAKE_SPLIT.sub("_", name).lower()


_BY_SNAKE = {snake_name(name): name for name in ENTITIES}


def entity_names() -> tuple[str, ...]:
    """Every entity name the table knows, sorted."""
    return tuple(sorted(ENTITIES))


def canonical_name(name: str) -> str:
    """The table's spelling of ``name`` (case-insensitive); ``name`` itself when unknown."""
    return _BY_FOLDED.get(name.lower(), name)


@lru_cache(maxsize=512)
def entity_spec(name: str) -> EntitySpec:
    """The spec of entity ``name`` (matched case-insensitively; unknown names get a bare spec)."""
    canonical = canonical_name(name)
    prefixes = {canonical.lower(), *(p.lower() for p in _PREFIXES_OF.get(canonical, ()))}
    return EntitySpec(
        name=canonical,
        capabilities=ENTITIES.get(canonical, ""),
        known=canonical in ENTITIES,
        parents=tuple(r for r in _ROUTES if r.entity == canonical),
        children=tuple(r for r in _ROUTES if r.parent.lower() in prefixes),
    )


def child_route(parent: str, segment: str) -> ChildRoute | None:
    """The route ``{parent}/{id}/{segment}`` (case-insensitive), or None when unknown.

    ``parent`` may be the entity name (``ExpenseReports``) or its URL prefix (``Expenses``).
    """
    route = _ROUTE_BY_KEY.get((parent.lower(), segment.lower()))
    if route is None:
        for prefix in _PREFIXES_OF.get(canonical_name(parent), ()):
            route = _ROUTE_BY_KEY.get((prefix.lower(), segment.lower()))
            if route is not None:
                break
    return route


def name_for_attribute(attribute: str) -> str:
    """The entity for ``client.<attribute>``: ``ticket_notes`` -> ``TicketNotes``.

    Unknown names are PascalCased (``foo_bars`` -> ``FooBars``), so new entities work.
    """
    known = _BY_SNAKE.get(attribute.lower())
    if known:
        return known
    return "".join(part[:1].upper() + part[1:] for part in attribute.split("_") if part)
