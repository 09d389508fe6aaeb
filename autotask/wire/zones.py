"""Zone discovery and the zone cache (CONTRACTS §4).

Autotask tenants live in zones (``https://webservices15.autotask.net/ATServicesRest/``).
The zone is asked for, never guessed (py-autotask guessed it from the e-mail's TLD:
py-autotask.md §1.3): ``GET {lookup}zoneInformation?user=...`` answers with the zone URL, which
must pass the allow-list of :mod:`autotask.wire.origins` before any credential is sent to it. An
explicit ``base_url`` skips discovery. The answer is cached in a 0600 JSON file for 24 h, keyed
by username + lookup URL. A 401 re-discovers once (tenants move between zones, fact sheet §1).

:func:`zone_resolver` is the one place a client's resolver is built: the lookup URL from
``RequestConfig``, ``AUTOTASK_ZONE_LOOKUP_URL`` or the default, and the cache directory.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from autotask._files import replace_atomically
from autotask._log import get_logger
from autotask.config import ENV, RequestConfig
from autotask.errors import ConfigError
from autotask.wire.origins import check_base_url, check_lookup_url, check_zone_url

__all__ = [
    "DEFAULT_ZONE_LOOKUP_URL",
    "ZoneCache",
    "ZoneResolver",
    "default_cache_dir",
    "zone_resolver",
    "zone_url_from_answer",
]

DEFAULT_ZONE_LOOKUP_URL = "https://webservices.autotask.net/ATServicesRest/V1.0/"
_log = get_logger(__name__)


def zone_url_from_answer(body: Any) -> str:
    """The ``url`` of a zoneInformation answer (fact sheet §1: camelCase, ``ATServicesRest/``)."""
    if isinstance(body, Mapping):
        for key, value in body.items():
            if str(key).lower() == "url" and isinstance(value, str) and value:
                return value
    raise ConfigError(f"zone lookup answered without a zone url: {body!r}", operation="ZONE")


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$AUTOTASK_CACHE_DIR``, else ``$XDG_CACHE_HOME/autotask``, else ``~/.cache/autotask``."""
    env = os.environ if environ is None else environ
    if env.get("AUTOTASK_CACHE_DIR"):
        return Path(env["AUTOTASK_CACHE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "autotask"


class ZoneCache:
    """Discovered zone URLs in ``{directory}/zones.json`` (mode 0600), trusted for ``ttl``.

    A cache that cannot be read or written is ignored (logged at debug level): discovery then
    simply runs again.

    Args:
        directory: where the file lives (created 0700 when missing).
        ttl: seconds an entry is trusted.
        now: wall clock (injected for tests).
    """

    FILENAME = "zones.json"

    def __init__(
        self, directory: Path, ttl: float = 24 * 3600.0, now: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(directory) / self.FILENAME
        self.ttl = ttl
        self._now = now
        self._lock = threading.Lock()

    @staticmethod
    def key(username: str, lookup_url: str) -> str:
        """The entry key: username (case-folded) and lookup URL."""
        return f"{username.strip().lower()} {lookup_url}"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, username: str, lookup_url: str) -> str | None:
        """The cached zone URL, or None when absent or older than the TTL."""
        entry = self._read().get(self.key(username, lookup_url))
        if not isinstance(entry, dict):
            return None
        url, saved = entry.get("url"), entry.get("saved_at")
        if not isinstance(url, str) or not isinstance(saved, (int, float)):
            return None
        age = self._now() - saved
        return url if 0 <= age < self.ttl else None

    def put(self, username: str, lookup_url: str, url: str | None) -> None:
        """Store (or with ``url=None`` forget) the zone of ``username``."""
        with self._lock:
            data = self._read()
            key = self.key(username, lookup_url)
            if url is None:
                data.pop(key, None)
            else:
                data[key] = {"url": url, "saved_at": self._now()}
            try:
                self._write(data)
            except OSError as exc:
                _log.debug("zone cache %s not written: %s", self.path, exc)

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_atomically(self.path, json.dumps(data, indent=1, sort_keys=True))


class ZoneResolver:
    """Knows the zone URL of one client: explicit, cached or discovered (thread-safe).

    Args:
        username: the API username to look up.
        lookup_url: the zone lookup URL (already checked, ending ``V1.0/``).
        fetch: ``fetch(url) -> decoded JSON``; an unauthenticated GET through the transport.
        cache: the zone cache, or None for none.
        base_url: an explicit zone URL; when given there is no discovery at all.
    """

    def __init__(
        self,
        username: str,
        lookup_url: str,
        fetch: Callable[[str], Any] | None = None,
        cache: ZoneCache | None = None,
        base_url: str | None = None,
    ) -> None:
        self.username = username
        self.lookup_url = lookup_url
        self.fetch = fetch
        self.cache = cache
        self.explicit = base_url is not None
        self._url = check_base_url(base_url) if base_url is not None else None
        self._lock = threading.Lock()

    def peek(self) -> str | None:
        """The zone URL if already known, without discovering."""
        return self._url

    def current(self) -> str:
        """The zone URL (``.../ATServicesRest/``), discovering it on first use."""
        url = self._url
        if url is not None:
            return url
        with self._lock:
            if self._url is None:
                cached = self.cache.get(self.username, self.lookup_url) if self.cache else None
                if cached is not None:
                    try:
                        self._url = check_zone_url(cached, self.lookup_url)
                    except ConfigError:
                        self._url = None
                if self._url is None:
                    self._url = self._discover()
            return self._url

    def rediscover(self, stale: str) -> str | None:
        """After a 401 on ``stale``: look the zone up again, bypassing the cache.

        Returns:
            The new zone URL when it differs from ``stale`` (resend once), else None (raise).
        """
        if self.explicit:
            return None
        with self._lock:
            if self._url is not None and self._url != stale:
                return self._url  # another thread already moved on
            if self.cache:
                self.cache.put(self.username, self.lookup_url, None)
            self._url = self._discover()
            return self._url if self._url != stale else None

    def _discover(self) -> str:
        if self.fetch is None:
            raise ConfigError("no zone URL and no way to discover it", operation="ZONE")
        query = urllib.parse.urlencode({"user": self.username})
        answer = self.fetch(f"{self.lookup_url}zoneInformation?{query}")
        url = check_zone_url(zone_url_from_answer(answer), self.lookup_url)
        _log.info("zone of %s is %s", self.username, url)
        if self.cache:
            self.cache.put(self.username, self.lookup_url, url)
        return url


def zone_resolver(
    username: str,
    config: RequestConfig,
    fetch: Callable[[str], Any],
    *,
    base_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ZoneResolver:
    """The zone resolver of one client, with its checked lookup URL and its cache.

    Args:
        username: the API username.
        config: ``zone_lookup_url``, ``cache_dir`` and ``zone_cache_ttl`` come from here.
        fetch: the unauthenticated GET of the lookup (the transport's).
        base_url: an explicit zone URL (no discovery).
        environ: where ``AUTOTASK_ZONE_LOOKUP_URL`` and ``AUTOTASK_CACHE_DIR`` are read
            (default ``os.environ``).

    Raises:
        ConfigError: the lookup URL or ``base_url`` is refused (http only for loopback hosts).
    """
    env = os.environ if environ is None else environ
    lookup = check_lookup_url(
        config.zone_lookup_url or env.get(ENV["zone_lookup_url"]) or DEFAULT_ZONE_LOOKUP_URL
    )
    directory = Path(config.cache_dir) if config.cache_dir else default_cache_dir(env)
    cache = ZoneCache(directory, ttl=config.zone_cache_ttl)
    return ZoneResolver(username, lookup, fetch=fetch, cache=cache, base_url=base_url)
