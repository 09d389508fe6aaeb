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

    ENDPOINTS = ("stats", "reset", "requests", "seed", "clock", "faults", "permissions")

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
