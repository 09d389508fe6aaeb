"""Keyset paging through real ``query/next`` links (fact sheet §3.4, §11.4)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.emulator.support import ALL, Api

FILTERS_NULL = ["Value cannot be null.\r\nParameter name: filters"]
SEEDED = 1200


@pytest.fixture
def seeded(api: Api) -> int:
    """Companies after seeding 1,200 more; returns the total."""
    result = api.emulator.seed("Companies", SEEDED)
    assert result["created"] == SEEDED
    total: int = api.post("Companies/query/count", {"filter": ALL}).json["queryCount"]
    assert total > 1000
    return total


def _paging(url: str) -> dict[str, Any]:
    query = parse_qs(urlsplit(url).query)
    paging: dict[str, Any] = json.loads(query["paging"][0])
    return paging


def test_post_paging_returns_every_record_once_in_id_order(api: Api, seeded: int) -> None:
    body = {"filter": ALL, "IncludeFields": ["id"]}
    page = api.post("Companies/query", body).json
    ids = [i["id"] for i in page["items"]]
    pages = 1
    while page["pageDetails"]["nextPageUrl"]:
        url = page["pageDetails"]["nextPageUrl"]
        assert url.startswith(api.emulator.api_url + "Companies/query/next?paging=")
        reply = api.post(url, body, absolute=True)
        assert reply.status == 200, reply.text
        page = reply.json
        ids += [i["id"] for i in page["items"]]
        pages += 1
    assert len(ids) == seeded
    assert ids == sorted(set(ids))
    assert pages == -(-seeded // 500)


def test_get_paging_follows_links_with_get(api: Api, seeded: int) -> None:
    search = {"filter": ALL, "IncludeFields": ["id"], "MaxRecords": 400}
    page = api.get_query("Companies", search).json
    ids = [i["id"] for i in page["items"]]
    while page["pageDetails"]["nextPageUrl"]:
        url = page["pageDetails"]["nextPageUrl"]
        assert "&search=" in url
        reply = api.get(url, absolute=True)
        assert reply.status == 200, reply.text
        page = reply.json
        assert page["pageDetails"]["requestCount"] == 400
        ids += [i["id"] for i in page["items"]]
    assert len(ids) == seeded
    assert ids == sorted(set(ids))


def test_paging_with_a_filter(api: Api, seeded: int) -> None:
    body = {"filter": [{"op": "gt", "field": "id", "value": 1000}], "MaxRecords": 100}
    expected = api.post("Companies/query/count", body).json["queryCount"]
    page = api.post("Companies/query", body).json
    ids = [i["id"] for i in page["items"]]
    while page["pageDetails"]["nextPageUrl"]:
        page = api.post(page["pageDetails"]["nextPageUrl"], body, absolute=True).json
        ids += [i["id"] for i in page["items"]]
    assert len(ids) == expected == len(set(ids))
    assert min(ids) > 1000


def test_link_shape_and_page_details(api: Api, seeded: int) -> None:
    first = api.query("Companies", ALL, MaxRecords=5).json
    details = first["pageDetails"]
    assert details["count"] == 5
    assert details["requestCount"] == 5
    assert details["prevPageUrl"] is None
    paging = _paging(details["nextPageUrl"])
    assert paging == {"pageSize": 5, "previousIds": [-1], "nextIds": [paging["nextIds"][0]]}
    ids = [i["id"] for i in first["items"]]
    second = api.post(details["nextPageUrl"], {"filter": ALL, "MaxRecords": 5}, absolute=True).json
    assert second["items"][0]["id"] == paging["nextIds"][0] > ids[-1]
    back = api.post(
        second["pageDetails"]["prevPageUrl"], {"filter": ALL, "MaxRecords": 5}, absolute=True
    ).json
    assert [i["id"] for i in back["items"]] == ids


def test_last_page_has_no_next_link(api: Api) -> None:
    page = api.query("Roles", ALL).json
    assert page["pageDetails"]["nextPageUrl"] is None
    assert page["pageDetails"]["count"] == len(page["items"])


def test_get_on_a_post_link_is_405(api: Api) -> None:
    url = api.query("Companies", ALL, MaxRecords=2).json["pageDetails"]["nextPageUrl"]
    reply = api.get(url, absolute=True)
    assert reply.status == 405
    assert reply.json == {"Message": "The requested resource does not support http method 'GET'."}


def test_post_on_a_get_link_is_405(api: Api) -> None:
    search = {"filter": ALL, "MaxRecords": 2}
    url = api.get_query("Companies", search).json["pageDetails"]["nextPageUrl"]
    reply = api.post(url, search, absolute=True)
    assert reply.status == 405
    assert reply.json == {"Message": "The requested resource does not support http method 'POST'."}


def test_post_link_without_body_is_500(api: Api) -> None:
    url = api.query("Companies", ALL, MaxRecords=2).json["pageDetails"]["nextPageUrl"]
    reply = api.post(url, absolute=True)
    assert reply.status == 500
    assert reply.errors == FILTERS_NULL


def test_bad_paging_parameter_is_500(api: Api) -> None:
    reply = api.post("Companies/query/next?paging=" + quote("{nope"), {"filter": ALL})
    assert reply.status == 500
    assert reply.errors


def test_links_use_the_request_host(api: Api) -> None:
    host = f"localhost:{api.emulator.port}"
    reply = api.query("Companies", ALL, MaxRecords=2)
    assert reply.json["pageDetails"]["nextPageUrl"].startswith(f"http://{api.emulator.host}:")
    other = api.post("Companies/query", {"filter": ALL, "MaxRecords": 2}, headers={"Host": host})
    assert other.json["pageDetails"]["nextPageUrl"].startswith(f"http://{host}/ATServicesRest/")


def test_child_list_is_paged_like_a_query(api: Api) -> None:
    page = api.get("Companies/174/Contacts").json
    assert set(page) == {"items", "pageDetails"}
    assert page["items"]
    assert all(item["companyID"] == 174 for item in page["items"])
    ids = [i["id"] for i in page["items"]]
    assert ids == sorted(ids)
    assert page["pageDetails"]["count"] == len(ids)


def _search(url: str) -> Any:
    return json.loads(parse_qs(urlsplit(url).query)["search"][0])


def test_links_carry_paging_and_search_like_the_live_ones(api: Api) -> None:
    # fact sheet §3.4: .../query/next?paging={...}&search={...} after a POST query too.
    body = {"filter": ALL, "MaxRecords": 2}
    posted = api.post("Companies/query", body).json["pageDetails"]["nextPageUrl"]
    assert _search(posted) == body
    search = {"filter": ALL, "MaxRecords": 3}
    fetched = api.get_query("Companies", search).json["pageDetails"]["nextPageUrl"]
    assert _search(fetched) == search
    # The verb that made a link is the one that follows it, page after page.
    second = api.post(posted, body, absolute=True).json["pageDetails"]
    assert _search(second["nextPageUrl"]) == body
    assert _search(second["prevPageUrl"]) == body
    assert api.get(second["nextPageUrl"], absolute=True).status == 405
    assert api.get(second["prevPageUrl"], absolute=True).status == 405
    assert api.post(second["nextPageUrl"], body, absolute=True).status == 200
    assert api.post(fetched, search, absolute=True).status == 405
    assert api.get(fetched, absolute=True).status == 200


def test_a_link_the_emulator_did_not_make_takes_either_verb(api: Api) -> None:
    # After a restart or a reset the emulator no longer knows which verb made a link.
    body = {"filter": ALL, "MaxRecords": 2}
    url = api.post("Companies/query", body).json["pageDetails"]["nextPageUrl"]
    assert api.get(url, absolute=True).status == 405
    api.emulator.reset()
    assert api.get(url, absolute=True).status == 200
    assert api.post(url, body, absolute=True).status == 200
    nowhere = api.get(url.split("&search=")[0], absolute=True)
    assert nowhere.status == 500
    assert nowhere.errors == FILTERS_NULL


def test_a_long_post_query_keeps_search_in_its_links(api: Api, seeded: int) -> None:
    # The only recorded live link carries search (fact sheet §3.4), so a 500-value in-list
    # makes a link of several KB; POSTed again with the body it serves the next page.
    ids = api.post("Companies/query", {"filter": ALL, "IncludeFields": ["id"]}).json["items"]
    body = {
        "filter": [{"op": "in", "field": "id", "value": [i["id"] for i in ids]}],
        "MaxRecords": 200,
    }
    assert len(json.dumps(body)) > 2048
    page = api.post("Companies/query", body).json
    url = page["pageDetails"]["nextPageUrl"]
    assert _search(url) == body
    assert len(urlsplit(url).query) > 2048
    assert api.get(url, absolute=True).status == 405  # made by a POST
    following = api.post(url, body, absolute=True)
    assert following.status == 200
    assert following.json["items"][0]["id"] == ids[200]["id"]
    assert _search(following.json["pageDetails"]["prevPageUrl"]) == body
