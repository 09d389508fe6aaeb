"""``AutotaskClient``: credentials + config + zone -> one transport, and entity access.

Example (against the emulator: ``python -m autotask.emulator`` prints its URL)::

    from autotask import AutotaskClient, F, RequestConfig

    with AutotaskClient.create(
        username="emulator@example.com",
        integration_code="EMULATORINTEGRATIONCODE",
        secret="emulator-secret",
        base_url="http://127.0.0.1:8080/ATServicesRest/",
        config=RequestConfig(timeout=30, max_retries=3),
    ) as client:
        for company in client.companies.query(F("isActive") == True, fields=["companyName"]):
            print(company["id"], company["companyName"])

One client is safe to share between threads: its thread gate keeps at most
``RequestConfig.concurrency`` requests in flight per entity however many threads use it, and its
metadata cache and connection pools are thread-safe.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from autotask.attachments import Attachments
from autotask.batch import ItemResult
from autotask.batch.ops import BatchOptions
from autotask.config import ENV, Credentials, RequestConfig
from autotask.core.entities import Entity
from autotask.core.metadata import MetadataCache
from autotask.core.registry import name_for_attribute
from autotask.wire.transport import Transport

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["RESERVED_NAMES", "AutotaskClient"]

#: Attribute names that are not entity accessors (``client.attachments`` is the attachments
#: API, ``client.batch_create`` the batch engine, ...), so they never resolve to an entity.
RESERVED_NAMES = frozenset(
    {
        "attachments",
        "usage",
        "entity",
        "batch",
        "batch_create",
        "batch_update",
        "batch_replace",
        "batch_delete",
        "batch_upload",
        "close",
        "config",
        "credentials",
        "transport",
        "zone_url",
    }
)


class AutotaskClient:
    """A client for one Autotask API user. Prefer :meth:`create` or :meth:`from_env`.

    Entities are attributes by their snake_case name (``client.tickets``,
    ``client.ticket_notes``, any entity, known to the registry or not) or by name
    (``client.entity("Tickets")``).

    Args:
        credentials: the API user's credentials.
        config: request settings (defaults are safe).
        base_url: an explicit zone URL (``.../ATServicesRest/``); no zone discovery then.
        environ: the environment to read ``AUTOTASK_ZONE_LOOKUP_URL``, ``AUTOTASK_CACHE_DIR``
            and the CA variables from (default ``os.environ``).
        sleep: how to wait between retries (for tests).
        clock: monotonic clock for the hourly budget (for tests).
        rand: jitter source in [0, 1) (for tests).
    """

    def __init__(
        self,
        credentials: Credentials,
        config: RequestConfig | None = None,
        *,
        base_url: str | None = None,
        environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        env = os.environ if environ is None else environ
        self.credentials = credentials
        self.config = config or RequestConfig()
        self.transport = Transport(
            credentials,
            self.config,
            base_url=base_url,
            sleep=sleep,
            clock=clock,
            rand=rand,
            environ=env,
        )
        self._metadata = MetadataCache()
        self._entities: dict[str, Entity] = {}
        self._entities_lock = threading.Lock()
        self._attachments = Attachments(self.transport, self.config, self.entity)

    @classmethod
    def create(
        cls,
        username: str,
        integration_code: str,
        secret: str,
        config: RequestConfig | None = None,
        base_url: str | None = None,
    ) -> AutotaskClient:
        """A client for these credentials.

        Args:
            username: the API-only user's username.
            integration_code: the API tracking identifier.
            secret: the API user's secret.
            config: request settings.
            base_url: the zone URL, e.g. the emulator's ``http://127.0.0.1:PORT/ATServicesRest/``;
                without it the zone is discovered (and cached) on first use.

        Raises:
            ConfigError: missing credentials or a refused URL (http only for loopback hosts).
        """
        return cls(Credentials(username, integration_code, secret), config, base_url=base_url)

    @classmethod
    def from_env(
        cls, config: RequestConfig | None = None, environ: Mapping[str, str] | None = None
    ) -> AutotaskClient:
        """A client from ``AUTOTASK_USERNAME``, ``AUTOTASK_INTEGRATION_CODE``,
        ``AUTOTASK_SECRET`` and (optional) ``AUTOTASK_API_URL``.

        Args:
            config: request settings.
            environ: the environment to read (default ``os.environ``); also where
                ``AUTOTASK_ZONE_LOOKUP_URL``, ``AUTOTASK_CACHE_DIR`` and the CA variables come
                from.

        Raises:
            ConfigError: a credential variable is missing (the message names it).
        """
        env = os.environ if environ is None else environ
        credentials = Credentials.from_env(env)
        base_url = env.get(ENV["api_url"], "").strip() or None
        return cls(credentials, config, base_url=base_url, environ=env)

    # -- entities --------------------------------------------------------------------------

    def entity(self, name: str) -> Entity:
        """The entity called ``name``, matched case-insensitively; one per name per client.

        Args:
            name: ``"Tickets"``, ``"TicketNotes"``, or a name the registry does not know (it
                still works: the server decides).
        """
        key = name.lower()
        entity = self._entities.get(key)
        if entity is None:
            with self._entities_lock:
                entity = self._entities.get(key)
                if entity is None:
                    entity = Entity(name, self.transport, self.config, self._metadata)
                    self._entities[key] = entity
        return entity

    def __getattr__(self, name: str) -> Entity:
        if name.startswith("_") or name in RESERVED_NAMES:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self.entity(name_for_attribute(name))

    # -- attachments -----------------------------------------------------------------------

    @property
    def attachments(self) -> Attachments:
        """Upload, download, list, describe and delete attachments of any parent that takes
        them (:class:`~autotask.attachments.Attachments`)."""
        return self._attachments

    # -- batches: the entity's batch_* methods, by entity name ------------------------------

    def batch_create(
        self,
        entity: str,
        items: Iterable[Mapping[str, Any]],
        batch_size: int = 200,
        **options: Unpack[BatchOptions],
    ) -> list[ItemResult]:
        """``client.entity(entity).batch_create(items, ...)``: see :meth:`Entity.batch_create`."""
        return self.entity(entity).batch_create(items, batch_size, **options)

    def batch_update(
        self,
        entity: str,
        items: Iterable[Mapping[str, Any]],
        batch_size: int = 200,
        **options: Unpack[BatchOptions],
    ) -> list[ItemResult]:
        """``client.entity(entity).batch_update(items, ...)``."""
        return self.entity(entity).batch_update(items, batch_size, **options)

    def batch_replace(
        self,
        entity: str,
        items: Iterable[Mapping[str, Any]],
        batch_size: int = 200,
        **options: Unpack[BatchOptions],
    ) -> list[ItemResult]:
        """``client.entity(entity).batch_replace(items, ...)``."""
        return self.entity(entity).batch_replace(items, batch_size, **options)

    def batch_delete(
        self,
        entity: str,
        ids: Iterable[Any],
        batch_size: int = 200,
        **options: Unpack[BatchOptions],
    ) -> list[ItemResult]:
        """``client.entity(entity).batch_delete(ids, ...)``."""
        return self.entity(entity).batch_delete(ids, batch_size, **options)

    # -- the API as a whole ----------------------------------------------------------------

    def usage(self) -> dict[str, int]:
        """The ThresholdInformation figures: ``externalRequestThreshold``,
        ``requestThresholdTimeframe`` (minutes) and ``currentTimeframeRequestCount`` (the call
        itself included, fact sheet §11.8). Also refreshes the client's hourly budget."""
        return self.transport.usage()

    @property
    def zone_url(self) -> str:
        """The zone URL in use (``.../ATServicesRest/``), discovering it if needed."""
        return self.transport.zone.current()

    def clear_metadata(self) -> None:
        """Forget cached entity metadata (info, fields, UDFs, picklists)."""
        self._metadata.clear()

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Release the connection pools. The client cannot be used afterwards."""
        self.transport.close()

    def __enter__(self) -> AutotaskClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        zone = self.transport.zone.peek() or "zone not yet discovered"
        return f"<AutotaskClient {self.credentials.username} @ {zone}>"

    def __getstate__(self) -> Any:
        raise TypeError("an AutotaskClient holds connections and cannot be pickled")
