"""The emulator assembled: one ``Emulator`` holds everything a process serves.

Built in dependency order, each part handed what it needs through its constructor: the store
(with the start data), the clock, the pipeline stages (faults, authentication, limits), the
handlers that serve routed requests, the pipeline itself (pipeline.py) and the control API
(control.py). server.py puts it behind HTTP.
"""

from __future__ import annotations

import logging

from autotask.emulator.api import attachments
from autotask.emulator.api.handlers import Handlers
from autotask.emulator.api.writes import Writes
from autotask.emulator.clock import Clock
from autotask.emulator.control import Control
from autotask.emulator.demo.records import demo_dataset
from autotask.emulator.limits.permissions import PermissionState
from autotask.emulator.limits.stages import FaultStage, LimitStage, QueryStringLimit
from autotask.emulator.model import schema
from autotask.emulator.model.store import Store, stored_from_wire
from autotask.emulator.pipeline import Api, Authentication
from autotask.emulator.rules import query
from autotask.emulator.settings import Settings

log = logging.getLogger(__name__)


class Emulator:
    """Everything one emulator process serves: store, clock, pipeline and control API."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = Clock()
        # Since 2021.1 a ticket's attachment query also returns its time entries' (§7).
        rollups = attachments.rollup_sources()
        if not settings.quirks.attachment_queries_need_parent:
            rollups = {}
        self.store = Store(settings.db, query.SQL_FUNCTIONS, rollups)
        if self.store.fresh:
            load_start_data(self.store, settings.data)
            self.store.mark_loaded()
        self.store.snapshot()
        self.permissions = PermissionState(settings.permissions)
        self.faults = FaultStage(settings.limits, settings.quirks)
        self.limits = LimitStage(settings.limits, settings.quirks, self.clock.seconds)
        writes = Writes(settings, self.store, self.clock, self.limits.check_attachment)
        self.handlers = Handlers(
            settings, self.store, writes, self.permissions, self.limits.threshold_info
        )
        stages = (
            self.faults,
            QueryStringLimit(settings.quirks.max_query_string),
            Authentication(settings),
            self.limits,
        )
        self.api = Api(
            self.clock,
            self.handlers,
            stages,
            asp_net_server_errors=settings.quirks.asp_net_server_errors,
        )
        self.control = Control(
            self.store,
            self.api,
            self.clock,
            self.reset,
            faults=self.faults,
            limits=self.limits,
            permissions=self.permissions,
        )

    def reset(self) -> None:
        """Start data back; counters, stages, links, permissions and the clock cleared."""
        self.store.restore()
        self.clock.reset()
        self.api.reset()
        self.permissions.reset()
        self.handlers.reset()

    def close(self) -> None:
        """Close the store (every acknowledged write is already committed)."""
        self.store.close()


def load_start_data(store: Store, kind: str) -> None:
    """Fill a fresh store with the ``--data`` set (``demo`` or ``empty``)."""
    if kind == "empty":
        return
    for name, records in demo_dataset().items():
        entity = schema.entity(name)
        if entity is None:
            log.warning("demo data names an unknown entity %s; skipped", name)
            continue
        store.insert_many(entity, (stored_from_wire(entity, r) for r in records))
