"""RequestConfig and Credentials values, and the CA bundle order (no sockets)."""

from __future__ import annotations

import pytest

from autotask import ConfigError, Credentials, RequestConfig
from autotask.retry import Operation
from autotask.transport import CA_FILES, ca_bundle


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


def test_ca_bundle_order() -> None:
    present = {CA_FILES[1], CA_FILES[4]}
    exists = present.__contains__
    assert ca_bundle("/my/ca.pem", {"SSL_CERT_FILE": "/x"}, exists) == ("/my/ca.pem", None)
    assert ca_bundle(None, {"SSL_CERT_FILE": "/x"}, exists) == ("/x", None)
    assert ca_bundle(None, {"SSL_CERT_DIR": "/d"}, exists) == (None, "/d")
    assert ca_bundle(None, {}, exists) == (CA_FILES[1], None)  # first existing, in order
    assert ca_bundle(None, {}, lambda p: False) == (None, None)  # OpenSSL defaults


@pytest.mark.parametrize("bad", ["line\nbreak", "tab\there", "caf\u00e9\u4e2d", "\x00"])
def test_credentials_must_fit_in_a_header(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        Credentials("api@example.com", "CODE", bad)
    assert bad not in str(info.value)
