"""TLS verification cannot be switched off (issue 14 "Security").

There is no option, flag, profile key or environment variable that turns certificate or host
name checks off: an https front with a self-signed certificate is refused before anything is
sent, whatever the environment says and in every legacy-renegotiation mode; a trusted
certificate for another host name is refused too. The package's source holds none of the ways
Python switches verification off.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from autotask import AutotaskClient, ConfigError, Credentials, RequestConfig, TransportError
from autotask.wire._tls import LEGACY_RENEGOTIATION_MODES, tls_context
from tests.cli.conftest import Cli
from tests.client.proxy import forwarding_proxy
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="needs the openssl command to make a certificate"
)
ROOT = Path(__file__).resolve().parents[2]

#: Variables other tools read to weaken or skip verification; none may change ours.
HOSTILE_ENVIRONMENTS = [
    {"PYTHONHTTPSVERIFY": "0"},
    {"CURL_CA_BUNDLE": ""},
    {"REQUESTS_CA_BUNDLE": ""},
    {"SSL_CERT_FILE": "/dev/null"},
    {"SSL_CERT_DIR": "/nonexistent"},
    {"AUTOTASK_INSECURE": "1", "AUTOTASK_VERIFY": "0", "AUTOTASK_TLS_VERIFY": "false"},
    {"NODE_TLS_REJECT_UNAUTHORIZED": "0", "GIT_SSL_NO_VERIFY": "1"},
]


def _certificate(folder: Path, san: str) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=test",
            "-addext", f"subjectAltName={san}",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """A self-signed certificate for 127.0.0.1, and one for another host name only."""
    return {
        "right": _certificate(tmp_path_factory.mktemp("right"), "IP:127.0.0.1,DNS:localhost"),
        "wrong": _certificate(tmp_path_factory.mktemp("wrong"), "DNS:elsewhere.example"),
    }


def _front(emulator: Emulator, cert: tuple[Path, Path]) -> Iterator[str]:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(*cert)
    with forwarding_proxy(emulator.host, emulator.port, tls=server) as root:
        yield root + "ATServicesRest/"


@pytest.fixture
def self_signed(emulator: Emulator, certificates: dict[str, tuple[Path, Path]]) -> Iterator[str]:
    yield from _front(emulator, certificates["right"])


@pytest.fixture
def wrong_name(emulator: Emulator, certificates: dict[str, tuple[Path, Path]]) -> Iterator[str]:
    yield from _front(emulator, certificates["wrong"])


def _client(url: str, tmp_path: Path, environ: dict[str, str], **config: object) -> AutotaskClient:
    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(cache_dir=str(tmp_path), max_retries=0, **config),  # type: ignore[arg-type]
        base_url=url,
        environ=environ,
        sleep=lambda seconds: None,
    )


@pytest.mark.parametrize("mode", LEGACY_RENEGOTIATION_MODES)
@pytest.mark.parametrize("environment", HOSTILE_ENVIRONMENTS, ids=",".join)
def test_a_self_signed_certificate_is_refused_whatever_the_environment_says(
    self_signed: str,
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    mode: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)  # for anything that reads os.environ directly
    before = sum(sum(r.values()) for r in emulator.stats()["requests"].values())
    with (
        _client(self_signed, tmp_path, environment, tls_legacy_renegotiation=mode) as client,
        pytest.raises((TransportError, ConfigError), match=r"certificate|CERTIFICATE"),
    ):
        client.tickets.count()  # (an empty SSL_CERT_FILE is a ConfigError: no CA at all)
    after = sum(sum(r.values()) for r in emulator.stats()["requests"].values())
    assert after == before  # nothing reached the server


def test_a_trusted_certificate_for_another_host_name_is_refused(
    wrong_name: str, certificates: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    ca_file = str(certificates["wrong"][0])  # the certificate itself is trusted...
    with (
        _client(wrong_name, tmp_path, {}, ca_file=ca_file) as client,
        pytest.raises(TransportError, match=r"certificate|hostname|match"),
    ):
        client.tickets.count()  # ...but it names another host


def test_no_configuration_field_turns_verification_off() -> None:
    names = {f.name for f in dataclasses.fields(RequestConfig)}
    switches = re.compile(r"verif|insecure|cert_req|check_hostname|ssl_context|unverified")
    assert not [n for n in names if switches.search(n)]
    for mode in LEGACY_RENEGOTIATION_MODES:
        context = tls_context(environ={}, legacy_renegotiation=mode != "never")
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_the_source_never_switches_verification_off() -> None:
    # The ways Python and urllib3 turn verification off; none may appear in the package.
    forbidden = re.compile(
        r"CERT_NONE|check_hostname\s*=\s*False|_create_unverified_context|cert_reqs\s*="
        r"|assert_hostname\s*=\s*False|verify\s*=\s*False|PYTHONHTTPSVERIFY|disable_warnings"
    )
    hits = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "autotask").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert hits == []


@pytest.mark.parametrize("flag", ["--insecure", "--no-verify", "-k", "--no-check-certificate"])
def test_the_command_line_has_no_switch_for_it(run_cli: Cli, flag: str) -> None:
    result = run_cli(flag, "count", "Tickets")
    assert result.code == 2 and "Traceback" not in result.err


@pytest.mark.parametrize("key", ["verify", "insecure", "tls_verify", "ssl_verify"])
def test_no_profile_key_for_it(run_cli: Cli, key: str) -> None:
    result = run_cli("config", "set", key, "false")
    assert result.code == 2 and key in result.err
