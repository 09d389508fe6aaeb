"""The error tree (CONTRACTS §3): attributes, one-line str(), pickling, no secrets."""

from __future__ import annotations

import pickle

import pytest

import autotask
from autotask import errors


def test_every_class_derives_from_autotask_error() -> None:
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.AutotaskError)
        assert getattr(autotask, name) is getattr(errors, name)


def test_str_is_one_line_with_the_apis_first_error() -> None:
    error = errors.InvalidRequest(
        "the API refused the request",
        status=500,
        errors=["Value cannot be null.\r\nParameter name: filters", "second"],
        operation="QUERY",
        entity="Companies",
    )
    text = str(error)
    assert "\n" not in text and "\r" not in text
    assert text == (
        "QUERY Companies: HTTP 500: the API refused the request: "
        "Value cannot be null. Parameter name: filters (+1 more)"
    )
    assert error.applied is False and error.retry_after is None


def test_outcome_unknown_is_never_applied_false() -> None:
    error = errors.OutcomeUnknown("no answer", operation="CREATE", entity="Tickets")
    assert error.applied is None
    assert not isinstance(error, errors.TransportError)  # retrying transport errors is unsafe


def test_errors_pickle_with_their_attributes() -> None:
    error = errors.RateLimited("slow down", status=429, errors=["x"], retry_after=3.0)
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is errors.RateLimited
    assert (clone.status, clone.errors, clone.retry_after, str(clone)) == (
        429,
        ["x"],
        3.0,
        str(error),
    )
    too_many = errors.TooManyRecords("too many", count=1001, limit=1000)
    assert pickle.loads(pickle.dumps(too_many)).count == 1001


def test_thread_limit_is_a_rate_limit_and_invalid_request_a_value_error() -> None:
    assert issubclass(errors.ThreadLimitExceeded, errors.RateLimited)
    with pytest.raises(ValueError):
        raise errors.InvalidRequest("bad")
