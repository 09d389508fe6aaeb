"""Injected faults (CONTRACTS §5): every kind fires, respects times/after, is seeded and counted.

Black-box over HTTP: rules are set through ``POST /_emulator/faults`` (or ``--faults``), the
effects observed with plain urllib3 and the records and counters through the control API.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import urllib3

from tests.emulator.support import Api, Reply
from tests.emulator_process import Emulator, running_emulator

OWNER = 29682885  # a Resource of the demo data


def _company(name: str) -> dict[str, Any]:
    return {
        "id": 0,
        "companyName": name,
        "companyType": 7,
        "ownerResourceID": OWNER,
        "phone": "555-0100",
    }


def _set_faults(emulator: Emulator, *rules: dict[str, Any], seed: int = 0) -> Any:
    return emulator.control("POST", "faults", {"seed": seed, "rules": list(rules)})


def _count(api: Api, entity: str, name: str) -> int:
    reply = api.post(
        f"{entity}/query/count", {"filter": [{"op": "eq", "field": "companyName", "value": name}]}
    )
    assert reply.status == 200, reply.text
    count: int = reply.json["queryCount"]
    return count


def _first_company(api: Api) -> int:
    return api.ids("Companies", MaxRecords=1)[0]


def test_429_fires_once_with_retry_after_then_passes(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    _set_faults(
        emulator, {"kind": "429", "probability": 1, "route": "GET:*/Companies/*", "times": 1}
    )
    first = api.get(f"Companies/{company}")
    assert first.status == 429
    assert first.headers.get("Retry-After") == "1"
    assert first.errors and "threshold" in first.errors[0].lower()
    assert api.get(f"Companies/{company}").status == 200
    stats = emulator.stats()
    assert stats["faults"] == {"429": 1}
    assert stats["requests"]["GET Companies/{id}"] == {"429": 1, "200": 1}


def test_thread_fault_answers_like_the_thread_gate(api: Api, emulator: Emulator) -> None:
    _set_faults(emulator, {"kind": "thread", "route": "POST:*/Companies/query", "times": 1})
    reply = api.query("Companies")
    assert reply.status == 429
    assert reply.errors == [
        "Thread Threshold Exceeded - The Autotask API thread threshold of 3 threads has been "
        "exceeded."
    ]
    assert "Retry-After" not in reply.headers
    assert api.query("Companies").status == 200
    assert emulator.stats()["faults"] == {"thread": 1}


def test_500_fault_is_autotasks_unexpected_error(api: Api, emulator: Emulator) -> None:
    # Autotask's own failures come in the errors[] envelope with an Error ID (issue 8 item 3).
    _set_faults(emulator, {"kind": "500", "route": "POST:*/Companies", "times": 2})
    name = "Fault 500 Ltd"
    reply = api.post("Companies", _company(name))
    again = api.post("Companies", _company(name))
    assert reply.status == again.status == 500
    assert set(reply.json) == {"errors"} and len(reply.errors) == 1
    text = reply.errors[0]
    assert re.fullmatch(
        r"An unexpected error has occurred\.  If the problem persists, please contact Autotask "
        r"Support and reference Error ID: \d+",
        text,
    ), text
    assert again.errors[0] != text  # every failure has its own Error ID
    assert _count(api, "Companies", name) == 0  # before-apply: nothing written
    api.create("Companies", _company(name))
    assert _count(api, "Companies", name) == 1
    assert emulator.stats()["faults"] == {"500": 2}


def test_503_fault_is_the_html_unavailable_page(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    _set_faults(emulator, {"kind": "503", "route": "*/Companies/*", "times": 1})
    reply = api.get(f"Companies/{company}")
    assert reply.status == 503
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "Service Unavailable" in reply.text
    assert api.get(f"Companies/{company}").status == 200
    assert emulator.stats()["faults"] == {"503": 1}


def test_reset_before_drops_the_connection_and_writes_nothing(api: Api, emulator: Emulator) -> None:
    _set_faults(emulator, {"kind": "reset-before", "route": "POST:*/Companies", "times": 1})
    name = "Reset Before Ltd"
    with pytest.raises(urllib3.exceptions.HTTPError):
        api.post("Companies", _company(name))
    assert _count(api, "Companies", name) == 0
    stats = emulator.stats()
    assert stats["faults"] == {"reset-before": 1}
    assert stats["requests"]["POST Companies"] == {"dropped": 1}


def test_reset_after_applies_the_write_and_drops_the_answer(api: Api, emulator: Emulator) -> None:
    _set_faults(emulator, {"kind": "reset-after", "route": "POST:*/Companies", "times": 1})
    name = "Reset After Ltd"
    before = emulator.stats()["records"]["Companies"]
    with pytest.raises(urllib3.exceptions.HTTPError):
        api.post("Companies", _company(name))
    assert _count(api, "Companies", name) == 1  # the record exists although no answer came
    stats = emulator.stats()
    assert stats["records"]["Companies"] == before + 1
    assert stats["faults"] == {"reset-after": 1}
    assert stats["requests"]["POST Companies"] == {"dropped": 1}


def test_truncate_applies_the_write_and_cuts_the_answer(api: Api, emulator: Emulator) -> None:
    _set_faults(emulator, {"kind": "truncate", "route": "POST:*/Companies", "times": 1})
    name = "Truncated Ltd"
    with pytest.raises(urllib3.exceptions.HTTPError):
        api.post("Companies", _company(name))
    assert _count(api, "Companies", name) == 1
    assert emulator.stats()["faults"] == {"truncate": 1}
    # The connection was closed after the cut; the next request works on a new one.
    assert api.post("Companies", _company("After Truncate Ltd")).status == 200


def test_truncate_cuts_a_read_too(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    _set_faults(emulator, {"kind": "truncate", "route": "GET:*/Companies/*", "times": 1})
    with pytest.raises(urllib3.exceptions.HTTPError):
        api.get(f"Companies/{company}")
    assert api.get(f"Companies/{company}").status == 200


def test_after_lets_the_first_matching_requests_pass(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    _set_faults(emulator, {"kind": "500", "route": "GET:*/Companies/*", "after": 2, "times": 2})
    statuses = [api.get(f"Companies/{company}").status for _ in range(6)]
    assert statuses == [200, 200, 500, 500, 200, 200]
    # Requests the route does not match neither fire nor count towards `after`.
    assert api.query("Companies").status == 200
    assert emulator.stats()["faults"] == {"500": 2}


def _statuses(api: Api, company: int, n: int) -> list[int]:
    return [api.get(f"Companies/{company}").status for _ in range(n)]


def test_same_seed_gives_the_same_faults(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    rule = {"kind": "500", "probability": 0.5, "route": "GET:*/Companies/*"}
    _set_faults(emulator, rule, seed=7)
    first = _statuses(api, company, 40)
    _set_faults(emulator, rule, seed=7)  # replacing the rules restarts their RNGs
    again = _statuses(api, company, 40)
    _set_faults(emulator, rule, seed=8)
    other = _statuses(api, company, 40)
    assert first == again
    assert first != other
    assert 5 < first.count(500) < 35
    assert emulator.stats()["faults"] == {"500": first.count(500) * 2 + other.count(500)}


def test_route_method_and_glob_limit_what_a_rule_hits(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    _set_faults(emulator, {"kind": "503", "route": "POST:*/Companies"})
    assert api.get(f"Companies/{company}").status == 200
    assert api.query("Companies").status == 200
    assert api.post("Contacts/query", {"filter": [{"op": "exist", "field": "id"}]}).status == 200
    assert api.post("Companies", _company("Glob Ltd")).status == 503
    assert api.post("COMPANIES", _company("Glob Ltd")).status == 503  # case-insensitive
    _set_faults(emulator, {"kind": "503", "route": "*Companies*"})  # * crosses /
    assert api.get(f"Companies/{company}/Notes").status == 503
    assert api.get(f"Companies/{company}").status == 503


def test_empty_rules_clear_and_the_plan_reads_back(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    rule = {"kind": "503", "probability": 1, "route": "GET:*", "times": None, "after": 0}
    answer = _set_faults(emulator, rule, seed=3)
    assert answer == {"seed": 3, "rules": [rule]}
    assert emulator.control("GET", "faults") == {"seed": 3, "rules": [rule]}
    assert api.get(f"Companies/{company}").status == 503
    _set_faults(emulator)
    assert api.get(f"Companies/{company}").status == 200


@pytest.mark.parametrize(
    "body",
    [
        {"rules": [{"kind": "404"}]},
        {"rules": [{"kind": "500", "probability": 2}]},
        {"rules": [{"kind": "500", "route": 5}]},
        {"rules": "none"},
        {"seed": 1},
        [],
    ],
)
def test_bad_fault_plans_are_400_and_change_nothing(
    api: Api, emulator: Emulator, body: Any
) -> None:
    _set_faults(emulator, {"kind": "503", "route": "GET:*"})
    reply = _control_raw(api, "POST", "faults", body)
    assert reply.status == 400
    assert reply.errors
    assert emulator.control("GET", "faults")["rules"][0]["kind"] == "503"


def test_reset_clears_counts_and_restores_the_start_plan(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    _set_faults(emulator, {"kind": "503", "route": "GET:*"})
    assert api.get(f"Companies/{company}").status == 503
    emulator.reset()
    assert emulator.stats()["faults"] == {}
    assert emulator.control("GET", "faults") == {"seed": 0, "rules": []}
    assert api.get(f"Companies/{company}").status == 200


def test_fault_flags_at_start_slow_and_reset_keep_them() -> None:
    flags = (
        "--faults",
        "slow=1@GET:*/Companies/*, 503=1@GET:*/Contacts/*",
        "--fault-seed",
        "4",
        "--slow-ms",
        "50",
        "--fault-retry-after",
        "0",
    )
    with running_emulator(*flags) as emulator:
        api = Api(emulator)
        company = _first_company(api)
        contact = api.ids("Contacts", MaxRecords=1)[0]
        assert api.get(f"Companies/{company}").status == 200  # slowed, still answered
        assert api.get(f"Contacts/{contact}").status == 503
        assert emulator.stats()["faults"] == {"slow": 1, "503": 1}
        logged = emulator.control("GET", "requests")["requests"]
        assert [e["latencyMs"] for e in logged if e["route"] == "Companies/{id}"] == [50]
        emulator.reset()
        plan = emulator.control("GET", "faults")
        assert plan["seed"] == 4
        assert [r["kind"] for r in plan["rules"]] == ["slow", "503"]
        assert api.get(f"Contacts/{contact}").status == 503
        _set_faults(emulator, {"kind": "429", "route": "GET:*/Contacts/*", "times": 1})
        assert api.get(f"Contacts/{contact}").headers.get("Retry-After") == "0"


def test_stats_match_what_was_sent(api: Api, emulator: Emulator) -> None:
    company = _first_company(api)
    _set_faults(
        emulator,
        {"kind": "500", "route": "GET:*/Companies/*", "after": 1, "times": 2},
        {"kind": "reset-before", "route": "GET:*/Companies/*", "after": 4, "times": 1},
    )
    outcomes: list[int | str] = []
    for _ in range(6):
        try:
            outcomes.append(api.get(f"Companies/{company}").status)
        except urllib3.exceptions.HTTPError:
            outcomes.append("dropped")
    assert outcomes == [200, 500, 500, 200, "dropped", 200]
    stats = emulator.stats()
    assert stats["requests"]["GET Companies/{id}"] == {"200": 3, "500": 2, "dropped": 1}
    assert stats["requests"]["POST Companies/query"] == {"200": 1}
    assert stats["faults"] == {"500": 2, "reset-before": 1}
    assert stats["thread_rejections"] == {}


def _control_raw(api: Api, method: str, name: str, body: Any) -> Reply:
    return api.request(method, api.emulator.root_url + "_emulator/" + name, body, absolute=True)
