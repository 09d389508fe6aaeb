"""What the client refuses before sending anything, because Autotask would misread it.

Each refusal is an ``InvalidRequest`` naming the operation and entity, and the emulator's
counters prove nothing went out. The first test shows why: the emulator, like Autotask (fact
sheet §3.2, WYRE PR #211), ignores an unknown operator and answers with every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from autotask import AutotaskClient, F, InvalidRequest
from autotask.core.query import MAX_OR_CONDITIONS
from autotask.retry import Operation
from autotask.wire.transport import Request
from tests.emulator_process import Emulator


def test_the_server_ignores_an_unknown_operator_so_the_client_refuses_it(
    client: AutotaskClient, emulator: Emulator
) -> None:
    everything = client.tickets.count()
    bad = {"op": "ne", "field": "status", "value": 1}  # "ne" is not an operator: noteq is
    # Sent raw, past the checks: the server filters nothing.
    raw = client.transport.send(
        Request(Operation.COUNT, "POST", "Tickets/query/count", "Tickets", body={"filter": [bad]})
    )
    assert raw == {"queryCount": everything}
    emulator.reset()
    with pytest.raises(InvalidRequest, match="unknown filter operator 'ne'") as info:
        client.tickets.query_all([bad])
    assert (info.value.operation, info.value.entity, info.value.status) == (
        "QUERY",
        "Tickets",
        None,
    )
    assert emulator.stats()["requests"] == {}


NAIVE = dt.datetime(2030, 1, 1, 9, 0)  # no tzinfo


@pytest.mark.parametrize(
    ("call", "operation", "text"),
    [
        (lambda c: c.tickets.count([{"op": "eq", "field": "status", "value": 1, "udf": 0}]),
         "COUNT", "'udf' must be true or false"),
        (lambda c: c.companies.count((F.udf("A") == "1") & (F.udf("B") == "2")),
         "COUNT", "one UDF condition"),
        (lambda c: c.tickets.query([{"op": "or", "items": [
            {"op": "exist", "field": "dueDateTime"},
            {"op": "lt", "field": "lastActivityDate", "value": NAIVE}]}]),
         "QUERY", "naive datetime for field 'lastActivityDate'"),
        (lambda c: c.tickets.query(F("id").not_in(range(MAX_OR_CONDITIONS + 1))),
         "QUERY", "notIn"),
        (lambda c: c.tickets.query(F("id") > 0, page_size=501), "QUERY", "page_size"),
        (lambda c: c.tickets.create({"companyID": 1, "title": "t", "dueDateTime": NAIVE}),
         "CREATE", "dueDateTime"),
        (lambda c: c.tickets.update({"id": 1, "dueDateTime": NAIVE}), "UPDATE", "dueDateTime"),
        (lambda c: c.tickets.replace({"title": "no id"}), "REPLACE", "id"),
        (lambda c: c.ticket_notes.update({"id": 1, "title": "no parent"}), "UPDATE",
         r"Tickets/\{id\}/Notes"),
    ],
)  # fmt: skip
def test_refused_before_sending_naming_operation_and_entity(
    client: AutotaskClient,
    emulator: Emulator,
    call: Callable[[AutotaskClient], Any],
    operation: str,
    text: str,
) -> None:
    with pytest.raises(InvalidRequest, match=text) as info:
        call(client)  # query() checks when called, not when first iterated
    assert info.value.operation == operation and info.value.entity is not None
    assert info.value.applied is False
    assert emulator.stats()["requests"] == {}
