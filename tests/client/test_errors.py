"""Every error class the emulator's real answers can produce, with its attributes.

Faults (ServerError, ThreadLimitExceeded, RateLimited, OutcomeUnknown from injected 5xx, 429 and
resets) are in test_faults.py; TooManyRecords and PaginationError in test_paging.py. A
PermissionDenied comes from the emulator's simulated security level (``POST
/_emulator/permissions``, the ``--deny`` switch), which the per-test reset undoes.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from autotask import (
    AuthenticationError,
    AutotaskClient,
    ConfigError,
    Credentials,
    F,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    RequestConfig,
    TransportError,
)
from tests.client.conftest import requests_to, under_quirks
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator


def _client(
    base_url: str,
    tmp_path: Path,
    *,
    username: str = USERNAME,
    secret: str = SECRET,
    code: str = INTEGRATION_CODE,
    sleeps: list[float] | None = None,
    **config: object,
) -> AutotaskClient:
    return AutotaskClient(
        Credentials(username, code, secret),
        RequestConfig(cache_dir=str(tmp_path), **config),  # type: ignore[arg-type]
        base_url=base_url,
        environ={},
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
    )


@under_quirks("default", "auth-failure-401")
def test_wrong_secret_is_authentication_error_401(emulator: Emulator, tmp_path: Path) -> None:
    client = _client(emulator.base_url, tmp_path, secret="wrong-secret")
    with client, pytest.raises(AuthenticationError) as info:
        client.tickets.get(1)
    error = info.value
    assert (error.status, error.operation, error.entity, error.applied) == (
        401,
        "GET",
        "Tickets",
        False,
    )
    assert error.errors and error.errors[0] in str(error)
    assert "wrong-secret" not in str(error) and "wrong-secret" not in repr(error)
    assert requests_to(emulator, "GET Tickets/{id}") == 1  # explicit URL: no re-discovery


@under_quirks("default", "auth-failure-401")
@pytest.mark.parametrize(
    ("username", "code", "text"),
    [
        ("nobody@example.com", INTEGRATION_CODE, "Zone information could not be determined"),
        (USERNAME, "WRONGCODE", "IntegrationCode is invalid"),
    ],
)
def test_unknown_user_or_code_is_authentication_error_500(
    emulator: Emulator, tmp_path: Path, username: str, code: str, text: str
) -> None:
    # Autotask answers these with 500 and a text (fact sheet §2); --auth-failure-status 401
    # answers them like a wrong secret.
    as_401 = "--auth-failure-status" in emulator.flags
    client = _client(emulator.base_url, tmp_path, username=username, code=code)
    with client, pytest.raises(AuthenticationError) as info:
        client.companies.count()
    assert info.value.status == (401 if as_401 else 500) and info.value.operation == "COUNT"
    assert as_401 or text in str(info.value)
    assert info.value.applied is False and info.value.attempts == 1  # never retried


def test_validation_errors_carry_the_apis_text(client: AutotaskClient) -> None:
    with pytest.raises(InvalidRequest) as info:
        client.tickets.create({"title": "no company"})
    error = info.value
    assert error.status == 500 and error.operation == "CREATE" and error.applied is False
    assert any("companyID" in text for text in error.errors)
    assert "companyID" in str(error) and "\n" not in str(error)

    with pytest.raises(InvalidRequest, match="Unable to find nope in the Ticket Entity"):
        client.tickets.query_all(F("nope") == 1)
    with pytest.raises(InvalidRequest, match=r"Picklist value \[999\]"):
        client.tickets.create({"title": "x", "companyID": 174, "status": 999, "priority": 1})


def test_unsupported_verbs_and_routes(client: AutotaskClient) -> None:
    ticket = next(client.tickets.query(limit=1))["id"]
    with pytest.raises(InvalidRequest) as info:
        client.tickets.delete(ticket)  # Tickets cannot be deleted: 405 {"Message": ...}
    assert info.value.status == 405 and "DELETE" in info.value.errors[0]
    with pytest.raises(NotFound) as missing:
        client.entity("NoSuchThings").get(1)
    assert missing.value.status == 404 and missing.value.entity == "NoSuchThings"


def test_missing_records_on_write_are_invalid_requests(client: AutotaskClient) -> None:
    with pytest.raises(InvalidRequest, match="No matching records found"):
        client.time_entries.delete(999_999_999)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_is_retried_then_transport_error(tmp_path: Path) -> None:
    sleeps: list[float] = []
    url = f"http://127.0.0.1:{_closed_port()}/ATServicesRest/"
    client = _client(url, tmp_path, sleeps=sleeps, max_retries=3, retry_backoff=0.5)
    with client, pytest.raises(TransportError, match="cannot connect") as info:
        client.tickets.create({"title": "x"})  # not sent: safe to resend even a create
    assert info.value.applied is False and info.value.operation == "CREATE"
    assert len(sleeps) == 3 and sleeps[0] < sleeps[1] < sleeps[2]
    assert isinstance(info.value.__cause__, Exception)
    assert "urllib3" in type(info.value.__cause__).__module__


def test_refused_urls_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unencrypted"):
        _client("http://example.com/ATServicesRest/", tmp_path)
    with pytest.raises(ConfigError):
        AutotaskClient.create("u", "c", "")


def test_a_security_level_without_the_permission_is_permission_denied(
    client: AutotaskClient, emulator: Emulator
) -> None:
    company = next(client.companies.query(limit=1))["id"]
    before = client.tickets.count()
    emulator.control("POST", "permissions", {"deny": ["Tickets:QCU"]})
    with pytest.raises(PermissionDenied) as query:
        client.tickets.query_all(F("status") == 1)
    with pytest.raises(PermissionDenied) as create:
        client.tickets.create({"companyID": company, "title": "x", "status": 1, "priority": 2})
    for error, operation in ((query.value, "QUERY"), (create.value, "CREATE")):
        assert (error.status, error.operation, error.entity) == (500, operation, "Tickets")
        assert error.applied is False  # a refusal: the write certainly did not happen
        assert "adequate permissions" in error.errors[0] and error.errors[0] in str(error)
    assert client.tickets.info()["canCreate"] is False  # entityInformation says so too
    assert requests_to(emulator, "POST Tickets") == 1  # a refusal is not retried
    emulator.control("POST", "permissions", {"deny": []})
    assert client.tickets.count() == before  # nothing was created
