"""The client's thread gate and hourly budget against the emulator's real limits (CONTRACTS §5)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autotask import AutotaskClient, Credentials, RateLimited, RequestConfig
from tests.client.conftest import connect
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, running_emulator


def test_a_shared_client_never_trips_the_thread_limit(tmp_path: Path) -> None:
    with running_emulator("--latency-ms", "100", "--thread-limit", "3") as emu:
        with connect(emu, tmp_path) as client:
            ids = [t["id"] for t in client.tickets.query(fields=["id"])][:24]
            emu.reset()
            with ThreadPoolExecutor(12) as pool:
                found = list(pool.map(client.tickets.get, ids))
                notes = list(pool.map(lambda t: client.tickets.child(t, "Notes").count(), ids))
        stats = emu.stats()
    assert all(found) and len(notes) == len(ids)
    assert stats["thread_rejections"] == {}
    assert stats["max_concurrency"]["Tickets"] == 3  # kept full, never over
    assert stats["max_concurrency"]["TicketNotes"] == 3  # its own bucket (Tickets/5/Notes)


def test_a_client_busy_on_several_entities_keeps_its_connections(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The gate admits `concurrency` requests per entity, so two busy entities (plus the budget
    # checks) need more connections than that; a pool of only `concurrency` would open and
    # throw away connections, and urllib3 would warn "Connection pool is full".
    with running_emulator("--latency-ms", "30") as emu:
        with connect(emu, tmp_path, budget_check_every=10) as client:
            tickets = [t["id"] for t in client.tickets.query(limit=10)]
            companies = [c["id"] for c in client.companies.query(limit=10)]

            def both(i: int) -> None:
                assert client.tickets.get(tickets[i % 10]) is not None
                assert client.companies.get(companies[i % 10]) is not None

            with caplog.at_level(logging.WARNING, logger="urllib3"), ThreadPoolExecutor(12) as pool:
                list(pool.map(both, range(48)))
        stats = emu.stats()
    assert stats["max_concurrency"]["Tickets"] == 3 == stats["max_concurrency"]["Companies"]
    assert [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")] == []


# How the emulator may answer a thread-limit rejection (README "Quirk switches").
THREAD_QUIRKS = {
    "default": (),
    "status-500": ("--thread-limit-status", "500"),
    "own-text": ("--thread-limit-text", "Itgenatr005: the thread threshold was exceeded."),
}


@pytest.mark.parametrize("quirk", sorted(THREAD_QUIRKS))
def test_more_threads_than_the_limit_are_rejected_then_retried(tmp_path: Path, quirk: str) -> None:
    # A client configured above the server's limit trips it; the rejections are retried.
    limit = ("--latency-ms", "100", "--thread-limit", "2")
    with running_emulator(*limit, *THREAD_QUIRKS[quirk]) as emu:
        with connect(emu, tmp_path, concurrency=4, retry_backoff=0.05, max_retries=10) as client:
            ids = [t["id"] for t in client.tickets.query(fields=["id"])][:16]
            with ThreadPoolExecutor(8) as pool:
                found = list(pool.map(client.tickets.get, ids))
        stats = emu.stats()
    assert all(found)
    assert stats["thread_rejections"].get("Tickets", 0) > 0
    assert stats["max_concurrency"]["Tickets"] == 2


# The emulator's switches for how an hourly rejection looks (README "Quirk switches"): the
# client must read each as the hourly limit (issue 7 items 7, 8).
HOURLY_QUIRKS = {
    "default": ((), 429),
    "status-500": (("--hourly-limit-status", "500"), 500),
    "own-text": (("--hourly-limit-text", "Request threshold reached, try again later."), 429),
    "retry-after": (("--hourly-retry-after",), 429),
}


@pytest.mark.parametrize("quirk", sorted(HOURLY_QUIRKS))
def test_an_exhausted_hourly_budget_raises_rate_limited(tmp_path: Path, quirk: str) -> None:
    flags, status = HOURLY_QUIRKS[quirk]
    limit = ("--hourly-limit", "8", "--threshold-latency-ms", "0")
    with running_emulator(*limit, *flags) as emu:
        with connect(emu, tmp_path, max_retries=1, retry_backoff=0.01, max_budget_wait=0) as c:
            for _ in range(7):
                c.tickets.count()
            with pytest.raises(RateLimited) as info:
                for _ in range(3):
                    c.tickets.count()
            assert c.transport.budget.usage() >= 1.0  # the rejection marked it used up
        assert info.value.operation == "COUNT"
        assert emu.stats()["requests"]["POST Tickets/query/count"].get(str(status), 0) >= 1


def test_the_budgets_own_rate_limited_says_what_how_much_when_and_how_many_tries(
    tmp_path: Path,
) -> None:
    # Before: RateLimited with no status, no text and attempts=0.
    with running_emulator("--hourly-limit", "5", "--threshold-latency-ms", "0") as emu:
        now = [100.0]
        client = AutotaskClient(
            Credentials(USERNAME, INTEGRATION_CODE, SECRET),
            RequestConfig(cache_dir=str(tmp_path), max_retries=2, max_budget_wait=0),
            base_url=emu.base_url,
            environ={},
            sleep=lambda s: None,
            clock=lambda: now[0],
        )
        with client:
            for _ in range(5):
                client.tickets.count()
            now[0] = 1300.0  # 20 minutes later, still inside the hour
            with pytest.raises(RateLimited) as info:
                client.tickets.count()  # 429, then the budget gives up
    error = info.value
    text = str(error)
    assert "hourly request budget" in text and "used up" in text
    assert "100%" in text and "10,000" in text  # the usage, of the threshold it knows
    assert "max_budget_wait=0 s" in text
    # The client's oldest request (t=100) leaves the rolling hour at t=3700: 2400 s from now.
    assert "frees in about 2400 s" in text and error.retry_after == pytest.approx(2400)
    assert error.attempts == 1 and error.applied is False  # one try: the 429
    assert (error.operation, error.entity, error.status) == ("COUNT", "Tickets", None)
    assert error.errors == []  # no text from the server: this one is ours


def test_the_budget_waits_for_the_window_then_goes_on(tmp_path: Path) -> None:
    # The client's clock and sleep drive the emulator's clock: waiting an hour takes no time.
    with running_emulator("--hourly-limit", "6", "--threshold-latency-ms", "0") as emu:
        now = [0.0]

        def sleep(seconds: float) -> None:
            now[0] += seconds
            emu.control("POST", "clock", {"advance": seconds})

        client = AutotaskClient(
            Credentials(USERNAME, INTEGRATION_CODE, SECRET),
            RequestConfig(cache_dir=str(tmp_path), max_budget_wait=7200, retry_backoff=0.01),
            base_url=emu.base_url,
            environ={},
            sleep=sleep,
            clock=lambda: now[0],
        )
        started = time.monotonic()
        with client:
            counts = [client.tickets.count() for _ in range(12)]
        assert time.monotonic() - started < 60  # no real hour went by
        assert len(set(counts)) == 1
        assert now[0] >= 3600  # it did wait for the window, on the shared clock


def test_the_budget_learns_other_consumers_from_threshold_information_and_paces(
    tmp_path: Path,
) -> None:
    # The hourly threshold is shared by every integration of the tenant (fact sheet §6): only
    # ThresholdInformation tells the client about the others. Documented figures: check every
    # budget_check_every requests (every 1/5 of that past 50%); past 50% requests start 0.5 s
    # apart, past 75% 1 s apart.
    with running_emulator("--hourly-limit", "40", "--threshold-latency-ms", "0") as emu:
        with connect(emu, tmp_path) as other:
            for _ in range(16):  # someone else uses 40% of the budget
                other.tickets.count()
        now = [0.0]
        done: list[int] = []
        waits: list[tuple[int, float]] = []

        def sleep(seconds: float) -> None:
            waits.append((len(done), round(seconds, 3)))
            now[0] += seconds

        client = AutotaskClient(
            Credentials(USERNAME, INTEGRATION_CODE, SECRET),
            RequestConfig(cache_dir=str(tmp_path), budget_check_every=10),
            base_url=emu.base_url,
            environ={},
            sleep=sleep,
            clock=lambda: now[0],
        )
        with client:
            for i in range(14):
                client.tickets.count()
                done.append(i)
            assert client.transport.budget.limit == 40  # learned from the server
            estimate = client.transport.budget.estimate()
        stats = emu.stats()["requests"]
    checks = sum(stats["GET ThresholdInformation"].values())
    assert checks == 3  # before request 11 (27/40 = 68%), then every 2nd request
    assert estimate == 16 + 14 + checks  # the server's count: ours, theirs and the checks
    # Requests 1-10 go at once (the client does not know about the others yet); request 11
    # learns 68% and goes at once, 12 and 13 follow 0.5 s apart, 14 (past 75%) 1 s later.
    assert waits == [(11, 0.5), (12, 0.5), (13, 1.0)]
    assert stats["POST Tickets/query/count"] == {"200": 30}  # nothing refused
