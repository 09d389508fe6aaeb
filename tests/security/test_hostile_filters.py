"""Hostile conditions, raw filters and filter values (issue 14 "Hostile input").

The command line's condition grammar and ``--filter`` JSON either give a filter or raise
``UsageError`` (exit 2); the library's filters either compile or raise ``InvalidRequest``, and
what compiles is answered by the real emulator with records or an ``AutotaskError``. Nothing
else escapes: no ``TypeError``, ``ValueError``, ``RecursionError``, ``OverflowError``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autotask import AutotaskClient, AutotaskError, F, InvalidRequest
from autotask.cli.exitcodes import UsageError
from autotask.cli.values.conditions import build_filter, parse_condition, parse_filter_json
from autotask.cli.values.fieldtypes import FieldTable
from autotask.core.query import compile_filter
from tests.cli.pure.conftest import real_fields
from tests.client.conftest import connect
from tests.emulator_process import running_emulator

_OPERATOR_CHARS = "=!<>~^$"
_CONDITIONS = st.one_of(
    st.text(max_size=40),
    st.text(st.sampled_from(_OPERATOR_CHARS + "abc:, \\\"'\x00\n"), max_size=20),
    st.tuples(
        st.sampled_from(
            ["status", "title", "priority", "id", "udf:FR Result", "udf:", "dueDateTime"]
        ),
        st.sampled_from(["=", "!=", ">", ">=", "<", "<=", "~", "^", "$", "=!", "<>", "!"]),
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(["in:", "in:,", "in:1,,2", "exists", "NaN", "inf", "-1e999", "1e999"]),
            st.integers().map(str),
            st.just("9" * 5000),
            st.just("in:" + ",".join(str(n) for n in range(700))),
        ),
    ).map("".join),
)


@pytest.fixture(scope="module")
def tickets() -> FieldTable:
    return FieldTable(
        "Tickets",
        lambda: real_fields("ticket_fields.json"),
        lambda: real_fields("ticket_udf_fields.json"),
    )


@settings(max_examples=400, deadline=None)
@example(text="priority>=1e999")
@example(text="dueDateTime<99999-99-99")
@example(text="udf:=x")
@given(text=_CONDITIONS)
def test_a_condition_parses_or_is_a_usage_error(text: str) -> None:
    try:
        parse_condition(text)
    except UsageError as exc:
        assert str(exc) and "\n" not in str(exc)  # one line


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(texts=["priority>=1e999"], any_of=False)
@example(texts=["id=in:" + ",".join(str(n) for n in range(700))], any_of=True)
@example(texts=["udf:FR Result=a", "udf:FR Result=b"], any_of=False)
@given(texts=st.lists(_CONDITIONS, max_size=3), any_of=st.booleans())
def test_conditions_type_into_a_filter_or_a_usage_error(
    tickets: FieldTable, texts: list[str], any_of: bool
) -> None:
    try:
        built = build_filter(texts, tickets, any_of=any_of)
    except UsageError:
        return
    if built is not None:
        compile_filter(built)  # what the CLI built, the library accepts


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["op", "field", "value", "udf", "items", "x"]), inner)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@example(text="[" * 100_000 + "]" * 100_000)
@example(text='{"op": "eq", "field": "id", "value": NaN}')
@example(text='{"op": "and", "items": [' * 2000 + "{}" + "]}" * 2000)
@example(text='{"op": "in", "field": "id", "value": 1}')
@given(text=st.one_of(_JSON.map(json.dumps), st.text(max_size=50)))
def test_a_raw_filter_argument_is_a_filter_or_a_usage_error(text: str) -> None:
    with contextlib.suppress(UsageError):
        parse_filter_json(text)


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),  # NaN and infinities included
    st.text(max_size=200),
    st.just("x" * 100_000),
    st.binary(max_size=10),
    st.decimals(allow_nan=True),
    st.datetimes(),  # naive: refused
    st.datetimes(timezones=st.just(dt.timezone.utc)),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(object()),
)
_OPS = ["==", "!=", ">", ">=", "<", "<=", "begins_with", "ends_with", "contains", "in_", "not_in"]


def _condition(field: str, op: str, value: Any) -> Any:
    f = F(field)
    if op in ("in_", "not_in"):
        return getattr(f, op)(value if isinstance(value, list) else [value])
    if op in ("begins_with", "ends_with", "contains"):
        return getattr(f, op)(value)
    return {
        "==": f.__eq__,
        "!=": f.__ne__,
        ">": f.__gt__,
        ">=": f.__ge__,
        "<": f.__lt__,
        "<=": f.__le__,
    }[op](value)


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AutotaskClient]:
    with running_emulator() as emu, connect(emu, tmp_path_factory.mktemp("cache")) as client:
        yield client


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@example(field="id", op="==", value=math.nan)
@example(field="id", op=">", value=math.inf)
@example(field="createDate", op=">=", value=dt.datetime(2020, 1, 1))  # naive
@example(field="title", op="contains", value="\x00'\";--")
@example(field="id", op="==", value=decimal.Decimal("NaN"))
@example(field="id", op="==", value=2**80)
@given(
    field=st.sampled_from(["id", "title", "status", "createDate", "isActive", "noSuchField", ""]),
    op=st.sampled_from(_OPS),
    value=_VALUES,
)
def test_a_filter_value_compiles_and_is_answered_or_is_an_autotask_error(
    reader: AutotaskClient, field: str, op: str, value: Any
) -> None:
    try:
        condition = _condition(field, op, value)
        compile_filter(condition)
    except InvalidRequest:
        return
    try:
        records = reader.tickets.query_all(condition, fields=["id"], limit=5)
    except AutotaskError:
        return
    assert isinstance(records, list)
