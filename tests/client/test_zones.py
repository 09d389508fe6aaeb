"""Zone discovery against the emulator: lookup URL override, cache, 401 re-discovery."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from autotask import AuthenticationError, AutotaskClient, ConfigError, Credentials, RequestConfig
from autotask.wire.zones import ZoneCache
from tests.client.conftest import requests_to
from tests.client.proxy import forwarding_proxy
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator, running_emulator

CREDENTIALS = Credentials(USERNAME, INTEGRATION_CODE, SECRET)


def _discovering(lookup: str, cache_dir: Path, *, via: str = "config") -> AutotaskClient:
    if via == "config":
        return AutotaskClient(
            CREDENTIALS,
            RequestConfig(zone_lookup_url=lookup, cache_dir=str(cache_dir)),
            environ={},
        )
    env = {"AUTOTASK_ZONE_LOOKUP_URL": lookup, "AUTOTASK_CACHE_DIR": str(cache_dir)}
    return AutotaskClient(CREDENTIALS, RequestConfig(), environ=env)


@pytest.mark.parametrize("via", ["config", "environment"])
def test_discovery_asks_the_lookup_url_and_caches_0600(
    emulator: Emulator, tmp_path: Path, via: str
) -> None:
    with _discovering(emulator.api_url, tmp_path, via=via) as client:
        assert client.tickets.count() > 0
        assert client.zone_url == emulator.base_url
    assert requests_to(emulator, "GET zoneInformation") == 1
    cache = tmp_path / "zones.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    entry = json.loads(cache.read_text())[ZoneCache.key(USERNAME, emulator.api_url)]
    assert entry["url"] == emulator.base_url
    # A second client (another process, say) reads the cache instead of asking again.
    with _discovering(emulator.api_url, tmp_path, via=via) as again:
        assert again.tickets.count() > 0
    assert requests_to(emulator, "GET zoneInformation") == 1


def test_discovery_for_an_unknown_user_fails_loudly(emulator: Emulator, tmp_path: Path) -> None:
    client = AutotaskClient(
        Credentials("nobody@example.com", INTEGRATION_CODE, SECRET),
        RequestConfig(zone_lookup_url=emulator.api_url, cache_dir=str(tmp_path)),
        environ={},
    )
    with client, pytest.raises(AuthenticationError, match="could not be determined") as info:
        client.tickets.get(1)
    assert info.value.operation == "ZONE"
    assert not (tmp_path / "zones.json").exists()


def test_a_zone_answer_off_the_lookup_host_is_refused(emulator: Emulator, tmp_path: Path) -> None:
    # The emulator answers zoneInformation with the Host it was asked for; through this proxy
    # that is elsewhere.example.com over http, which the allow-list refuses.
    with (
        forwarding_proxy(emulator.host, emulator.port, "elsewhere.example.com") as root,
        _discovering(root + "ATServicesRest/V1.0/", tmp_path) as client,
        pytest.raises(ConfigError, match="refusing to send credentials"),
    ):
        client.tickets.get(1)
    assert requests_to(emulator, "GET Tickets/{id}") == 0


def test_a_stale_zone_is_rediscovered_once_after_401(emulator: Emulator, tmp_path: Path) -> None:
    # The cache points at another "zone" (a second emulator where our secret is wrong): it
    # answers 401, the client looks the zone up again, moves, and resends once.
    with running_emulator("--secret", "another-secret") as stale:
        ZoneCache(tmp_path).put(USERNAME, emulator.api_url, stale.base_url)
        with _discovering(emulator.api_url, tmp_path) as client:
            assert client.tickets.count() > 0
            assert client.zone_url == emulator.base_url
        assert requests_to(stale, "POST Tickets/query/count") == 1
    assert requests_to(emulator, "GET zoneInformation") == 1
    assert requests_to(emulator, "POST Tickets/query/count") == 1
    cached = ZoneCache(tmp_path).get(USERNAME, emulator.api_url)
    assert cached == emulator.base_url


def test_401_in_the_right_zone_raises_after_one_rediscovery(
    emulator: Emulator, tmp_path: Path
) -> None:
    client = AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, "wrong-secret"),
        RequestConfig(zone_lookup_url=emulator.api_url, cache_dir=str(tmp_path)),
        environ={},
    )
    with client, pytest.raises(AuthenticationError) as info:
        client.tickets.count()
    assert info.value.status == 401
    assert requests_to(emulator, "GET zoneInformation") == 2  # discovery + one re-discovery
    assert requests_to(emulator, "POST Tickets/query/count") == 1  # same zone: not resent
