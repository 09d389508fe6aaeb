"""TLS is always verified, with the CA certificates the documented order picks (issue 4).

An https front (tests/client/proxy.py) with a throwaway self-signed certificate, made by the
``openssl`` command line tool, stands before the real emulator. Untrusted, the client refuses it
before sending anything; trusted through ``RequestConfig(ca_file=...)`` or ``SSL_CERT_FILE``, it
works end to end. Skipped where no ``openssl`` command exists (the standard library cannot make
a certificate).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import ssl
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from autotask import (
    AutotaskClient,
    ConfigError,
    Credentials,
    OutcomeUnknown,
    RequestConfig,
    TransportError,
)
from autotask.wire._tls import OP_LEGACY_SERVER_CONNECT, ca_bundle
from tests.client.conftest import requests_to
from tests.client.proxy import forwarding_proxy, legacy_tls_server
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="needs the openssl command to make a certificate"
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def https_url(emulator: Emulator, certificate: tuple[Path, Path]) -> Iterator[str]:
    """The emulator's API root behind an https front with the self-signed certificate."""
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(*certificate)
    with forwarding_proxy(emulator.host, emulator.port, tls=server) as root:
        yield root + "ATServicesRest/"


def _client(
    url: str, tmp_path: Path, sleeps: list[float], environ: Mapping[str, str], **config: object
) -> AutotaskClient:
    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(cache_dir=str(tmp_path), **config),  # type: ignore[arg-type]
        base_url=url,
        environ=environ,
        sleep=sleeps.append,
    )


def test_an_untrusted_certificate_is_refused_before_sending(
    https_url: str, emulator: Emulator, tmp_path: Path
) -> None:
    sleeps: list[float] = []
    # The system's CA bundle (the probe's first existing file) does not know our certificate.
    with _client(https_url, tmp_path, sleeps, {}) as client:
        with pytest.raises(TransportError, match="certificate not trusted") as read:
            client.tickets.count()
        with pytest.raises(TransportError, match="certificate not trusted") as write:
            client.tickets.create({"companyID": 1, "title": "never sent"})
    # Nothing was sent: not retried, not OutcomeUnknown even for the create.
    assert sleeps == []
    assert (read.value.applied, write.value.applied, write.value.operation) == (
        False,
        False,
        "CREATE",
    )
    assert "ca_file" in str(write.value)
    assert "urllib3" in type(write.value.__cause__).__module__
    assert emulator.stats()["requests"] == {}


def test_ca_file_trusts_the_certificate(
    https_url: str, emulator: Emulator, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    with _client(https_url, tmp_path, [], {}, ca_file=str(certificate[0])) as client:
        assert client.tickets.count() > 0
        ticket = next(client.tickets.query(limit=1))
        assert client.tickets.get(ticket["id"]) == ticket
    assert requests_to(emulator, "POST Tickets/query/count") == 1


def test_ssl_cert_file_trusts_the_certificate_and_ca_file_wins_over_it(
    https_url: str, emulator: Emulator, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    env = {"SSL_CERT_FILE": str(certificate[0])}
    with _client(https_url, tmp_path, [], env) as client:
        assert client.tickets.count() > 0
    system, _ = ca_bundle(None, {})  # the system bundle the probe finds: not ours
    if system is None:
        pytest.skip("no system CA bundle to compare with")
    client = _client(https_url, tmp_path, [], env, ca_file=system)
    with client, pytest.raises(TransportError, match="certificate not trusted"):
        client.tickets.count()


def test_an_unreadable_ca_file_is_a_config_error(https_url: str, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-bundle.pem"
    client = _client(https_url, tmp_path, [], {}, ca_file=str(missing))
    with client, pytest.raises(ConfigError, match=r"no-such-bundle\.pem"):
        client.tickets.count()


def _tls12_server(certificate: tuple[Path, Path], ciphers: str | None = None) -> ssl.SSLContext:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(*certificate)
    if ciphers:
        server.maximum_version = ssl.TLSVersion.TLSv1_2
        server.set_ciphers(ciphers)
    return server


@pytest.mark.parametrize("front", ["plain http port", "no shared cipher"])
def test_a_failed_handshake_sent_nothing_so_a_write_is_retried_not_outcome_unknown(
    front: str, emulator: Emulator, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    # Before: any handshake failure but an untrusted certificate made a create OutcomeUnknown
    # ("may have been applied") although no byte of the request had left the client.
    before = emulator.stats()["records"]["Tickets"]
    sleeps: list[float] = []
    ca = {"ca_file": str(certificate[0]), "max_retries": 2}
    with contextlib.ExitStack() as stack:
        if front == "plain http port":  # https spoken to an http server: WRONG_VERSION_NUMBER
            url = f"https://127.0.0.1:{emulator.port}/ATServicesRest/"
        else:  # the front offers only PSK ciphers, which the client never does
            tls = _tls12_server(certificate, "PSK")
            url = stack.enter_context(forwarding_proxy(emulator.host, emulator.port, tls=tls))
            url += "ATServicesRest/"
        client = stack.enter_context(_client(url, tmp_path, sleeps, {}, **ca))
        with pytest.raises(TransportError) as write:
            client.tickets.create({"companyID": 1, "title": "never sent", "queueID": 29683325})
        with pytest.raises(TransportError) as read:
            client.tickets.count()
    for error in (write.value, read.value):
        assert not isinstance(error, OutcomeUnknown) and error.applied is False
        assert "TLS handshake failed" in str(error) and error.attempts == 3  # retried twice
    assert write.value.operation == "CREATE" and len(sleeps) == 4
    assert emulator.stats()["records"]["Tickets"] == before


def test_legacy_renegotiation_always_reaches_the_ssl_context_and_verification_stays(
    https_url: str, emulator: Emulator, tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    config = {"ca_file": str(certificate[0]), "tls_legacy_renegotiation": "always"}
    with _client(https_url, tmp_path, [], {}, **config) as client:
        assert client.tickets.count() > 0  # a normal server still works
        context = client.transport._pool(https_url).connection_pool_kw["ssl_context"]
    assert context.options & OP_LEGACY_SERVER_CONNECT
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    untrusted = _client(https_url, tmp_path, [], {}, tls_legacy_renegotiation="always")
    with untrusted, pytest.raises(TransportError, match="certificate not trusted"):
        untrusted.tickets.count()  # the option never switches verification off


def test_legacy_renegotiation_auto_is_per_autotask_host_and_logged_once(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    refused = TransportError("cannot connect")
    refused.__cause__ = ssl.SSLError(1, "[SSL: UNSAFE_LEGACY_RENEGOTIATION_DISABLED] unsafe")
    zone = "https://webservices15.autotask.net/ATServicesRest/V1.0/Tickets/query"
    with _client(emulator.base_url, tmp_path, [], {}) as client:
        transport = client.transport
        plain = transport._pool(zone).connection_pool_kw["ssl_context"]
        assert not plain.options & OP_LEGACY_SERVER_CONNECT  # "auto": not from the start
        with caplog.at_level(logging.WARNING, logger="autotask"):
            assert transport._allow_legacy_renegotiation(zone, refused)  # reconnect once
            assert not transport._allow_legacy_renegotiation(zone, refused)  # then no more
        legacy = transport._pool(zone).connection_pool_kw["ssl_context"]
        assert legacy.options & OP_LEGACY_SERVER_CONNECT and legacy.verify_mode is ssl.CERT_REQUIRED
        other = transport._pool("https://example.com/x").connection_pool_kw["ssl_context"]
        assert not other.options & OP_LEGACY_SERVER_CONNECT  # per host
        assert not transport._allow_legacy_renegotiation("https://example.com/x", refused)
    warnings = [r for r in caplog.records if "legacy renegotiation" in r.getMessage()]
    assert len(warnings) == 1 and "webservices15.autotask.net" in warnings[0].getMessage()


@pytest.mark.parametrize("mode", ["auto", "never", "always"])
def test_a_server_without_secure_renegotiation_and_each_legacy_mode(
    mode: str, tmp_path: Path, certificate: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    # The front looks like Autotask's IIS to OpenSSL 3 (fact sheet §2). Its host is 127.0.0.1,
    # not an Autotask host, so "auto" leaves it refused; "always" gets past the refusal (the
    # handshake then fails for another reason: the front cannot complete it). Nothing is sent.
    sleeps: list[float] = []
    cert = (str(certificate[0]), str(certificate[1]))
    config = {"ca_file": cert[0], "max_retries": 1, "tls_legacy_renegotiation": mode}
    with (
        legacy_tls_server(cert) as root,
        _client(root + "ATServicesRest/", tmp_path, sleeps, {}, **config) as client,
        caplog.at_level(logging.WARNING, logger="autotask"),
        pytest.raises(TransportError) as info,
    ):
        client.tickets.create({"companyID": 1, "title": "never sent", "queueID": 29683325})
    error = info.value
    assert not isinstance(error, OutcomeUnknown) and error.applied is False
    assert error.attempts == 2 and len(sleeps) == 1  # retried like a refused connection
    refused = "UNSAFE_LEGACY_RENEGOTIATION_DISABLED" in str(error)
    assert refused is (mode != "always")  # only "always" put the option in the SSL context
    assert ("tls_legacy_renegotiation='always'" in str(error)) is refused  # the way out
    assert not [r for r in caplog.records if "legacy renegotiation" in r.getMessage()]
