"""Origin rules, the zone cache and the resolver (CONTRACTS §4), without sockets."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from autotask import ConfigError, RequestConfig
from autotask.wire.origins import (
    check_base_url,
    check_lookup_url,
    check_zone_url,
    is_autotask_host,
    is_loopback,
    origin_of,
)
from autotask.wire.zones import (
    DEFAULT_ZONE_LOOKUP_URL,
    ZoneCache,
    ZoneResolver,
    default_cache_dir,
    zone_resolver,
    zone_url_from_answer,
)

REMOTE_LOOKUP = DEFAULT_ZONE_LOOKUP_URL
LOOPBACK_LOOKUP = "http://127.0.0.1:8080/ATServicesRest/V1.0/"


@pytest.mark.parametrize(
    "url",
    [
        "https://webservices15.autotask.net/ATServicesRest/",
        "https://webservices2.autotask.net/atservicesrest/v1.0/",
        "https://prde.autotask.net/ATServicesRest",
    ],
)
def test_autotask_https_zones_are_accepted(url: str) -> None:
    accepted = check_zone_url(url, REMOTE_LOOKUP)
    assert accepted.endswith("/") and not accepted.lower().endswith("v1.0/")


@pytest.mark.parametrize(
    "url",
    [
        "http://webservices15.autotask.net/ATServicesRest/",  # not https
        "https://webservices15.autotask.net.evil.com/ATServicesRest/",
        "https://evilautotask.net/ATServicesRest/",
        "https://127.0.0.1:8080/ATServicesRest/",  # loopback only for a loopback lookup
        "ftp://webservices15.autotask.net/",
    ],
)
def test_other_zones_are_refused_for_the_real_lookup(url: str) -> None:
    with pytest.raises(ConfigError):
        check_zone_url(url, REMOTE_LOOKUP)


def test_loopback_lookup_accepts_only_its_own_host() -> None:
    assert check_zone_url("http://127.0.0.1:8080/ATServicesRest/", LOOPBACK_LOOKUP)
    assert check_zone_url("http://127.0.0.1:9999/ATServicesRest/", LOOPBACK_LOOKUP)
    with pytest.raises(ConfigError):
        check_zone_url("http://127.0.0.2:8080/ATServicesRest/", LOOPBACK_LOOKUP)
    with pytest.raises(ConfigError):
        check_zone_url("http://example.com/ATServicesRest/", LOOPBACK_LOOKUP)


def test_explicit_base_url_allows_http_only_on_loopback() -> None:
    assert check_base_url("http://127.0.0.1:8080/ATServicesRest") == (
        "http://127.0.0.1:8080/ATServicesRest/"
    )
    assert check_base_url("http://localhost:1/ATServicesRest/V1.0/") == (
        "http://localhost:1/ATServicesRest/"
    )
    assert check_base_url("https://proxy.example.com/ATServicesRest/")
    with pytest.raises(ConfigError, match="unencrypted"):
        check_base_url("http://proxy.example.com/ATServicesRest/")


def test_lookup_urls_are_normalised_and_checked() -> None:
    assert check_lookup_url("http://127.0.0.1:5/ATServicesRest/") == (
        "http://127.0.0.1:5/ATServicesRest/V1.0/"
    )
    assert check_lookup_url(REMOTE_LOOKUP) == REMOTE_LOOKUP
    with pytest.raises(ConfigError):
        check_lookup_url("http://webservices.autotask.net/ATServicesRest/V1.0/")


def test_origins_and_loopback() -> None:
    assert origin_of("https://A.autotask.net/x") == ("https", "a.autotask.net", 443)
    assert origin_of("http://127.0.0.1:8080/x") == ("http", "127.0.0.1", 8080)
    assert all(is_loopback(h) for h in ("localhost", "127.0.0.1", "127.8.9.1", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("example.com", "10.0.0.1", "128.0.0.1"))
    assert is_autotask_host("webservices15.autotask.net") and is_autotask_host("X.AutoTask.NET")
    assert not any(is_autotask_host(h) for h in ("autotask.net.evil.com", "evilautotask.net"))


def test_zone_answer_is_read_from_the_url_key() -> None:
    answer = {"zoneName": "x", "url": "https://webservices15.autotask.net/ATServicesRest/", "ci": 1}
    assert zone_url_from_answer(answer) == answer["url"]
    with pytest.raises(ConfigError):
        zone_url_from_answer({"zoneName": "x"})


def test_cache_is_0600_keyed_by_user_and_lookup_with_ttl(tmp_path: Path) -> None:
    now = [1000.0]
    cache = ZoneCache(tmp_path / "sub", ttl=100, now=lambda: now[0])
    cache.put("Api@Example.com", REMOTE_LOOKUP, "https://webservices2.autotask.net/ATServicesRest/")
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert cache.get("api@example.com", REMOTE_LOOKUP) == (
        "https://webservices2.autotask.net/ATServicesRest/"
    )
    assert cache.get("api@example.com", LOOPBACK_LOOKUP) is None  # other lookup URL
    assert cache.get("other@example.com", REMOTE_LOOKUP) is None
    now[0] += 100
    assert cache.get("api@example.com", REMOTE_LOOKUP) is None  # expired
    cache.put("api@example.com", REMOTE_LOOKUP, None)
    assert json.loads(cache.path.read_text()) == {}


def test_broken_or_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    (tmp_path / ZoneCache.FILENAME).write_text("{not json")
    cache = ZoneCache(tmp_path)
    assert cache.get("u", REMOTE_LOOKUP) is None
    blocked = tmp_path / "file"
    blocked.write_text("")
    ZoneCache(blocked / "dir").put("u", REMOTE_LOOKUP, "https://x.autotask.net/")  # no raise


def test_default_cache_dir_follows_the_environment(tmp_path: Path) -> None:
    assert default_cache_dir({"AUTOTASK_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert default_cache_dir({"XDG_CACHE_HOME": "/c"}) == Path("/c/autotask")


def test_resolver_discovers_once_caches_and_rediscovers(tmp_path: Path) -> None:
    answers = ["https://webservices2.autotask.net/ATServicesRest/"]
    asked: list[str] = []

    def fetch(url: str) -> dict[str, str]:
        asked.append(url)
        return {"url": answers[-1]}

    cache = ZoneCache(tmp_path)
    resolver = ZoneResolver("api@example.com", REMOTE_LOOKUP, fetch=fetch, cache=cache)
    assert resolver.current() == answers[0]
    assert resolver.current() == answers[0]
    assert asked == [f"{REMOTE_LOOKUP}zoneInformation?user=api%40example.com"]
    # A second resolver reads the cache instead of asking.
    again = ZoneResolver("api@example.com", REMOTE_LOOKUP, fetch=fetch, cache=cache)
    assert again.current() == answers[0] and len(asked) == 1
    # After a 401: same zone -> None (raise); moved zone -> the new URL (resend once).
    assert resolver.rediscover(answers[0]) is None
    answers.append("https://webservices15.autotask.net/ATServicesRest/")
    assert resolver.rediscover(answers[0]) == answers[1]
    assert cache.get("api@example.com", REMOTE_LOOKUP) == answers[1]


def test_resolver_refuses_a_hostile_zone_answer() -> None:
    resolver = ZoneResolver(
        "u", REMOTE_LOOKUP, fetch=lambda url: {"url": "https://evil.example.com/ATServicesRest/"}
    )
    with pytest.raises(ConfigError, match="refusing to send credentials"):
        resolver.current()


def test_explicit_base_url_never_discovers() -> None:
    resolver = ZoneResolver("u", REMOTE_LOOKUP, base_url="http://127.0.0.1:1/ATServicesRest/")
    assert resolver.current() == "http://127.0.0.1:1/ATServicesRest/"
    assert resolver.rediscover("http://127.0.0.1:1/ATServicesRest/") is None


def test_the_clients_resolver_is_built_in_one_place(tmp_path: Path) -> None:
    asked: list[str] = []

    def fetch(url: str) -> dict[str, str]:
        asked.append(url)
        return {"url": "http://127.0.0.1:9/ATServicesRest/"}

    env = {
        "AUTOTASK_ZONE_LOOKUP_URL": "http://127.0.0.1:9/ATServicesRest",
        "AUTOTASK_CACHE_DIR": str(tmp_path),
    }
    resolver = zone_resolver("u@example.com", RequestConfig(), fetch, environ=env)
    assert resolver.lookup_url == "http://127.0.0.1:9/ATServicesRest/V1.0/"
    assert resolver.current() == "http://127.0.0.1:9/ATServicesRest/"
    assert asked == ["http://127.0.0.1:9/ATServicesRest/V1.0/zoneInformation?user=u%40example.com"]
    assert (tmp_path / ZoneCache.FILENAME).exists()
    # RequestConfig wins over the environment; the default is Autotask's global host.
    config = RequestConfig(
        zone_lookup_url="http://localhost:7/ATServicesRest/V1.0/", cache_dir=str(tmp_path)
    )
    assert zone_resolver("u", config, fetch, environ=env).lookup_url.startswith(
        "http://localhost:7/"
    )
    assert (
        zone_resolver("u", RequestConfig(), fetch, environ={}).lookup_url == DEFAULT_ZONE_LOOKUP_URL
    )
    with pytest.raises(ConfigError, match="https"):
        zone_resolver("u", RequestConfig(zone_lookup_url="http://example.com/"), fetch, environ={})


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example\\@127.0.0.1:8080/ATServicesRest/",  # urllib3 connects to evil
        "http://user@127.0.0.1/ATServicesRest/",
        "http://127.0.0.1\t@evil.example/",
        "https://evil.example\\.autotask.net/",
        "http://[127.0.0.1/",
        "http://127.0.0.1:99999999/",
    ],
)
def test_a_host_part_that_url_parsers_may_read_differently_is_refused(url: str) -> None:
    # Before: urllib.parse read "http://a\\@b/" as host b, urllib3 (which connects) as a.
    with pytest.raises(ConfigError, match="refusing URL"):
        origin_of(url)
    with pytest.raises(ConfigError):
        check_base_url(url)
