"""The hourly request budget used up in the middle of a batch (issue 14 "Chaos").

The emulator enforces a small hourly limit on its own clock; the client's clock and sleep
drive that clock too, so an hour of waiting takes no real time. With a ``max_budget_wait``
longer than the hour the batch waits for the window (each wait within the bound) and finishes.
With a short one the items in flight fail with ``RateLimited`` (certainly not applied), the
batch takes no more items (an exhausted budget is about the job, not the item), and the same
batch run again with its journal after the window freed completes them: every ticket exactly
once, nothing lost.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from autotask import AutotaskClient, Credentials, F, RateLimited, RequestConfig
from tests.chaos.conftest import Record
from tests.chaos.support import first_company, outcomes, stored_titles, ticket
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator, running_emulator

HOURLY = 300
ITEMS = 400


@pytest.fixture(scope="module")
def small_budget() -> Iterator[Emulator]:
    with running_emulator("--hourly-limit", str(HOURLY), "--threshold-latency-ms", "0") as emu:
        yield emu


class SharedClock:
    """The client's clock and sleep, moving the emulator's clock along (a wait costs no real
    time). Records every wait."""

    def __init__(self, emu: Emulator) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self._emu = emu
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)
            self.now += seconds
            self._emu.control("POST", "clock", {"advance": seconds})


def _client(emu: Emulator, cache: Path, clock: SharedClock, max_wait: float) -> AutotaskClient:
    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(cache_dir=str(cache), max_budget_wait=max_wait, budget_check_every=50),
        base_url=emu.base_url,
        environ={},
        sleep=clock.sleep,
        clock=clock,
    )


def _hourly_rejections(emu: Emulator) -> int:
    return sum(
        n
        for route in emu.stats()["requests"].values()
        for status, n in route.items()
        if status == "429"
    )


def test_a_batch_waits_for_the_window_within_its_bound_and_finishes(
    small_budget: Emulator, tmp_path: Path, figures: Record
) -> None:
    emu = small_budget
    emu.reset()
    clock = SharedClock(emu)
    max_wait = 4000.0
    with _client(emu, tmp_path, clock, max_wait) as client:
        company = first_company(client)
        items = [ticket(company, "wait", n) for n in range(ITEMS)]
        results = client.tickets.batch_create(
            items, journal=tmp_path / "j", dedupe_field="Ext URL", settle=0
        )
        rejected = _hourly_rejections(emu)
        emu.control("POST", "clock", {"advance": 3600})  # room to read the result back
        stored = stored_titles(client, "wait")
    assert [r.status for r in results] == ["created"] * ITEMS
    assert len(stored) == ITEMS and set(stored.values()) == {1}
    assert clock.now >= 3600  # it did wait for the hour to pass
    assert max(clock.waits) <= max_wait  # each wait within its bound
    figures(
        "hourly_budget_wait",
        hourly_limit=HOURLY,
        items=ITEMS,
        max_budget_wait_s=max_wait,
        outcomes=outcomes(results),
        stored=len(stored),
        waits=len(clock.waits),
        longest_wait_s=round(max(clock.waits), 1),
        virtual_seconds=round(clock.now, 1),
        server_429s=rejected,
    )


def test_a_batch_past_its_wait_bound_fails_cleanly_and_resumes(
    small_budget: Emulator, tmp_path: Path, figures: Record
) -> None:
    emu = small_budget
    emu.reset()
    clock = SharedClock(emu)
    journal = tmp_path / "j"
    with _client(emu, tmp_path, clock, max_wait=60) as client:
        company = first_company(client)
        items = [ticket(company, "stop", n) for n in range(ITEMS)]
        results = client.tickets.batch_create(
            items, journal=journal, dedupe_field="Ext URL", settle=0
        )
        statuses = Counter(r.status for r in results)
        # Past the hour the same command completes what the budget refused.
        clock.sleep(3600)
        resumed = client.tickets.batch_create(
            items, journal=journal, dedupe_field="Ext URL", settle=0
        )
        emu.control("POST", "clock", {"advance": 3600})
        stored = stored_titles(client, "stop")
        count = client.tickets.count(F("title").begins_with("stop "))
    failed = [r for r in results if r.status == "failed"]
    assert statuses["created"] > 0 and failed
    assert set(statuses) == {"created", "failed"}  # nothing in doubt
    assert all(isinstance(r.error, RateLimited) and r.error.applied is False for r in failed)
    assert len(results) < ITEMS  # the batch stopped taking items at the job-level error
    again = Counter(r.status for r in resumed)
    assert again == {"skipped": statuses["created"], "created": ITEMS - statuses["created"]}
    assert count == ITEMS and len(stored) == ITEMS and set(stored.values()) == {1}
    assert max(clock.waits[:-1], default=0) <= 60
    figures(
        "hourly_budget_stop_and_resume",
        hourly_limit=HOURLY,
        items=ITEMS,
        max_budget_wait_s=60,
        outcomes=outcomes(results),
        not_taken=ITEMS - len(results),
        rate_limited=len(failed),
        resumed_outcomes=outcomes(resumed),
        stored=count,
    )
