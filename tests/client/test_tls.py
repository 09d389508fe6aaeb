"""TLS is always verified, with the CA certificates the documented order picks (issue 4).

An https front (tests/client/proxy.py) with a throwaway self-signed certificate, made by the
``openssl`` command line tool, stands before the real emulator. Untrusted, the client refuses it
before sending anything; trusted through ``RequestConfig(ca_file=...)`` or ``SSL_CERT_FILE``, it
works end to end. Skipped where no ``openssl`` command exists (the standard library cannot make
a certificate).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from autotask import AutotaskClient, ConfigError, Credentials, RequestConfig, TransportError
from autotask._tls import ca_bundle
from tests.client.conftest import requests_to
from tests.client.proxy import forwarding_proxy
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
