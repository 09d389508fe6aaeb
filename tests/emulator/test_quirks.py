"""Quirk switches (issue 3): each uncertain behaviour of fact sheet §11 flips with one flag.

Each test checks the default on the session emulator and the switched behaviour on one
emulator started with every non-default quirk (the switches are independent of each other).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.emulator.support import ALL, AUTH_LINES, Api, raw_exchange
from tests.emulator_process import Emulator, running_emulator

IIS_404_15 = (
    "HTTP Error 404.15 - Not Found",
    "The request filtering module is configured to deny a request where the query string is "
    "too long.",
)

SWITCHED = (
    "--auth-failure-status", "401",
    "--strict-operators",
    "--max-records-policy", "clamp",
    "--missing-id", "404",
    "--chunked-bodies", "accept",
    "--oversize-body-status", "500",
    "--max-body-bytes", "4096",
    "--attachment-wrapper", "item",
    "--attachment-data", "child",
    "--include-fields-id", "always",
    "--unknown-body-fields", "reject",
    "--version-information", "v1",
    "--max-query-string", "2048",
    "--server-error-body", "message",
    "--max-in-values", "500",
)  # fmt: skip


@pytest.fixture(scope="module")
def switched_session() -> Iterator[Emulator]:
    with running_emulator(*SWITCHED) as emulator:
        yield emulator


@pytest.fixture
def switched(switched_session: Emulator) -> Api:
    switched_session.reset()
    return Api(switched_session)


def test_auth_failure_status(api: Api, switched: Api) -> None:
    for client in (api, switched):
        assert client.get("Tickets/29296", headers={"Secret": "wrong"}).status == 401
    unknown_user = {"UserName": "nobody@example.com"}
    unknown_code = {"ApiIntegrationCode": "NOPE"}
    assert api.get("Tickets/29296", headers=unknown_user).status == 500
    assert api.get("Tickets/29296", headers=unknown_code).status == 500
    assert switched.get("Tickets/29296", headers=unknown_user).status == 401
    assert switched.get("Tickets/29296", headers=unknown_code).status == 401


def test_unknown_operators(api: Api, switched: Api) -> None:
    odd = [{"op": "noteExist", "field": "id"}]
    assert api.query("Tickets", odd).status == 200  # silently ignored (§11.4)
    reply = switched.query("Tickets", odd)
    assert reply.status == 500
    assert reply.errors


def test_max_records_over_500(api: Api, switched: Api) -> None:
    assert api.query("Tickets", MaxRecords=501).status == 500
    clamped = switched.query("Tickets", MaxRecords=501)
    assert clamped.status == 200
    assert clamped.json["pageDetails"]["requestCount"] == 500


def test_missing_id(api: Api, switched: Api) -> None:
    assert api.get("Tickets/999999999").json == {"item": None}
    assert switched.get("Tickets/999999999").status == 404


def test_include_fields_id(api: Api, switched: Api) -> None:
    body = {"IncludeFields": ["title"], "MaxRecords": 1}
    assert set(api.query("Tickets", **body).json["items"][0]) == {"title", "userDefinedFields"}
    assert set(switched.query("Tickets", **body).json["items"][0]) == {
        "id",
        "title",
        "userDefinedFields",
    }


def test_unknown_body_fields(api: Api, switched: Api) -> None:
    ticket = api.ids("Tickets", MaxRecords=1)[0]
    patch = {"id": ticket, "title": "Renamed", "noSuchField": 1}
    assert api.request("PATCH", "Tickets", patch).status == 200
    rejected = switched.request("PATCH", "Tickets", patch)
    assert rejected.status == 500
    assert rejected.errors[0] == "Unable to find noSuchField in the Ticket Entity"
    note = {"title": "t", "description": "d", "noteType": 1, "publish": 1, "colour": "red"}
    assert api.post(f"Tickets/{ticket}/Notes", note).status == 200
    refused = switched.post(f"Tickets/{ticket}/Notes", note)
    assert refused.status == 500
    assert refused.errors == ["Unable to find colour in the TicketNote Entity"]


def test_version_information(api: Api, switched: Api) -> None:
    path = api.emulator.base_url + "versioninformation"
    assert api.get(path, absolute=True, auth=False).json == {"apiVersions": ["V1.0", "V2.0"]}
    path = switched.emulator.base_url + "versioninformation"
    assert switched.get(path, absolute=True, auth=False).json == {"apiVersions": ["V1.0"]}
    v2 = switched.emulator.base_url + "V2.0/zoneInformation?user=x"
    assert switched.get(v2, absolute=True, auth=False).status == 404


def test_chunked_bodies(api: Api, switched: Api) -> None:
    body = b'{"filter":[{"op":"exist","field":"id"}],"MaxRecords":2}'
    request = (
        b"POST /ATServicesRest/V1.0/Tickets/query HTTP/1.1\r\nHost: x\r\n"
        + AUTH_LINES
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{len(body) - 10:x}\r\n".encode()
        + body[:-10]
        + b"\r\n"
        + f"{10:x}\r\n".encode()
        + body[-10:]
        + b"\r\n0\r\n\r\n"
    )
    assert raw_exchange(api.emulator, request).startswith(b"HTTP/1.1 411 ")
    accepted = raw_exchange(switched.emulator, request)
    assert accepted.startswith(b"HTTP/1.1 200 "), accepted[:300]
    assert b'"items"' in accepted


def test_oversize_bodies(api: Api, switched: Api) -> None:
    big = {"filter": ALL, "pad": "x" * 5000}
    assert api.query("Tickets", **{"pad": "x" * 5000}).status == 200  # under the 10 MiB default
    reply = switched.post("Tickets/query", big)
    assert reply.status == 500
    assert reply.errors
    assert switched.query("Tickets").status == 200  # the server carries on


def _attachment() -> dict[str, object]:
    return {
        "id": 0,
        "attachmentType": "FILE_ATTACHMENT",
        "fullPath": "quirk.txt",
        "title": "quirk",
        "publish": 1,
        "data": base64.b64encode(b"quirk data").decode(),
    }


def test_attachment_wrapper_and_data(api: Api, switched: Api) -> None:
    for client in (api, switched):
        ticket = client.ids("Tickets", MaxRecords=1)[0]
        new_id = client.create(f"Tickets/{ticket}/Attachments", _attachment())
        child = client.get(f"Tickets/{ticket}/Attachments/{new_id}").json
        root = client.get(f"TicketAttachments/{new_id}").json
        if client is api:
            assert len(child["items"]) == 1 and len(root["items"]) == 1
            assert base64.b64decode(child["items"][0]["data"]) == b"quirk data"
            assert base64.b64decode(root["items"][0]["data"]) == b"quirk data"
        else:
            assert base64.b64decode(child["item"]["data"]) == b"quirk data"
            assert root["item"]["id"] == new_id
            assert root["item"]["data"] is None  # only the child form carries data


def test_thread_limit_status_and_text() -> None:
    flags = (
        "--thread-limit", "1", "--thread-limit-status", "500", "--latency-ms", "3000",
        "--thread-limit-text", "Too many threads.",
    )  # fmt: skip
    with running_emulator(*flags) as emulator:
        holder = threading.Thread(target=lambda: Api(emulator).get("ThresholdInformation"))
        holder.start()
        deadline = time.monotonic() + 30
        while emulator.stats()["in_flight"].get("ThresholdInformation", 0) < 1:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        reply = Api(emulator).get("ThresholdInformation")
        holder.join(30)
        # The injected `thread` fault answers exactly like the gate.
        emulator.control("POST", "faults", {"rules": [{"kind": "thread", "probability": 1}]})
        injected = Api(emulator).get("ThresholdInformation")
    assert reply.status == injected.status == 500
    assert reply.errors == injected.errors == ["Too many threads."]


def test_hourly_limit_text() -> None:
    flags = ("--hourly-limit", "1", "--hourly-limit-text", "Slow down.")
    with running_emulator(*flags) as emulator:
        api = Api(emulator)
        assert api.get("ThresholdInformation").status == 200
        refused = api.get("ThresholdInformation")
        emulator.control("POST", "faults", {"rules": [{"kind": "429", "probability": 1}]})
        emulator.control("POST", "clock", {"advance": 3600})
        injected = api.get("ThresholdInformation")
    assert refused.status == injected.status == 429
    assert refused.errors == injected.errors == ["Slow down."]


def test_hourly_limit_status() -> None:
    with running_emulator("--hourly-limit", "1", "--hourly-limit-status", "500") as emulator:
        api = Api(emulator)
        assert api.get("ThresholdInformation").status == 200
        refused = api.get("ThresholdInformation")
    assert refused.status == 500
    assert "threshold" in refused.errors[0].lower()


def _long_link(api: Api) -> tuple[str, dict[str, object]]:
    """A POST query's next-page link whose query string is over 2,048 characters."""
    api.emulator.seed("Companies", 600)
    ids = [i["id"] for i in api.query("Companies", IncludeFields=["id"]).json["items"]]
    body = {"filter": [{"op": "in", "field": "id", "value": ids}], "MaxRecords": 100}
    url: str = api.post("Companies/query", body).json["pageDetails"]["nextPageUrl"]
    assert len(url.split("?", 1)[1]) > 2048
    return url, body


def test_max_query_string(api: Api, switched: Api) -> None:
    # Off by default: the emulator serves a link of any length.
    url, body = _long_link(api)
    assert api.post(url, body, absolute=True).status == 200
    # --max-query-string 2048 answers it the way an IIS front does (issue 7 item 6): 404 with
    # the 404.15 page, before routing or authentication, and counted on the route.
    url, body = _long_link(switched)
    refused = switched.post(url, body, absolute=True)
    assert refused.status == 404
    assert refused.headers["Content-Type"].startswith("text/html")
    assert all(text in refused.text for text in IIS_404_15)
    assert refused.json is None
    anonymous = switched.post(url, body, absolute=True, auth=False)
    assert anonymous.status == 404 and IIS_404_15[0] in anonymous.text
    assert switched.emulator.stats()["requests"]["POST Companies/query/next"] == {"404": 2}
    # Exactly at the limit is still served (the raw, percent-encoded length counts).
    search = {"filter": ALL, "MaxRecords": 1, "IncludeFields": ["id"]}
    path = "Companies/query?search=" + quote(json.dumps(search), safe="")
    padding = 2048 - len(path.split("?", 1)[1]) - len("&x=")
    assert switched.get(path + "&x=" + "a" * padding).status == 200
    assert switched.get(path + "&x=" + "a" * (padding + 1)).status == 404


def test_server_error_body(api: Api, switched: Api) -> None:
    # Default: Autotask's errors[] text (issue 8 item 3); switched: ASP.NET's bare Message.
    rule = {"rules": [{"kind": "500", "route": "GET:*/Companies/*", "times": 1}]}
    answers = []
    for client in (api, switched):
        client.emulator.control("POST", "faults", rule)
        answers.append(client.get("Companies/174"))
    assert [a.status for a in answers] == [500, 500]
    assert answers[0].errors[0].startswith("An unexpected error has occurred.  If the problem")
    assert answers[1].json == {"Message": "An error has occurred."}


def test_max_in_values(api: Api, switched: Api) -> None:
    # Off by default; --max-in-values 500 refuses a longer in/notIn list with the SOAP-era text
    # (fact sheet §3.2, issue 8 item 5), so a client's splitting meets a real refusal.
    values = list(range(1, 502))
    for op in ("in", "notIn"):
        condition = [{"op": op, "field": "id", "value": values}]
        assert api.query("Companies", condition).status == 200
        refused = switched.query("Companies", condition)
        assert refused.status == 500
        assert refused.errors == [
            "Invalid query syntax. Queries are limited to 500 or fewer 'OR' conditions."
        ]
        at_limit = [{"op": op, "field": "id", "value": values[:500]}]
        assert switched.query("Companies", at_limit).status == 200
    nested = {"op": "or", "items": [{"op": "in", "field": "id", "value": values}]}
    assert switched.post("Companies/query/count", {"filter": [nested]}).status == 500
