"""Where an entity's requests go: root URLs, child routes, and writes routed through a parent.

Pure decisions from the registry (no I/O), so :class:`~autotask.core.entities.Entity` only sends:

- root URLs for what the root supports (``GET Tickets/5``, ``POST Tickets/query``);
- a parent's children (``client.tickets.child(5, "Notes")``) by id at ``Tickets/5/Notes``, but
  queried at the root query URL with the parent id as one more condition, because nested paths
  only list, without a filter (fact sheet §3.1, §11.3);
- a child route the registry does not know, or one without a parent id field, is listed with
  GET and cannot be filtered, nor asked for some fields or a page size;
- writes on a child-only entity by its root name (``client.ticket_notes.create({"ticketID": 5,
  ...})``) through the parent route named by the parent id field, as Autotask requires
  (``POST /TicketNotes`` is a 404, fact sheet §4.2); without that field the error names the
  route and the call to use.

Errors are ``InvalidRequest`` without operation or entity; the entity fills those in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autotask.core.query import Condition, Group
from autotask.core.registry import ChildRoute, EntitySpec, entity_spec, snake_name
from autotask.errors import InvalidRequest

__all__ = ["Routing", "find_key"]

_DONE = {"C": "created", "U": "updated", "R": "replaced", "D": "deleted"}


def find_key(data: Mapping[str, Any], name: str) -> str | None:
    """The key of ``data`` that is ``name`` (exact first, then case-insensitively), or None.

    Autotask treats field names case-insensitively (fact sheet §3.2, fixtures fact 2).
    """
    if name in data:
        return name
    folded = name.lower()
    return next((k for k in data if isinstance(k, str) and k.lower() == folded), None)


@dataclass(frozen=True, slots=True)
class Routing:
    """Where the requests of one entity, or of one parent's children, go.

    Attributes:
        spec: the entity.
        route: the child route when these are one parent's children, else None.
        parent_id: that parent's id (with ``route``).
    """

    spec: EntitySpec
    route: ChildRoute | None = None
    parent_id: int | None = None

    @property
    def base_path(self) -> str:
        """Below ``V1.0/``: ``Tickets``, or ``Tickets/5/Notes`` for a parent's children."""
        if self.route is None:
            return self.spec.name
        return self.route.path("?" if self.parent_id is None else self.parent_id)

    @property
    def list_only(self) -> bool:
        """True for a child route that can only be listed (GET, no filter): one the registry
        does not know, or whose children carry no parent id field to query by."""
        route = self.route
        return route is not None and (not route.parent_field or not entity_spec(route.entity).known)

    @property
    def gets_by_id(self) -> bool:
        """True when the registry lists a GET-by-id route here, so a 404 on it means a missing
        record (fact sheet §3.4: supported beside 200 ``{"item": null}``), not a missing route."""
        if self.route is not None:
            return self.route.can("G")
        return self.spec.known and self.spec.can("G")

    @property
    def query_root(self) -> str:
        """Where queries, counts and metadata go: the root entity, or a list-only route."""
        return self.base_path if self.list_only else self.spec.name

    @property
    def count_path(self) -> str:
        """Where a count goes (``Tickets/query/count``, also for a parent's children).

        Raises:
            InvalidRequest: a list-only route: it has no count (count the listed records).
        """
        if self.list_only:
            raise InvalidRequest(f"{self.base_path} can only be listed, not counted")
        return f"{self.spec.name}/query/count"

    def query_terms(self, terms: Sequence[Condition | Group]) -> tuple[Condition | Group, ...]:
        """The top-level AND terms of a query, with the parent id added for children."""
        route = self.route
        if route is None:
            return tuple(terms)
        if not self.list_only:
            return (Condition(route.parent_field, "eq", self.parent_id), *terms)
        if terms:
            raise InvalidRequest(
                f"{route.parent}/{{id}}/{route.segment} can only be listed, not filtered"
            )
        return ()

    def check_list_options(self, fields: bool, page_size: bool) -> None:
        """Refuse ``fields=`` / ``page_size=`` on a list-only route, which cannot honour them.

        A nested path is listed with a plain GET: no IncludeFields, no MaxRecords (fact sheet
        §3.1), so the options would be ignored silently (issue 7 item 10).

        Raises:
            InvalidRequest: the route is list-only and an option was given (names the route).
        """
        if not self.list_only or not (fields or page_size):
            return
        given = " and ".join(n for n, on in (("fields=", fields), ("page_size=", page_size)) if on)
        raise InvalidRequest(
            f"{self.base_path} can only be listed whole (a GET without IncludeFields or "
            f"MaxRecords), so {given} cannot be honoured there; leave it out"
        )

    def write(self, body: dict[str, Any], letter: str) -> tuple[str, dict[str, Any]]:
        """The path and body of a create (``C``), update (``U``) or replace (``R``).

        A parent's children get the parent id field filled in (Autotask reads it from the body
        too). A child-only entity by its root name goes through the first parent route that
        can do ``letter`` and whose parent id field is in ``body``.

        Raises:
            InvalidRequest: a child-only entity without its parent id field in ``body``.
        """
        route = self.route
        if route is not None:
            field = route.parent_field
            if field and find_key(body, field) is None:
                body = {**body, field: self.parent_id}
            return self.base_path, body
        if not self.spec.writes_through_parent(letter):
            return self.spec.name, body
        for parent in self.spec.parents:
            if not parent.can(letter) or not parent.parent_field:
                continue
            key = find_key(body, parent.parent_field)
            if key is not None and body[key] is not None:
                return parent.path(int(body[key])), body
        raise InvalidRequest(
            f"{self.spec.name} are {_DONE[letter]} through {self._routes_text(letter)}: put "
            f"{self._fields_text(letter)} in the data, or use {self._child_hint(letter)}"
        )

    def delete_path(self, record_id: int) -> str:
        """The path of a delete.

        Raises:
            InvalidRequest: a child-only entity by its root name (a delete has no body to
                carry the parent id).
        """
        if self.route is None and self.spec.writes_through_parent("D"):
            raise InvalidRequest(
                f"{self.spec.name} are deleted through {self._routes_text('D')}: use "
                f"{self._child_hint('D')}.delete(id)"
            )
        return f"{self.base_path}/{int(record_id)}"

    def _parents_for(self, letter: str) -> list[ChildRoute]:
        return [r for r in self.spec.parents if r.can(letter)] or list(self.spec.parents)

    def _routes_text(self, letter: str) -> str:
        return " or ".join(f"{r.parent}/{{id}}/{r.segment}" for r in self._parents_for(letter))

    def _fields_text(self, letter: str) -> str:
        fields = [r.parent_field for r in self.spec.parents if r.can(letter) and r.parent_field]
        return " or ".join(repr(f) for f in fields) or "the parent id"

    def _child_hint(self, letter: str) -> str:
        route = self._parents_for(letter)[0]
        return f'client.{snake_name(route.parent)}.child(parent_id, "{route.segment}")'
