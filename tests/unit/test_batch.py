"""The batch engine with plain callables (no sockets): order, window, progress, stops, journal."""

from __future__ import annotations

import json
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autotask import (
    AuthenticationError,
    ConfigError,
    InvalidRequest,
    OutcomeUnknown,
    PermissionDenied,
    RateLimited,
    ThreadLimitExceeded,
    TransportError,
)
from autotask.batch import ItemResult, Job, Progress, run, stops_the_run
from autotask.batch.journal import item_key


def _job(send: Any, **more: Any) -> Job[Any]:
    return Job("create", "Things", "created", send=send, **more)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_results_come_in_input_order_whatever_order_items_finish_in() -> None:
    def send(n: int) -> int:
        time.sleep(random.random() / 500)
        return n * 10

    results = run(range(300), _job(send), batch_size=7, concurrency=5)
    assert [r.index for r in results] == list(range(300))
    assert [r.item_id for r in results] == [n * 10 for n in range(300)]
    assert all(r.ok and r.status == "created" and r.attempts == 1 for r in results)


def test_results_add_up_as_successes() -> None:
    results = run([1, 2, 3], _job(lambda n: n if n != 2 else _fail()))
    assert sum(results) == 2
    assert [bool(r) for r in results] == [True, False, True]
    assert results[0] + results[1] == 1


def _fail() -> int:
    raise InvalidRequest("refused", errors=["Missing Required Field: title"], attempts=1)


def test_a_failure_is_a_result_with_its_error() -> None:
    results = run([1, 2], _job(lambda n: n if n == 1 else _fail()))
    failed = results[1]
    assert (failed.ok, failed.status, failed.item_id, failed.attempts) == (False, "failed", None, 1)
    assert isinstance(failed.error, InvalidRequest)
    assert failed.error.errors == ["Missing Required Field: title"]


def test_the_window_holds_at_most_batch_size_items() -> None:
    release = threading.Event()
    taken: list[int] = []
    seen_while_blocked: list[int] = []

    def items() -> Iterator[int]:
        for n in range(50):
            taken.append(n)
            yield n

    def send(n: int) -> int:
        if n == 0:  # the head is slow: nothing can be returned until it finishes
            assert release.wait(10)
        return n

    def progress(p: Progress) -> None:
        if not release.is_set():
            seen_while_blocked.append(len(taken))
            if p.done == 4:  # items 1-4 finished behind the held head
                release.set()

    results = run(items(), _job(send), batch_size=5, concurrency=3, progress=progress)
    assert [r.item_id for r in results] == list(range(50))
    assert seen_while_blocked == [5, 5, 5, 5]  # 5 items taken, and no more


def test_progress_is_called_from_the_calling_thread_after_every_item() -> None:
    calls: list[tuple[Progress, int]] = []
    ticks = iter(range(1000))

    def send(n: int) -> int:
        if n % 4 == 1:
            raise OutcomeUnknown("no answer", attempts=1)
        if n % 4 == 2:
            _fail()
        return n

    run(
        list(range(12)),
        _job(send),
        concurrency=3,
        progress=lambda p: calls.append((p, threading.get_ident())),
        clock=lambda: float(next(ticks)),
    )
    assert {ident for _, ident in calls} == {threading.get_ident()}
    assert [p.done for p, _ in calls] == list(range(1, 13))
    last = calls[-1][0]
    assert (last.total, last.ok, last.failed, last.unknown) == (12, 6, 3, 3)
    assert last.elapsed > 0


def test_progress_has_no_total_for_a_generator() -> None:
    calls: list[Progress] = []
    run((n for n in range(3)), _job(lambda n: n), progress=calls.append)
    assert [p.total for p in calls] == [None, None, None]


def test_on_result_hands_results_over_in_order_and_keeps_none() -> None:
    seen: list[ItemResult] = []
    calls: list[tuple[str, int]] = []

    def send(n: int) -> int:
        time.sleep(random.random() / 500)
        return n if n % 7 else _fail()

    def on_result(result: ItemResult) -> None:
        seen.append(result)
        calls.append(("result", result.index))

    def progress(p: Progress) -> None:
        calls.append(("progress", p.done))

    returned = run(
        range(200),
        _job(send),
        batch_size=9,
        concurrency=4,
        on_result=on_result,
        progress=progress,
    )
    assert returned == []
    assert [r.index for r in seen] == list(range(200))
    assert [r.status for r in seen] == ["failed" if n % 7 == 0 else "created" for n in range(200)]
    # each result is handed over before the progress call that counts it
    results_so_far = 0
    for kind, value in calls:
        if kind == "result":
            results_so_far += 1
        else:
            assert value >= results_so_far


def test_on_result_with_fail_fast_hands_over_every_finished_item() -> None:
    seen: list[ItemResult] = []
    returned = run(
        range(50),
        _job(lambda n: _fail() if n == 3 else n),
        batch_size=1,
        concurrency=1,
        fail_fast=True,
        on_result=seen.append,
    )
    assert returned == []
    assert [r.status for r in seen] == ["created"] * 3 + ["failed"]


def test_an_error_in_on_result_stops_the_run_and_is_raised() -> None:
    sent: list[int] = []

    def on_result(result: ItemResult) -> None:
        if result.index == 2:
            raise BrokenPipeError("stdout closed")

    def send(n: int) -> int:
        sent.append(n)
        return n

    with pytest.raises(BrokenPipeError):
        run(range(1000), _job(send), batch_size=5, concurrency=2, on_result=on_result)
    assert len(sent) < 20


def test_fail_fast_stops_taking_items_and_returns_what_finished() -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for n in range(100):
            taken.append(n)
            yield n

    results = run(
        items(),
        _job(lambda n: _fail() if n == 3 else n),
        batch_size=1,
        concurrency=1,
        fail_fast=True,
    )
    assert [r.status for r in results] == ["created"] * 3 + ["failed"]
    assert taken == [0, 1, 2, 3]


JOB_ERRORS = [
    AuthenticationError("credentials refused", status=401, attempts=1),
    PermissionDenied("permission denied", status=500, attempts=1),
    RateLimited("the hourly request budget is used up", attempts=1),
    TransportError("cannot connect: refused", attempts=4),  # after the transport's retries
]
ITEM_ERRORS = [
    InvalidRequest("refused", status=500, errors=["Missing Required Field: title"]),
    ThreadLimitExceeded("thread threshold exceeded", status=429, attempts=4),
    OutcomeUnknown("connection broken; may have been applied", attempts=1),
    TransportError("unreadable answer", status=200, applied=None),
]


@pytest.mark.parametrize("error", JOB_ERRORS, ids=lambda e: type(e).__name__)
def test_an_error_about_the_job_stops_taking_items_without_fail_fast(error: Exception) -> None:
    # Every later item would fail alike: sending them would spend the tenant's hourly budget
    # and hours of retries (an unreachable API) for nothing. What finished is returned.
    taken: list[int] = []

    def items() -> Iterator[int]:
        for n in range(100):
            taken.append(n)
            yield n

    def send(n: int) -> int:
        if n >= 3:
            raise error
        return n

    results = run(items(), _job(send), batch_size=1, concurrency=1)
    assert [r.status for r in results] == ["created"] * 3 + ["failed"]
    assert results[-1].error is error
    assert taken == [0, 1, 2, 3]
    assert stops_the_run(error)


@pytest.mark.parametrize("error", ITEM_ERRORS, ids=lambda e: type(e).__name__)
def test_an_error_about_one_item_does_not_stop_the_run(error: Exception) -> None:
    results = run(range(20), _job(lambda n: _raise(error) if n == 3 else n), concurrency=2)
    assert len(results) == 20 and not results[3].ok
    assert sum(results) == 19
    assert not stops_the_run(error)


def _raise(error: Exception) -> int:
    raise error


def test_fail_fast_keeps_the_items_in_flight() -> None:
    started = threading.Barrier(3, timeout=10)

    def send(n: int) -> int:
        if n < 3:
            started.wait()  # three items in flight together
            time.sleep(0.05 if n else 0)
        if n == 0:
            _fail()
        return n

    results = run(range(50), _job(send), batch_size=10, concurrency=3, fail_fast=True)
    assert [r.index for r in results][:3] == [0, 1, 2]
    assert results[0].status == "failed"
    assert {r.status for r in results[1:3]} == {"created"}
    assert len(results) < 50


def test_an_error_of_the_callers_code_stops_the_run_and_is_raised() -> None:
    done: list[int] = []

    def send(n: int) -> int:
        if n == 5:
            raise KeyError("bug")
        done.append(n)
        return n

    with pytest.raises(KeyError):
        run(range(1000), _job(send), batch_size=10, concurrency=2)
    assert len(done) < 100


def test_an_error_of_the_input_stops_the_run_after_the_items_in_flight() -> None:
    started: list[int] = []
    finished: list[int] = []

    def items() -> Iterator[int]:
        yield from range(5)
        deadline = time.monotonic() + 10
        while len(started) < 3 and time.monotonic() < deadline:
            time.sleep(0.001)  # the three workers take the first items
        raise ValueError("line 6: not JSON")

    def send(n: int) -> int:
        started.append(n)
        time.sleep(0.1)
        finished.append(n)
        return n

    with pytest.raises(ValueError, match="line 6"):
        run(items(), _job(send), batch_size=10, concurrency=3)
    # Items not yet started are dropped; the started ones were waited for, none half-done.
    assert sorted(started) == sorted(finished) == [0, 1, 2]


def _interrupt_main() -> None:
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def test_ctrl_c_lets_items_in_flight_finish_journals_them_and_re_raises(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    finished: list[int] = []

    def send(n: int) -> int:
        if n == 20:
            _interrupt_main()
            time.sleep(0.1)  # still in flight when the interrupt lands
        finished.append(n)
        return n + 1000

    with pytest.raises(KeyboardInterrupt):
        run(range(10_000), _job(send), batch_size=50, concurrency=3, journal=journal)
    assert 20 in finished and len(finished) < 200
    lines = _lines(journal)[1:]
    sending = {line["index"] for line in lines if line.get("state") == "sending"}
    final = {line["index"]: line for line in lines if "status" in line}
    assert sending == set(final) == set(finished)  # every item sent was journaled as done
    assert final[20]["status"] == "created" and final[20]["id"] == 1020


def test_a_second_ctrl_c_leaves_the_items_in_flight_unknown(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    stuck = threading.Event()

    def send(n: int) -> int:
        if n == 2:
            _interrupt_main()
            threading.Timer(0.3, _interrupt_main).start()
            stuck.wait(10)
        return n

    try:
        with pytest.raises(KeyboardInterrupt):
            run(range(3), _job(send), batch_size=3, concurrency=3, journal=journal)
    finally:
        stuck.set()
    last = {line["index"]: line for line in _lines(journal)[1:]}
    assert last[2]["status"] == "unknown"
    assert last[0]["status"] == last[1]["status"] == "created"


def test_outcome_unknown_without_a_lookup_is_unknown_and_not_resent() -> None:
    sent: list[int] = []

    def send(n: int) -> int:
        sent.append(n)
        raise OutcomeUnknown("connection broken", attempts=1)

    [result] = run([7], _job(send))
    assert (result.ok, result.status, result.attempts) == (False, "unknown", 1)
    assert isinstance(result.error, OutcomeUnknown)
    assert sent == [7]


def test_outcome_unknown_is_looked_up_after_settling_and_taken_when_found() -> None:
    sleeps: list[float] = []
    created: dict[int, int] = {}

    def send(n: int) -> int:
        created[n] = 500 + n  # applied, but the answer is lost
        raise OutcomeUnknown("answer cut off", attempts=1)

    results = run(
        [1, 2],
        _job(send, lookup=created.get),
        settle=1.5,
        sleep=sleeps.append,
    )
    assert [(r.status, r.item_id, r.ok) for r in results] == [
        ("created", 501, True),
        ("created", 502, True),
    ]
    assert sleeps == [1.5, 1.5]


def test_outcome_unknown_not_found_is_sent_again() -> None:
    calls: list[int] = []

    def send(n: int) -> int:
        calls.append(n)
        if len(calls) == 1:
            raise OutcomeUnknown("503 before applying", attempts=1)
        return 99

    [result] = run([1], _job(send, lookup=lambda n: None), sleep=lambda s: None)
    # Without a request count from the job: one per send and one per lookup.
    assert (result.status, result.item_id, result.attempts) == ("created", 99, 3)
    assert calls == [1, 1]


def test_attempts_come_from_the_jobs_request_count() -> None:
    local = threading.local()

    def tries() -> int:
        return getattr(local, "n", 0)

    def request(times: int) -> None:
        local.n = tries() + times

    def send(n: int) -> int:
        request(n)  # n tries (retries inside the transport)
        if n == 4:
            raise OutcomeUnknown("lost", attempts=4)
        return n

    def lookup(n: int) -> int | None:
        request(1)
        return 40

    results = run([1, 3, 4], _job(send, lookup=lookup, tries=tries), sleep=lambda s: None)
    assert [(r.attempts, r.item_id) for r in results] == [(1, 1), (3, 3), (5, 40)]


def test_bad_arguments_raise_before_anything_runs() -> None:
    for options in ({"batch_size": 0}, {"concurrency": 0}, {"batch_size": True}, {"settle": -1}):
        with pytest.raises(ConfigError):
            run([1], _job(lambda n: n), **options)
    with pytest.raises(ConfigError, match="dry-run"):
        run([1], _job(lambda n: n), dry_run=True)


def test_dry_run_checks_each_item_and_writes_nothing(tmp_path: Path) -> None:
    sent: list[int] = []

    def check(n: int) -> int | None:
        if n < 0:
            raise InvalidRequest("not valid", errors=["negative", "odd"])
        return None

    job = _job(sent.append, check=check)
    results = run([1, -1], job, dry_run=True, journal=tmp_path / "j")
    assert [r.status for r in results] == ["valid", "invalid"]
    assert results[1].error is not None and results[1].error.errors == ["negative", "odd"]
    assert sent == [] and not (tmp_path / "j").exists()


# -- journal and resume ------------------------------------------------------------------------


def test_the_sending_line_is_on_disk_before_the_write(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"

    def send(item: dict[str, int]) -> int:
        last = _lines(journal)[-1]
        assert last["state"] == "sending" and last["index"] == item["n"]
        return item["n"]

    run([{"n": n} for n in range(5)], _job(send), concurrency=1, journal=journal)
    lines = _lines(journal)
    assert lines[0]["operation"] == "create" and lines[0]["target"] == "Things"
    assert [line.get("state") or line["status"] for line in lines[1:]] == [
        "sending",
        "created",
    ] * 5


def test_resume_skips_done_items_resends_failed_ones_and_reports_doubt(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    items = [{"n": n} for n in range(4)]

    def first(item: dict[str, int]) -> int:
        n = item["n"]
        if n == 1:
            _fail()
        if n == 2:
            raise OutcomeUnknown("reset after sending", attempts=1)
        return 100 + n

    run(items, _job(first), journal=journal)
    sent: list[int] = []

    def second(item: dict[str, int]) -> int:
        sent.append(item["n"])
        return 200 + item["n"]

    results = run(items, _job(second), journal=journal)
    assert [(r.status, r.item_id, r.attempts) for r in results] == [
        ("skipped", 100, 0),
        ("created", 201, 1),
        ("unknown", None, 0),
        ("skipped", 103, 0),
    ]
    assert sent == [1]  # the item in doubt is never resent without a lookup
    assert results[2].error is not None and "earlier run" in str(results[2].error)


def test_resume_looks_up_items_in_doubt_once_settled(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    items = [{"n": n} for n in range(3)]
    # A run killed after writing "sending" for items 0 and 1, and finishing item 2.
    run([], _job(int), journal=journal)  # the header
    keys = [item_key(item) for item in items]
    lines = [
        {"index": 0, "key": keys[0], "state": "sending"},
        {"index": 1, "key": keys[1], "state": "sending"},
        {"index": 2, "key": keys[2], "state": "sending"},
        {"index": 2, "key": keys[2], "status": "created", "id": 7, "attempts": 1},
    ]
    with journal.open("a") as fh:
        fh.writelines(json.dumps(line) + "\n" for line in lines)
    sleeps: list[float] = []
    sent: list[int] = []

    def send(item: dict[str, int]) -> int:
        sent.append(item["n"])
        return 300 + item["n"]

    found = {0: 50}
    results = run(
        items,
        _job(send, lookup=lambda item: found.get(item["n"])),
        journal=journal,
        sleep=sleeps.append,
        settle=3.0,
    )
    assert [(r.status, r.item_id) for r in results] == [
        ("created", 50),
        ("created", 301),
        ("skipped", 7),
    ]
    assert sent == [1]
    assert sleeps == [3.0]  # one settle per resumed run


def test_a_changed_input_is_refused(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    run([{"n": 1}, {"n": 2}], _job(lambda item: 1), journal=journal)
    sent: list[Any] = []
    with pytest.raises(ConfigError, match="item 1 differs"):
        run([{"n": 1}, {"n": 3}], _job(sent.append), journal=journal)
    assert sent == []


def test_a_journal_of_another_operation_or_target_is_refused(tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    run([1], _job(lambda n: n), journal=journal)
    other = Job("delete", "Things", "deleted", send=lambda n: n)
    with pytest.raises(ConfigError, match="is for create Things, not delete Things"):
        run([1], other, journal=journal)
    elsewhere = Job("create", "Widgets", "created", send=lambda n: n)
    with pytest.raises(ConfigError, match="not create Widgets"):
        run([1], elsewhere, journal=journal)


def test_an_item_that_cannot_be_journaled_is_a_failed_result(tmp_path: Path) -> None:
    results = run([{"n": object()}, {"n": 2}], _job(lambda item: 5), journal=tmp_path / "j")
    assert [r.status for r in results] == ["failed", "created"]
    assert results[0].attempts == 0 and "cannot be journaled" in str(results[0].error)


def test_item_result_is_a_frozen_value() -> None:
    result = ItemResult(0, True, 5, "created")
    with pytest.raises(AttributeError):
        result.ok = False  # type: ignore[misc]
    assert result.error is None and result.attempts == 0
