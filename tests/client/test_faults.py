"""Retries and outcome-unknown against the emulator's injected faults (CONTRACTS §3, §5).

Rules go through ``POST /_emulator/faults``; ``reset`` (per test) restores the empty start plan.
The client waits on an injected ``sleep`` that only records, so no test spends real time
backing off; the emulator's stats and records show what really happened.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from autotask import (
    AutotaskClient,
    Credentials,
    OutcomeUnknown,
    RequestConfig,
    ServerError,
    ThreadLimitExceeded,
    TransportError,
)
from tests.client.conftest import requests_to
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator

OWNER = 29682885  # a Resource of the demo data


def _client(emu: Emulator, tmp_path: Path, sleeps: list[float], **config: Any) -> AutotaskClient:
    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(cache_dir=str(tmp_path), **config),
        base_url=emu.base_url,
        environ={},
        sleep=sleeps.append,
        rand=lambda: 0.5,
    )


def _faults(emu: Emulator, *rules: dict[str, Any]) -> None:
    emu.control("POST", "faults", {"seed": 1, "rules": list(rules)})


def _company(name: str) -> dict[str, Any]:
    return {"companyName": name, "companyType": 1, "ownerResourceID": OWNER, "phone": "555-0100"}


@pytest.fixture
def sleeps() -> list[float]:
    return []


def test_reads_are_retried_through_503_and_resets(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    with _client(emulator, tmp_path, sleeps, retry_backoff=0.25) as client:
        company = next(client.companies.query(limit=1))["id"]
        _faults(
            emulator,
            {"kind": "503", "route": "GET:*/Companies/*", "times": 1},
            {"kind": "reset-before", "route": "GET:*/Companies/*", "after": 1, "times": 1},
            {"kind": "truncate", "route": "GET:*/Companies/*", "after": 2, "times": 1},
        )
        assert client.companies.get(company)["id"] == company
    assert emulator.stats()["faults"] == {"503": 1, "reset-before": 1, "truncate": 1}
    assert requests_to(emulator, "GET Companies/{id}") == 4
    assert sleeps == [0.25, 0.5, 1.0]  # exponential backoff (jitter fixed by rand=0.5)


def test_a_query_is_a_read_and_resent_after_reset_after(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    with _client(emulator, tmp_path, sleeps) as client:
        expected = client.companies.count()
        _faults(emulator, {"kind": "reset-after", "route": "POST:*/Companies/query", "times": 1})
        assert len(list(client.companies.query())) == expected
    assert len(sleeps) == 1


def test_429_is_retried_for_writes_honouring_retry_after(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    with _client(emulator, tmp_path, sleeps, retry_backoff=0.01) as client:
        _faults(emulator, {"kind": "429", "route": "POST:*/Companies", "times": 2})
        new_id = client.companies.create(_company("Retried Ltd"))
        assert client.companies.get(new_id)["companyName"] == "Retried Ltd"
    assert requests_to(emulator, "POST Companies") == 3
    retry_after = 1.0  # the emulator's default --fault-retry-after
    assert len(sleeps) == 2 and all(s >= retry_after for s in sleeps)


def test_thread_rejections_are_retried_then_raised(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    with _client(emulator, tmp_path, sleeps, max_retries=2) as client:
        _faults(emulator, {"kind": "thread", "route": "POST:*/Tickets/query"})
        with pytest.raises(ThreadLimitExceeded) as info:
            client.tickets.query_all()
    error = info.value
    assert (error.status, error.operation, error.entity, error.applied) == (
        429,
        "QUERY",
        "Tickets",
        False,
    )
    assert "thread threshold" in str(error)
    assert requests_to(emulator, "POST Tickets/query") == 3  # 1 + max_retries
    assert len(sleeps) == 2


def test_a_write_answered_503_is_not_resent(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    with _client(emulator, tmp_path, sleeps) as client:
        before = client.companies.count()
        _faults(emulator, {"kind": "503", "route": "POST:*/Companies", "times": 1})
        with pytest.raises(ServerError) as info:
            client.companies.create(_company("Unavailable Ltd"))
        assert info.value.status == 503 and info.value.applied is None
        assert client.companies.count() == before
    assert requests_to(emulator, "POST Companies") == 1 and sleeps == []


def test_a_500_without_error_text_is_a_server_error_not_retried(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    with _client(emulator, tmp_path, sleeps) as client:
        company = next(client.companies.query(limit=1))["id"]
        _faults(emulator, {"kind": "500", "route": "GET:*/Companies/*", "times": 1})
        with pytest.raises(ServerError) as info:
            client.companies.get(company)
    assert info.value.status == 500 and info.value.applied is False
    assert requests_to(emulator, "GET Companies/{id}") == 1 and sleeps == []


@pytest.mark.parametrize(("kind", "applied"), [("reset-after", True), ("truncate", True)])
def test_a_write_whose_answer_is_lost_is_outcome_unknown_and_never_resent(
    emulator: Emulator, tmp_path: Path, sleeps: list[float], kind: str, applied: bool
) -> None:
    name = f"Lost answer {kind}"
    with _client(emulator, tmp_path, sleeps, max_retries=5) as client:
        _faults(emulator, {"kind": kind, "route": "POST:*/Companies", "times": 1})
        with pytest.raises(OutcomeUnknown) as info:
            client.companies.create(_company(name))
        assert info.value.applied is None and info.value.operation == "CREATE"
        assert isinstance(info.value.__cause__, TransportError)
        created = client.companies.count([{"op": "eq", "field": "companyName", "value": name}])
        assert created == (1 if applied else 0)  # the emulator applied it; we never resent
    assert requests_to(emulator, "POST Companies") == 1 and sleeps == []


def test_reset_before_a_write_is_outcome_unknown_too(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    # The request left us before the connection dropped: from here a reset before or after
    # applying look the same, so the write is reported unknown, not resent (CONTRACTS §3).
    name = "Reset before Ltd"
    with _client(emulator, tmp_path, sleeps) as client:
        _faults(emulator, {"kind": "reset-before", "route": "POST:*/Companies", "times": 1})
        with pytest.raises(OutcomeUnknown):
            client.companies.create(_company(name))
        assert client.companies.count([{"op": "eq", "field": "companyName", "value": name}]) == 0
    assert requests_to(emulator, "POST Companies") == 1


def test_a_read_timeout_is_retried_for_reads_and_unknown_for_writes(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    # "slow" delays by --slow-ms (default 2000 ms); our read timeout is 0.5 s.
    with _client(emulator, tmp_path, sleeps, timeout=0.5) as client:
        company = next(client.companies.query(limit=1))["id"]
        _faults(emulator, {"kind": "slow", "route": "GET:*/Companies/*", "times": 1})
        assert client.companies.get(company)["id"] == company
        assert len(sleeps) == 1
        _faults(emulator, {"kind": "slow", "route": "PATCH:*/Companies", "times": 1})
        with pytest.raises(OutcomeUnknown, match="no answer in time"):
            client.companies.update({"id": company, "phone": "555-0199"})
        deadline = time.monotonic() + 30
        while requests_to(emulator, "PATCH Companies") == 0 and time.monotonic() < deadline:
            time.sleep(0.1)  # the emulator finishes the slow request after we gave up on it
        assert client.companies.get(company)["phone"] == "555-0199"  # it was applied after all
    assert requests_to(emulator, "PATCH Companies") == 1  # and never resent
