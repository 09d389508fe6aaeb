"""The client's response parsing over every real recorded payload, and error classification.

Every ``*.json`` in ../shared/fixtures/real goes through the parser the client uses for that
call. The table below says which parser and why; the fixtures README lists the caveats.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from autotask import errors
from autotask.core.records import parse_datetime, udf
from autotask.retry import Failure, Operation
from autotask.wire._answers import (
    api_texts,
    error_for_answer,
    is_query_too_long,
    parse_count,
    parse_fields,
    parse_info,
    parse_item,
    parse_item_id,
    parse_page,
    parse_usage,
    read_answer,
    retry_after_seconds,
)
from tests import paths

FIXTURES = paths.FIXTURES


def _load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _error(response: Any, status: int = 500) -> tuple[Failure, errors.AutotaskError]:
    return error_for_answer(status, json.dumps(response).encode(), None, Operation.GET, "X")


# fixture -> (how the client reads it, why)
TABLE: dict[str, tuple[str, str]] = {
    "accounttodo_fields.json": ("fields", "entityInformation/fields"),
    "appointment_create_response.json": ("item_id", "POST create"),
    "appointment_delete_response.json": ("item_id", "DELETE"),
    "appointment_patch_response.json": ("item_id", "PATCH"),
    "billingcodes_query_item.json": ("record", "the source shows only the entity object"),
    "billingitems_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
    "companies_count_response.json": ("count", "query/count"),
    "companies_query_by_name.json": ("page", "query page"),
    "companies_query_includefields.json": ("page", "query page with includeFields"),
    "companies_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
    "company_create_response.json": ("item_id", "POST create"),
    "companytodo_create_response.json": ("item_id", "POST child create"),
    "contact_fields.json": ("fields", "entityInformation/fields"),
    "contact_udf_fields.json": ("fields", "entityInformation/userDefinedFields"),
    "contacts_count_response.json": ("count", "query/count"),
    "contacts_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
    "contract_patch_response.json": ("item_id", "PATCH"),
    "contracts_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
    "error_500_invalid_integration_code.json": ("auth_error", "500 for a bad integration code"),
    "error_500_invalid_username.json": ("auth_error", "500 for an unknown username"),
    "holidays_list_page.json": (
        "trimmed_page",
        "child list GET HolidaySets/1/Holidays; envelope not recorded",
    ),
    "holidayset_item.json": ("record", "bare entity object"),
    "modules_response.json": ("json", "GET Modules: returned as decoded"),
    "projects_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
    "resource_fields.json": ("fields", "entityInformation/fields"),
    "resource_query_items.json": ("trimmed_page", "bare items array (envelope not recorded)"),
    "resource_udf_fields.json": ("fields", "entityInformation/userDefinedFields, empty"),
    "resources_query_items.json": ("trimmed_page", "bare items array (envelope not recorded)"),
    "roles_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
    "tasks_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
    # The recorded "response" is the source's empty placeholder {} (fixtures README), not a
    # create answer: the client must refuse it loudly rather than invent an id.
    "ticket_create_request.json": ("placeholder", "placeholder {}, not a real answer"),
    "ticket_fields.json": ("fields", "entityInformation/fields"),
    "ticket_udf_fields.json": ("fields", "entityInformation/userDefinedFields"),
    "ticketwebhook_fields.json": ("fields", "entityInformation/fields"),
    "tickets_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
    "timeentries_query_page.json": ("trimmed_page", "query page; envelope not recorded"),
}


def test_the_table_covers_every_fixture() -> None:
    assert sorted(TABLE) == sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_real_response_body_parses(name: str) -> None:
    kind, _why = TABLE[name]
    body = _load(name)["response"]
    if kind in ("page", "trimmed_page"):
        if kind == "page":
            records, next_url = parse_page(body)
            assert records and next_url is None
        else:
            # The source cut the envelope (fixtures README): without pageDetails nobody can
            # tell a last page from a cut one, so paging must stop loudly (issue 7 item 5).
            with pytest.raises(errors.PaginationError, match="without pageDetails"):
                parse_page(body, Operation.QUERY, "X")
            records = body if isinstance(body, list) else body["items"]
        for record in records:
            assert isinstance(record["id"], int)
            for key in ("createDate", "lastActivityDate", "dateWorked", "holidayDate"):
                if isinstance(record.get(key), str):
                    parse_datetime(record[key])
            for item in record.get("userDefinedFields") or []:
                assert udf(record, item["name"]) == item["value"]
    elif kind == "item_id":
        assert parse_item_id(body) > 0
    elif kind == "count":
        assert parse_count(body) > 0
    elif kind == "fields":
        fields = parse_fields(body)
        assert all("name" in f for f in fields)
    elif kind == "record":
        assert isinstance(body, dict) and isinstance(body["id"], int)
    elif kind == "json":
        assert body["modules"]
    elif kind == "auth_error":
        failure, error = _error(body)
        assert failure is Failure.FINAL
        assert isinstance(error, errors.AuthenticationError)
        assert error.errors == body["errors"] and body["errors"][0] in str(error)
    elif kind == "placeholder":
        # A 2xx to a create without an itemId: applied or not, nobody can say.
        with pytest.raises(errors.OutcomeUnknown, match="itemId") as info:
            parse_item_id(body, Operation.CREATE, "Tickets")
        assert info.value.applied is None
    else:  # pragma: no cover - the table is closed
        raise AssertionError(kind)


def test_get_by_id_shapes() -> None:
    assert parse_item({"item": {"id": 5}}) == {"id": 5}
    assert parse_item({"item": None}) is None  # a missing id (fact sheet §11.2)
    assert parse_item({"items": [{"id": 7, "data": "QQ=="}], "pageDetails": {}}) == {
        "id": 7,
        "data": "QQ==",
    }  # attachment GETs answer with items (fact sheet §11.3)
    assert parse_item({"items": []}) is None
    with pytest.raises(errors.ServerError):
        parse_item({"id": 5})
    with pytest.raises(errors.ServerError):
        parse_item([1, 2])


def test_page_shapes() -> None:
    body = {
        "items": [{"id": 1}],
        "pageDetails": {"count": 1, "requestCount": 1, "nextPageUrl": "https://x/next?p=1"},
    }
    assert parse_page(body) == ([{"id": 1}], "https://x/next?p=1")
    assert parse_page({"Items": [], "pageDetails": None}) == ([], None)  # nothing to lose
    # The whole envelope is read case-insensitively (before: only items was).
    other_case = {"ITEMS": [{"id": 1}], "PageDetails": {"NEXTPAGEURL": "https://x/next?p=2"}}
    assert parse_page(other_case) == ([{"id": 1}], "https://x/next?p=2")
    last = {"items": [{"id": 1}], "pagedetails": {"count": 1, "nextpageurl": None}}
    assert parse_page(last) == ([{"id": 1}], None)
    # Records without pageDetails.nextPageUrl are never a silent last page.
    for cut in (
        {"items": [{"id": 1}]},
        {"items": [{"id": 1}], "pageDetails": None},
        {"items": [{"id": 1}], "pageDetails": {"count": 1}},
        [{"id": 1}],
    ):
        with pytest.raises(errors.PaginationError, match="without pageDetails") as info:
            parse_page(cut, Operation.QUERY, "Tickets")
        assert (info.value.operation, info.value.entity) == ("QUERY", "Tickets")
    with pytest.raises(errors.ServerError):
        parse_page({"item": {"id": 1}})
    with pytest.raises(errors.ServerError):
        parse_page({"items": [1]})


def test_other_envelopes() -> None:
    assert parse_info({"info": {"canCreate": True}}) == {"canCreate": True}
    usage = {
        "externalRequestThreshold": 10000,
        "requestThresholdTimeframe": 60,
        "currentTimeframeRequestCount": 124,
    }
    assert parse_usage(usage) == usage
    with pytest.raises(errors.ServerError):
        parse_usage({"currentTimeframeExternalCrossDomainRequestCount": 1})  # go-autotask's
    with pytest.raises(errors.ServerError):
        parse_count({"queryCount": "7"})
    with pytest.raises(errors.ServerError):
        parse_item_id({"itemId": True})


@pytest.mark.parametrize("operation", [op for op in Operation if op.is_write])
def test_an_unexpected_answer_to_a_write_is_outcome_unknown(operation: Operation) -> None:
    with pytest.raises(errors.OutcomeUnknown) as info:
        parse_item_id({"item": {"id": 5}}, operation, "Tickets")
    assert (info.value.applied, info.value.operation) == (None, operation.value)


def test_an_unexpected_answer_to_a_read_is_a_server_error() -> None:
    with pytest.raises(errors.ServerError) as info:
        parse_count({"count": 5}, Operation.COUNT, "Tickets")
    assert info.value.applied is False and not isinstance(info.value, errors.OutcomeUnknown)


@pytest.mark.parametrize(
    ("status", "body", "operation", "applied"),
    [
        (200, b'{"itemId": 5', Operation.CREATE, None),  # cut off: the write arrived
        (200, b"", Operation.UPDATE, None),
        (200, b"<html>", Operation.GET, False),
    ],
)
def test_unreadable_success_answers_have_no_answer(
    status: int, body: bytes, operation: Operation, applied: bool | None
) -> None:
    failure, error, result = read_answer(status, body, None, operation, "Tickets")
    assert failure is Failure.NO_ANSWER and result is None
    assert isinstance(error, errors.TransportError) and error.applied is applied


_DEEP = b"[" * 100_000 + b"]" * 100_000  # deeper than the JSON decoder recurses


@pytest.mark.parametrize("operation", [Operation.GET, Operation.CREATE])
def test_an_answer_nested_too_deeply_is_unreadable_not_a_recursion_error(
    operation: Operation,
) -> None:
    # Before: json.loads raised RecursionError, which escaped the client (a hostile server's
    # answer of nested brackets crashed any call: tests/security/test_hostile_answers.py).
    failure, error, _ = read_answer(200, _DEEP, None, operation, "Tickets")
    assert failure is Failure.NO_ANSWER and isinstance(error, errors.TransportError)
    assert "nested too deeply" in str(error)
    failure, error, _ = read_answer(500, _DEEP, None, operation, "Tickets")
    assert isinstance(error, errors.AutotaskError) and error.errors == []


def test_a_deep_but_decodable_answer_of_the_wrong_shape_is_described_safely() -> None:
    deep: Any = {"items": None}
    for _ in range(5000):  # decodable, but deeper than json.dumps encodes
        deep = {"items": [deep]}
    with pytest.raises(errors.ServerError) as info:
        parse_count(deep, Operation.COUNT, "Tickets")
    assert "nested too deeply to show" in str(info.value)


def test_readable_answers_decode() -> None:
    assert read_answer(200, b'{"itemId": 5}', None, Operation.CREATE, "T") == (
        None,
        None,
        {"itemId": 5},
    )
    failure, error, _ = read_answer(404, b"", None, Operation.GET, "T")
    assert failure is Failure.FINAL and isinstance(error, errors.NotFound)


def test_api_texts_reads_both_error_shapes() -> None:
    assert api_texts(b'{"errors":["a","b"]}') == ["a", "b"]
    assert api_texts(b'{"Message":"The requested resource does not support http method \'GET\'."}')
    assert api_texts(b'{"errors":[{"message":"m","field":"f"}]}') == ["m"]
    assert api_texts(b"<html>Bad gateway</html>") == []
    assert api_texts(b"") == []


THREAD_TEXT = (
    "Thread Threshold Exceeded - The Autotask API thread threshold of 3 threads has been exceeded."
)
HOURLY_TEXT = (
    "Request Threshold Exceeded - The Autotask API request threshold of 10000 requests per 60 "
    "minutes has been exceeded."
)
# Autotask's own unexpected failure, in the errors[] envelope (issue 8 item 3).
UNEXPECTED_TEXT = (
    "An unexpected error has occurred.  If the problem persists, please contact Autotask "
    "Support and reference Error ID: 4F2A9C1E"
)


@pytest.mark.parametrize(
    ("status", "texts", "cls", "failure"),
    [
        (429, [THREAD_TEXT], errors.ThreadLimitExceeded, Failure.THREAD_LIMIT),
        (
            500,
            ["thread threshold of 3 threads has been exceeded"],
            errors.ThreadLimitExceeded,
            Failure.THREAD_LIMIT,
        ),
        (429, ["Request threshold exceeded"], errors.RateLimited, Failure.RATE_LIMIT),
        # The hourly text under another status (issue 7 item 7; InvalidRequest before).
        (500, [HOURLY_TEXT], errors.RateLimited, Failure.RATE_LIMIT),
        (400, ["request threshold exceeded"], errors.RateLimited, Failure.RATE_LIMIT),
        (429, [], errors.RateLimited, Failure.RATE_LIMIT),
        (401, [], errors.AuthenticationError, Failure.FINAL),
        (500, ["IntegrationCode is invalid."], errors.AuthenticationError, Failure.FINAL),
        (
            500,
            ["Zone information could not be determined"],
            errors.AuthenticationError,
            Failure.FINAL,
        ),
        # Validation texts of Resources / ClientPortalUsers writes, not authentication
        # failures (issue 7 item 9: AuthenticationError before).
        (500, ["userName is invalid"], errors.InvalidRequest, Failure.FINAL),
        (
            500,
            ["The user name jdoe@example.com already exists or is invalid."],
            errors.InvalidRequest,
            Failure.FINAL,
        ),
        (
            500,
            ["Resource userName does not exist in the list"],
            errors.InvalidRequest,
            Failure.FINAL,
        ),
        (403, [], errors.PermissionDenied, Failure.FINAL),
        (
            500,
            ["The logged in Resource does not have the adequate permissions to update."],
            errors.PermissionDenied,
            Failure.FINAL,
        ),
        (404, [], errors.NotFound, Failure.FINAL),
        (405, [], errors.InvalidRequest, Failure.FINAL),
        (400, ["bad"], errors.InvalidRequest, Failure.FINAL),
        (500, ["Unable to find foo in the Ticket Entity"], errors.InvalidRequest, Failure.FINAL),
        (
            500,
            [
                "No message. No matching records found. The logged in Resource may not have the "
                "required permissions to delete the data."
            ],
            errors.InvalidRequest,
            Failure.FINAL,
        ),
        (500, [], errors.ServerError, Failure.UNAVAILABLE),
        (500, None, errors.ServerError, Failure.UNAVAILABLE),
        (500, [UNEXPECTED_TEXT], errors.ServerError, Failure.UNAVAILABLE),
        (502, [], errors.ServerError, Failure.UNAVAILABLE),
        (503, [], errors.ServerError, Failure.UNAVAILABLE),
        (504, [], errors.ServerError, Failure.UNAVAILABLE),
    ],
)
def test_answers_map_onto_the_error_tree(
    status: int, texts: list[str] | None, cls: type[errors.AutotaskError], failure: Failure
) -> None:
    if texts is None:  # the ASP.NET shape of an unhandled error: not errors[] text
        texts, body = ["An error has occurred."], b'{"Message": "An error has occurred."}'
    else:
        body = json.dumps({"errors": texts}).encode() if texts else b""
    got_failure, error = error_for_answer(status, body, None, Operation.QUERY, "Tickets")
    assert type(error) is cls
    assert got_failure is failure
    assert (error.status, error.errors, error.operation, error.entity) == (
        status,
        texts,
        "QUERY",
        "Tickets",
    )
    assert error.applied is False
    if texts:  # str(e) is one line with single spaces
        assert " ".join(texts[0].split()) in str(error)


def test_writes_answered_with_a_bare_5xx_have_an_unknown_outcome() -> None:
    for status in (500, 502, 503):
        _, error = error_for_answer(status, b"", None, Operation.CREATE, "Tickets")
        assert error.applied is None
    unexpected = json.dumps({"errors": [UNEXPECTED_TEXT]}).encode()
    _, error = error_for_answer(500, unexpected, None, Operation.CREATE, "Tickets")
    assert type(error) is errors.ServerError and error.applied is None
    assert error.errors == [UNEXPECTED_TEXT]
    _, error = error_for_answer(429, b"", "7", Operation.CREATE, "Tickets")
    assert error.applied is False and error.retry_after == 7.0


def test_retry_after_forms() -> None:
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_iis_refusing_a_long_query_string_is_recognised() -> None:
    page = (
        b"<html><head><title>IIS 10.0 Detailed Error - 404.15 - Not Found</title></head><body>"
        b"<h3>HTTP Error 404.15 - Not Found</h3><h4>The request filtering module is configured "
        b"to deny a request where the query string is too long.</h4></body></html>"
    )
    failure, error = error_for_answer(404, page, None, Operation.QUERY, "Companies")
    assert failure is Failure.FINAL and isinstance(error, errors.NotFound)
    assert is_query_too_long(error) and "404.15" in str(error)
    _, route = error_for_answer(404, b'{"Message": "No HTTP resource"}', None, Operation.GET, "X")
    assert isinstance(route, errors.NotFound) and not is_query_too_long(route)
