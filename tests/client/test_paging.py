"""Lazy paging over more than 1,000 seeded records, limits, in-list splitting, origin checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autotask import AutotaskClient, F, InvalidRequest, PaginationError, TooManyRecords
from autotask.core.query import MAX_OR_CONDITIONS
from tests.client.conftest import READS, connect, requests_to, under_quirks
from tests.client.proxy import forwarding_proxy
from tests.emulator_process import Emulator

SEEDED = 1200


@pytest.fixture
def seeded(emulator: Emulator) -> Emulator:
    emulator.seed("Companies", SEEDED)
    return emulator


@under_quirks(*READS)
def test_paging_returns_every_record_exactly_once_in_id_order(
    client: AutotaskClient, seeded: Emulator
) -> None:
    total = client.companies.count()
    assert total >= SEEDED
    ids = [c["id"] for c in client.companies.query()]
    assert len(ids) == total
    assert len(set(ids)) == total
    assert ids == sorted(ids)
    pages = requests_to(seeded, "POST Companies/query") + requests_to(
        seeded, "POST Companies/query/next"
    )
    assert pages == -(-total // 500)  # 500 per page (the API maximum), nothing more


@under_quirks(*READS)
def test_small_pages_and_fields(client: AutotaskClient, seeded: Emulator) -> None:
    records = list(client.companies.query(fields=["companyName"], page_size=100))
    assert len(records) == client.companies.count()
    assert len({r["id"] for r in records}) == len(records)
    assert all(set(r) <= {"id", "companyName", "userDefinedFields"} for r in records)
    assert requests_to(seeded, "POST Companies/query/next") == -(-len(records) // 100) - 1


@under_quirks(*READS)
def test_query_is_lazy_and_limit_caps_the_total(client: AutotaskClient, seeded: Emulator) -> None:
    iterator = client.companies.query()
    assert requests_to(seeded, "POST Companies/query") == 0  # nothing sent until iterated
    first = next(iterator)
    assert requests_to(seeded, "POST Companies/query") == 1
    assert requests_to(seeded, "POST Companies/query/next") == 0  # one page at a time
    assert isinstance(first["id"], int)  # a record (the tenant's own company is id 0)
    limited = list(client.companies.query(limit=750))
    assert len(limited) == 750
    assert [r["id"] for r in limited] == [r["id"] for r in client.companies.query_all(limit=750)]
    assert list(client.companies.query(limit=0)) == []


def test_query_all_raises_instead_of_cutting(emulator: Emulator, tmp_path: Path) -> None:
    emulator.seed("Companies", SEEDED)
    with connect(emulator, tmp_path, max_records=1000) as client:
        with pytest.raises(TooManyRecords) as info:
            client.companies.query_all()
        assert info.value.count == 1001 and info.value.limit == 1000
        assert len(client.companies.query_all(limit=1000)) == 1000
        assert len(client.companies.query_all(F("id") < 0)) == 0


@under_quirks(*READS)
def test_in_lists_over_500_are_split_merged_and_deduplicated(
    client: AutotaskClient, seeded: Emulator
) -> None:
    ids = [c["id"] for c in client.companies.query(fields=["id"])]
    wanted = [*ids[:1100], *ids[:50], -5, 999_999_999]  # duplicates and misses
    found = client.companies.query_all(F("id").in_(reversed(wanted)), fields=["id"])
    assert [r["id"] for r in found] == sorted(set(ids[:1100]))
    assert requests_to(seeded, "POST Companies/query") == 1 + 3  # the listing + 3 chunks
    # With another AND term, still merged in id order.
    types = {c["id"]: c["companyType"] for c in client.companies.query(fields=["companyType"])}
    some_type = types[ids[0]]
    typed = client.companies.query_all(
        F("id").in_(wanted) & (F("companyType") == some_type), fields=["companyType"]
    )
    assert [r["id"] for r in typed] == [i for i in sorted(set(ids[:1100])) if types[i] == some_type]
    assert len(client.companies.query_all(F("id").in_(wanted), limit=10)) == 10
    assert client.companies.query_all(F("id").in_([])) == []


def test_oversized_lists_that_cannot_be_split_are_refused(
    client: AutotaskClient, seeded: Emulator
) -> None:
    big = list(range(1, MAX_OR_CONDITIONS + 2))
    with pytest.raises(InvalidRequest):
        client.companies.count(F("id").in_(big))
    with pytest.raises(InvalidRequest):
        client.companies.query(F("id").not_in(big))
    with pytest.raises(InvalidRequest):
        client.companies.query(F("id").in_(big) | (F("id") == 1))
    assert requests_to(seeded, "POST Companies/query/count") == 0


def test_next_page_links_off_the_zone_origin_are_refused(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.seed("Companies", 600)
    # The real emulator answers, but through a proxy that tells it another Host: its
    # nextPageUrl then points at elsewhere.example.com. The client must not follow it, and
    # must not send credentials there.
    with (
        forwarding_proxy(emulator.host, emulator.port, "elsewhere.example.com") as root,
        connect(emulator, tmp_path, base_url=root + "ATServicesRest/") as client,
    ):
        pages = client.companies.query()
        first = [next(pages) for _ in range(500)]
        assert len(first) == 500
        with pytest.raises(PaginationError, match=r"elsewhere\.example\.com"):
            next(pages)
    assert requests_to(emulator, "POST Companies/query/next") == 0


def _ids(records: object) -> list[int]:
    return [r["id"] for r in records]  # type: ignore[attr-defined]


def test_a_next_page_link_refused_as_too_long_is_continued_by_id(
    client: AutotaskClient, seeded: Emulator, tmp_path: Path
) -> None:
    # An IIS front refusing query strings over 1,000 characters (404.15) before the emulator:
    # every next-page link of this query is longer, so the client continues each time with the
    # query AND id > the last id it saw. Before: NotFound after the first page.
    excluded = F("id").not_in(list(range(1, 201)))
    expected = _ids(client.companies.query(excluded, page_size=100))
    before = {
        r: requests_to(seeded, r) for r in ("POST Companies/query", "POST Companies/query/next")
    }
    refused: list[str] = []
    with (
        forwarding_proxy(seeded.host, seeded.port, max_query_string=1000, refused=refused) as root,
        connect(seeded, tmp_path, base_url=root + "ATServicesRest/") as fronted,
    ):
        got = _ids(fronted.companies.query(excluded, page_size=100))
    assert got == expected and len(set(got)) == len(got) > 1000  # each once, in id order
    pages = -(-len(got) // 100)
    assert len(refused) == pages - 1  # every link was refused ...
    sent = {r: requests_to(seeded, r) - n for r, n in before.items()}
    assert sent["POST Companies/query/next"] == 0
    assert sent["POST Companies/query"] == pages  # ... and continued by id


def test_query_parallel_and_export_continue_a_refused_link_by_id_too(
    client: AutotaskClient, seeded: Emulator, tmp_path: Path
) -> None:
    # The same IIS front as above, under query_parallel and export (their ranges page through
    # the entity's one paging path). Before: NotFound after each range's first page.
    excluded = F("id").not_in(list(range(1, 201)))
    expected = sorted(_ids(client.companies.query(excluded, page_size=100)))
    refused: list[str] = []
    with (
        forwarding_proxy(seeded.host, seeded.port, max_query_string=1000, refused=refused) as root,
        connect(seeded, tmp_path, base_url=root + "ATServicesRest/") as fronted,
    ):
        got = sorted(_ids(fronted.companies.query_parallel(excluded, page_size=100)))
        target = tmp_path / "companies.jsonl"
        fronted.companies.export(str(target), filter=excluded, fields=["id"])
    assert got == expected and len(expected) > 1000  # every record once
    exported = sorted(json.loads(line)["id"] for line in target.read_text().splitlines())
    assert exported == expected
    assert refused  # links were refused, and continued


def test_a_link_longer_than_the_documented_bound_is_not_followed(
    client: AutotaskClient, seeded: Emulator
) -> None:
    # 400 excluded ids: the body stays under 2,048 characters, but its link (the query again,
    # percent-encoded, fact sheet §3.4) is longer than MAX_LINK_QUERY: never sent.
    everything = _ids(client.companies.query(page_size=100))
    excluded = set(range(1, 401))
    got = _ids(client.companies.query(F("id").not_in(sorted(excluded)), page_size=100))
    assert got == [i for i in everything if i not in excluded]
    pages = -(-len(got) // 100)
    assert requests_to(seeded, "POST Companies/query/next") == -(-len(everything) // 100) - 1
    assert requests_to(seeded, "POST Companies/query") == 1 + pages  # the listing + keyset
