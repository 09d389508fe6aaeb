"""Hostile and broken server answers (issue 14 "Hostile input"): malformed JSON, wrong types,
missing keys, empty, huge and cut-off bodies, wrong content types, odd statuses.

Every library call either returns a value of the type it documents or raises an
:class:`~autotask.AutotaskError` subclass; nothing else escapes (no ``KeyError``,
``TypeError``, ``ValueError``, ``AttributeError``, ``RecursionError`` ...), and a download
writes nothing outside its target folder and nothing at all when it fails.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from autotask import AutotaskClient, AutotaskError, Credentials, RequestConfig
from autotask.attachments import AttachmentData
from autotask.export import ExportStats
from tests.security.hostile_server import Answer, HostileServer, hostile_server

KEYS = (
    "item",
    "items",
    "pageDetails",
    "nextPageUrl",
    "prevPageUrl",
    "count",
    "queryCount",
    "itemId",
    "id",
    "errors",
    "fields",
    "name",
    "dataType",
    "isPickList",
    "picklistValues",
    "value",
    "label",
    "isActive",
    "data",
    "fullPath",
    "title",
    "parentId",
    "parentType",
    "externalRequestThreshold",
    "currentTimeframeRequestCount",
    "requestThresholdTimeframe",
    "canCreate",
    "userDefinedFields",
    "Message",
)
STATUSES = (200, 201, 204, 301, 302, 400, 401, 403, 404, 405, 413, 415, 429, 500, 502, 503, 599)

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=25,
)


def _encoded(value: Any) -> bytes:
    return json.dumps(value).encode()


_bodies = st.one_of(
    _json.map(_encoded),
    _json.map(_encoded).map(lambda b: b[: len(b) // 2]),  # cut-off JSON text
    st.binary(max_size=300),
    st.sampled_from(
        [
            b"",
            b"null",
            b"NaN",
            b"[" * 5000 + b"]" * 5000,  # deep nesting
            b'{"item": ' * 3000 + b"1" + b"}" * 3000,
            b"\xef\xbb\xbf{}",  # a BOM
            b"<html><body>Service Unavailable</body></html>",
            b'{"items": [{"id": 1}], "pageDetails": {"nextPageUrl": "http://192.0.2.1/x"}}',
            b'{"items": [{"id": 1}], "pageDetails": {}}',
            b'{"items": [{"id": 1}, {"id": 1}], "pageDetails": {"nextPageUrl": null}}',
            b'{"items": [{"id": "x"}], "pageDetails": {"nextPageUrl": null}}',
            b'{"item": {"id": 1, "data": "not base64!", "fullPath": "../../x"}}',
            b'{"items": [{"id": 1, "data": "QUJD", "fullPath": "/etc/passwd"}]}',
            b'{"itemId": "12"}',
            b'{"itemId": true}',
            b'{"queryCount": -5}',
            b'{"queryCount": 1e400}',
            b'{"fields": [{"name": null}]}',
            b'{"errors": [null, 5, {"a": 1}]}',
            b'{"errors": "a string"}',
        ]
    ),
)
_answers = st.builds(
    Answer,
    status=st.sampled_from(STATUSES),
    body=_bodies,
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "text/html",
            "application/octet-stream",
            None,
        ]
    ),
    headers=st.sampled_from(
        [[], [("Retry-After", "1")], [("Retry-After", "soon")], [("Retry-After", "-7")]]
    ),
    cut=st.none() | st.integers(min_value=0, max_value=50),
    no_length=st.booleans(),
)

TICKET = {"companyID": 1, "title": "x", "status": 1, "priority": 2, "queueID": 29683325}


def _is(kind: type | tuple[type, ...]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, kind) and not isinstance(value, bool)


def _records(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(r, dict) for r in value)


def _inside(folder: Path) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, Path) and value.parent == folder


#: operation -> (call, what a successful return must be)
Operation = tuple[Callable[[AutotaskClient, Path], Any], Callable[[Any], bool]]
OPERATIONS: dict[str, Operation] = {
    "get": (lambda c, d: c.tickets.get(1), lambda v: v is None or isinstance(v, dict)),
    "query_all": (lambda c, d: c.tickets.query_all(limit=50), _records),
    "count": (lambda c, d: c.tickets.count(), _is(int)),
    "create": (lambda c, d: c.tickets.create(TICKET), _is(int)),
    "update": (lambda c, d: c.tickets.update({"id": 1, "title": "y"}), _is(int)),
    "delete": (lambda c, d: c.time_entries.delete(1), lambda v: True),
    "fields": (lambda c, d: c.tickets.fields(), _records),
    "info": (lambda c, d: c.tickets.info(), _is(dict)),
    "picklist": (lambda c, d: c.tickets.picklist("status"), _is(dict)),
    "usage": (
        lambda c, d: c.usage(),
        lambda v: isinstance(v, dict) and all(_is(int)(n) for n in v.values()),
    ),
    "attachments.list": (
        lambda c, d: c.attachments.list("Ticket", 1),
        lambda v: isinstance(v, list) and all(isinstance(a, AttachmentData) for a in v),
    ),
    "attachments.get_info": (
        lambda c, d: c.attachments.get_info(1),
        lambda v: v is None or isinstance(v, AttachmentData),
    ),
    "attachments.upload": (
        lambda c, d: c.attachments.upload_data("Ticket", 1, b"abc", "a.txt"),
        _is(AttachmentData),
    ),
    "download.bytes": (
        lambda c, d: c.attachments.download_file(1, parent_type="Ticket", parent_id=1),
        _is(bytes),
    ),
    "download.folder": (
        lambda c, d: c.attachments.download_file(1, d, parent_type="Ticket", parent_id=1),
        lambda v: True,  # checked against the folder below
    ),
    "download.by_id": (lambda c, d: c.attachments.download_file(1, d), lambda v: True),
    "query_parallel": (lambda c, d: list(c.tickets.query_parallel(partitions=2)), _records),
    "export": (lambda c, d: c.tickets.export(str(d / "t.jsonl")), _is(ExportStats)),
    "batch_create": (
        lambda c, d: c.tickets.batch_create([TICKET, TICKET], settle=0),
        lambda v: len(v) == 2,
    ),
}


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with hostile_server() as running:
        yield running


class _Clock:
    """The client's clock and sleep: a wait moves the clock instead of taking time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _client(server: HostileServer, cache: Path) -> AutotaskClient:
    clock = _Clock()
    return AutotaskClient(
        Credentials("user@example.com", "HOSTILECODE", "hostile-secret"),
        RequestConfig(cache_dir=str(cache), timeout=5, connect_timeout=5, max_records=100),
        base_url=server.base_url,
        environ={},
        sleep=clock.sleep,
        clock=clock,
    )


def _call(server: HostileServer, name: str, answer: Answer) -> None:
    call, valid = OPERATIONS[name]
    server.answer = answer
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folder = root / "target"
        folder.mkdir()
        with _client(server, root / "cache") as client:
            try:
                value = call(client, folder)
            except AutotaskError as exc:
                str(exc), repr(exc)  # both work on any answer
                value = exc
            else:
                assert valid(value), f"{name} returned {value!r} for {answer!r}"
        written = sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())
        allowed_dirs = {Path("target"), Path("cache")}
        assert all(p.parent in allowed_dirs for p in written), written  # nothing outside
        if name.startswith("download.") and isinstance(value, AutotaskError):
            assert not list(folder.iterdir()), "a failed download left a file"
        if name.startswith("download.") and isinstance(value, Path):
            assert value.parent == folder and value.name not in ("", ".", "..")


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(answer=Answer(body=b'{"item": null}'))
@example(answer=Answer(body=b"{}", cut=1))
@example(answer=Answer(status=200, body=b"not json at all", content_type="text/html"))
@given(answer=_answers)
def test_any_answer_is_a_value_or_an_autotask_error(
    server: HostileServer, name: str, answer: Answer
) -> None:
    _call(server, name, answer)


HUGE = 40 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "body"),
    [
        pytest.param("get", b'{"item": {"id": 1, "title": "' + b"a" * HUGE + b'"}}', id="string"),
        pytest.param(
            "query_all", b'{"items": [' + b'{"id": 1},' * (HUGE // 10) + b"]", id="truncated"
        ),
        pytest.param("download.bytes", b" " * HUGE + b"{}", id="whitespace"),
        pytest.param(
            "download.folder",
            b'{"items": [{"id": 1, "fullPath": "../x", "data": "' + b"QUJD" * (HUGE // 4) + b'"}]}',
            id="data",
        ),
    ],
)
def test_a_huge_answer_is_a_value_or_an_autotask_error(
    server: HostileServer, name: str, body: bytes
) -> None:
    _call(server, name, Answer(body=body))
