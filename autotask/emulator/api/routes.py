"""URL routing: a path under ``/ATServicesRest/`` resolved to an action, entity and ids.

Paths are case-insensitive (fact sheet §1). Which routes exist follows the 2020 Swagger's shape
(§4.2/§4.3) and the entity table's capabilities, the way ASP.NET Web API answers:

- a path shape the entity does not have at all is **404** (``POST /TicketNotes``: TicketNotes
  has no collection route because it is written through ``Tickets/{id}/Notes``, §4.2);
- a path that exists but not for this verb is **405** with ``{"Message": ...}`` (``DELETE
  /Tickets/5``: Tickets cannot be deleted, §4.3; ``GET /Tickets``);
- a non-numeric id does not match the ``{id}`` route: 404.

Each route has a template for the statistics (``GET Tickets/{id}``, ``POST Tickets/{id}/Notes``)
and a *bucket*: the entity the route acts on (``Tickets/5/Notes`` acts on TicketNotes), the
thread-limit key of CONTRACTS §5.
"""

from __future__ import annotations

from dataclasses import dataclass

from autotask.emulator.model import schema
from autotask.emulator.model.schema import ChildRoute, EntityDef

UNMATCHED = "(unmatched)"


@dataclass(frozen=True)
class Route:
    """A resolved request target."""

    action: str  # version, zone, threshold, all_info, info, fields, udfs, get, query, count,
    # next, create, update, replace, delete, child_list, child_create, child_update,
    # child_replace, child_get, child_delete
    template: str  # "Tickets/{id}/Notes"
    entity: EntityDef | None = None  # the entity acted on (the child for child routes)
    parent: EntityDef | None = None
    child: ChildRoute | None = None
    record_id: int | None = None
    parent_id: int | None = None
    auth: bool = True

    @property
    def bucket(self) -> str | None:
        """The thread-limit bucket: the entity acted on, or the endpoint's own name."""
        if self.entity is not None:
            return self.entity.name
        return {"threshold": "ThresholdInformation", "all_info": "EntityInformation"}.get(
            self.action
        )


@dataclass(frozen=True)
class Miss:
    """No route: 404, or 405 when the path exists for other verbs."""

    status: int
    template: str = UNMATCHED


_INFO_TAIL = {"": "info", "fields": "fields", "userdefinedfields": "udfs"}
_INFO_NAME = {"info": "", "fields": "/fields", "udfs": "/userDefinedFields"}


def _int(segment: str) -> int | None:
    text = segment[1:] if segment.startswith("-") else segment
    if not text.isdigit() or len(text) > 18:
        return None
    return int(segment)


def _pick(method: str, allowed: dict[str, str], template: str) -> str | Miss:
    """The action for ``method`` among ``allowed`` {METHOD: action}."""
    action = allowed.get(method)
    if action is not None:
        return action
    return Miss(405 if allowed else 404, template if allowed else UNMATCHED)


def resolve(method: str, path: str) -> Route | Miss:
    """Resolve ``method`` and the path after ``/ATServicesRest/`` (no query string)."""
    parts = [p for p in path.split("/") if p]
    lower = [p.lower() for p in parts]
    if lower == ["versioninformation"]:
        return _simple(method, "version", "versioninformation", auth=False)
    if len(parts) < 2 or lower[0] != "v1.0":
        return Miss(404)
    if len(parts) == 2:
        special = {
            "zoneinformation": ("zone", "zoneInformation", False),
            "thresholdinformation": ("threshold", "ThresholdInformation", True),
            "entityinformation": ("all_info", "EntityInformation", True),
        }.get(lower[1])
        if special is not None:
            return _simple(method, special[0], special[1], auth=special[2])
    entity = schema.entity(parts[1])
    rest, rest_lower = parts[2:], lower[2:]
    if entity is None:
        # A parent prefix that is no entity (Expenses/{id}/Items) serves its child routes only.
        alias = schema.alias(parts[1])
        record_id = _int(rest[0]) if len(rest) >= 2 else None
        if alias is None or record_id is None:
            return Miss(404)
        return _child(method, alias[1], record_id, rest[1:], rest_lower[1:], via=alias[0])
    if rest and rest_lower[0] == "entityinformation":
        return _info(method, entity, rest_lower[1:], entity.name)
    if not rest:
        return _collection(method, entity)
    if rest_lower[0] == "query" and len(rest) <= 2:
        return _query(method, entity, rest_lower[1:])
    record_id = _int(rest[0])
    if record_id is None:
        return Miss(404)
    if len(rest) == 1:
        allowed = {
            m: a
            for m, a, op in (("GET", "get", "G"), ("DELETE", "delete", "D"))
            if op in entity.ops
        }
        template = f"{entity.name}/{{id}}"
        action = _pick(method, allowed, template)
        if isinstance(action, Miss):
            return action
        return Route(action, template, entity=entity, record_id=record_id)
    return _child(method, entity, record_id, rest[1:], rest_lower[1:])


def _simple(method: str, action: str, template: str, *, auth: bool) -> Route | Miss:
    picked = _pick(method, {"GET": action}, template)
    if isinstance(picked, Miss):
        return picked
    return Route(picked, template, auth=auth)


def _info(method: str, entity: EntityDef, tail: list[str], prefix: str) -> Route | Miss:
    action = _INFO_TAIL.get(tail[0] if tail else "")
    if action is None or len(tail) > 1:
        return Miss(404)
    template = f"{prefix}/entityInformation{_INFO_NAME[action]}"
    picked = _pick(method, {"GET": action}, template)
    if isinstance(picked, Miss):
        return picked
    return Route(picked, template, entity=entity)


def _collection(method: str, entity: EntityDef) -> Route | Miss:
    allowed: dict[str, str] = {}
    if "C" in entity.ops:
        allowed["POST"] = "create"
    if "U" in entity.ops:
        allowed.update(PATCH="update", PUT="replace")
    picked = _pick(method, allowed, entity.name)
    if isinstance(picked, Miss):
        return picked
    return Route(picked, entity.name, entity=entity)


def _query(method: str, entity: EntityDef, tail: list[str]) -> Route | Miss:
    if "Q" not in entity.ops:
        return Miss(404)
    kind = tail[0] if tail else ""
    action = {"": "query", "count": "count", "next": "next"}.get(kind)
    if action is None:
        return Miss(404)
    template = f"{entity.name}/query" + (f"/{kind}" if kind else "")
    picked = _pick(method, {"GET": action, "POST": action}, template)
    if isinstance(picked, Miss):
        return picked
    return Route(picked, template, entity=entity)


def _child(
    method: str,
    parent: EntityDef,
    parent_id: int,
    rest: list[str],
    rest_lower: list[str],
    *,
    via: str = "",
) -> Route | Miss:
    route = parent.child(rest[0], via)
    child = schema.entity(route.entity) if route is not None else None
    if route is None or child is None:
        return Miss(404)
    base = f"{via or parent.name}/{{id}}/{route.segment}"

    def make(action: str | Miss, template: str, record_id: int | None = None) -> Route | Miss:
        if isinstance(action, Miss):
            return action
        return Route(action, template, child, parent, route, record_id, parent_id)

    if len(rest) >= 2 and rest_lower[1] == "entityinformation":
        info = _info(method, child, rest_lower[2:], base)
        return info if isinstance(info, Miss) else make(info.action, info.template)
    if len(rest) == 1:
        allowed: dict[str, str] = {}
        if "L" in route.ops:
            allowed["GET"] = "child_list"
        if "C" in route.ops:
            allowed["POST"] = "child_create"
        if "U" in route.ops:
            allowed.update(PATCH="child_update", PUT="child_replace")
        return make(_pick(method, allowed, base), base)
    record_id = _int(rest[1])
    if record_id is None or len(rest) > 2:
        return Miss(404)
    allowed = {}
    if "G" in route.ops:
        allowed["GET"] = "child_get"
    if "D" in route.ops:
        allowed["DELETE"] = "child_delete"
    template = f"{base}/{{id}}"
    return make(_pick(method, allowed, template), template, record_id)
