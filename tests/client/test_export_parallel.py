"""query_parallel against the emulator: every record once, inside the thread gate, stoppable."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from autotask import AutotaskClient, F, InvalidRequest, PermissionDenied
from tests.client.conftest import connect, requests_to
from tests.emulator_process import Emulator

SEEDED = 2000


@pytest.fixture
def seeded(emulator: Emulator) -> Emulator:
    emulator.seed("Tickets", SEEDED)
    return emulator


def _export_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("export-")]


def _wait_for_no_export_threads() -> None:
    deadline = time.monotonic() + 10
    while _export_threads() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _export_threads() == []


def test_every_record_exactly_once_with_no_thread_rejections(
    client: AutotaskClient, seeded: Emulator
) -> None:
    expected = [t["id"] for t in client.tickets.query()]
    got = [t["id"] for t in client.tickets.query_parallel(partitions=3, page_size=100)]
    assert len(got) == len(expected) == client.tickets.count()
    assert sorted(got) == expected  # the same set, each once
    stats = seeded.stats()
    assert stats["thread_rejections"] == {}
    assert stats["max_concurrency"]["Tickets"] <= 3
    # The first page and one count plan it, in ranges of whole pages; a range is re-split
    # (after one more count) only when a worker runs dry while another has 2+ pages left, and
    # each re-split costs at most one part-filled page.
    counts = requests_to(seeded, "POST Tickets/query/count") - 1  # the test's own count
    pages = requests_to(seeded, "POST Tickets/query") + requests_to(
        seeded, "POST Tickets/query/next"
    )
    ideal = -(-len(expected) // 500) + -(-len(expected) // 100)  # query(), then ours
    assert 1 <= counts <= 4
    assert ideal <= pages <= ideal + counts - 1
    _wait_for_no_export_threads()


def test_filter_and_fields_give_what_query_all_gives(
    client: AutotaskClient, seeded: Emulator
) -> None:
    condition = (F("priority") == 2) & (F("id") > 29300)
    expected = client.tickets.query_all(condition, fields=["title", "priority"])
    got = list(client.tickets.query_parallel(condition, 4, ["title", "priority"], 50))
    assert sorted(got, key=lambda t: t["id"]) == expected
    assert len(expected) > 200
    assert list(client.tickets.query_parallel(F("id") < 0)) == []


def test_a_range_much_larger_than_the_others_is_split_again(
    client: AutotaskClient, seeded: Emulator
) -> None:
    # Dense ids first, then one in four: the first page's density puts almost everything in
    # the last range, so the workers that finish early must split it (after counting it).
    first = client.tickets.query_all(limit=1)[0]["id"]
    dense_end = first + 300
    condition = (F("id") < dense_end) | (F("priority") == 1)
    expected = sorted(t["id"] for t in client.tickets.query(condition))
    before = requests_to(seeded, "POST Tickets/query/count")
    got = [t["id"] for t in client.tickets.query_parallel(condition, partitions=3, page_size=50)]
    assert sorted(got) == expected
    counts = requests_to(seeded, "POST Tickets/query/count") - before
    assert 2 <= counts <= 10  # the plan's count, then a few re-split counts, each range once
    assert seeded.stats()["thread_rejections"] == {}


def test_more_partitions_than_the_gate_still_never_exceeds_it(
    seeded: Emulator, tmp_path: Path
) -> None:
    with connect(seeded, tmp_path, concurrency=2) as client:
        got = [t["id"] for t in client.tickets.query_parallel(partitions=6, page_size=100)]
    assert len(got) == len(set(got)) == SEEDED + 80
    assert seeded.stats()["max_concurrency"]["Tickets"] <= 2
    assert seeded.stats()["thread_rejections"] == {}


def test_closing_early_stops_the_workers(client: AutotaskClient, seeded: Emulator) -> None:
    records = client.tickets.query_parallel(partitions=3, page_size=50)
    assert requests_to(seeded, "POST Tickets/query") == 0  # lazy: nothing sent yet
    taken = [next(records) for _ in range(60)]
    assert len({t["id"] for t in taken}) == 60
    records.close()  # type: ignore[attr-defined]
    _wait_for_no_export_threads()
    sent = requests_to(seeded, "POST Tickets/query/next")
    time.sleep(0.3)
    assert requests_to(seeded, "POST Tickets/query/next") == sent  # nothing more is asked
    assert sent < SEEDED // 50  # far from the whole set: the bounded queue held them back


def test_a_worker_error_reaches_the_consumer(seeded: Emulator, tmp_path: Path) -> None:
    got: list[Any] = []
    with connect(seeded, tmp_path, max_retries=0) as client:
        records = client.tickets.query_parallel(partitions=3, page_size=50)
        got.append(next(records))
        seeded.control("POST", "permissions", {"deny": ["Tickets"]})
        with pytest.raises(PermissionDenied) as caught:
            got.extend(records)
    assert caught.value.entity == "Tickets"
    assert len(got) < SEEDED
    _wait_for_no_export_threads()


def test_bad_arguments_are_refused_before_sending(client: AutotaskClient, seeded: Emulator) -> None:
    with pytest.raises(InvalidRequest, match="partitions must be a whole number >= 1"):
        client.tickets.query_parallel(partitions=0)
    with pytest.raises(InvalidRequest, match="unknown filter operator"):
        client.tickets.query_parallel({"op": "ne", "field": "id", "value": 1})
    with pytest.raises(InvalidRequest, match="cannot split an in list"):
        client.tickets.query_parallel(F("id").in_(range(600)))
    with pytest.raises(InvalidRequest, match="listed with GET"):
        client.tickets.child(1, "Unknown").query_parallel()
    assert seeded.stats()["requests"] == {}
