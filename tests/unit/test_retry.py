"""RetryPolicy decisions by operation and failure kind (CONTRACTS §3), without time or sockets."""

from __future__ import annotations

import pytest

from autotask.retry import Failure, Operation, RetryPolicy

READS = [Operation.GET, Operation.QUERY, Operation.COUNT, Operation.METADATA, Operation.DOWNLOAD]
WRITES = [Operation.CREATE, Operation.UPDATE, Operation.REPLACE, Operation.DELETE, Operation.UPLOAD]


@pytest.mark.parametrize("operation", READS + WRITES)
@pytest.mark.parametrize("failure", [Failure.NOT_SENT, Failure.THREAD_LIMIT, Failure.RATE_LIMIT])
def test_failures_before_applying_are_retried_for_every_operation(
    operation: Operation, failure: Failure
) -> None:
    assert RetryPolicy().decide(operation, failure, attempt=0) is not None


@pytest.mark.parametrize("operation", READS)
@pytest.mark.parametrize("failure", [Failure.NO_ANSWER, Failure.UNAVAILABLE])
def test_reads_are_retried_after_the_request_went_out(
    operation: Operation, failure: Failure
) -> None:
    assert RetryPolicy().decide(operation, failure, attempt=0) is not None


@pytest.mark.parametrize("operation", WRITES)
def test_writes_are_never_resent_once_they_may_have_arrived(operation: Operation) -> None:
    policy = RetryPolicy(max_retries=10)
    assert policy.decide(operation, Failure.NO_ANSWER, attempt=0) is None
    assert policy.decide(operation, Failure.UNAVAILABLE, attempt=0) is None


@pytest.mark.parametrize("operation", READS + WRITES)
def test_final_failures_are_never_retried(operation: Operation) -> None:
    assert RetryPolicy(max_retries=10).decide(operation, Failure.FINAL, attempt=0) is None


def test_the_budget_of_retries_is_respected() -> None:
    policy = RetryPolicy(max_retries=2)
    assert policy.decide(Operation.GET, Failure.NOT_SENT, attempt=1) is not None
    assert policy.decide(Operation.GET, Failure.NOT_SENT, attempt=2) is None
    assert RetryPolicy(max_retries=0).decide(Operation.GET, Failure.NOT_SENT, attempt=0) is None


def test_backoff_doubles_is_capped_and_jittered() -> None:
    policy = RetryPolicy(max_retries=10, backoff=1.0, max_backoff=5.0, jitter=0.25)
    assert [policy.delay(n, rand=0.5) for n in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.delay(0, rand=0.0) == 0.75
    assert policy.delay(0, rand=0.999) == pytest.approx(1.2495)
    assert RetryPolicy(jitter=0).delay(1, rand=0.9) == 2.0


def test_retry_after_is_a_minimum_and_too_long_gives_up() -> None:
    policy = RetryPolicy(max_retries=3, backoff=1.0, max_wait=60.0)
    wait = policy.decide(Operation.CREATE, Failure.RATE_LIMIT, attempt=0, retry_after=10, rand=0.5)
    assert wait is not None and 10 <= wait <= 10.25
    assert policy.decide(Operation.GET, Failure.RATE_LIMIT, attempt=0, retry_after=61) is None


def test_policy_is_a_frozen_value_and_checks_its_arguments() -> None:
    policy = RetryPolicy()
    with pytest.raises(AttributeError):
        policy.max_retries = 5  # type: ignore[misc]
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=2)


def test_operations_know_whether_they_write() -> None:
    assert {op for op in Operation if op.is_write} == set(WRITES)
    assert str(Operation.QUERY) == "QUERY"
