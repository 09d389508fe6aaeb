"""Secrets never appear in log records, reprs or errors."""

from __future__ import annotations

import logging

import pytest

from autotask import AutotaskClient, ConfigError, Credentials, RequestConfig
from autotask._log import get_logger, mask

SECRET = "s3cr3t-VALUE-42"
CODE = "INTEGRATIONCODE-XYZ"


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def collected() -> Collect:
    handler = Collect()
    root = logging.getLogger("autotask")
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


def test_header_values_are_masked_by_name() -> None:
    assert mask("{'Secret': 'abc', 'UserName': 'u'}") == "{'Secret': '***', 'UserName': 'u'}"
    assert mask('{"ApiIntegrationCode": "XYZ"}') == '{"ApiIntegrationCode": "***"}'
    assert mask("secret=abc; apiintegrationcode: def") == "secret=***; apiintegrationcode: ***"


def test_every_library_record_is_masked_including_args(collected: Collect) -> None:
    Credentials("u@example.com", CODE, SECRET)  # registers both values
    log = get_logger("autotask.some_module")
    log.debug("wire headers=%s", {"Secret": SECRET, "ApiIntegrationCode": CODE})
    log.info("a message quoting %s and %s bare", SECRET, CODE)
    log.warning("Secret: %s", SECRET)
    text = "\n".join(collected.lines)
    assert len(collected.lines) == 3
    assert SECRET not in text and CODE not in text
    assert text.count("***") >= 5


def test_reprs_hide_secrets() -> None:
    credentials = Credentials("u@example.com", CODE, SECRET)
    assert SECRET not in repr(credentials) and CODE not in repr(credentials)
    client = AutotaskClient(
        credentials, RequestConfig(), base_url="http://127.0.0.1:1/ATServicesRest/"
    )
    assert SECRET not in repr(client) and CODE not in repr(client)
    assert SECRET not in repr(client.transport.__dict__.get("config"))


def test_missing_credentials_name_what_is_missing_not_the_values() -> None:
    with pytest.raises(ConfigError, match="secret") as info:
        Credentials("u@example.com", CODE, "")
    assert CODE not in str(info.value)
    with pytest.raises(ConfigError, match="AUTOTASK_SECRET"):
        Credentials.from_env({"AUTOTASK_USERNAME": "u", "AUTOTASK_INTEGRATION_CODE": CODE})


def test_the_package_logger_has_a_null_handler() -> None:
    import autotask.wire.transport  # noqa: F401 - importing sets the logging up

    handlers = logging.getLogger("autotask").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


@pytest.mark.parametrize(
    "secret",
    ["Ab1;Zq9$Xy7#Lm", "quote'and\"both", "back\\slash;x", "brace}and]x", "x, y & z"],
)
def test_a_secret_with_delimiters_is_masked_whole_in_a_header_dict(secret: str) -> None:
    # Before: the header pattern ran first and stopped at ';', leaving '***;Zq9$Xy7#Lm'.
    Credentials("u@example.com", "CODE-" + secret, secret)
    text = mask(str({"Secret": secret, "ApiIntegrationCode": "CODE-" + secret, "UserName": "u"}))
    assert text == "{'Secret': '***', 'ApiIntegrationCode': '***', 'UserName': 'u'}"
    assert mask(f"quoted bare: {secret}") == "quoted bare: ***"
