"""The attachment body encoder and the streaming answer decoder, without sockets.

The encoder must produce exactly ``prefix + base64(file) + suffix`` of the announced length
whatever the read sizes; the decoder must give back exactly the file whatever the chunking of
the answer, and refuse what is not an attachment answer.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotask.attachments.download import AnswerError, Base64Writer, DataExtractor
from autotask.attachments.upload import SourceChanged, UploadBody, encoded_length

FIELDS = {"id": 0, "attachmentType": "FILE_ATTACHMENT", "fullPath": "é x.pdf", "title": "t"}


def _short_reads(data: bytes, sizes: list[int]) -> Callable[[int], bytes]:
    """A ``read(n)`` that returns fewer bytes than asked, in the given pattern."""
    stream = io.BytesIO(data)
    pattern: Iterator[int] = iter(sizes)

    def read(n: int) -> bytes:
        return stream.read(max(1, min(n, next(pattern, n))))

    return read


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 6, 7, 299, 300, 301])
def test_body_is_the_json_of_the_file(size: int) -> None:
    data = bytes(range(256)) * 2
    data = data[:size]
    body = UploadBody.around(FIELDS, size)
    sent = b"".join(body.chunks(io.BytesIO(data).read, block=6))
    assert len(sent) == body.length == len(body.prefix) + encoded_length(size) + 2
    decoded = json.loads(sent)
    assert base64.b64decode(decoded.pop("data")) == data
    assert decoded == FIELDS


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=2000),
    block=st.integers(min_value=1, max_value=50),
    reads=st.lists(st.integers(min_value=1, max_value=40), max_size=100),
)
def test_any_block_size_and_short_reads_give_the_whole_encoding(
    data: bytes, block: int, reads: list[int]
) -> None:
    body = UploadBody.around(FIELDS, len(data))
    pieces = list(body.chunks(_short_reads(data, reads), block=block))
    middle = pieces[1:-1]
    # Every piece but the last encodes whole 3-byte groups: no padding before the end.
    assert all(b"=" not in piece for piece in middle[:-1])
    assert b"".join(middle) == base64.b64encode(data)
    assert sum(map(len, pieces)) == body.length


def test_data_goes_last_and_a_data_field_is_not_sent_twice() -> None:
    body = UploadBody.around({**FIELDS, "Data": "x"}, 1)
    assert body.prefix.endswith(b'"data":"') and body.prefix.count(b'"data"') == 1
    assert b'"Data"' not in body.prefix and body.suffix == b'"}'


def test_a_file_that_shrank_or_grew_is_refused() -> None:
    body = UploadBody.around(FIELDS, 10)
    with pytest.raises(SourceChanged, match=r"notes\.txt ended after 4 of 10 bytes"):
        list(body.chunks(io.BytesIO(b"1234").read, "notes.txt"))
    with pytest.raises(SourceChanged, match="grew past 10 bytes"):
        list(body.chunks(io.BytesIO(b"x" * 11).read, "notes.txt"))


def _answer(data: bytes, wrapper: str = "items", *, before: bool = False) -> bytes:
    encoded = base64.b64encode(data).decode()
    record = {"id": 7, "title": 'a "quoted" \\ title', "data": encoded, "fullPath": "x.bin"}
    if before:
        record = {"data": encoded, **{k: v for k, v in record.items() if k != "data"}}
    inner: object = [record] if wrapper == "items" else record
    return json.dumps({wrapper: inner, "pageDetails": {"count": 1, "nextPageUrl": None}}).encode()


def _decode(answer: bytes, cuts: list[int]) -> tuple[bytes, dict[str, object], DataExtractor]:
    sink = io.BytesIO()
    extractor = DataExtractor(sink)
    start = 0
    for cut in sorted(set(cuts)):
        extractor.feed(answer[start:cut])
        start = cut
    extractor.feed(answer[start:])
    return sink.getvalue(), extractor.finish(), extractor


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=3000),
    wrapper=st.sampled_from(["items", "item"]),
    before=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=5000), max_size=30),
)
def test_decoding_gives_the_file_back_whatever_the_chunking(
    data: bytes, wrapper: str, before: bool, cuts: list[int]
) -> None:
    answer = _answer(data, wrapper, before=before)
    decoded, document, extractor = _decode(answer, [c for c in cuts if c <= len(answer)])
    assert decoded == data and extractor.written == len(data) and extractor.data_found
    record = document[wrapper][0] if wrapper == "items" else document[wrapper]  # type: ignore[index]
    assert record["data"] is None and record["title"] == 'a "quoted" \\ title'
    assert record["fullPath"] == "x.bin" and document["pageDetails"]["count"] == 1  # type: ignore[index]


def test_escaped_slashes_line_breaks_and_unicode_escapes_in_the_data() -> None:
    data = bytes(range(256))
    encoded = base64.b64encode(data).decode()
    text = encoded[:40] + "\r\n" + encoded[40:]
    raw = json.dumps({"item": {"data": text}})  # \r\n escaped by json
    raw = raw.replace("/", "\\/").replace("A", "\\u0041", 3)
    for cut in range(0, len(raw), 7):
        decoded, _, _ = _decode(raw.encode(), [cut])
        assert decoded == data


def test_null_data_is_reported_as_none_found() -> None:
    decoded, document, extractor = _decode(b'{"items":[{"id":1,"data":null}]}', [])
    assert decoded == b"" and not extractor.data_found
    assert document == {"items": [{"id": 1, "data": None}]}


def test_empty_data_is_an_empty_file() -> None:
    decoded, _, extractor = _decode(b'{"items":[{"id":1,"data":""}]}', [5])
    assert decoded == b"" and extractor.data_found


def test_a_key_named_data_elsewhere_does_not_confuse_the_scan() -> None:
    answer = b'{"items":[{"title":"data","x":{"y":"data"},"data":"QUJD"}],"z":["data"]}'
    decoded, document, _ = _decode(answer, [3, 20])
    assert decoded == b"ABC" and document["z"] == ["data"]


@pytest.mark.parametrize(
    ("answer", "text"),
    [
        (b'{"items":[{"data":"QUJD', "cut off"),
        (b'{"items":[{"data":"QUJD"}', "cut off"),
        (b'{"items":[{"data":"QUJ"}]}', "not valid base64"),
        (b'{"items":[{"data":"QQ==QUJD"}]}', "not valid base64"),
        (b'{"items":[{"data":"QU!D"}]}', "not valid base64"),
        (b'{"items":[{"data":"QU\\"D"}]}', "escaped character"),
        (b'{"items":[{"data":"QUJD"},{"data":"QUJD"}]}', "more than one"),
        (b'{"items":[{"data":"QUJD"}]]}', "unbalanced"),
        (b'{"items":[]} x', "after the JSON"),
        (b'"QUJD"', "not a JSON object"),
        (b"null", "not a JSON object"),
        (b"", "cut off"),
        # Nested beyond the JSON decoder's depth: was a RecursionError escaping the download.
        (b'{"items":[{"data":"QUJD","x":' + b"[" * 99_999 + b"]" * 99_999 + b"}]}", "not JSON"),
    ],
)
def test_what_is_not_an_attachment_answer_is_refused(answer: bytes, text: str) -> None:
    with pytest.raises(AnswerError, match=text) as info:
        _decode(answer, [len(answer) // 2])
    assert info.value.cut_off == (text == "cut off")


def test_padding_split_across_feeds_is_still_checked() -> None:
    writer = Base64Writer(io.BytesIO())
    writer.feed(b"QQ=")
    writer.feed(b"=")
    with pytest.raises(AnswerError, match="after the padding"):
        writer.feed(b"QUJD")
