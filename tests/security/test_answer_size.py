"""No answer is read whole without a bound (``RequestConfig.max_answer_bytes``).

A hostile or broken server can send an endless body; the client reads at most the limit, raises
an :class:`~autotask.AutotaskError` without resending (the same request would bring the same
answer), and discards the connection with the rest unread, so the next request on the client is
not handed those bytes as its own answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from autotask import (
    AutotaskClient,
    AutotaskError,
    ConfigError,
    Credentials,
    OutcomeUnknown,
    RequestConfig,
    TransportError,
)
from tests.security.hostile_server import Answer, HostileServer, hostile_server

LIMIT = 1024 * 1024
TICKET = {"companyID": 1, "title": "x", "status": 1, "priority": 2, "queueID": 29683325}


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server() as running:
        yield running


def _client(server: HostileServer, tmp_path: Path) -> AutotaskClient:
    return AutotaskClient(
        Credentials("user@example.com", "SIZECODE", "size-secret"),
        RequestConfig(cache_dir=str(tmp_path), max_answer_bytes=LIMIT, timeout=5),
        base_url=server.base_url,
        environ={},
        sleep=lambda seconds: None,
    )


def _item(title: str) -> bytes:
    return json.dumps({"item": {"id": 1, "title": title}}).encode()


def _requests_to(server: HostileServer, path_part: str) -> int:
    return sum(1 for seen in server.seen if path_part in seen.path)


# With a Content-Length a longer answer is refused unread; without one (read to the close, as a
# chunked answer is) it is read up to the bound.
LENGTHS = pytest.mark.parametrize("no_length", [False, True], ids=["content-length", "no-length"])


@LENGTHS
def test_an_answer_over_the_limit_is_refused_once_and_the_connection_is_not_reused(
    server: HostileServer, tmp_path: Path, no_length: bool
) -> None:
    with _client(server, tmp_path) as client:
        server.answer = Answer(body=_item("a" * (2 * LIMIT)), no_length=no_length)
        with pytest.raises(TransportError) as caught:
            client.tickets.get(1)
        assert "max_answer_bytes" in str(caught.value)
        assert caught.value.applied is False and caught.value.attempts == 1
        assert _requests_to(server, "/Tickets/1") == 1  # not resent

        # The same client, and a pooled connection if one were (wrongly) kept: the next answer
        # is its own, not the 1 MiB left unread of the last one.
        server.answer = Answer(body=_item("small"))
        assert client.tickets.get(1) == {"id": 1, "title": "small"}


@LENGTHS
def test_an_answer_at_the_limit_is_read(
    server: HostileServer, tmp_path: Path, no_length: bool
) -> None:
    body = _item("")
    body = _item("b" * (LIMIT - len(body)))
    assert len(body) == LIMIT
    with _client(server, tmp_path) as client:
        server.answer = Answer(body=body, no_length=no_length)
        record = client.tickets.get(1)
        assert record is not None and len(record["title"]) == LIMIT - len(_item(""))


@LENGTHS
def test_a_write_with_an_answer_over_the_limit_is_an_unknown_outcome_sent_once(
    server: HostileServer, tmp_path: Path, no_length: bool
) -> None:
    with _client(server, tmp_path) as client:
        body = b'{"itemId": 7, "pad": "' + b"p" * (2 * LIMIT) + b'"}'
        server.answer = Answer(body=body, no_length=no_length)
        with pytest.raises(OutcomeUnknown) as caught:
            client.tickets.create(TICKET)
        assert caught.value.applied is None
        assert sum(1 for seen in server.seen if seen.method == "POST") == 1


def test_a_long_error_answer_to_a_streamed_request_leaves_no_bytes_for_the_next(
    server: HostileServer, tmp_path: Path
) -> None:
    # A streamed request (an attachment download) reads only 64 KiB of an error answer's text.
    errors = json.dumps({"errors": ["no such attachment " + "x" * 300_000]}).encode()
    with _client(server, tmp_path) as client:
        server.answer = Answer(status=404, body=errors)
        with pytest.raises(AutotaskError) as caught:
            client.attachments.download_file(1, parent_type="Ticket", parent_id=1)
        assert caught.value.status == 404  # its text cut at 64 KiB is no longer JSON
        server.answer = Answer(body=_item("after"))
        assert client.tickets.get(1) == {"id": 1, "title": "after"}


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="max_answer_bytes"):
        RequestConfig(max_answer_bytes=0)
