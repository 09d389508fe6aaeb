"""The control API under ``/_emulator/`` (no auth, loopback only; CONTRACTS §5).

- ``GET /_emulator/stats``: records per entity, requests per "METHOD template" and status,
  faults, thread rejections, peak concurrency per bucket.
- ``POST /_emulator/reset``: data back to the start set; counters, log, stages and clock cleared.
- ``GET /_emulator/requests``: the recent request log, secrets masked.
- ``POST /_emulator/seed`` ``{"entity": "Companies", "count": 100000}``: bulk-creates valid
  records straight into the store, outside the API and its limits.
- ``POST /_emulator/clock`` ``{"advance": seconds}``: moves the emulator's clock forward (every
  window: hourly budget, attachment bytes, and the server-set dates).
- ``POST /_emulator/faults`` ``{"seed": 7, "rules": [...]}``: replaces the fault rules
  (limits/faults.py has the grammar; ``{"rules": []}`` clears); ``GET`` reads them back. A reset
  restores the ``--faults`` rules.
- ``POST /_emulator/permissions`` ``{"deny": ["Tickets:CUD", "Contacts"]}``: replaces what the
  API user's security level lacks (limits/permissions.py; ``{"deny": []}`` allows everything again);
  ``GET`` reads it back. A reset restores the ``--deny`` rules.

- ``POST /_emulator/records``: changes, creates or deletes one record outside the API (no
  validation, no limits, nothing counted), stamping the entity's last-modified fields with a
  given time, so incremental exports are tested deterministically:
  ``{"entity": "Tickets", "id": 5, "set": {...}, "modified": "2026-01-01T00:00:00Z"}`` changes
  (``set`` in wire shape; ``modified`` defaults to the clock's now), the same without ``id``
  creates, ``{"entity": "Tickets", "id": 5, "delete": true}`` deletes. ``GET`` lists each
  entity's last-modified fields. The 2020 Swagger has no deletion-log entities
  (DeletedTicketLogs and the like are newer), so a delete leaves no trace to query.

``stats`` also carries ``in_flight`` (requests holding a thread slot now, per entity), which
lets a test wait until its requests are inside the gate.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from autotask.emulator.api import attachments
from autotask.emulator.clock import Clock
from autotask.emulator.demo import seeding
from autotask.emulator.exchange import Response, errors, json_response, method_not_allowed
from autotask.emulator.limits.faults import FaultRuleError
from autotask.emulator.limits.permissions import (
    PermissionRuleError,
    PermissionState,
    permissions_from_json,
)
from autotask.emulator.limits.stages import FaultStage, LimitStage
from autotask.emulator.model import schema, wire
from autotask.emulator.model.store import Store, stored_from_wire
from autotask.emulator.pipeline import Api

MAX_SEED = 1_000_000


class Control:
    """Serves ``/_emulator/<name>``."""

    ENDPOINTS = ("stats", "reset", "requests", "seed", "clock", "faults", "permissions", "records")

    def __init__(
        self,
        store: Store,
        api: Api,
        clock: Clock,
        reset: Callable[[], None],
        *,
        faults: FaultStage,
        limits: LimitStage,
        permissions: PermissionState,
    ) -> None:
        """Create the control API.

        Args:
            store: the records (counts, seeding).
            api: the pipeline (request counts and log).
            clock: the clock ``POST /_emulator/clock`` moves.
            reset: what ``POST /_emulator/reset`` does (app.Emulator.reset).
            faults: the fault stage, whose rules are read and replaced here.
            limits: the limit stage (thread rejections, peak concurrency, requests in flight).
            permissions: the API user's permissions, switched here.
        """
        self.store = store
        self.api = api
        self.clock = clock
        self._reset = reset
        self.faults = faults
        self.limits = limits
        self.permissions = permissions
        self._routes: dict[str, dict[str, Callable[[Any], Response]]] = {
            "stats": {"GET": self.stats},
            "reset": {"POST": self.reset},
            "requests": {"GET": self.requests},
            "seed": {"POST": self.seed},
            "clock": {"POST": self.move_clock},
            "faults": {"GET": self.read_faults, "POST": self.set_faults},
            "permissions": {"GET": self.read_permissions, "POST": self.set_permissions},
            "records": {"GET": self.read_records, "POST": self.edit_record},
        }
        assert tuple(self._routes) == self.ENDPOINTS

    def handle(self, method: str, name: str, body: bytes) -> Response:
        """Serve ``method`` on ``/_emulator/<name>``."""
        endpoint = self._routes.get(name.strip("/").lower())
        if endpoint is None:
            return errors(404, f"Unknown control endpoint: {name}")
        action = endpoint.get(method)
        if action is None:
            return method_not_allowed(method)
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else None
        except (UnicodeDecodeError, ValueError) as exc:
            return errors(400, f"The request body is not valid JSON: {exc}.")
        return action(payload)

    def stats(self, _: Any) -> Response:
        """GET stats."""
        return json_response(
            200,
            {
                "records": self.store.counts(),
                "requests": self.api.request_counts(),
                "faults": self.faults.plan.counts(),
                "thread_rejections": self.limits.gate.rejections(),
                "max_concurrency": self.limits.gate.max_concurrency(),
                "in_flight": self.limits.in_flight(),
            },
        )

    def reset(self, _: Any) -> Response:
        """POST reset."""
        self._reset()
        return json_response(200, {"reset": True})

    def requests(self, _: Any) -> Response:
        """GET requests."""
        return json_response(200, {"requests": self.api.recent()})

    def seed(self, payload: Any) -> Response:
        """POST seed: ``{"entity", "count"}``; ids continue after the largest."""
        if not isinstance(payload, dict):
            return errors(400, 'Expected {"entity": "Companies", "count": 1000}.')
        entity = schema.entity(str(payload.get("entity", "")))
        if entity is None:
            return errors(400, f"Unknown entity: {payload.get('entity')}")
        count = payload.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_SEED:
            return errors(400, f"count must be an integer from 0 to {MAX_SEED}.")
        refs = {e.name: self.store.ids(e) for e in schema.entities()}
        with self.store.transaction():
            # Attachments share one id sequence and get their AttachmentInfo rows (§7).
            if entity.attachment:
                first_id = attachments.next_id(self.store)
            else:
                first_id = self.store.max_id(entity) + 1
            records = seeding.generate(entity.name, count, first_id, refs)
            rows = []
            for index, record in enumerate(records):
                doc, data = stored_from_wire(entity, record)
                doc["id"] = first_id + index
                rows.append((doc, data))
            if entity.attachment:
                created = attachments.insert_many(self.store, entity, rows)
            else:
                created = self.store.insert_many(entity, rows)
        return json_response(
            200,
            {
                "entity": entity.name,
                "created": created,
                "firstId": first_id if created else None,
                "lastId": first_id + created - 1 if created else None,
            },
        )

    def move_clock(self, payload: Any) -> Response:
        """POST clock: ``{"advance": seconds}``."""
        advance = payload.get("advance") if isinstance(payload, dict) else None
        if not isinstance(advance, (int, float)) or isinstance(advance, bool) or advance < 0:
            return errors(400, 'Expected {"advance": seconds} with seconds >= 0.')
        offset = self.clock.advance(float(advance))
        now = wire.format_datetime(wire.canonical_datetime(self.clock.now()))
        return json_response(200, {"offset": offset, "now": now})

    def read_faults(self, _: Any) -> Response:
        """GET faults: the active rules in the POST form."""
        return json_response(200, self.faults.plan.to_json())

    def set_faults(self, payload: Any) -> Response:
        """POST faults: replace the rules (CONTRACTS §5); 400 names what is wrong."""
        try:
            return json_response(200, self.faults.replace(payload))
        except FaultRuleError as exc:
            return errors(400, str(exc))

    def read_permissions(self, _: Any) -> Response:
        """GET permissions: the active denials in the POST form."""
        return json_response(200, self.permissions.current.to_json())

    def set_permissions(self, payload: Any) -> Response:
        """POST permissions: replace the denials; 400 names what is wrong."""
        try:
            self.permissions.replace(permissions_from_json(payload))
        except PermissionRuleError as exc:
            return errors(400, str(exc))
        return json_response(200, self.permissions.current.to_json())

    def read_records(self, _: Any) -> Response:
        """GET records: the last-modified fields ``POST records`` stamps, per entity."""
        fields = {e.name: list(e.modified_fields) for e in schema.entities() if e.modified_fields}
        return json_response(200, {"modifiedFields": fields})

    def edit_record(self, payload: Any) -> Response:
        """POST records: change, create or delete one record outside the API; 400/404 say why."""
        if not isinstance(payload, dict):
            return errors(400, 'Expected {"entity": "Tickets", "id": 5, "set": {...}}.')
        unknown = set(payload) - {"entity", "id", "set", "modified", "delete"}
        entity = schema.entity(str(payload.get("entity", "")))
        if unknown or entity is None:
            what = f"unknown key(s) {sorted(unknown)}" if unknown else "an unknown entity"
            return errors(400, f"records: {what} ({payload.get('entity')!r}).")
        record_id = payload.get("id")
        if isinstance(record_id, bool) or not isinstance(record_id, (int, type(None))):
            return errors(400, "records: 'id' must be an integer.")
        if payload.get("delete") is True:
            return self._delete_record(entity, record_id)
        return self._set_record(
            entity, record_id, payload.get("set") or {}, payload.get("modified")
        )

    def _delete_record(self, entity: schema.EntityDef, record_id: int | None) -> Response:
        if record_id is None:
            return errors(400, "records: a delete needs the 'id'.")
        with self.store.transaction():
            if entity.attachment:
                removed = attachments.delete(self.store, entity, record_id)
            else:
                removed = self.store.delete(entity, record_id)
        if not removed:
            return errors(404, f"records: no {entity.name} with id {record_id}.")
        return json_response(200, {"entity": entity.name, "id": record_id, "deleted": True})

    def _set_record(
        self, entity: schema.EntityDef, record_id: int | None, values: Any, modified: Any
    ) -> Response:
        if not isinstance(values, dict):
            return errors(400, "records: 'set' must be an object of field values.")
        stamp: str | None = wire.canonical_datetime(self.clock.now())
        if modified is not None:
            stamp = wire.parse_datetime(modified) if isinstance(modified, str) else None
        if stamp is None:
            return errors(400, f"records: 'modified' is not a datetime: {modified!r}.")
        if entity.attachment and record_id is None:
            return errors(400, "records: attachments are created through the API (their data).")
        with self.store.transaction():
            if record_id is None:
                doc, _ = stored_from_wire(entity, {})
                created_at = [f.name for f in entity.fields if f.name.lower() in schema.CREATED_AT]
                doc.update(dict.fromkeys(created_at, stamp))
            else:
                found = self.store.get(entity, record_id)
                if found is None:
                    return errors(404, f"records: no {entity.name} with id {record_id}.")
                doc = found
            problem = _apply(entity, doc, values)
            if problem is not None:
                return errors(400, f"records: {problem}")
            doc.update(dict.fromkeys(entity.modified_fields, stamp))
            if record_id is None:
                record_id = self.store.insert(entity, doc)
            else:
                self.store.replace(entity, record_id, doc)
        return json_response(
            200,
            {
                "entity": entity.name,
                "id": record_id,
                "modified": wire.format_datetime(stamp),
                "modifiedFields": list(entity.modified_fields),
            },
        )


def _apply(entity: schema.EntityDef, doc: dict[str, Any], values: dict[str, Any]) -> str | None:
    """Write wire-shaped ``values`` into the stored ``doc``; the problem, or None."""
    for key, value in values.items():
        if key.lower() == wire.UDF_KEY.lower() and entity.has_udfs:
            udfs = dict(doc.get(wire.UDF_KEY) or {})
            for item in value if isinstance(value, list) else [None]:
                udf = entity.udf(str(item.get("name"))) if isinstance(item, dict) else None
                if udf is None or not isinstance(item, dict):
                    return f"{wire.UDF_KEY} must list {{name, value}} of {entity.name}'s UDFs."
                udfs[udf.name] = None if item.get("value") is None else str(item["value"])
            doc[wire.UDF_KEY] = udfs
            continue
        field = entity.field(key)
        if field is None or field.name == "id":
            return f"{entity.name} has no settable field {key!r}."
        stored = value
        if field.data_type == "datetime" and value is not None:
            stored = wire.parse_datetime(value) if isinstance(value, str) else None
            if stored is None:
                return f"{field.name} is not a datetime."
        doc[field.name] = stored
    return None
