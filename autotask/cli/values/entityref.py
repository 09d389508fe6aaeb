"""ENTITY arguments: ``Tickets``, ``ticketnotes``, or a child collection ``Tickets/123/Notes``.

Names are checked against the registry (CONTRACTS §6), case-insensitively, so a typo fails
before any request with close matches named; the library itself still accepts any name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from autotask.cli.exitcodes import UsageError
from autotask.core.registry import child_route, entity_names, entity_spec

__all__ = ["EntityRef", "parse_entity_ref"]


@dataclass(frozen=True)
class EntityRef:
    """A parsed ENTITY argument.

    Attributes:
        name: the entity acted on (``TicketNotes`` for ``Tickets/123/Notes``).
        parent: the parent entity of a child collection, else None.
        parent_id: the parent record's id, else None.
        segment: the child segment (``Notes``), else None.
    """

    name: str
    parent: str | None = None
    parent_id: int | None = None
    segment: str | None = None

    def __str__(self) -> str:
        if self.parent is not None:
            return f"{self.parent}/{self.parent_id}/{self.segment}"
        return self.name


def _known(name: str) -> str:
    spec = entity_spec(name)
    if spec.known:
        return spec.name
    close = difflib.get_close_matches(name, entity_names(), n=3, cutoff=0.6)
    if not close:
        folded = {n.lower(): n for n in entity_names()}
        close = difflib.get_close_matches(name.lower(), list(folded), n=3, cutoff=0.6)
        close = [folded[c] for c in close]
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise UsageError(f"unknown entity {name!r} ({hint}'autotask entities' lists them)")


def parse_entity_ref(text: str) -> EntityRef:
    """Parse ``Entity`` or ``Parent/ID/Segment``.

    Raises:
        UsageError: an unknown entity or child segment, a bad parent id, or another shape.
    """
    parts = text.strip().strip("/").split("/")
    if len(parts) == 1 and parts[0]:
        return EntityRef(_known(parts[0]))
    if len(parts) == 3 and all(parts):
        parent = _known(parts[0])
        try:
            parent_id = int(parts[1])
        except ValueError:
            raise UsageError(
                f"bad entity {text!r}: the parent id {parts[1]!r} is not a whole number"
            ) from None
        if parent_id < 0:  # 0 is valid: every tenant's own company is Companies/0
            raise UsageError(f"bad entity {text!r}: the parent id must be 0 or more")
        route = child_route(parent, parts[2])
        if route is None:
            segments = sorted({r.segment for r in entity_spec(parent).children})
            known = ", ".join(segments) or "none"
            raise UsageError(f"{parent} has no child collection {parts[2]!r} (children: {known})")
        return EntityRef(route.entity, parent, parent_id, route.segment)
    raise UsageError(f"bad entity {text!r}: write ENTITY or PARENT/ID/CHILD (Tickets/123/Notes)")
