"""Tenant limits (CONTRACTS §5, fact sheet §6, §7, §11): thread gate, hourly budget, attachments.

Black-box over HTTP. Windows move with ``POST /_emulator/clock``, so no test waits for them;
the thread-gate test holds slots with ``--latency-ms`` and asserts on outcomes and counters,
never on durations.
"""

from __future__ import annotations

import base64
import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.emulator.support import AUTH, Api, Reply
from tests.emulator_process import Emulator, running_emulator

THREAD_TEXT = (
    "Thread Threshold Exceeded - The Autotask API thread threshold of 3 threads has been exceeded."
)
WAIT_SECONDS = 30.0


def _wait_in_flight(emulator: Emulator, entity: str, n: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while emulator.stats()["in_flight"].get(entity, 0) < n:
        assert time.monotonic() < deadline, f"{n} {entity} requests never got in flight"
        time.sleep(0.01)


def test_gate_rejects_the_fourth_concurrent_request_and_admits_after_a_slot_frees() -> None:
    with running_emulator("--latency-ms", "3000", "--hourly-limit", "0") as emulator:
        first = emulator.seed("Companies", 5)["firstId"]
        results: dict[int, Reply] = {}

        def get(i: int) -> None:
            results[i] = Api(emulator).get(f"Companies/{first + i}")

        holders = [threading.Thread(target=get, args=(i,)) for i in range(3)]
        for thread in holders:
            thread.start()
        _wait_in_flight(emulator, "Companies", 3)
        api = Api(emulator)
        fourth = api.get(f"Companies/{first + 3}")
        # Other buckets are not affected: the notes of a company act on CompanyNotes.
        other_bucket = api.get(f"Companies/{first}/Notes")
        for thread in holders:
            thread.join(WAIT_SECONDS)
        again = api.get(f"Companies/{first + 3}")
        stats = emulator.stats()

    assert fourth.status == 429
    assert fourth.errors == [THREAD_TEXT]
    assert "Retry-After" not in fourth.headers
    assert other_bucket.status == 200
    assert [results[i].status for i in range(3)] == [200, 200, 200]
    assert again.status == 200
    assert again.json["item"]["id"] == first + 3
    assert stats["thread_rejections"] == {"Companies": 1}
    assert stats["max_concurrency"]["Companies"] == 3
    assert stats["requests"]["GET Companies/{id}"] == {"200": 4, "429": 1}
    assert stats["in_flight"] == {}


def test_thread_limit_flag_and_zero_switches_the_gate_off() -> None:
    with running_emulator("--latency-ms", "1500", "--thread-limit", "0") as emulator:
        first = emulator.seed("Companies", 8)["firstId"]
        with ThreadPoolExecutor(8) as pool:
            replies = list(
                pool.map(lambda i: Api(emulator).get(f"Companies/{first + i}").status, range(8))
            )
        stats = emulator.stats()
    assert replies == [200] * 8
    assert stats["thread_rejections"] == {}


def _threshold(api: Api) -> dict[str, int]:
    reply = api.get("ThresholdInformation")
    assert reply.status == 200, reply.text
    body: dict[str, int] = reply.json
    return body


def test_budget_refuses_past_the_limit_and_recovers_after_an_hour() -> None:
    with running_emulator("--hourly-limit", "5", "--threshold-latency-ms", "0") as emulator:
        api = Api(emulator)
        company = emulator.seed("Companies", 1)["firstId"]
        for _ in range(3):
            assert api.get(f"Companies/{company}").status == 200
        # Counted before answering: the reply includes this call (fact sheet §11.8).
        assert _threshold(api) == {
            "externalRequestThreshold": 5,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": 4,
        }
        assert api.get(f"Companies/{company}").status == 200  # the 5th
        refused = api.get(f"Companies/{company}")
        assert refused.status == 429
        assert refused.errors and refused.errors[0].startswith("Request Threshold Exceeded")
        assert "Retry-After" not in refused.headers  # fact sheet §11.1 (b): off by default
        assert not any(h.lower().startswith("x-ratelimit") for h in refused.headers)
        assert api.get("ThresholdInformation").status == 429
        emulator.control("POST", "clock", {"advance": 3599})
        assert api.get(f"Companies/{company}").status == 429  # still inside the hour
        emulator.control("POST", "clock", {"advance": 1})
        assert api.get(f"Companies/{company}").status == 200
        assert _threshold(api)["currentTimeframeRequestCount"] == 2
        stats = emulator.stats()
        emulator.reset()
        assert _threshold(api)["currentTimeframeRequestCount"] == 1
    assert stats["requests"]["GET Companies/{id}"] == {"200": 5, "429": 2}


def test_hourly_retry_after_switch() -> None:
    flags = ("--hourly-limit", "1", "--hourly-retry-after", "--threshold-latency-ms", "0")
    with running_emulator(*flags) as emulator:
        api = Api(emulator)
        assert api.get("ThresholdInformation").status == 200
        emulator.control("POST", "clock", {"advance": 600})
        refused = api.get("ThresholdInformation")
        assert refused.status == 429
        assert 2990 <= int(refused.headers["Retry-After"]) <= 3000


def _hammer(emulator: Emulator, path: str, n: int, workers: int = 4) -> list[int]:
    # Plain http.client keep-alive connections: the lightest client, so 10,000 requests take
    # seconds.
    def run(count: int) -> list[int]:
        conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=30)
        statuses = []
        try:
            for _ in range(count):
                conn.request("GET", "/ATServicesRest/V1.0/" + path, headers=AUTH)
                response = conn.getresponse()
                response.read()
                statuses.append(response.status)
        finally:
            conn.close()
        return statuses

    share = [n // workers + (1 if i < n % workers else 0) for i in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        return [status for part in pool.map(run, share) for status in part]


def test_default_budget_refuses_request_10001() -> None:
    # The default --hourly-limit 10,000; latency past 50%/75% off so the test takes seconds.
    flags = ("--threshold-latency-ms", "0", "--thread-limit", "0", "--data", "empty")
    with running_emulator(*flags) as emulator:
        company = emulator.seed("Companies", 1)["firstId"]
        emulator.control("POST", "seed", {"entity": "Companies", "count": 10})  # not counted
        statuses = _hammer(emulator, f"Companies/{company}", 9_999)
        assert statuses.count(200) == 9_999
        api = Api(emulator)
        assert _threshold(api)["currentTimeframeRequestCount"] == 10_000
        refused = api.get(f"Companies/{company}")
        assert refused.status == 429
        emulator.control("POST", "clock", {"advance": 3600})
        assert api.get(f"Companies/{company}").status == 200
        assert _threshold(api) == {
            "externalRequestThreshold": 10_000,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": 2,
        }


def _attachment(size: int, name: str = "file.bin") -> dict[str, Any]:
    return {
        "id": 0,
        "attachmentType": "FILE_ATTACHMENT",
        "fullPath": name,
        "title": name,
        "publish": 1,
        "data": base64.b64encode(b"\x5a" * size).decode("ascii"),
    }


def test_attachment_per_file_limit() -> None:
    with running_emulator("--attachment-max-bytes", "1000") as emulator:
        api = Api(emulator)
        ticket = api.ids("Tickets", MaxRecords=1)[0]
        before = emulator.stats()["records"]["TicketAttachments"]
        assert api.post(f"Tickets/{ticket}/Attachments", _attachment(1000)).status == 200
        refused = api.post(f"Tickets/{ticket}/Attachments", _attachment(1001))
        assert refused.status == 500
        assert refused.errors and "1000 bytes" in refused.errors[0]
        assert emulator.stats()["records"]["TicketAttachments"] == before + 1


def test_attachment_default_file_limit_is_6_mib(api: Api, emulator: Emulator) -> None:
    ticket = api.ids("Tickets", MaxRecords=1)[0]
    refused = api.post(f"Tickets/{ticket}/Attachments", _attachment(6 * 1024 * 1024 + 1))
    assert refused.status == 500
    assert str(6 * 1024 * 1024) in refused.errors[0]


def test_attachment_five_minute_window(api: Api, emulator: Emulator) -> None:
    ticket = api.ids("Tickets", MaxRecords=1)[0]
    path = f"Tickets/{ticket}/Attachments"
    assert api.post(path, _attachment(5_000_000, "a.bin")).status == 200
    assert api.post(path, _attachment(5_000_000, "b.bin")).status == 200  # 10,000,000 in all
    refused = api.post(path, _attachment(1, "c.bin"))
    assert refused.status == 500
    assert refused.errors and "5 minutes" in refused.errors[0]
    emulator.control("POST", "clock", {"advance": 299})
    assert api.post(path, _attachment(1, "c.bin")).status == 500
    emulator.control("POST", "clock", {"advance": 1})
    assert api.post(path, _attachment(1, "c.bin")).status == 200


def test_latency_counts_towards_max_concurrency_not_rejections() -> None:
    with running_emulator("--latency-ms", "200") as emulator:
        api = Api(emulator)
        assert api.get("ThresholdInformation").status == 200
        stats = emulator.stats()
    assert stats["max_concurrency"] == {"ThresholdInformation": 1}
    assert stats["thread_rejections"] == {}


def _latencies(emulator: Emulator, route: str) -> list[int]:
    """The latency the emulator added to each logged request of ``route``, in order."""
    entries = emulator.control("GET", "requests")["requests"]
    return [e["latencyMs"] for e in entries if e["route"] == route]


def test_threshold_latency_past_half_and_three_quarters() -> None:
    # fact sheet §6, §11.1 (b): added latency past 50% and 75% of the hourly limit. The
    # request log says how much was added, so no duration is measured.
    flags = ("--hourly-limit", "8", "--threshold-latency-ms", "30,60")
    with running_emulator(*flags) as emulator:
        api = Api(emulator)
        for _ in range(8):
            assert api.get("ThresholdInformation").status == 200
        latencies = _latencies(emulator, "ThresholdInformation")
    assert latencies == [0, 0, 0, 0, 30, 30, 60, 60]


def test_thread_latency_is_opt_in_and_starts_at_three_concurrent_requests() -> None:
    # fact sheet §11.1 (a): about +0.25 s per request at 3 concurrent (documented, via IMP).
    flags = ("--latency-ms", "3000", "--thread-latency-ms", "250,1000", "--hourly-limit", "0")
    with running_emulator(*flags) as emulator:
        first = emulator.seed("Companies", 3)["firstId"]
        holders = []
        for i in range(3):
            thread = threading.Thread(target=Api(emulator).get, args=(f"Companies/{first + i}",))
            thread.start()
            holders.append(thread)
            if i < 2:
                _wait_in_flight(emulator, "Companies", i + 1)
        for thread in holders:
            thread.join(WAIT_SECONDS)
        alone = Api(emulator).get(f"Companies/{first}")
        latencies = _latencies(emulator, "Companies/{id}")
    assert alone.status == 200
    assert sorted(latencies[:3]) == [3000, 3000, 3250]
    assert latencies[3] == 3000
    with running_emulator("--hourly-limit", "0") as emulator:
        assert Api(emulator).get("ThresholdInformation").status == 200
        assert _latencies(emulator, "ThresholdInformation") == [0]


def test_attachment_window_flag() -> None:
    with running_emulator("--attachment-window-bytes", "100") as emulator:
        api = Api(emulator)
        path = f"Tickets/{api.ids('Tickets', MaxRecords=1)[0]}/Attachments"
        assert api.post(path, _attachment(60, "a.bin")).status == 200
        assert api.post(path, _attachment(60, "b.bin")).status == 500
        emulator.control("POST", "clock", {"advance": 300})
        assert api.post(path, _attachment(60, "b.bin")).status == 200
        api.pool.clear()
