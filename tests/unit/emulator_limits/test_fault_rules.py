"""Fault rules: the --faults grammar, the JSON form, route matching, times/after and seeding."""

from __future__ import annotations

import pytest

from autotask.emulator.limits.faults import (
    AFTER_KINDS,
    BEFORE_KINDS,
    KINDS,
    FaultPlan,
    FaultRule,
    FaultRuleError,
    canned_answer,
    parse_faults,
    parse_route,
    plan_from_json,
    rule_from_json,
)


def test_parse_faults_reads_kind_probability_method_and_glob() -> None:
    rules = parse_faults("429=0.05@POST:*/Tickets, slow=1, reset-after=0.5@V1.0/Companies*")
    assert rules == (
        FaultRule("429", 0.05, "POST", "*/Tickets"),
        FaultRule("slow", 1.0),
        FaultRule("reset-after", 0.5, None, "V1.0/Companies*"),
    )


def test_parse_faults_accepts_every_kind() -> None:
    rules = parse_faults(",".join(f"{kind}=1" for kind in KINDS))
    assert [r.kind for r in rules] == list(KINDS)
    assert BEFORE_KINDS | AFTER_KINDS | {"slow"} == set(KINDS)
    assert not BEFORE_KINDS & AFTER_KINDS


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "at least one"),
        ("429", "expected KIND=P"),
        ("404=0.5", "unknown fault kind"),
        ("500=abc", "not a number"),
        ("500=1.5", "not within 0..1"),
        ("500=-0.1", "not within 0..1"),
        ("500=nan", "not within 0..1"),
        ("500=1@POST:", "no path pattern"),
        ("500=1@", "empty fault route"),
    ],
)
def test_parse_faults_rejects_bad_rules_with_a_reason(spec: str, message: str) -> None:
    with pytest.raises(FaultRuleError, match=message):
        parse_faults(spec)


def test_parse_route_forms() -> None:
    assert parse_route(None) == (None, None)
    assert parse_route("*/Tickets") == (None, "*/Tickets")
    assert parse_route("post:*/Tickets") == ("POST", "*/Tickets")
    assert parse_route("*:V1.0/Tickets") == (None, "V1.0/Tickets")
    assert parse_route("GET:*") == ("GET", None)
    assert parse_route("/ATServicesRest/V1.0/Tickets") == (None, "V1.0/Tickets")


@pytest.mark.parametrize(
    ("route", "method", "path", "expected"),
    [
        ("POST:*/Tickets", "POST", "V1.0/Tickets", True),
        ("POST:*/Tickets", "post", "v1.0/TICKETS", True),
        ("POST:*/Tickets", "GET", "V1.0/Tickets", False),
        ("POST:*/Tickets", "POST", "V1.0/Tickets/query", False),
        ("*/Tickets*", "POST", "V1.0/Tickets/query/count", True),
        ("*/Tickets*", "GET", "V1.0/Companies/5/Tickets/7", True),  # * crosses /
        ("V1.0/Tickets/*/Notes", "PATCH", "V1.0/Tickets/5/Notes", True),
        ("V1.0/Tickets/*/Notes", "PATCH", "V1.0/Tickets/5/Notes/7", False),
        ("V1.0/Tickets/?", "GET", "V1.0/Tickets/5", True),
        (None, "DELETE", "anything/at/all", True),
    ],
)
def test_rule_matching(route: str | None, method: str, path: str, expected: bool) -> None:
    rule = rule_from_json({"kind": "500", "probability": 1, "route": route})
    assert rule.matches(method, path) is expected


def test_rule_from_json_full_and_minimal_forms() -> None:
    full = rule_from_json(
        {"kind": "429", "probability": 0.05, "route": "POST:*/Tickets", "times": 3, "after": 2}
    )
    assert full == FaultRule("429", 0.05, "POST", "*/Tickets", times=3, after=2)
    assert full.to_json() == {
        "kind": "429",
        "probability": 0.05,
        "route": "POST:*/Tickets",
        "times": 3,
        "after": 2,
    }
    # An integer kind reads as its string; probability defaults to 1; null times = no cap.
    assert rule_from_json({"kind": 503, "times": None}) == FaultRule("503", 1.0)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "expected an object"),
        ({"kind": "500", "bogus": 1}, "unknown key"),
        ({"probability": 1}, "'kind' must be a string"),
        ({"kind": "500", "probability": "1"}, "'probability' must be a number"),
        ({"kind": "500", "probability": True}, "'probability' must be a number"),
        ({"kind": "500", "route": 5}, "'route' must be a string"),
        ({"kind": "500", "times": 1.5}, "'times' must be an integer"),
        ({"kind": "500", "times": -1}, "'times' must be >= 0"),
        ({"kind": "500", "after": -1}, "'after' must be >= 0"),
        ({"kind": "teapot"}, "unknown fault kind"),
    ],
)
def test_rule_from_json_rejects_bad_rules(obj: object, message: str) -> None:
    with pytest.raises(FaultRuleError, match=message):
        rule_from_json(obj)


def test_plan_from_json() -> None:
    seed, rules = plan_from_json({"seed": 7, "rules": [{"kind": "thread", "probability": 0.5}]})
    assert seed == 7
    assert rules == (FaultRule("thread", 0.5),)
    assert plan_from_json({"rules": []}) == (0, ())
    for bad in ({}, {"rules": {}}, {"rules": [], "extra": 1}, {"rules": [], "seed": "7"}, []):
        with pytest.raises(FaultRuleError):
            plan_from_json(bad)


def _kinds(plan: FaultPlan, n: int, method: str = "GET", path: str = "V1.0/Tickets/1") -> list:
    return [plan.decide(method, path).kind for _ in range(n)]


def test_after_lets_the_first_matching_requests_pass_and_times_caps_firing() -> None:
    plan = FaultPlan([FaultRule("500", 1.0, times=2, after=3)])
    assert _kinds(plan, 8) == [None, None, None, "500", "500", None, None, None]
    assert plan.counts() == {"500": 2}


def test_times_zero_never_fires_and_probability_zero_never_fires() -> None:
    plan = FaultPlan([FaultRule("500", 1.0, times=0), FaultRule("503", 0.0)])
    assert _kinds(plan, 20) == [None] * 20
    assert plan.counts() == {}


def test_non_matching_requests_do_not_advance_the_counters() -> None:
    plan = FaultPlan([FaultRule("503", 1.0, "POST", "*/Tickets", after=1)])
    assert plan.decide("GET", "V1.0/Tickets").kind is None
    assert plan.decide("POST", "V1.0/Companies").kind is None
    assert plan.decide("POST", "V1.0/Tickets").kind is None  # the one let through by after=1
    assert plan.decide("POST", "V1.0/Tickets").kind == "503"


def test_same_seed_same_faults_and_different_seeds_differ() -> None:
    rules = [FaultRule("429", 0.3), FaultRule("reset-before", 0.3)]
    first = _kinds(FaultPlan(rules, seed=7), 300)
    again = _kinds(FaultPlan(rules, seed=7), 300)
    other = _kinds(FaultPlan(rules, seed=8), 300)
    assert first == again
    assert first != other
    # About 30% hit the first rule, and the second rule sees the rest: both fire sometimes.
    assert 50 < first.count("429") < 130
    assert first.count("reset-before") > 20


def test_each_rule_has_its_own_rng_so_adding_a_rule_elsewhere_changes_nothing() -> None:
    tickets = FaultRule("500", 0.5, None, "*/Tickets*")
    alone = FaultPlan([tickets], seed=3)
    # The rule's RNG is seeded by its position, so keep the position: the other rule sits
    # after it, and its traffic is interleaved.
    after_other = FaultPlan([tickets, FaultRule("503", 0.5, None, "*/Companies*")], seed=3)
    seq_alone, seq_mixed = [], []
    for _ in range(100):
        seq_alone.append(alone.decide("GET", "V1.0/Tickets/1").kind)
        after_other.decide("GET", "V1.0/Companies/1")  # interleaved traffic for the other rule
        seq_mixed.append(after_other.decide("GET", "V1.0/Tickets/1").kind)
    assert seq_alone == seq_mixed
    assert "500" in seq_alone


def test_one_fault_per_request_first_rule_wins_and_slow_stacks() -> None:
    plan = FaultPlan(
        [FaultRule("slow", 1.0), FaultRule("500", 1.0), FaultRule("503", 1.0, after=1)]
    )
    first = plan.decide("GET", "V1.0/Tickets/1")
    assert (first.kind, first.slow, first.before, first.after) == ("500", True, True, False)
    # The 503 rule counts the first request (won by 500) as its one `after`, so it fires
    # on the second, once the 500 rule has used its one time.
    plan.replace([FaultRule("500", 1.0, times=1), FaultRule("503", 1.0, after=1)], seed=0)
    assert _kinds(plan, 3) == ["500", "503", "503"]
    plan.replace([FaultRule("503", 1.0, after=1)], seed=0)
    assert _kinds(plan, 2) == [None, "503"]


def test_after_kinds_are_flagged_after() -> None:
    plan = FaultPlan([FaultRule("reset-after", 1.0, times=1), FaultRule("truncate", 1.0)])
    first, second = plan.decide("POST", "V1.0/Tickets"), plan.decide("POST", "V1.0/Tickets")
    assert (first.kind, first.after, first.before) == ("reset-after", True, False)
    assert (second.kind, second.after) == ("truncate", True)


def test_reset_restarts_rngs_and_counters() -> None:
    plan = FaultPlan([FaultRule("500", 0.5, times=10)], seed=11)
    first = _kinds(plan, 50)
    assert plan.counts() == {"500": 10}
    plan.reset()
    assert plan.counts() == {}
    assert _kinds(plan, 50) == first


def test_replace_with_no_rules_clears_and_to_json_round_trips() -> None:
    plan = FaultPlan(parse_faults("429=0.25@POST:*/Tickets"), seed=5)
    assert plan.active
    body = plan.to_json()
    assert body == {
        "seed": 5,
        "rules": [
            {
                "kind": "429",
                "probability": 0.25,
                "route": "POST:*/Tickets",
                "times": None,
                "after": 0,
            }
        ],
    }
    assert plan_from_json(body) == (5, plan_rules := parse_faults("429=0.25@POST:*/Tickets"))
    assert plan_rules[0].route == "POST:*/Tickets"
    plan.replace([], seed=0)
    assert not plan.active
    assert plan.decide("POST", "V1.0/Tickets").kind is None


def test_canned_answers() -> None:
    common = {
        "thread_text": "thread text",
        "thread_status": 429,
        "request_text": "request text",
        "retry_after": 3,
    }
    too_many = canned_answer("429", **common)
    assert (too_many.status, too_many.headers) == (429, (("Retry-After", "3"),))
    assert too_many.body == b'{"errors": ["request text"]}'
    thread = canned_answer("thread", **{**common, "thread_status": 500})
    assert (thread.status, thread.body) == (500, b'{"errors": ["thread text"]}')
    unavailable = canned_answer("503", **common)
    assert (unavailable.status, unavailable.content_type) == (503, "text/html")
    # 500 carries a fresh Error ID each time (exchange.unexpected_error): no fixed answer.
    for kind in ("500", "reset-before", "reset-after", "slow", "truncate"):
        with pytest.raises(ValueError):
            canned_answer(kind, **common)
