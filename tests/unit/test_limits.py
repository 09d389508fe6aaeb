"""The thread gate and the hourly budget, on a fake clock (no time, no sockets)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from autotask.errors import InvalidRequest, RateLimited, ThreadLimitExceeded
from autotask.wire.limits import (
    RECHECK,
    WINDOW,
    AttachmentWindow,
    BudgetDecision,
    HourlyBudget,
    ThreadGate,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_gate_admits_n_per_bucket_and_buckets_are_separate() -> None:
    gate = ThreadGate(3)
    for _ in range(3):
        assert gate.acquire("Tickets", timeout=0)
    fourth, out = _in_thread(lambda: gate.acquire("Tickets", timeout=0))
    fourth.join(5)
    assert out == [False]  # another thread's 4th waits (here: not at all)
    assert gate.acquire("TicketNotes", timeout=0)  # another endpoint is free
    assert gate.acquire(None, timeout=0)  # exempt (zoneInformation)
    gate.release("Tickets")
    assert gate.acquire("Tickets", timeout=0)
    assert gate.in_flight("Tickets") == 3 and gate.peak("Tickets") == 3


def test_gate_never_exceeds_its_limit_under_threads() -> None:
    gate = ThreadGate(3)
    current, peak, lock = [0], [0], threading.Lock()
    barrier = threading.Barrier(12)

    def work() -> None:
        barrier.wait()
        for _ in range(50):
            gate.acquire("Tickets")
            with lock:
                current[0] += 1
                peak[0] = max(peak[0], current[0])
            with lock:
                current[0] -= 1
            gate.release("Tickets")

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert peak[0] <= 3 and gate.peak("Tickets") <= 3 and gate.in_flight("Tickets") == 0


def _in_thread(target: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """Run ``target`` in a real thread; its result or exception lands in the list."""
    out: list[object] = []

    def run() -> None:
        try:
            out.append(target())
        except BaseException as exc:  # handed back to the test
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def test_a_thread_holding_all_slots_of_its_bucket_fails_at_once_instead_of_waiting() -> None:
    # Before: acquire() waited forever here (e.g. three open streamed answers, then one more
    # request on the same entity from the same thread).
    gate = ThreadGate(3)  # no bound at all: only the deadlock check can end the wait
    thread, out = _in_thread(lambda: [gate.acquire("Tickets") for _ in range(4)])
    thread.join(5)
    assert not thread.is_alive(), "the 4th acquire waited forever"
    (error,) = out
    assert isinstance(error, ThreadLimitExceeded)
    assert error.entity == "Tickets" and "holds all 3 slots of Tickets" in str(error)
    assert gate.in_flight("Tickets") == 3  # the three taken stay taken until released
    assert gate.acquire("TicketNotes", timeout=0)  # another bucket is not affected


def test_threads_holding_a_bucket_between_them_and_all_waiting_fail_instead_of_deadlocking() -> (
    None
):
    gate = ThreadGate(2)
    first_holds, second_holds = threading.Event(), threading.Event()
    second_done = threading.Event()

    def first() -> bool:
        assert gate.acquire("Tickets")
        first_holds.set()
        second_holds.wait(5)
        ok = gate.acquire("Tickets", timeout=10)  # waits for the second thread's slot
        gate.release("Tickets")
        gate.release("Tickets")
        return ok

    def second() -> object:
        first_holds.wait(5)
        assert gate.acquire("Tickets")
        second_holds.set()
        time.sleep(0.2)  # let the first thread start waiting
        try:
            gate.acquire("Tickets", timeout=10)  # both holders now wait: a deadlock
        finally:
            gate.release("Tickets")  # what a caller does after the error: close its stream
            second_done.set()
        return None

    t1, out1 = _in_thread(first)
    t2, out2 = _in_thread(second)
    t1.join(10)
    t2.join(10)
    assert second_done.is_set()
    assert isinstance(out2[0], ThreadLimitExceeded)
    assert "threads holding the others are waiting" in str(out2[0])
    assert out1 == [True]  # the first got the slot the second gave back
    assert gate.in_flight("Tickets") == 0


def test_a_wait_for_a_slot_held_by_another_thread_is_bounded() -> None:
    gate = ThreadGate(1, max_wait=0.3)
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        gate.acquire("Tickets")
        holding.set()
        done.wait(10)
        gate.release("Tickets")

    holder, _ = _in_thread(hold)
    holding.wait(5)
    started = time.monotonic()
    waiter, out = _in_thread(lambda: gate.acquire("Tickets"))  # max_wait applies
    waiter.join(10)
    assert out == [False] and 0.25 <= time.monotonic() - started < 5
    # A slot released by another thread than the one that took it (a stream closed
    # elsewhere) is given back for its owner.
    owner = holder.ident
    done.set()
    holder.join(5)
    assert gate.in_flight("Tickets") == 0
    assert gate.acquire("Tickets", timeout=0)
    other, _ = _in_thread(lambda: gate.release("Tickets", owner=threading.main_thread().ident))
    other.join(5)
    assert gate.in_flight("Tickets") == 0 and owner is not None
    assert gate.acquire("Tickets", timeout=0)  # and this thread holds nothing stale


def test_budget_counts_a_rolling_hour() -> None:
    clock = FakeClock()
    budget = HourlyBudget(limit=10, clock=clock)
    for _ in range(4):
        budget.record()
    assert budget.estimate() == 4
    clock.now += WINDOW
    assert budget.estimate() == 0


def test_budget_checks_sparingly_and_more_often_when_busy() -> None:
    clock = FakeClock()
    budget = HourlyBudget(limit=10_000, check_every=100, clock=clock)
    for _ in range(99):
        budget.record()
    assert not budget.before_request().check
    budget.record()
    assert budget.before_request().check  # after check_every requests
    budget.update(10_000, 6_000)  # the server says 60% (other integrations share it)
    assert budget.estimate() == 6_000
    for _ in range(19):
        budget.record()
    assert not budget.before_request().check
    budget.record()
    assert budget.before_request().check  # past 50%: every check_every // 5


def test_budget_paces_past_50_and_75_percent() -> None:
    clock = FakeClock()
    budget = HourlyBudget(limit=1000, clock=clock, spacing=(0.5, 1.0))
    budget.update(1000, 100)
    assert budget.before_request().wait == 0  # 10%: no pacing
    budget.update(1000, 600)
    decision = budget.before_request()
    assert decision.wait == 0 and 0.6 <= decision.usage < 0.75  # the first goes at once
    # The next ones queue 0.5 s apart, even when asked at the same moment (threads).
    assert budget.before_request().wait == pytest.approx(0.5)
    assert budget.before_request().wait == pytest.approx(1.0)
    clock.now += 1.2
    assert budget.before_request().wait == pytest.approx(0.3)
    clock.now += 10
    budget.update(1000, 800)
    assert budget.before_request().wait == 0
    assert budget.before_request().wait == pytest.approx(1.0)  # past 75%: 1 s apart


def test_exhausted_budget_checks_then_waits_bounded_then_gives_up() -> None:
    clock = FakeClock()
    budget = HourlyBudget(limit=100, max_wait=150, clock=clock)
    budget.mark_exhausted()  # a 429 for the hourly threshold
    decision = budget.before_request()
    assert decision.check and not decision.exhausted  # never give up on a guess
    budget.update(100, 100)  # still full
    decision = budget.before_request()
    assert decision.wait == pytest.approx(RECHECK) and not decision.check
    clock.now += RECHECK
    assert budget.before_request().check
    budget.check_failed()  # the check itself was refused
    clock.now += RECHECK
    budget.update(100, 100)
    clock.now += 30
    decision = budget.before_request()
    assert decision.wait == pytest.approx(150 - 2 * RECHECK - 30)
    clock.now += decision.wait
    assert budget.before_request().exhausted  # max_wait spent: the caller raises


def test_budget_recovers_when_the_server_reports_room() -> None:
    clock = FakeClock()
    budget = HourlyBudget(limit=100, max_wait=0, clock=clock)
    budget.mark_exhausted()
    assert budget.before_request().check
    budget.update(100, 20)
    decision = budget.before_request()
    assert not decision.exhausted and decision.wait == 0 and decision.usage == pytest.approx(0.2)


def test_budget_takes_the_servers_threshold() -> None:
    budget = HourlyBudget(limit=10_000)
    budget.update(20_000, 10_000)
    assert budget.limit == 20_000 and budget.usage() == pytest.approx(0.5)


def test_waiting_on_float_clocks_always_ends() -> None:
    # Float sums never land exactly on the deadline; tiny remainders must not loop forever.
    clock = FakeClock()
    clock.now = 0.012216859842862377
    budget = HourlyBudget(limit=6, max_wait=7200, clock=clock)
    budget.mark_exhausted()
    steps = 0
    while True:
        steps += 1
        assert steps < 1000
        decision = budget.before_request()
        if decision.exhausted:
            break
        if decision.check:
            budget.check_failed()  # the server keeps refusing
            continue
        assert decision.wait >= 1e-3
        clock.now += decision.wait
    assert steps < 300 and clock.now >= 7200


def test_wait_for_room_checks_paces_and_gives_up_on_the_injected_clock() -> None:
    clock = FakeClock()
    budget = HourlyBudget(limit=100, check_every=10, max_wait=120, clock=clock)
    checks: list[float] = []
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += seconds

    def check(count: int) -> None:
        checks.append(clock.now)
        budget.update(100, count)

    # Below 50%: go at once, no check until check_every requests.
    assert not budget.wait_for_room(lambda: check(0), sleep).exhausted
    assert (checks, sleeps) == ([], [])
    # The server reports 60%: paced 0.5 s apart (the first goes at once).
    budget.update(100, 60)
    for _ in range(3):
        budget.record()
        assert not budget.wait_for_room(lambda: check(63), sleep).exhausted
    assert sleeps == [0.5, 0.5]
    # Used up: ask the server, wait for the window in RECHECK steps, give up after max_wait.
    assert checks == [0.0]  # past 50% the check interval shrinks to check_every // 5
    budget.mark_exhausted()
    checks.clear()
    sleeps.clear()
    start = clock.now
    decision = budget.wait_for_room(lambda: check(100), sleep)
    assert decision.exhausted and decision.usage >= 1.0
    # A check at once, then every RECHECK seconds, and a last one before giving up.
    assert checks == [start, start + RECHECK, start + 2 * RECHECK]
    assert sleeps == [RECHECK, RECHECK] and sum(sleeps) == budget.max_wait


def test_a_failing_check_counts_as_checked() -> None:
    budget = HourlyBudget(limit=10, max_wait=0, clock=FakeClock())
    budget.mark_exhausted()
    calls: list[int] = []

    def check() -> None:
        calls.append(1)
        raise RateLimited("the check was refused too", status=429)

    assert budget.wait_for_room(check, lambda s: None).exhausted
    assert calls == [1]  # asked once, then gave up: no loop on a refusing server


def _window(
    limit: int = 1000, seconds: float = 300
) -> tuple[AttachmentWindow, FakeClock, list[float]]:
    clock, sleeps = FakeClock(), []

    def sleep(wait: float) -> None:
        sleeps.append(wait)
        clock.now += wait

    return AttachmentWindow(limit, seconds, clock=clock, sleep=sleep), clock, sleeps


def test_window_waits_until_the_oldest_uploads_leave_it() -> None:
    window, clock, sleeps = _window()
    first = window.reserve(400)
    window.settle(first, counted=True)
    clock.now = 10
    window.settle(window.reserve(400), counted=True)
    clock.now = 20
    window.reserve(300)  # 1,100 would not fit: wait until the first upload left (t=300)
    assert sleeps == [pytest.approx(280)] and clock.now == pytest.approx(300)
    assert window.used() == 700
    window.reserve(300)  # 1,000 fits exactly: no wait
    assert len(sleeps) == 1
    window.reserve(1000)  # needs every older upload gone: the t=10 one at 310, the t=300 at 600
    assert clock.now == pytest.approx(600) and window.used() == 1000


def test_window_refuses_an_upload_larger_than_itself_up_front() -> None:
    window, _, sleeps = _window(limit=1000, seconds=300)
    with pytest.raises(
        InvalidRequest, match=r"1,001 decoded bytes .* window of 1,000 bytes per 300"
    ):
        window.reserve(1001)
    assert sleeps == [] and window.used() == 0


def test_window_counts_an_upload_from_when_it_ended_and_forgets_a_refused_one() -> None:
    window, clock, sleeps = _window()
    slow = window.reserve(600)
    clock.now = 50
    window.settle(slow, counted=True)  # the server counted it on arrival, up to 50 s later
    refused = window.reserve(300)
    window.settle(refused, counted=False)  # refused: it never counted on the server
    assert window.used() == 600
    clock.now = 299
    window.reserve(500)  # the slow upload leaves at 350, not at 300
    assert clock.now == pytest.approx(350) and sleeps == [pytest.approx(51)]


def test_window_shared_by_threads_never_holds_more_than_its_limit() -> None:
    clock, lock = FakeClock(), threading.Lock()

    def sleep(wait: float) -> None:
        with lock:
            clock.now += wait

    window = AttachmentWindow(1000, 300, clock=clock, sleep=sleep)
    barrier = threading.Barrier(8)

    def upload() -> None:
        barrier.wait()
        for _ in range(5):
            window.settle(window.reserve(300), counted=True)
            assert window.used() <= 1000

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads)
    assert clock.now >= 300 * (40 // 3 - 1)  # 40 uploads, 3 per window


def test_a_window_of_zero_is_off() -> None:
    window, _, sleeps = _window(limit=0)
    assert window.reserve(10**9) is None and sleeps == []


def test_while_exhausted_every_thread_waits_for_the_one_checks_answer() -> None:
    # Before: a second thread found the check taken, fell through and sent at once
    # (wait_for_room returned after 0.000 s with usage 1.0 and exhausted=False).
    clock = FakeClock()
    budget = HourlyBudget(limit=10, max_wait=0, clock=clock)
    for _ in range(10):
        budget.record()  # our own ten requests: used up
    checking, answer = threading.Event(), threading.Event()
    checks: list[str] = []

    def slow_check() -> None:
        checks.append("first")
        checking.set()
        answer.wait(10)
        budget.update(10, 10)  # the server says: still full

    def second_check() -> None:
        checks.append("second")

    first, first_out = _in_thread(lambda: budget.wait_for_room(slow_check, lambda s: None))
    assert checking.wait(5)
    second, second_out = _in_thread(lambda: budget.wait_for_room(second_check, lambda s: None))
    second.join(0.3)
    assert second.is_alive(), "the second thread went on while the budget was used up"
    answer.set()
    first.join(5)
    second.join(5)
    assert checks == ["first"]  # one check answered both
    for out in (first_out, second_out):
        (decision,) = out
        assert isinstance(decision, BudgetDecision) and decision.exhausted
        assert decision.usage == pytest.approx(1.0)


def test_below_the_threshold_threads_do_not_queue_behind_a_check() -> None:
    clock = FakeClock()
    budget = HourlyBudget(limit=100, check_every=1, clock=clock)
    budget.record()  # due for a check, at 1%
    checking, answer = threading.Event(), threading.Event()

    def slow_check() -> None:
        checking.set()
        answer.wait(10)
        budget.update(100, 1)

    first, _ = _in_thread(lambda: budget.wait_for_room(slow_check, lambda s: None))
    assert checking.wait(5)
    second, out = _in_thread(lambda: budget.wait_for_room(lambda: None, lambda s: None))
    second.join(5)
    assert not second.is_alive() and not out[0].exhausted  # went on with its estimate
    answer.set()
    first.join(5)


def test_an_exhausted_decision_says_when_this_clients_oldest_request_leaves_the_hour() -> None:
    clock = FakeClock()
    budget = HourlyBudget(limit=10, max_wait=0, clock=clock)
    budget.mark_exhausted()  # others used it up: none of ours is in the window
    budget.check_failed()
    decision = budget.before_request()
    assert decision.exhausted and decision.frees_in is None
    clock.now = 50.0
    budget.record()
    clock.now = 80.0
    budget.record()
    clock.now = 1000.0
    budget.check_failed()
    decision = budget.before_request()
    assert decision.exhausted and decision.frees_in == pytest.approx(50 + WINDOW - 1000)


def test_a_server_retry_after_past_the_bound_gives_up_at_once() -> None:
    # Before: the budget waited out max_budget_wait (300 s by default: a batch's workers in
    # flight each did, after the batch had stopped) although the server's 429 had said the
    # window frees only in an hour (tests/chaos/test_cli_chaos.py waited minutes for exit 6).
    clock = FakeClock()
    budget = HourlyBudget(limit=100, max_wait=300, clock=clock)
    budget.mark_exhausted(retry_after=3000)
    decision = budget.before_request()
    assert decision.exhausted and decision.from_server and decision.frees_in == pytest.approx(3000)
    # A Retry-After within the bound is waited for as before (check, then wait and recheck).
    soon = HourlyBudget(limit=100, max_wait=300, clock=clock)
    soon.mark_exhausted(retry_after=200)
    assert soon.before_request().check
    soon.update(100, 100)
    assert not soon.before_request().exhausted
    # Once the server reports room, the old Retry-After is forgotten.
    budget.update(100, 10)
    assert not budget.before_request().exhausted
    budget.update(100, 100)
    budget.mark_exhausted()
    assert not budget.before_request().exhausted  # no Retry-After: check and wait
