"""The control API under /_emulator/ (CONTRACTS §5)."""

from __future__ import annotations

import json
import threading
import urllib.error
from typing import Any

import pytest

from tests.emulator.support import ALL, Api
from tests.emulator_process import Emulator

NOTE = {"title": "t", "description": "d", "noteType": 1, "publish": 1}


def test_stats_shape_and_request_counts(api: Api) -> None:
    api.get("Tickets/29296")
    api.get("Tickets/29297")
    api.get("Tickets/999999999")
    api.query("Tickets", ALL, MaxRecords=1)
    api.query("Tickets", [{"op": "eq", "field": "nope", "value": 1}])
    api.post("Tickets/29296/Notes", NOTE)
    api.get("Tickets/29296/Notes")
    api.request("DELETE", "Tickets/29296")
    api.get("NoSuch/1")
    stats = api.emulator.stats()
    # CONTRACTS §5's five keys, plus in_flight (issue 3: lets a test wait for held slots).
    assert set(stats) == {
        "records",
        "requests",
        "faults",
        "thread_rejections",
        "max_concurrency",
        "in_flight",
    }
    requests = stats["requests"]
    assert requests["GET Tickets/{id}"] == {"200": 3}
    assert requests["POST Tickets/query"] == {"200": 1, "500": 1}
    assert requests["POST Tickets/{id}/Notes"] == {"200": 1}
    assert requests["GET Tickets/{id}/Notes"] == {"200": 1}
    assert requests["DELETE Tickets/{id}"] == {"405": 1}
    assert requests["GET (unmatched)"] == {"404": 1}
    assert stats["faults"] == {}
    assert stats["thread_rejections"] == {}
    # Tickets/29296/Notes acts on TicketNotes (the bucket rule of CONTRACTS §5).
    assert stats["max_concurrency"]["Tickets"] == 1
    assert stats["max_concurrency"]["TicketNotes"] == 1


def test_stats_records_per_entity(api: Api) -> None:
    before = api.emulator.stats()["records"]
    assert before["Tickets"] > 0
    assert set(before) >= {"Tickets", "TicketNotes", "Companies", "Contacts", "Resources"}
    api.post("Tickets/29296/Notes", NOTE)
    assert api.emulator.stats()["records"]["TicketNotes"] == before["TicketNotes"] + 1


def test_max_concurrency_tracks_parallel_requests(api: Api) -> None:
    barrier = threading.Barrier(4)

    def worker() -> None:
        client = Api(api.emulator)
        barrier.wait(30)
        for _ in range(20):
            client.query("Companies", ALL)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    peak = api.emulator.stats()["max_concurrency"]["Companies"]
    assert 1 <= peak <= 4


def test_reset_restores_data_and_clears_counters(api: Api) -> None:
    start = api.emulator.stats()["records"]
    api.post("Tickets/29296/Notes", NOTE)
    api.request("PATCH", "Tickets", {"id": 29296, "title": "Changed"})
    api.emulator.seed("Companies", 50)
    api.emulator.control("POST", "clock", {"advance": 3600})
    api.emulator.reset()
    stats = api.emulator.stats()
    assert stats["records"] == start
    assert stats["requests"] == {}
    assert stats["max_concurrency"] == {}
    assert api.item("Tickets", 29296)["title"] != "Changed"
    assert api.emulator.control("GET", "requests")["requests"][-1]["route"] == "Tickets/{id}"
    assert api.emulator.control("POST", "clock", {"advance": 0})["offset"] == 0


def test_requests_log(api: Api) -> None:
    api.query("Tickets", ALL, MaxRecords=1)
    entries = api.emulator.control("GET", "requests")["requests"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["method"] == "POST"
    assert entry["route"] == "Tickets/query"
    assert entry["status"] == 200
    assert entry["bodySize"] > 0
    assert entry["path"] == "V1.0/Tickets/query"


def test_seed_creates_valid_records_fast_outside_the_api(api: Api) -> None:
    before = api.emulator.stats()
    result = api.emulator.seed("Tickets", 300)
    assert result["created"] == 300
    assert result["lastId"] - result["firstId"] == 299
    after = api.emulator.stats()
    assert after["records"]["Tickets"] == before["records"]["Tickets"] + 300
    assert after["requests"] == before["requests"]  # not counted as API requests
    item = api.item("Tickets", result["lastId"])
    assert api.get(f"Companies/{item['companyID']}").json["item"] is not None
    # A seeded record passes the API's own validation when written back.
    patch = {"id": item["id"], "title": item["title"] + " (edited)"}
    assert api.request("PATCH", "Tickets", patch).status == 200


@pytest.mark.parametrize(
    "body", [{"entity": "Nope", "count": 1}, {"entity": "Tickets", "count": -1}, {"count": 1}]
)
def test_seed_rejects_bad_requests(emulator: Emulator, body: dict) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        emulator.control("POST", "seed", body)
    assert caught.value.code == 400
    caught.value.close()


def test_clock_moves_forward_only(emulator: Emulator) -> None:
    moved = emulator.control("POST", "clock", {"advance": 86400})
    assert moved["offset"] == 86400
    with pytest.raises(urllib.error.HTTPError) as caught:
        emulator.control("POST", "clock", {"advance": -1})
    assert caught.value.code == 400
    caught.value.close()


def test_unknown_control_endpoint_and_method(emulator: Emulator) -> None:
    for method, path, status in (("GET", "nope", 404), ("GET", "reset", 405)):
        with pytest.raises(urllib.error.HTTPError) as caught:
            emulator.control(method, path)
        assert caught.value.code == status
        caught.value.close()


def _records(emulator: Emulator, body: dict[str, Any]) -> Any:
    return emulator.control("POST", "records", body)


def test_records_change_outside_the_api_with_a_given_modified_time(api: Api) -> None:
    emulator = api.emulator
    before = emulator.stats()
    modified = "2026-01-01T00:00:00Z"
    body = {"entity": "Tickets", "id": 29296, "set": {"title": "Changed outside"}}
    answer = _records(emulator, {**body, "modified": modified})
    assert answer == {
        "entity": "Tickets",
        "id": 29296,
        "modified": modified,
        "modifiedFields": ["lastActivityDate", "lastTrackedModificationDateTime"],
    }
    item = api.item("Tickets", 29296)
    assert item["title"] == "Changed outside"
    assert item["lastActivityDate"] == item["lastTrackedModificationDateTime"] == modified
    since = [{"op": "gte", "field": "lastActivityDate", "value": modified}]
    assert api.ids("Tickets", since) == [29296]
    after = emulator.stats()["requests"]  # only the two API requests above are counted
    assert after == {
        **before["requests"],
        "GET Tickets/{id}": {"200": 1},
        "POST Tickets/query": {"200": 1},
    }
    # Without "modified" the emulator's clock stamps it; UDFs and datetimes in wire shape.
    emulator.control("POST", "clock", {"advance": 10 * 365 * 86400})
    udf = {"name": "Status Summary", "value": "set outside"}
    fields = {"userDefinedFields": [udf], "dueDateTime": "2030-01-01T09:00:00+01:00"}
    now = _records(emulator, {"entity": "Tickets", "id": 29297, "set": fields})["modified"]
    item = api.item("Tickets", 29297)
    assert now.startswith("20") and now > "2034" and item["lastActivityDate"] == now
    assert item["dueDateTime"] == "2030-01-01T08:00:00Z"
    assert udf in item["userDefinedFields"]
    api.emulator.reset()
    assert api.item("Tickets", 29296)["title"] != "Changed outside"


def test_records_create_and_delete_outside_the_api(api: Api) -> None:
    emulator = api.emulator
    total = api.post("Tickets/query/count", {"filter": ALL}).json["queryCount"]
    stamp = "2025-06-01T12:00:00Z"
    made = _records(emulator, {"entity": "Tickets", "set": {"title": "Made"}, "modified": stamp})
    item = api.item("Tickets", made["id"])
    assert (item["title"], item["createDate"], item["lastActivityDate"]) == ("Made", stamp, stamp)
    # Tickets cannot be deleted through the API (fact sheet §4.3); here they can.
    gone = _records(emulator, {"entity": "Tickets", "id": made["id"], "delete": True})
    assert gone == {"entity": "Tickets", "id": made["id"], "deleted": True}
    assert api.get(f"Tickets/{made['id']}").json == {"item": None}
    _records(emulator, {"entity": "Tickets", "id": 29296, "delete": True})
    assert api.post("Tickets/query/count", {"filter": ALL}).json["queryCount"] == total - 1
    # An attachment goes with its AttachmentInfo row.
    attachment = api.ids("TicketAttachments", [{"op": "gt", "field": "ticketID", "value": 0}])[0]
    _records(emulator, {"entity": "TicketAttachments", "id": attachment, "delete": True})
    assert api.get(f"AttachmentInfo/{attachment}").json == {"item": None}
    fields = emulator.control("GET", "records")["modifiedFields"]
    assert fields["TimeEntries"] == ["lastModifiedDateTime"]
    assert fields["Companies"] == ["lastActivityDate", "lastTrackedModifiedDateTime"]
    assert "Resources" not in fields


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"entity": "Nope", "id": 1, "set": {}}, 400),
        ({"entity": "Tickets", "id": 29296, "set": {"noSuchField": 1}}, 400),
        ({"entity": "Tickets", "id": 29296, "set": {"id": 7}}, 400),
        ({"entity": "Tickets", "id": 29296, "set": {"dueDateTime": "soon"}}, 400),
        ({"entity": "Tickets", "id": 29296, "modified": "yesterday"}, 400),
        ({"entity": "Tickets", "id": "5", "set": {}}, 400),
        ({"entity": "Tickets", "id": 29296, "colour": "red"}, 400),
        ({"entity": "Tickets", "delete": True}, 400),
        ({"entity": "Tickets", "id": 1, "set": {"title": "x"}}, 404),
        ({"entity": "Tickets", "id": 1, "delete": True}, 404),
    ],
)
def test_records_refuse_bad_requests(emulator: Emulator, body: dict, status: int) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        _records(emulator, body)
    assert caught.value.code == status
    assert json.loads(caught.value.read())["errors"][0].startswith("records: ")
    caught.value.close()
