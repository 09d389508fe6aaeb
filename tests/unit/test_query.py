"""Filters as values: every operator, groups, raw dicts, validation and JSON encoding."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from autotask import Condition, F, Group, InvalidRequest
from autotask.core.query import (
    MAX_OR_CONDITIONS,
    OPERATORS,
    compile_filter,
    filter_json,
    split_in_lists,
)

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (F("status") == 1, {"op": "eq", "field": "status", "value": 1}),
        (F("status") != 5, {"op": "noteq", "field": "status", "value": 5}),
        (F("priority") > 1, {"op": "gt", "field": "priority", "value": 1}),
        (F("priority") >= 1, {"op": "gte", "field": "priority", "value": 1}),
        (F("priority") < 3, {"op": "lt", "field": "priority", "value": 3}),
        (F("priority") <= 3, {"op": "lte", "field": "priority", "value": 3}),
        (F("title").begins_with("A"), {"op": "beginsWith", "field": "title", "value": "A"}),
        (F("title").ends_with("z"), {"op": "endsWith", "field": "title", "value": "z"}),
        (F("title").contains("x"), {"op": "contains", "field": "title", "value": "x"}),
        (F("dueDateTime").exists(), {"op": "exist", "field": "dueDateTime"}),
        (F("dueDateTime").not_exists(), {"op": "notExist", "field": "dueDateTime"}),
        (F("priority").in_([1, 2]), {"op": "in", "field": "priority", "value": [1, 2]}),
        (F("priority").not_in((4,)), {"op": "notIn", "field": "priority", "value": [4]}),
    ],
)
def test_every_operator_encodes_as_autotask_json(condition: Condition, expected: dict) -> None:
    assert condition.to_json() == expected
    assert json.loads(json.dumps(condition.to_json())) == expected


def test_the_thirteen_operators_are_all_reachable_from_f() -> None:
    assert len(OPERATORS) == 13
    built = {
        c.op
        for c in (
            F("a") == 1,
            F("a") != 1,
            F("a") > 1,
            F("a") >= 1,
            F("a") < 1,
            F("a") <= 1,
            F("a").begins_with("x"),
            F("a").ends_with("x"),
            F("a").contains("x"),
            F("a").exists(),
            F("a").not_exists(),
            F("a").in_([1]),
            F("a").not_in([1]),
        )
    }
    assert built == set(OPERATORS)


def test_udf_condition_carries_the_udf_flag() -> None:
    assert (F.udf("Customer Code") == "X").to_json() == {
        "op": "eq",
        "field": "Customer Code",
        "value": "X",
        "udf": True,
    }


def test_and_or_groups_nest_and_flatten() -> None:
    a, b, c = F("a") == 1, F("b") == 2, F("c") == 3
    assert ((a & b) | c).to_json() == {
        "op": "or",
        "items": [{"op": "and", "items": [a.to_json(), b.to_json()]}, c.to_json()],
    }
    assert (a & b & c).items == (a, b, c)  # flattened, same meaning
    assert (a | (b | c)).items == (a, b, c)


def test_top_level_and_becomes_separate_terms() -> None:
    a, b = F("a") == 1, F("b") == 2
    assert compile_filter(a & b) == (a, b)
    assert filter_json(compile_filter(a & b)) == [a.to_json(), b.to_json()]


def test_no_filter_lists_everything_with_id_gte_0() -> None:
    # Never a missing or empty filter (fact sheet §11.4).
    assert filter_json(compile_filter(None)) == [{"op": "gte", "field": "id", "value": 0}]


def test_raw_dicts_are_accepted_and_validated() -> None:
    raw = [
        {"op": "eq", "field": "status", "value": 1},
        {"Op": "or", "Items": [{"op": "contains", "field": "title", "value": "x"}]},
    ]
    terms = compile_filter(raw)
    assert terms[0] == Condition("status", "eq", 1)
    assert isinstance(terms[1], Group) and terms[1].op == "or"
    assert compile_filter({"op": "EQ", "field": "id", "value": 3})[0].op == "eq"


@pytest.mark.parametrize("bad_op", ["ne", "noteExist", "like", "between", ""])
def test_unknown_operators_are_refused_before_sending(bad_op: str) -> None:
    with pytest.raises(InvalidRequest, match="unknown filter operator"):
        compile_filter({"op": bad_op, "field": "status", "value": 1})


def test_more_than_one_udf_condition_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="one UDF condition"):
        compile_filter((F.udf("A") == 1) | (F.udf("B") == 2))
    assert compile_filter((F.udf("A") == 1) & (F("id") > 0))  # one is fine


def test_values_are_checked() -> None:
    with pytest.raises(InvalidRequest, match="takes no value"):
        Condition("a", "exist", 1)
    with pytest.raises(InvalidRequest, match="needs a list"):
        Condition("a", "in", "abc")
    with pytest.raises(InvalidRequest, match="not_exists"):
        _ = F("a") == None  # noqa: E711 - the API refuses null comparisons
    with pytest.raises(InvalidRequest, match="needs a comparison"):
        compile_filter([F("a")])
    with pytest.raises(InvalidRequest, match="unknown key"):
        compile_filter({"op": "eq", "field": "a", "value": 1, "flag": 2})


def test_naive_datetime_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidRequest, match="'dueDateTime'"):
        _ = F("dueDateTime") >= dt.datetime(2024, 1, 1)
    with pytest.raises(InvalidRequest, match="'lastActivityDate'"):
        F("lastActivityDate").in_([dt.datetime(2024, 1, 1)])


def test_aware_datetimes_are_sent_as_utc_z() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    cond = F("dueDateTime") >= dt.datetime(2024, 1, 1, 1, 30, tzinfo=cet)
    assert cond.to_json()["value"] == "2024-01-01T00:30:00Z"
    cond = F("dueDateTime") < dt.datetime(2024, 1, 1, 0, 0, 0, 250000, tzinfo=UTC)
    assert cond.to_json()["value"] == "2024-01-01T00:00:00.250Z"
    assert (F("d") == dt.date(2020, 6, 15)).to_json()["value"] == "2020-06-15T00:00:00Z"
    assert (F("h") == Decimal("3.5000")).to_json()["value"] == 3.5


def test_oversized_lists_follow_contracts_section_2() -> None:
    big = list(range(MAX_OR_CONDITIONS + 1))
    compile_filter(F("id").in_(big))  # top-level in: splittable, accepted
    with pytest.raises(InvalidRequest, match="notIn"):
        compile_filter(F("id").not_in(big))
    with pytest.raises(InvalidRequest, match="inside a group"):
        compile_filter(F("id").in_(big) | (F("a") == 1))
    with pytest.raises(InvalidRequest, match="'or' group"):
        compile_filter(Group("or", tuple(F("a") == i for i in range(MAX_OR_CONDITIONS + 1))))


def test_split_in_lists_chunks_distinct_values_and_keeps_other_terms() -> None:
    other = F("status") == 1
    values = [*range(1, 1202), 5, 6]  # duplicates are dropped
    chunks = split_in_lists(compile_filter(other & F("companyID").in_(values)))
    assert chunks is not None and len(chunks) == 3
    seen = []
    for chunk in chunks:
        assert chunk[0] == other
        assert len(chunk[1].value) <= MAX_OR_CONDITIONS
        seen.extend(chunk[1].value)
    assert seen == list(range(1, 1202))
    assert split_in_lists(compile_filter(F("id").in_([1, 2]))) is None
    assert split_in_lists(compile_filter(F("id").in_([]))) == []
    with pytest.raises(InvalidRequest, match="only one"):
        split_in_lists(compile_filter(F("a").in_(range(501)) & F("b").in_(range(501))))


def test_conditions_are_frozen_values() -> None:
    cond = F("a").in_([1, 2])
    assert cond == Condition("a", "in", (1, 2))
    assert hash(cond) == hash(Condition("a", "in", [1, 2]))
    with pytest.raises(AttributeError):
        cond.field = "b"  # type: ignore[misc]


def test_groups_nested_too_deeply_are_refused_not_a_recursion_error() -> None:
    # Before: compile_filter recursed until RecursionError on a filter nested ~1,000 deep
    # (built in Python or decoded from JSON).
    built: Condition | Group = F("id") == 1
    for _ in range(3000):
        built = Group("or", (built,))
    raw: dict[str, object] = {"op": "eq", "field": "id", "value": 1}
    for _ in range(800):
        raw = {"op": "or", "items": [raw]}
    for deep in (built, raw):
        with pytest.raises(InvalidRequest, match="nested more than 100 deep"):
            compile_filter(deep)
    fine: Condition | Group = F("id") == 1
    for _ in range(100):
        fine = Group("or", (fine,))
    assert len(compile_filter(fine)) == 1
