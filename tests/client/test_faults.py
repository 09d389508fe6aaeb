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
    AutotaskError,
    Credentials,
    F,
    InvalidRequest,
    OutcomeUnknown,
    RateLimited,
    RequestConfig,
    ServerError,
    ThreadLimitExceeded,
    TransportError,
)
from tests.client.conftest import requests_to, under_quirks
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


@under_quirks("default", "thread-limit-500", "thread-limit-own-text")
def test_thread_rejections_are_retried_then_raised(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    with _client(emulator, tmp_path, sleeps, max_retries=2) as client:
        _faults(emulator, {"kind": "thread", "route": "POST:*/Tickets/query"})
        with pytest.raises(ThreadLimitExceeded) as info:
            client.tickets.query_all()
    error = info.value
    status = 500 if "--thread-limit-status" in emulator.flags else 429
    assert (error.status, error.operation, error.entity, error.applied) == (
        status,
        "QUERY",
        "Tickets",
        False,
    )
    assert "thread threshold" in str(error).lower()
    assert requests_to(emulator, "POST Tickets/query") == 3  # 1 + max_retries
    assert len(sleeps) == 2


# fault kind -> (error class, status) for a create that is not retried (max_retries=0), and
# whether the emulator applied it. 429/thread/500/503/reset-before fire before the emulator
# applies anything, reset-after/truncate after (CONTRACTS §5).
WRITE_FAULTS = {
    "429": (RateLimited, 429, False),
    "thread": (ThreadLimitExceeded, 429, False),
    "500": (OutcomeUnknown, 500, False),
    "503": (OutcomeUnknown, 503, False),
    "reset-before": (OutcomeUnknown, None, False),
    "reset-after": (OutcomeUnknown, None, True),
    "truncate": (OutcomeUnknown, None, True),  # the body is cut: urllib3 reports no status
}


@pytest.mark.parametrize("kind", sorted(WRITE_FAULTS))
def test_a_failed_write_says_exactly_whether_it_may_have_been_applied(
    emulator: Emulator, tmp_path: Path, sleeps: list[float], kind: str
) -> None:
    # The batch engine relies on this: applied=False only when the write certainly did not
    # happen (a refusal), and OutcomeUnknown (applied=None) whenever the request went out and
    # no usable answer came back: a reset, a cut answer, or a bare 5xx, which the server may
    # have sent after applying. A reset-before looks the same as a reset-after from here.
    cls, status, applied_by_emulator = WRITE_FAULTS[kind]
    name = f"Fault {kind} Ltd"
    with _client(emulator, tmp_path, sleeps, max_retries=0) as client:
        _faults(emulator, {"kind": kind, "route": "POST:*/Companies", "times": 1})
        with pytest.raises(AutotaskError) as info:
            client.companies.create(_company(name))
        created = client.companies.count(F("companyName") == name)
    error = info.value
    assert type(error) is cls
    assert (error.status, error.operation, error.entity) == (status, "CREATE", "Companies")
    assert error.applied is (None if cls is OutcomeUnknown else False)
    if cls is OutcomeUnknown:
        assert isinstance(error.__cause__, (ServerError, TransportError))
        assert "may have been applied" in str(error)
    if kind == "500":  # Autotask's unexpected-error envelope, the emulator's default
        assert error.errors[0].startswith("An unexpected error has occurred.  If the problem")
    assert created == (1 if applied_by_emulator else 0)
    assert requests_to(emulator, "POST Companies") == 1  # never resent
    assert sleeps == []


@pytest.mark.parametrize(
    ("kind", "cls", "status"),
    [
        ("500", ServerError, 500),
        ("503", ServerError, 503),
        ("reset-before", TransportError, None),
        ("truncate", TransportError, None),
    ],
)
def test_a_failed_read_is_never_outcome_unknown(
    emulator: Emulator,
    tmp_path: Path,
    sleeps: list[float],
    kind: str,
    cls: type[AutotaskError],
    status: int | None,
) -> None:
    with _client(emulator, tmp_path, sleeps, max_retries=0) as client:
        company = next(client.companies.query(limit=1))["id"]
        _faults(emulator, {"kind": kind, "route": "GET:*/Companies/*", "times": 1})
        with pytest.raises(cls) as info:
            client.companies.get(company)
    assert (info.value.status, info.value.applied, info.value.operation) == (status, False, "GET")


def test_a_500_server_failure_is_retried_for_reads_but_a_refusal_is_not(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    # A 500 that refuses the request carries errors[] text (fact sheet §5) and is never resent;
    # the server's own failure (no text, or "An unexpected error has occurred") is: a read
    # cannot change anything.
    with _client(emulator, tmp_path, sleeps) as client:
        company = next(client.companies.query(limit=1))["id"]
        _faults(emulator, {"kind": "500", "route": "GET:*/Companies/*", "times": 1})
        assert client.companies.get(company)["id"] == company
        assert requests_to(emulator, "GET Companies/{id}") == 2 and len(sleeps) == 1
        with pytest.raises(InvalidRequest):
            client.companies.query_all(F("noSuchField") == 1)
    assert requests_to(emulator, "POST Companies/query") == 2 and len(sleeps) == 1


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


def test_errors_count_the_tries_the_transport_made(
    emulator: Emulator, tmp_path: Path, sleeps: list[float]
) -> None:
    # ItemResult.attempts (CONTRACTS §8) is read from here, so it must be exact.
    with _client(emulator, tmp_path, sleeps, max_retries=2) as client:
        company = next(client.companies.query(limit=1))["id"]
        _faults(emulator, {"kind": "503", "route": "GET:*/Companies/*"})
        with pytest.raises(ServerError) as read:
            client.companies.get(company)
        _faults(emulator, {"kind": "reset-after", "route": "POST:*/Companies", "times": 1})
        with pytest.raises(OutcomeUnknown) as write:
            client.companies.create(_company("Tries Ltd"))
        with pytest.raises(AutotaskError) as local:
            client.companies.update({"companyName": "no id"})
    assert read.value.attempts == 3 == requests_to(emulator, "GET Companies/{id}")
    assert write.value.attempts == 1
    assert local.value.attempts == 0
