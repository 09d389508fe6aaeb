"""Authentication: the three headers, their failure statuses and texts (fact sheet §2)."""

from __future__ import annotations

import pytest

from tests.emulator.support import Api
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, running_emulator

# Texts of the recorded responses error_500_invalid_username.json and
# error_500_invalid_integration_code.json (../shared/fixtures/real/).
INVALID_USERNAME = ["Zone information could not be determined"]
INVALID_INTEGRATION_CODE = ["IntegrationCode is invalid."]


def _headers(user: str = USERNAME, secret: str = SECRET, code: str = INTEGRATION_CODE) -> dict:
    return {"UserName": user, "Secret": secret, "ApiIntegrationCode": code}


def test_right_credentials_are_served(api: Api) -> None:
    assert api.get("Tickets/29296", auth=False, headers=_headers()).status == 200


def test_header_names_are_case_insensitive(api: Api) -> None:
    headers = {"username": USERNAME, "SECRET": SECRET, "ApiIntegrationcode": INTEGRATION_CODE}
    assert api.get("Tickets/29296", auth=False, headers=headers).status == 200


def test_username_matches_case_insensitively(api: Api) -> None:
    reply = api.get("Tickets/29296", auth=False, headers=_headers(user=USERNAME.upper()))
    assert reply.status == 200


def test_wrong_secret_is_401(api: Api) -> None:
    reply = api.get("Tickets/29296", auth=False, headers=_headers(secret="wrong"))
    assert reply.status == 401
    assert "item" not in reply.text


def test_unknown_user_is_500_with_the_recorded_text(api: Api) -> None:
    reply = api.get("Tickets/29296", auth=False, headers=_headers(user="who@example.com"))
    assert reply.status == 500
    assert reply.errors == INVALID_USERNAME


def test_wrong_integration_code_is_500_with_the_recorded_text(api: Api) -> None:
    reply = api.get("Tickets/29296", auth=False, headers=_headers(code="NOPE"))
    assert reply.status == 500
    assert reply.errors == INVALID_INTEGRATION_CODE


def test_no_headers_at_all_is_refused(api: Api) -> None:
    reply = api.post("Tickets/query", {"filter": []}, auth=False)
    assert reply.status == 500
    assert reply.errors == INVALID_USERNAME


@pytest.mark.parametrize("path", ["Tickets", "Tickets/entityInformation", "ThresholdInformation"])
def test_every_api_route_needs_auth(api: Api, path: str) -> None:
    method = "POST" if path == "Tickets" else "GET"
    reply = api.request(method, path, {} if method == "POST" else None, auth=False)
    assert reply.status == 500


def test_refused_writes_change_nothing(api: Api) -> None:
    before = api.emulator.stats()["records"]["Companies"]
    reply = api.post(
        "Companies",
        {"companyName": "X", "companyType": 1, "ownerResourceID": 29682885, "phone": "1"},
        auth=False,
        headers=_headers(secret="wrong"),
    )
    assert reply.status == 401
    assert api.emulator.stats()["records"]["Companies"] == before


def test_secrets_are_masked_in_the_request_log(api: Api) -> None:
    api.get("Tickets/29296")
    entries = api.emulator.control("GET", "requests")["requests"]
    assert entries
    text = str(entries)
    assert SECRET not in text
    assert INTEGRATION_CODE not in text
    last = entries[-1]
    assert last["route"] == "Tickets/{id}"
    assert last["status"] == 200
    assert last["headers"]["UserName"] == USERNAME
    assert last["headers"]["Secret"] == "***"


def test_credential_flags_and_environment() -> None:
    custom = {"UserName": "me@example.org", "Secret": "s3cret", "ApiIntegrationCode": "MYCODE"}
    env = {
        "AUTOTASK_EMULATOR_USERNAME": "env@example.org",
        "AUTOTASK_EMULATOR_SECRET": "env-secret",
        "AUTOTASK_EMULATOR_INTEGRATION_CODE": "ENVCODE",
    }
    flags = ("--username", "me@example.org", "--secret", "s3cret", "--integration-code", "MYCODE")
    with running_emulator(*flags, env=env) as emu:  # flags win over the environment
        api = Api(emu)
        assert api.get("Tickets/29296", headers=custom).status == 200
        assert api.get("Tickets/29296").status == 500  # the default user is unknown here
        zone = api.get("zoneInformation?user=me@example.org", auth=False)
        assert zone.json["url"] == emu.base_url
        api.pool.clear()
    with running_emulator(env=env) as emu:
        api = Api(emu)
        from_env = {"UserName": "env@example.org", "Secret": "env-secret"}
        assert (
            api.get("Tickets/29296", headers={**from_env, "ApiIntegrationCode": "ENVCODE"}).status
            == 200
        )
        api.pool.clear()


def test_host_flag_binds_that_address() -> None:
    with running_emulator("--host", "127.0.0.2", "--data", "empty") as emu:
        assert emu.base_url.startswith("http://127.0.0.2:")
        api = Api(emu)
        assert api.get("ThresholdInformation").status == 200
        api.pool.clear()
