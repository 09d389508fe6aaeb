"""HTTP behaviour: versions, zones, routing, keep-alive and bad input that must never stop it."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import struct
import subprocess
import sys
import time
from urllib.parse import quote

import pytest

from tests.emulator.support import ALL, AUTH, AUTH_LINES, QUEUE, Api, raw_exchange, raw_status
from tests.emulator_process import USERNAME, Emulator, running_emulator


def test_versioninformation_needs_no_auth_and_any_case(api: Api) -> None:
    for path in ("versioninformation", "VersionInformation", "VERSIONINFORMATION"):
        reply = api.get(api.emulator.base_url + path, auth=False, absolute=True)
        assert reply.status == 200
        # V2.0 is listed as live since ~2026-09 (fact sheet §1), yet its paths are 404.
        assert reply.json == {"apiVersions": ["V1.0", "V2.0"]}


def test_zone_information_answers_own_base_url_from_host_header(api: Api) -> None:
    reply = api.get(f"zoneInformation?user={USERNAME}", auth=False)
    assert reply.status == 200
    body = reply.json
    assert set(body) == {"zoneName", "url", "webUrl", "ci"}
    assert body["url"] == api.emulator.base_url
    assert body["url"].endswith("/ATServicesRest/")
    assert isinstance(body["ci"], int)
    other = api.get(
        f"zoneInformation?user={USERNAME.upper()}",
        auth=False,
        headers={"Host": f"localhost:{api.emulator.port}"},
    )
    assert other.json["url"] == f"http://localhost:{api.emulator.port}/ATServicesRest/"


@pytest.mark.parametrize("user", ["nobody@example.com", ""])
def test_zone_information_unknown_user_is_500(api: Api, user: str) -> None:
    reply = api.get(f"zoneInformation?user={user}", auth=False)
    assert reply.status == 500
    assert reply.json == {"errors": ["Zone information could not be determined"]}


def test_paths_are_case_insensitive(api: Api) -> None:
    lower = api.request("GET", api.emulator.base_url.lower() + "v1.0/tickets/29296", absolute=True)
    assert lower.status == 200
    assert lower.json["item"]["id"] == 29296
    mixed = api.post("companies/QUERY/Count", {"filter": ALL})
    assert mixed.status == 200
    assert mixed.json["queryCount"] > 0


def test_threshold_information_counts_requests_including_itself(api: Api) -> None:
    first = api.get("ThresholdInformation")
    assert first.status == 200
    assert set(first.json) == {
        "externalRequestThreshold",
        "requestThresholdTimeframe",
        "currentTimeframeRequestCount",
    }
    assert first.json["externalRequestThreshold"] == 10000
    assert first.json["requestThresholdTimeframe"] == 60
    assert first.json["currentTimeframeRequestCount"] == 1
    api.get("Tickets/29296")
    api.get("Tickets/29297")
    assert api.get("thresholdinformation").json["currentTimeframeRequestCount"] == 4


def test_threshold_window_is_an_hour_on_the_emulator_clock(api: Api) -> None:
    api.get("Tickets/29296")
    api.emulator.control("POST", "clock", {"advance": 3601})
    assert api.get("ThresholdInformation").json["currentTimeframeRequestCount"] == 1


@pytest.mark.parametrize(
    "path",
    ["Nonsense/query", "V2.0/zoneInformation", "Tickets/abc", "Tickets/1/Nope", "Tickets/1/2/3/4"],
)
def test_unknown_routes_are_404(api: Api, path: str) -> None:
    url = api.emulator.base_url + (path if path.startswith("V2.0") else "V1.0/" + path)
    reply = api.get(url, absolute=True)
    assert reply.status == 404
    assert "Message" in reply.json


def test_paths_outside_the_api_are_404(api: Api) -> None:
    reply = api.get(api.emulator.root_url + "index.html", absolute=True)
    assert reply.status == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "Tickets"),  # the collection route takes POST/PATCH/PUT only
        ("DELETE", "Tickets/29296"),  # Tickets cannot be deleted (fact sheet §4.3)
        ("PUT", "Tickets/query"),
        ("DELETE", "Tickets/29296/Notes"),
    ],
)
def test_wrong_method_is_405_in_aspnet_shape(api: Api, method: str, path: str) -> None:
    reply = api.request(method, path, {} if method in ("PUT",) else None)
    assert reply.status == 405
    assert reply.json == {
        "Message": f"The requested resource does not support http method '{method}'."
    }


def test_child_only_entities_404_on_root_writes(api: Api) -> None:
    body = {"ticketID": 29296, "title": "t", "description": "d", "noteType": 1, "publish": 1}
    assert api.post("TicketNotes", body).status == 404
    assert api.request("PATCH", "TicketNotes", {"id": 30000}).status == 404
    # TicketNotes/{id} exists (GET), so DELETE there is 405, like DELETE /TicketAttachments/{id}
    # (fact sheet §11.3).
    assert api.request("DELETE", "TicketNotes/30000").status == 405
    assert api.post("TicketNotes/query", {"filter": ALL}).status == 200


def test_malformed_json_is_an_autotask_error(api: Api) -> None:
    reply = api.request("POST", "Tickets/query", raw=b'{"filter": [')
    assert reply.status == 500
    assert reply.errors and "JSON" in reply.errors[0]
    create = api.request("POST", "Companies", raw=b"not json")
    assert create.status == 500
    assert api.get("Tickets/29296").status == 200


def test_wrong_content_type_is_415(api: Api) -> None:
    reply = api.request(
        "POST", "Tickets/query", raw=b"filter=x", headers={"Content-Type": "text/plain"}
    )
    assert reply.status == 415
    assert "text/plain" in reply.json["Message"]


def test_oversized_body_is_413_without_reading_it(emulator: Emulator) -> None:
    request = (
        b"POST /ATServicesRest/V1.0/Tickets/query HTTP/1.1\r\nHost: x\r\n"
        + AUTH_LINES
        + b"Content-Type: application/json\r\nContent-Length: 10485761\r\n\r\n{"
    )
    data = raw_exchange(emulator, request, until_close=True)
    assert raw_status(data) == 413
    assert b"Connection: close" in data
    assert json.loads(data.split(b"\r\n\r\n", 1)[1])["errors"]


def test_chunked_body_is_411(emulator: Emulator) -> None:
    body = b'{"filter":[{"op":"exist","field":"id"}]}'
    request = (
        b"POST /ATServicesRest/V1.0/Tickets/query HTTP/1.1\r\nHost: x\r\n"
        + AUTH_LINES
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + f"{len(body):x}\r\n".encode()
        + body
        + b"\r\n0\r\n\r\n"
    )
    assert raw_status(raw_exchange(emulator, request, until_close=True)) == 411


def test_garbage_request_line_does_not_stop_the_server(api: Api) -> None:
    status_line = b""
    with socket.create_connection((api.emulator.host, api.emulator.port), timeout=30) as sock:
        sock.sendall(b"\x00\x01garbage\r\n\r\n")
        status_line = sock.recv(100)
    assert status_line.startswith(b"HTTP/1.1 400 ")
    assert api.get("Tickets/29296").status == 200


def test_keep_alive_serves_many_requests_on_one_connection(emulator: Emulator) -> None:
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=30)
    try:
        headers = {**AUTH, "Content-Type": "application/json"}
        conn.request("GET", "/ATServicesRest/V1.0/Tickets/29296", headers=headers)
        first = conn.getresponse()
        first.read()
        assert first.status == 200
        sock = conn.sock
        for record_id in (29297, 29298, 29299):
            conn.request("GET", f"/ATServicesRest/V1.0/Tickets/{record_id}", headers=headers)
            response = conn.getresponse()
            assert json.loads(response.read())["item"]["id"] == record_id
            assert response.getheader("Content-Length") is not None
        body = json.dumps({"filter": ALL, "MaxRecords": 1})
        conn.request("POST", "/ATServicesRest/V1.0/Tickets/query", body=body, headers=headers)
        response = conn.getresponse()
        assert len(json.loads(response.read())["items"]) == 1
        # An error answer keeps the connection open too.
        conn.request("GET", "/ATServicesRest/V1.0/Nope/1", headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 404
        conn.request("GET", "/ATServicesRest/V1.0/Tickets/29296", headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200
        assert conn.sock is sock, "the connection was reopened"
    finally:
        conn.close()


def test_stdout_has_only_the_listening_line(emulator: Emulator) -> None:
    # The session emulator has served many requests; a per-request log line would have been
    # written to stdout, which the fixture drains. Its stderr must be quiet too.
    api = Api(emulator)
    api.get("Tickets/29296")
    api.get("Nope/1")
    assert emulator.stderr_text() == ""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_the_server_cleanly(sig: signal.Signals) -> None:
    with running_emulator("--data", "empty") as emu:
        client = Api(emu)
        assert client.get("ThresholdInformation").status == 200
        client.pool.clear()
        emu.proc.send_signal(sig)
        assert emu.proc.wait(30) == 0
        assert "Traceback" not in emu.stderr_text()


def test_query_parameter_names_are_case_insensitive(api: Api) -> None:
    zone = api.get(f"zoneInformation?User={USERNAME}", auth=False)
    assert zone.status == 200
    search = quote(json.dumps({"filter": [{"op": "eq", "field": "id", "value": 29296}]}))
    reply = api.get(f"Tickets/query?SEARCH={search}")
    assert reply.status == 200
    assert [i["id"] for i in reply.json["items"]] == [29296]


_KILLED_CLIENT = r"""
import socket, sys, time
sock = socket.create_connection((sys.argv[1], int(sys.argv[2])))
request = b"GET /ATServicesRest/versioninformation HTTP/1.1\r\nHost: x\r\n\r\n"
sock.sendall(request * 3)  # keep-alive requests whose answers it never reads
print("sent", flush=True)
time.sleep(60)
"""


def test_a_killed_client_is_a_quiet_disconnect(emulator: Emulator) -> None:
    # A client killed with unread answers leaves its kernel to reset the connection, so the
    # emulator's next read of a request line fails with ConnectionResetError: a disconnect,
    # which once printed a traceback on the session emulator's stderr.
    before = emulator.stderr_text()
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CLIENT, emulator.host, str(emulator.port)],
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"sent\n"
        time.sleep(0.3)  # the answers are written into the child's unread buffer
        child.kill()
        assert child.wait(10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(10)
        assert child.stdout is not None
        child.stdout.close()
    with socket.create_connection((emulator.host, emulator.port), timeout=30) as sock:
        sock.sendall(b"POST /ATServicesRest/V1.0/Tickets HTTP/1.1\r\nContent-Length: 9\r\n\r\n{")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(0.3)  # the emulator's threads meet the resets
    assert Api(emulator).get("Tickets/29296").status == 200
    after = emulator.stderr_text()
    assert after == before, after


def test_a_body_cut_short_is_neither_applied_nor_answered(emulator: Emulator) -> None:
    # A complete JSON ticket, but the Content-Length promises more: the client went away
    # before its request was whole, so the server must not act on it.
    api = Api(emulator)
    count = api.post("Tickets/query/count", {"filter": ALL}).json["queryCount"]
    ticket = {"companyID": 0, "title": "cut short", "status": 1, "priority": 2, "queueID": QUEUE}
    ticket["companyID"] = api.post("Companies/query", {"filter": ALL}).json["items"][0]["id"]
    body = json.dumps(ticket).encode()
    head = (
        b"POST /ATServicesRest/V1.0/Tickets HTTP/1.1\r\nHost: x\r\n"
        + AUTH_LINES
        + b"Content-Type: application/json\r\nContent-Length: "
        + str(len(body) + 50).encode()
        + b"\r\n\r\n"
    )
    with socket.create_connection((emulator.host, emulator.port), timeout=30) as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(100) == b""  # closed without an answer
    assert api.post("Tickets/query/count", {"filter": ALL}).json["queryCount"] == count
    assert "Traceback" not in emulator.stderr_text()
