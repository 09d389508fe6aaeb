"""Credentials never go to another origin, and plain http only to loopback (issue 14
"Security"; CONTRACTS §4).

A *trap* server listens on another origin and records whatever reaches it; a hostile server
(the zone the client talks to) points the client at the trap every way it can: next-page links,
redirects, zone lookup answers, and URLs that two URL parsers read differently (``\\@``: Python's
``urllib.parse`` puts ``http://a\\@b/`` on ``b``, while urllib3, which opens the connection,
puts it on ``a``). The trap must see nothing at all, and the client must fail with a documented
error before sending. The base URL of a client may be plain http only on a loopback host,
however the host part is spelt.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autotask import (
    AutotaskClient,
    AutotaskError,
    ConfigError,
    Credentials,
    PaginationError,
    RequestConfig,
)
from tests.security.hostile_server import Answer, HostileServer, Seen, hostile_server

SECRET = "origin-test-secret"
CODE = "ORIGINTESTCODE"


@pytest.fixture(scope="module")
def trap() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


@pytest.fixture(scope="module")
def zone() -> Iterator[HostileServer]:
    with hostile_server() as server:
        yield server


def _authority(server: HostileServer) -> str:
    return server.root.split("//", 1)[1].rstrip("/")


def _client(base_url: str | None, cache: Path, **config: object) -> AutotaskClient:
    return AutotaskClient(
        Credentials("user@example.com", CODE, SECRET),
        RequestConfig(cache_dir=str(cache), max_retries=0, **config),  # type: ignore[arg-type]
        base_url=base_url,
        environ={},
        sleep=lambda seconds: None,
    )


def _page(next_url: str) -> Answer:
    body = {"items": [{"id": 1}], "pageDetails": {"count": 1, "nextPageUrl": next_url}}
    return Answer(body=json.dumps(body).encode())


def _link_variants(zone: HostileServer, trap: HostileServer) -> list[str]:
    """Next-page links that lead off the zone's origin, plainly or by parser confusion."""
    z, t = _authority(zone), _authority(trap)
    path = "/ATServicesRest/V1.0/Tickets/query/next?paging=x"
    port = t.rsplit(":", 1)[1]
    return [
        f"http://{t}{path}",
        f"http://{t}\\@{z}{path}",  # urllib.parse: the zone; urllib3: the trap
        f"http://{t}\\{z}{path}",
        f"http://{z}@{t}{path}",  # userinfo: the host is the trap
        f"http://{t}#@{z}{path}",
        f"http://{t}\t@{z}{path}",  # urllib.parse drops the tab
        f"http://{t}\n@{z}{path}",
        f"http://{t};@{z}{path}",
        f"http://localhost:{port}{path}",  # another port of a loopback name
        f"https://{z}{path}",  # another scheme
        f"HTTP://{t.upper()}{path}",
    ]


def test_next_page_links_to_another_origin_never_carry_credentials(
    zone: HostileServer, trap: HostileServer, tmp_path: Path
) -> None:
    for link in _link_variants(zone, trap):
        zone.answer = _page(link)
        trap.seen.clear()
        zone.seen.clear()
        with _client(zone.base_url, tmp_path) as client, pytest.raises(AutotaskError) as info:
            client.tickets.query_all()
        assert trap.seen == [], f"{link!r} reached the trap"
        assert isinstance(info.value, (PaginationError, ConfigError)), (link, info.value)
        assert len(zone.seen) == 1, link  # the first page only


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_not_followed(
    zone: HostileServer, trap: HostileServer, tmp_path: Path, status: int
) -> None:
    zone.answer = Answer(status=status, headers=[("Location", trap.base_url + "V1.0/Tickets/1")])
    trap.seen.clear()
    with _client(zone.base_url, tmp_path) as client, pytest.raises(AutotaskError):
        client.tickets.get(1)
    assert trap.seen == []


def _zone_answers(zone: HostileServer, trap: HostileServer) -> list[str]:
    z, t = _authority(zone), _authority(trap)
    # (Another port of the loopback lookup's own host is allowed: CONTRACTS §4, so that a
    # test can move the zone from one emulator to another.)
    return [
        f"http://{t}\\@{z}/ATServicesRest/",
        f"http://{z}@{t}/ATServicesRest/",
        "https://webservices5.autotask.net.example.com/ATServicesRest/",
        "https://example.com\\@webservices5.autotask.net/ATServicesRest/",
        "http://webservices5.autotask.net/ATServicesRest/",  # not https
        "https://autotask.net@example.com/ATServicesRest/",
        "https://example.com#.autotask.net/ATServicesRest/",
    ]


def test_a_zone_lookup_answer_off_the_allowed_hosts_gets_no_credentials(
    zone: HostileServer, trap: HostileServer, tmp_path: Path
) -> None:
    for url in _zone_answers(zone, trap):
        zone.answer = Answer(body=json.dumps({"url": url}).encode())
        trap.seen.clear()
        zone.seen.clear()
        cache = tmp_path / f"cache-{len(url)}-{abs(hash(url))}"
        with (
            _client(None, cache, zone_lookup_url=zone.base_url) as client,
            pytest.raises(ConfigError),
        ):
            client.tickets.get(1)
        assert trap.seen == [], f"zone answer {url!r} reached the trap"
        assert [s.path.split("?")[0] for s in zone.seen] == ["/ATServicesRest/V1.0/zoneInformation"]
        assert not any(_credentials(s) for s in zone.seen)  # a zone lookup carries none


def _credentials(seen: Seen) -> bool:
    headers = {k.lower() for k in seen.headers}
    return bool(headers & {"secret", "apiintegrationcode"})


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (for a trap outside 127.0.0.0/8)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))  # a UDP connect sends no packet
            address = str(probe.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


# Hosts that are not loopback, spelt as URL parsers might be fooled into reading them.
_HOSTS = st.sampled_from(
    [
        "example.com",
        "10.0.0.1",
        "192.0.2.2",
        "127.0.0.1.example.com",
        "localhost.example.com",
        "[::ffff:10.0.0.1]",
        "[fe80::1]",
        "0.0.0.0",
        "example.com\\@127.0.0.1",
        "example.com\\@localhost",
        "127.0.0.1@example.com",
        "localhost:80@example.com",
        "example.com#@127.0.0.1",
        "example.com\t@127.0.0.1",
        "example.com\n.localhost",
        "example.com%2F@127.0.0.1",
        "example.com;@127.0.0.1",
    ]
)


@settings(max_examples=60, deadline=None)
@example(host="example.com\\@127.0.0.1", port=8080)
@given(host=_HOSTS, port=st.integers(min_value=1, max_value=65535))
def test_plain_http_is_refused_for_any_host_that_is_not_loopback(host: str, port: int) -> None:
    url = f"http://{host}:{port}/ATServicesRest/"
    with pytest.raises(ConfigError):
        _client(url, Path("/nonexistent-cache"))


def test_a_base_url_that_parsers_read_differently_never_reaches_the_other_host(
    tmp_path: Path,
) -> None:
    # The trap listens on a non-loopback address of this machine; the URL names it before a
    # "\@127.0.0.1": once accepted as loopback, credentials went to it over plain http.
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to listen on")
    with socket.socket() as listener:
        listener.bind((address, 0))
        listener.listen(1)
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        url = f"http://{address}:{port}\\@127.0.0.1:1/ATServicesRest/"
        try:
            with _client(url, tmp_path) as client:
                client.tickets.get(1)
        except AutotaskError as exc:
            assert isinstance(exc, ConfigError), exc
        with pytest.raises(TimeoutError):
            conn, _ = listener.accept()
            conn.close()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=st.sampled_from(["http://", "https://", "//", "HTTP://", "http:/", "http:\\\\"]),
    junk=st.text(st.sampled_from("\\@#?;:/%\t\n .[]"), max_size=4),
)
def test_no_next_page_link_of_any_shape_reaches_the_trap(
    zone: HostileServer, trap: HostileServer, tmp_path: Path, prefix: str, junk: str
) -> None:
    link = f"{prefix}{_authority(trap)}{junk}{_authority(zone)}/ATServicesRest/V1.0/T/query/next"
    zone.answer = _page(link)
    trap.seen.clear()
    with _client(zone.base_url, tmp_path) as client, contextlib.suppress(AutotaskError):
        client.tickets.query_all()
    assert trap.seen == [], f"{link!r} reached the trap"
