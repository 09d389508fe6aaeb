"""The condition grammar (pure parsing) and typing by real field metadata (no sockets)."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from autotask.cli.exitcodes import UsageError
from autotask.cli.values.conditions import build_filter, parse_condition, parse_filter_json
from autotask.cli.values.fieldtypes import FieldTable
from autotask.core.query import Condition, Group


@pytest.mark.parametrize(
    ("text", "field", "op", "values", "udf"),
    [
        ("status=1", "status", "eq", ("1",), False),
        ("status!=5", "status", "noteq", ("5",), False),
        ("priority>=2", "priority", "gte", ("2",), False),
        ("priority>2", "priority", "gt", ("2",), False),
        ("priority<=2", "priority", "lte", ("2",), False),
        ("dueDateTime<2026-01-01T00:00:00Z", "dueDateTime", "lt", ("2026-01-01T00:00:00Z",), False),
        ("title~printer", "title", "contains", ("printer",), False),
        ("title^Re:", "title", "beginsWith", ("Re:",), False),
        ("title$urgent", "title", "endsWith", ("urgent",), False),
        ("id=in:1,2,3", "id", "in", ("1", "2", "3"), False),
        ("id!=in:4,5", "id", "notIn", ("4", "5"), False),
        ("assignedResourceID=exists", "assignedResourceID", "exist", (), False),
        ("assignedResourceID!=exists", "assignedResourceID", "notExist", (), False),
        ("udf:Customer Code=X", "Customer Code", "eq", ("X",), True),
        ("UDF:Customer Code!=X", "Customer Code", "noteq", ("X",), True),
        ("title~a=b", "title", "contains", ("a=b",), False),
        ("title=exists now", "title", "eq", ("exists now",), False),
    ],
)
def test_grammar(text: str, field: str, op: str, values: tuple[str, ...], udf: bool) -> None:
    spec = parse_condition(text)
    assert (spec.field, spec.op, spec.values, spec.udf) == (field, op, values, udf)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("status", "no operator after 'status'"),
        ("=1", "does not start with a field name"),
        ("status=", "no value after '='"),
        ("status!5", "unknown operator '!'"),
        ("id>in:1,2", "in: lists go with = or !="),
        ("id=in:1,,2", "an empty value in the in: list"),
        ("udf:=x", "no UDF name"),
        ("udf:Name", "no operator"),
    ],
)
def test_conditions_that_do_not_parse(text: str, why: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_condition(text)
    message = str(caught.value)
    assert why in message and repr(text) in message and "FIELD OP VALUE" in message
    assert "\n" not in message


def test_values_are_typed_by_the_metadata(tickets: FieldTable) -> None:
    terms = build_filter(
        [
            "priority>=2",
            "title=2",
            "estimatedHours<1.5",
            "isVisibleToComanaged=false",
            "dueDateTime<2026-01-01",
            "id=in:1,2",
        ],
        tickets,
    )
    assert isinstance(terms, list)
    values = {t.field: t.value for t in terms}
    assert values["priority"] == 2 and isinstance(values["priority"], int)
    assert values["title"] == "2"
    assert values["estimatedHours"] == decimal.Decimal("1.5")
    assert values["isVisibleToComanaged"] is False
    assert values["dueDateTime"] == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert values["id"] == (1, 2)
    assert terms[-2].to_json()["value"] == "2026-01-01T00:00:00Z"


def test_picklist_labels_are_looked_up(tickets: FieldTable) -> None:
    (term,) = build_filter(["status=new"], tickets) or []
    assert term == Condition("status", "eq", 1)
    (term,) = build_filter(["STATUS!=in:Complete,New"], tickets) or []
    assert term == Condition("status", "notIn", (5, 1))
    (term,) = build_filter(["status=5"], tickets) or []  # a value needs no lookup
    assert term.value == 5


def test_a_label_matching_nothing_names_the_choices(tickets: FieldTable) -> None:
    with pytest.raises(UsageError) as caught:
        build_filter(["status=Nwe"], tickets)
    message = str(caught.value)
    assert "'Nwe' is not a label of Tickets.status" in message
    assert "Complete" in message and "New" in message


def test_udf_conditions(tickets: FieldTable) -> None:
    (term,) = build_filter(["udf:fr result=escalated"], tickets) or []
    assert term == Condition("FR Result", "eq", "Escalated", udf=True)
    (term,) = build_filter(["udf:Agreed Start Date>2024-01-01"], tickets) or []
    assert term.udf and isinstance(term.value, dt.datetime)
    with pytest.raises(UsageError, match="one UDF condition per query"):
        build_filter(["udf:FR Result=Escalated", "udf:Ext URL~x"], tickets)


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("stauts=1", "Tickets has no field 'stauts' (did you mean status?)"),
        ("udf:Nope=1", "Tickets has no UDF 'Nope'"),
        ("priority>=high-ish", "'high-ish' is not a label of Tickets.priority"),
        ("estimatedHours>lots", "Tickets.estimatedHours: 'lots' is not a number"),
        ("isVisibleToComanaged=maybe", "'maybe' is not true or false"),
        ("dueDateTime<soon", "'soon' is not a date/time"),
        ("id=abc", "Tickets.id: 'abc' is not a whole number"),
    ],
)
def test_values_that_do_not_fit(tickets: FieldTable, condition: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        build_filter([condition], tickets)
    assert message in str(caught.value)


def test_any_ors_the_conditions_and_filter_is_anded(tickets: FieldTable) -> None:
    raw = parse_filter_json('{"op": "gte", "field": "id", "value": 0}')
    terms = build_filter(["status=1", "priority=2"], tickets, any_of=True, raw=raw)
    assert isinstance(terms, list) and len(terms) == 2
    group, extra = terms
    assert isinstance(group, Group) and group.op == "or" and len(group.items) == 2
    assert extra == raw
    assert build_filter([], tickets) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "--filter: malformed JSON at column 2"),
        ('{"op": "like", "field": "x", "value": 1}', "unknown filter operator 'like'"),
    ],
)
def test_bad_filter_json(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        parse_filter_json(text)


def test_csv_cells_and_columns(tickets: FieldTable) -> None:
    assert tickets.convert_cell("status", "In Progress") == 8
    assert tickets.convert_cell("udf:FR Result", "escalated") == "Escalated"
    assert tickets.convert_cell("udf:Agreed Start Date", "2024-02-03") == "2024-02-03T00:00:00Z"
    columns = tickets.columns()
    assert columns[:2] == ["id", "apiVendorID"] and columns[-1] == "udf:Ext URL"
    assert tickets.labels()["status"]["1"] == "New"


def test_a_filter_argument_nested_too_deeply_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="nested too deeply"):
        parse_filter_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(UsageError, match="nested more than 100 deep"):
        parse_filter_json(
            '{"op": "or", "items": [' * 300 + '{"op": "exist", "field": "id"}' + "]}" * 300
        )
