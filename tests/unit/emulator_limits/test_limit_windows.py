"""Thread gate counting, the rolling hourly budget and the attachment windows on a fake clock."""

from __future__ import annotations

import threading

import pytest

from autotask.emulator.limits.gates import (
    ATTACHMENT_WINDOW_BYTES,
    DEFAULT_ATTACHMENT_MAX_BYTES,
    Admission,
    AttachmentWindow,
    Bucket,
    HourlyBudget,
    ThreadGate,
    request_threshold_text,
    thread_latency,
    thread_threshold_text,
    threshold_information,
)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


TICKETS = Bucket("CODE", "Tickets")
NOTES = Bucket("CODE", "TicketNotes")


def test_thread_latency_from_three_concurrent_requests_to_ten() -> None:
    documented = (250, 1000)  # fact sheet §11.1 (a)
    assert [thread_latency(n, documented) for n in (0, 1, 2)] == [0.0, 0.0, 0.0]
    assert thread_latency(3, documented) == 0.25
    assert thread_latency(10, documented) == thread_latency(50, documented) == 1.0
    assert thread_latency(4, documented) == pytest.approx(0.25 + 0.75 / 7)
    assert thread_latency(5, (0, 0)) == 0.0  # off


def test_gate_admits_three_per_bucket_and_rejects_the_fourth() -> None:
    gate = ThreadGate(3)
    # The answer is the number of requests holding a slot (this one included), 0 when full.
    assert [gate.try_acquire(TICKETS) for _ in range(4)] == [1, 2, 3, 0]
    assert gate.in_flight(TICKETS) == 3
    # Another entity, or another integration code, is another bucket.
    assert gate.try_acquire(NOTES)
    assert gate.try_acquire(Bucket("OTHER", "Tickets"))
    assert gate.in_flight_by_entity() == {"Tickets": 4, "TicketNotes": 1}
    gate.release(TICKETS)
    assert gate.try_acquire(TICKETS)  # a freed slot admits the next one
    assert gate.rejections() == {"Tickets": 1}
    assert gate.max_concurrency() == {"Tickets": 3, "TicketNotes": 1}


def test_gate_off_admits_everything_but_still_tracks_the_peak() -> None:
    gate = ThreadGate(0)
    assert all(gate.try_acquire(TICKETS) for _ in range(50))
    assert gate.rejections() == {}
    assert gate.max_concurrency() == {"Tickets": 50}
    for _ in range(50):
        gate.release(TICKETS)
    assert gate.in_flight(TICKETS) == 0
    gate.reset_counters()
    assert gate.max_concurrency() == {}


def test_gate_counts_correctly_under_concurrent_use() -> None:
    gate = ThreadGate(3)
    admitted = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        for _ in range(200):
            if gate.try_acquire(TICKETS):
                admitted.append(1)
                gate.release(TICKETS)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert gate.in_flight(TICKETS) == 0
    assert len(admitted) + sum(gate.rejections().values()) == 1600
    assert gate.max_concurrency()["Tickets"] <= 3


def test_gate_rejects_a_negative_limit() -> None:
    with pytest.raises(ValueError):
        ThreadGate(-1)


def test_budget_refuses_the_request_past_the_limit_and_frees_after_an_hour() -> None:
    clock = FakeClock()
    budget = HourlyBudget(clock, limit=10, threshold_latency_ms=(0, 0))
    answers = [budget.admit() for _ in range(11)]
    assert [a.admitted for a in answers] == [True] * 10 + [False]
    assert [a.count for a in answers] == [*range(1, 11), 10]
    assert budget.count() == 10
    clock.advance(3599)
    assert not budget.admit().admitted  # still inside the rolling hour
    clock.advance(1)
    assert budget.count() == 0
    assert budget.admit() == Admission(True, 1)


def test_budget_window_rolls_second_by_second() -> None:
    clock = FakeClock(0.0)
    budget = HourlyBudget(clock, limit=3, threshold_latency_ms=(0, 0))
    budget.admit()  # t=0
    clock.advance(1800)
    budget.admit()  # t=1800
    budget.admit()
    refused = budget.admit()
    assert not refused.admitted
    assert refused.retry_after == 1800  # the t=0 request leaves at t=3600
    clock.advance(1800)  # t=3600: the first request left the window
    assert budget.count() == 2
    assert budget.admit().admitted
    assert not budget.admit().admitted
    clock.advance(1800)  # t=5400: the two at t=1800 left
    assert budget.count() == 1


def test_refused_requests_do_not_count() -> None:
    clock = FakeClock()
    budget = HourlyBudget(clock, limit=2, threshold_latency_ms=(0, 0))
    for _ in range(100):
        budget.admit()
    assert budget.count() == 2


def test_budget_latency_past_half_and_three_quarters() -> None:
    clock = FakeClock()
    budget = HourlyBudget(clock, limit=8, threshold_latency_ms=(500, 1000))
    delays = [budget.admit().delay for _ in range(8)]
    # 1..4 are at most 50%; 5 and 6 are past 50%; 7 and 8 past 75%.
    assert delays == [0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 1.0, 1.0]
    assert HourlyBudget(clock, limit=10_000).delay_for(5_000) == 0.0
    assert HourlyBudget(clock, limit=10_000).delay_for(5_001) == 0.5
    assert HourlyBudget(clock, limit=10_000).delay_for(7_501) == 1.0


def test_budget_off_counts_without_refusing_or_delaying() -> None:
    clock = FakeClock()
    budget = HourlyBudget(clock, limit=0)
    answers = [budget.admit() for _ in range(20_000)]
    assert all(a.admitted and a.delay == 0.0 for a in answers)
    assert budget.count() == 20_000
    budget.reset()
    assert budget.count() == 0


def test_budget_memory_is_bounded_by_seconds_not_requests() -> None:
    clock = FakeClock()
    budget = HourlyBudget(clock, limit=0)
    for _ in range(5000):
        budget.admit()
    assert len(budget._seconds) == 1


def test_threshold_information_body() -> None:
    assert threshold_information(10_000, 124) == {
        "externalRequestThreshold": 10000,
        "requestThresholdTimeframe": 60,
        "currentTimeframeRequestCount": 124,
    }
    assert threshold_information(0, 5)["externalRequestThreshold"] == 10000


def test_texts_name_the_configured_limits() -> None:
    assert "thread threshold of 3 threads has been exceeded" in thread_threshold_text(3)
    assert "Request Threshold Exceeded" in request_threshold_text(10_000)
    assert "10000" in request_threshold_text(10_000)


def test_attachment_per_file_limit() -> None:
    window = AttachmentWindow(FakeClock())
    assert DEFAULT_ATTACHMENT_MAX_BYTES == 6 * 1024 * 1024
    assert window.check_and_record(DEFAULT_ATTACHMENT_MAX_BYTES).allowed
    verdict = window.check_and_record(DEFAULT_ATTACHMENT_MAX_BYTES + 1)
    assert not verdict.allowed
    assert verdict.error is not None and str(DEFAULT_ATTACHMENT_MAX_BYTES) in verdict.error
    assert window.bytes_in_window() == DEFAULT_ATTACHMENT_MAX_BYTES  # refused ones not counted


def test_attachment_five_minute_window() -> None:
    clock = FakeClock()
    window = AttachmentWindow(clock, max_file_bytes=4_000_000)
    assert ATTACHMENT_WINDOW_BYTES == 10_000_000
    assert window.check_and_record(4_000_000).allowed
    clock.advance(60)
    assert window.check_and_record(4_000_000).allowed
    refused = window.check_and_record(2_000_001)
    assert not refused.allowed and refused.error is not None and "5 minutes" in refused.error
    assert window.check_and_record(2_000_000).allowed  # exactly 10,000,000
    assert not window.check_and_record(1).allowed
    clock.advance(240)  # the first file (t=0) leaves at t=300
    assert window.bytes_in_window() == 6_000_000
    assert window.check_and_record(4_000_000).allowed
    clock.advance(300)
    assert window.bytes_in_window() == 0
    window.reset()


def test_attachment_limits_off() -> None:
    window = AttachmentWindow(FakeClock(), max_file_bytes=0, window_bytes=0)
    assert all(window.check_and_record(50_000_000).allowed for _ in range(3))
