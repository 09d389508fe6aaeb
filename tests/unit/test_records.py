"""Record helpers: udf() and parse_datetime() over every datetime form in the fixtures."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import re

import pytest

from autotask import InvalidRequest, parse_datetime, udf
from autotask.core.records import encode_record, format_datetime
from autotask.wire._request import json_bytes
from tests import paths

FIXTURES = paths.FIXTURES
UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-05-04T08:53:10Z", dt.datetime(2023, 5, 4, 8, 53, 10, tzinfo=UTC)),
        ("2019-11-25T15:47:59.167Z", dt.datetime(2019, 11, 25, 15, 47, 59, 167000, tzinfo=UTC)),
        ("2023-03-17T10:32:29.52Z", dt.datetime(2023, 3, 17, 10, 32, 29, 520000, tzinfo=UTC)),
        ("2022-12-07T09:15:45.2Z", dt.datetime(2022, 12, 7, 9, 15, 45, 200000, tzinfo=UTC)),
        ("2016-03-30T13:10:35.563", dt.datetime(2016, 3, 30, 13, 10, 35, 563000, tzinfo=UTC)),
        ("2020-11-17T12:13:14.00", dt.datetime(2020, 11, 17, 12, 13, 14, tzinfo=UTC)),
        ("2020-01-29T00:00:00Z", dt.datetime(2020, 1, 29, tzinfo=UTC)),
        ("2020-06-15", dt.datetime(2020, 6, 15, tzinfo=UTC)),
        ("2020-06-15T10:00:00+02:00", dt.datetime(2020, 6, 15, 8, tzinfo=UTC)),
        ("2020-06-15T10:00:00.1234567Z", dt.datetime(2020, 6, 15, 10, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_parse_datetime_accepts_every_api_form(text: str, expected: dt.datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("bad", ["", "yesterday", "2020-13", "2020-06-15T", 12])
def test_parse_datetime_rejects_garbage(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_datetime(bad)  # type: ignore[arg-type]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_every_datetime_in_the_real_fixtures_parses() -> None:
    shaped = re.compile(r"\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?")
    found = 0
    for path in sorted(FIXTURES.glob("*.json")):
        fixture = json.loads(path.read_text(encoding="utf-8"))
        for text in _strings(fixture["response"]) + _strings(fixture.get("request") or {}):
            if shaped.fullmatch(text):
                parse_datetime(text)
                found += 1
    assert found > 20


def test_udf_reads_values_by_name() -> None:
    company = json.loads((FIXTURES / "companies_query_page.json").read_text())["response"]
    record = company["items"][0]
    first = record["userDefinedFields"][0]
    assert udf(record, first["name"]) == first["value"]
    assert udf(record, first["name"].upper()) == first["value"]  # case-insensitive fallback
    assert udf(record, "No Such UDF") is None
    assert udf(record, "No Such UDF", default="-") == "-"
    assert udf({"id": 1}, "Anything", 0) == 0  # records without userDefinedFields


def test_format_datetime_and_encode_record() -> None:
    assert format_datetime(dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)) == "2024-02-03T04:05:06Z"
    with pytest.raises(InvalidRequest, match="'dueDateTime'"):
        encode_record({"dueDateTime": dt.datetime(2024, 1, 1)})
    with pytest.raises(InvalidRequest, match="'Agreed Start'"):
        encode_record(
            {"userDefinedFields": [{"name": "Agreed Start", "value": dt.datetime(2024, 1, 1)}]}
        )
    body = encode_record(
        {"title": "x", "due": dt.date(2024, 1, 2), "userDefinedFields": [{"name": "N", "value": 1}]}
    )
    assert body == {
        "title": "x",
        "due": "2024-01-02T00:00:00Z",
        "userDefinedFields": [{"name": "N", "value": 1}],
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "JSON numbers are finite"),
        (float("-inf"), "JSON numbers are finite"),
        (decimal.Decimal("NaN"), "JSON numbers are finite"),
        (decimal.Decimal("sNaN"), "JSON numbers are finite"),
        (decimal.Decimal("Infinity"), "JSON numbers are finite"),
        ("ok \udc80", "not a Unicode character"),
        ("\ud800", "not a Unicode character"),
    ],
)
def test_what_json_cannot_carry_is_refused_naming_the_field(value: object, message: str) -> None:
    # Before: NaN went out as the non-JSON token NaN (the emulator even stored it), a Decimal
    # NaN or infinity raised InvalidOperation/OverflowError, and a lone surrogate raised
    # UnicodeEncodeError from inside the transport (tests/security/test_hostile_filters.py).
    with pytest.raises(InvalidRequest, match=message) as info:
        encode_record({"title": value})
    assert "'title'" in str(info.value)


def test_a_body_json_cannot_carry_is_refused_before_sending() -> None:
    for body in ({"x": float("nan")}, {"x": "\udc80"}):
        with pytest.raises(InvalidRequest, match="cannot send this body as JSON"):
            json_bytes(body)
    assert json_bytes({"title": "é ✓"}) == '{"title":"é ✓"}'.encode()
