"""RequestConfig and Credentials values, and the CA bundle order (no sockets)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from autotask import ConfigError, Credentials, RequestConfig, RetryPolicy
from autotask.retry import Operation
from autotask.wire._tls import (
    CA_FILES,
    OP_LEGACY_SERVER_CONNECT,
    ca_bundle,
    legacy_renegotiation_retry,
    tls_context,
)


def test_defaults_are_the_documented_ones() -> None:
    config = RequestConfig()
    assert (config.page_size, config.concurrency, config.max_retries) == (500, 3, 3)
    assert config.hourly_limit == 10_000 and config.zone_cache_ttl == 24 * 3600
    policy = RequestConfig(max_retries=5, retry_backoff=0.5, max_retry_wait=10).retry_policy()
    assert (policy.max_retries, policy.backoff, policy.max_wait) == (5, 0.5, 10)
    assert policy.decide(Operation.CREATE, policy_failure("NOT_SENT"), 0) is not None


def policy_failure(name: str):
    from autotask.retry import Failure

    return Failure[name]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"page_size": 501},
        {"page_size": 0},
        {"concurrency": 0},
        {"max_retries": -1},
        {"timeout": 0},
        {"hourly_limit": 0},
    ],
)
def test_bad_settings_are_refused(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        RequestConfig(**kwargs)


def test_config_is_frozen() -> None:
    with pytest.raises(AttributeError):
        RequestConfig().timeout = 5  # type: ignore[misc]


def test_credentials_from_env() -> None:
    env = {
        "AUTOTASK_USERNAME": " api@example.com ",
        "AUTOTASK_INTEGRATION_CODE": "CODE",
        "AUTOTASK_SECRET": "s",
    }
    assert Credentials.from_env(env) == Credentials("api@example.com", "CODE", "s")
    with pytest.raises(ConfigError, match="AUTOTASK_USERNAME"):
        Credentials.from_env({})


def test_ca_bundle_order(tmp_path: Path) -> None:
    first, second = tmp_path / "first.pem", tmp_path / "second.pem"
    second.write_text("x")
    (tmp_path / "a-directory.pem").mkdir()
    probe = [str(tmp_path / "missing.pem"), str(tmp_path / "a-directory.pem"), str(second)]
    assert ca_bundle("/my/ca.pem", {"SSL_CERT_FILE": "/x"}, probe) == ("/my/ca.pem", None)
    assert ca_bundle(None, {"SSL_CERT_FILE": "/x", "SSL_CERT_DIR": "/d"}, probe) == ("/x", "/d")
    assert ca_bundle(None, {"SSL_CERT_DIR": "/d"}, probe) == (None, "/d")
    assert ca_bundle(None, {"SSL_CERT_FILE": ""}, probe) == (str(second), None)  # empty: unset
    first.write_text("x")
    assert ca_bundle(None, {}, [str(first), str(second)]) == (str(first), None)  # first existing
    assert ca_bundle(None, {}, [str(tmp_path / "none.pem")]) == (None, None)  # OpenSSL defaults


def test_the_probe_list_is_the_documented_one() -> None:
    assert CA_FILES == (
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/ca-bundle.pem",
        "/etc/pki/tls/cacert.pem",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        "/etc/ssl/cert.pem",
    )


def test_tls_context_loads_what_the_probe_picks(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ConfigError, match=r"garbage\.pem"):
        tls_context(None, {"SSL_CERT_FILE": str(garbage)})
    with pytest.raises(ConfigError, match=r"missing\.pem"):
        tls_context(str(tmp_path / "missing.pem"), {})
    system, _ = ca_bundle(None, {})
    if system is not None:  # a real bundle, copied: loaded from where SSL_CERT_FILE says
        copy = tmp_path / "bundle.pem"
        copy.write_bytes(Path(system).read_bytes())
        context = tls_context(None, {"SSL_CERT_FILE": str(copy)})
        assert context.get_ca_certs() and context.verify_mode is ssl.CERT_REQUIRED
        assert context.check_hostname


@pytest.mark.parametrize("bad", ["line\nbreak", "tab\there", "caf\u00e9\u4e2d", "\x00"])
def test_credentials_must_fit_in_a_header(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        Credentials("api@example.com", "CODE", bad)
    assert bad not in str(info.value)


def test_a_retry_policy_is_accepted_beside_the_flat_fields() -> None:
    policy = RetryPolicy(max_retries=5, backoff=0.2, max_backoff=2.0, jitter=0.1)
    assert RequestConfig(retry=policy).retry_policy() is policy
    flat = RequestConfig(max_retries=2).retry_policy()  # the seed's spelling still works
    assert (flat.max_retries, flat.backoff) == (2, 1.0)
    with pytest.raises(ConfigError, match="not both"):
        RequestConfig(retry=policy, max_retries=2)
    with pytest.raises(ConfigError, match="RetryPolicy"):
        RequestConfig(retry=3)  # type: ignore[arg-type]


LEGACY = "[SSL: UNSAFE_LEGACY_RENEGOTIATION_DISABLED] unsafe legacy renegotiation disabled"


@pytest.mark.parametrize(
    ("mode", "host", "text", "retry"),
    [
        ("auto", "webservices15.autotask.net", LEGACY, True),
        ("auto", "WebServices.AutoTask.net", LEGACY, True),
        ("auto", "autotask.net.example.com", LEGACY, False),  # not an Autotask host
        ("auto", "127.0.0.1", LEGACY, False),
        ("auto", "webservices15.autotask.net", "[SSL: WRONG_VERSION_NUMBER] wrong", False),
        ("never", "webservices15.autotask.net", LEGACY, False),
        ("always", "webservices15.autotask.net", LEGACY, False),  # allowed from the start
    ],
)
def test_legacy_renegotiation_is_retried_only_for_autotask_hosts_in_auto_mode(
    mode: str, host: str, text: str, retry: bool
) -> None:
    assert legacy_renegotiation_retry(mode, host, text) is retry


def test_legacy_renegotiation_option_is_set_only_when_asked_and_verification_stays() -> None:
    legacy = tls_context(legacy_renegotiation=True)
    plain = tls_context()
    assert (
        legacy.options & OP_LEGACY_SERVER_CONNECT and not plain.options & OP_LEGACY_SERVER_CONNECT
    )
    for context in (legacy, plain):
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert RequestConfig().tls_legacy_renegotiation == "auto"
    with pytest.raises(ConfigError, match="'auto', 'always' or 'never'"):
        RequestConfig(tls_legacy_renegotiation="sometimes")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": float("nan")},
        {"connect_timeout": float("inf")},
        {"retry_backoff": float("nan")},
        {"max_budget_wait": float("nan")},
        {"max_thread_wait": float("inf")},
        {"attachment_window_seconds": float("nan")},
        {"zone_cache_ttl": float("nan")},
    ],
)
def test_nan_and_infinite_numbers_are_refused(kwargs: dict[str, float]) -> None:
    # Before: NaN passed every "< 0" check (a profile's "timeout = nan" then failed every
    # request with "Invalid value NaN"), and an infinite wait was no bound at all.
    with pytest.raises(ConfigError, match="must be a finite number"):
        RequestConfig(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        RetryPolicy(max_wait=float("nan"))
