"""Injected faults: the rule grammar, route matching and the seeded per-request decision.

Pure, socket-free logic (the server turns a decision into a status, a delay or a dropped
connection). Grammar, pinned by CONTRACTS §5::

    --faults KIND=P[@METHOD:GLOB],...        --fault-seed N
    POST /_emulator/faults  {"seed": 7, "rules": [{"kind": "429", "probability": 0.05,
                             "route": "POST:*/Tickets", "times": null, "after": 0}]}

KIND is one of ``429``, ``thread``, ``500``, ``503``, ``reset-before``, ``reset-after``,
``slow``, ``truncate``. P is a probability in [0, 1]. GLOB matches the path after
``/ATServicesRest/`` (no query string), case-insensitively, and ``*`` crosses ``/``
(``*/Tickets`` matches ``V1.0/Tickets`` but not ``V1.0/Tickets/query``). METHOD is optional;
without a route a rule matches every API request.

Each rule has its own RNG, seeded from the plan's seed and the rule's position, and its own
counters: ``after`` lets the first N matching requests pass untouched, ``times`` caps how
often the rule fires (``null``: no cap). A request gets at most one fault of the non-``slow``
kinds (the first rule in order that fires) and, independently, at most one ``slow`` delay.
Every matching rule counts the request, whether or not an earlier rule fired, so a rule's
``after`` counts the requests that match it.
"""

from __future__ import annotations

import fnmatch
import json
import random
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS = ("429", "thread", "500", "503", "reset-before", "reset-after", "slow", "truncate")
# CONTRACTS §5: these answer before the request is applied (nothing is written) ...
BEFORE_KINDS = frozenset({"429", "thread", "500", "503", "reset-before"})
# ... these after it (a write is applied, its answer is lost or cut short).
AFTER_KINDS = frozenset({"reset-after", "truncate"})
DEFAULT_SLOW_MS = 2000
# Retry-After of an injected 429, in seconds (an emulator choice; --fault-retry-after 0 keeps
# client retry tests fast).
DEFAULT_FAULT_RETRY_AFTER = 1

_METHOD = re.compile(r"^(?:[A-Za-z]+|\*)$")


class FaultRuleError(ValueError):
    """A fault rule that does not follow the grammar; the message says what is wrong."""


@dataclass(frozen=True)
class FaultRule:
    """One rule: which requests it may hit, how likely, and how often.

    Attributes:
        kind: one of ``KINDS``.
        probability: chance in [0, 1] that an eligible matching request is hit.
        method: upper-case HTTP method, or None for any.
        glob: pattern for the path after ``/ATServicesRest/``, or None for any.
        times: fire at most this many times (None: no cap).
        after: let the first N matching requests pass.
    """

    kind: str
    probability: float
    method: str | None = None
    glob: str | None = None
    times: int | None = None
    after: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultRuleError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")
        if not 0.0 <= self.probability <= 1.0:
            raise FaultRuleError(f"fault probability {self.probability} is not within 0..1")
        if self.times is not None and self.times < 0:
            raise FaultRuleError("fault 'times' must be >= 0 or null")
        if self.after < 0:
            raise FaultRuleError("fault 'after' must be >= 0")
        if self.glob is not None:
            # fnmatch's "*" matches any run of characters, "/" included, as CONTRACTS §5 wants.
            pattern = re.compile(fnmatch.translate(self.glob.lower()), re.IGNORECASE)
            object.__setattr__(self, "_pattern", pattern)

    @property
    def route(self) -> str | None:
        """The route as written in the JSON form, ``METHOD:GLOB`` or ``GLOB`` or None."""
        if self.glob is None:
            return f"{self.method}:*" if self.method else None
        return f"{self.method}:{self.glob}" if self.method else self.glob

    def matches(self, method: str, path: str) -> bool:
        """Whether the request ``method`` on ``path`` (after ``/ATServicesRest/``) is in scope."""
        if self.method is not None and method.upper() != self.method:
            return False
        return self._pattern is None or self._pattern.match(path.lower()) is not None

    def to_json(self) -> dict[str, Any]:
        """The rule in the ``POST /_emulator/faults`` form."""
        return {
            "kind": self.kind,
            "probability": self.probability,
            "route": self.route,
            "times": self.times,
            "after": self.after,
        }


def parse_route(route: str | None) -> tuple[str | None, str | None]:
    """Split ``METHOD:GLOB`` / ``GLOB`` into ``(method or None, glob or None)``.

    A leading ``/`` and a leading ``ATServicesRest/`` are dropped from the glob, so
    ``/ATServicesRest/V1.0/Tickets`` and ``V1.0/Tickets`` mean the same. ``*`` as the method
    means any method.
    """
    if route is None:
        return None, None
    text = route.strip()
    if not text:
        raise FaultRuleError("empty fault route")
    method: str | None = None
    head, sep, tail = text.partition(":")
    if sep and _METHOD.match(head):
        method = None if head == "*" else head.upper()
        text = tail.strip()
    glob = text.lstrip("/")
    if glob.lower().startswith("atservicesrest/"):
        glob = glob[len("atservicesrest/") :]
    if not glob:
        raise FaultRuleError(f"fault route {route!r} has no path pattern")
    return method, (None if glob == "*" else glob)


def _parse_probability(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultRuleError(f"{where}: probability {text!r} is not a number") from None
    return value


def parse_faults(spec: str) -> tuple[FaultRule, ...]:
    """Parse the ``--faults`` value ``KIND=P[@METHOD:GLOB],...`` into rules.

    Raises:
        FaultRuleError: on any deviation from the grammar; the message names the rule.
    """
    rules: list[FaultRule] = []
    for raw in spec.split(","):
        item = raw.strip()
        if not item:
            continue
        kind, eq, rest = item.partition("=")
        if not eq:
            raise FaultRuleError(f"fault rule {item!r}: expected KIND=P[@METHOD:GLOB]")
        probability_text, at, route = rest.partition("@")
        method, glob = parse_route(route) if at else (None, None)
        try:
            rules.append(
                FaultRule(
                    kind=kind.strip().lower(),
                    probability=_parse_probability(probability_text.strip(), item),
                    method=method,
                    glob=glob,
                )
            )
        except FaultRuleError as exc:
            raise FaultRuleError(f"fault rule {item!r}: {exc}") from None
    if not rules:
        raise FaultRuleError("--faults needs at least one KIND=P rule")
    return tuple(rules)


def _optional_int(value: object, name: str, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultRuleError(f"{where}: {name!r} must be an integer or null")
    return value


def rule_from_json(obj: object, index: int = 0) -> FaultRule:
    """Build a rule from one element of the ``rules`` list of ``POST /_emulator/faults``.

    Raises:
        FaultRuleError: when a key is missing, unknown or of the wrong type.
    """
    where = f"rule {index}"
    if not isinstance(obj, Mapping):
        raise FaultRuleError(f"{where}: expected an object")
    unknown = set(obj) - {"kind", "probability", "route", "times", "after"}
    if unknown:
        raise FaultRuleError(f"{where}: unknown key(s) {sorted(unknown)}")
    kind = obj.get("kind")
    if isinstance(kind, int) and not isinstance(kind, bool):
        kind = str(kind)  # {"kind": 429} is read as "429"
    if not isinstance(kind, str):
        raise FaultRuleError(f"{where}: 'kind' must be a string")
    probability = obj.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, (int, float)):
        raise FaultRuleError(f"{where}: 'probability' must be a number")
    route = obj.get("route")
    if route is not None and not isinstance(route, str):
        raise FaultRuleError(f"{where}: 'route' must be a string or null")
    after = _optional_int(obj.get("after"), "after", where)
    try:
        method, glob = parse_route(route)
        return FaultRule(
            kind=kind.lower(),
            probability=float(probability),
            method=method,
            glob=glob,
            times=_optional_int(obj.get("times"), "times", where),
            after=after or 0,
        )
    except FaultRuleError as exc:
        raise FaultRuleError(f"{where}: {exc}") from None


def plan_from_json(body: object) -> tuple[int, tuple[FaultRule, ...]]:
    """Read the body of ``POST /_emulator/faults`` into ``(seed, rules)``.

    ``{"rules": []}`` clears the rules; a missing ``seed`` means 0.

    Raises:
        FaultRuleError: when the body does not follow CONTRACTS §5.
    """
    if not isinstance(body, Mapping):
        raise FaultRuleError("expected a JSON object with 'rules'")
    unknown = set(body) - {"seed", "rules"}
    if unknown:
        raise FaultRuleError(f"unknown key(s) {sorted(unknown)}")
    rules = body.get("rules")
    if not isinstance(rules, list):
        raise FaultRuleError("'rules' must be a list")
    seed = _optional_int(body.get("seed"), "seed", "body")
    return seed or 0, tuple(rule_from_json(rule, i) for i, rule in enumerate(rules))


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one request.

    Attributes:
        kind: the non-``slow`` fault to inject, or None.
        slow: whether to add the ``slow`` delay.
    """

    kind: str | None = None
    slow: bool = False

    @property
    def before(self) -> bool:
        """True when the fault answers instead of applying the request."""
        return self.kind in BEFORE_KINDS

    @property
    def after(self) -> bool:
        """True when the request is applied and its answer then lost or cut short."""
        return self.kind in AFTER_KINDS


NO_FAULT = FaultDecision()


class _RuleState:
    __slots__ = ("fired", "rng", "rule", "seen")

    def __init__(self, rule: FaultRule, seed: int, index: int) -> None:
        self.rule = rule
        # A string seed is hashed with SHA-512 by random.Random: stable across runs and
        # platforms, and distinct per rule position and kind.
        self.rng = random.Random(f"autotask-emulator-fault/{seed}/{index}/{rule.kind}")
        self.seen = 0
        self.fired = 0

    def fires(self) -> bool:
        """Count one matching request and decide whether this rule hits it."""
        self.seen += 1
        rule = self.rule
        if self.seen <= rule.after:
            return False
        if rule.times is not None and self.fired >= rule.times:
            return False
        if rule.probability <= 0.0 or self.rng.random() >= rule.probability:
            return False
        self.fired += 1
        return True


class FaultPlan:
    """The active rules with their RNGs and counters; thread-safe.

    ``replace`` swaps in new rules and restarts every RNG and counter, so the same seed and
    the same request sequence always give the same faults.
    """

    def __init__(self, rules: Sequence[FaultRule] = (), seed: int = 0) -> None:
        """Create a plan from ``rules`` seeded with ``seed``."""
        self._lock = threading.Lock()
        self._seed = seed
        self._states: list[_RuleState] = []
        self._fired: dict[str, int] = {}
        self.replace(rules, seed)

    def replace(self, rules: Iterable[FaultRule], seed: int) -> None:
        """Use ``rules`` from now on (empty clears), with fresh RNGs and counters."""
        states = [_RuleState(rule, seed, i) for i, rule in enumerate(rules)]
        with self._lock:
            self._seed = seed
            self._states = states

    def reset(self) -> None:
        """Restart every rule's RNG and counters and clear the fault counts."""
        with self._lock:
            self._states = [_RuleState(s.rule, self._seed, i) for i, s in enumerate(self._states)]
            self._fired.clear()

    @property
    def active(self) -> bool:
        """True when any rule is set (a cheap check for the hot path)."""
        return bool(self._states)

    def decide(self, method: str, path: str) -> FaultDecision:
        """Decide the faults of one request ``method`` on ``path`` (after ``/ATServicesRest/``)."""
        if not self._states:
            return NO_FAULT
        kind: str | None = None
        slow = False
        with self._lock:
            for state in self._states:
                rule = state.rule
                if not rule.matches(method, path):
                    continue
                # Later rules of a kind already decided still count the match (their
                # `after`), but do not fire: one fault and one delay per request at most.
                if rule.kind == "slow":
                    if slow:
                        state.seen += 1
                    elif state.fires():
                        slow = True
                elif kind is not None:
                    state.seen += 1
                elif state.fires():
                    kind = rule.kind
            if kind is not None:
                self._fired[kind] = self._fired.get(kind, 0) + 1
            if slow:
                self._fired["slow"] = self._fired.get("slow", 0) + 1
        if kind is None and not slow:
            return NO_FAULT
        return FaultDecision(kind, slow)

    def counts(self) -> dict[str, int]:
        """How often each kind fired since the last reset (for ``/_emulator/stats``)."""
        with self._lock:
            return dict(self._fired)

    def to_json(self) -> dict[str, Any]:
        """The current plan in the ``POST /_emulator/faults`` form."""
        with self._lock:
            return {"seed": self._seed, "rules": [s.rule.to_json() for s in self._states]}


@dataclass(frozen=True)
class CannedAnswer:
    """A complete answer for a before-apply fault that answers (429, thread, 500, 503)."""

    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


_SERVICE_UNAVAILABLE = (
    b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n'
    b"<HTML><HEAD><TITLE>Service Unavailable</TITLE>\r\n"
    b'<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n'
    b"<BODY><h2>Service Unavailable</h2>\r\n"
    b"<hr><p>HTTP Error 503. The service is unavailable.</p>\r\n"
    b"</BODY></HTML>\r\n"
)


def canned_answer(
    kind: str,
    *,
    thread_text: str,
    thread_status: int,
    request_text: str,
    retry_after: int,
) -> CannedAnswer:
    """The fixed answer of an injected fault of ``kind`` (one of ``429``, ``thread``, ``503``).

    - ``429``: the hourly-threshold rejection with a ``Retry-After`` header.
    - ``thread``: the thread-limit rejection, exactly as the real gate answers it.
    - ``503``: the HTML page IIS serves when the application pool is down.

    A ``500`` is Autotask's unexpected-error answer, which carries a fresh Error ID each time
    (exchange.unexpected_error).

    Raises:
        ValueError: for a kind that has no fixed answer (500, resets, slow, truncate).
    """
    if kind == "429":
        return CannedAnswer(
            429,
            json.dumps({"errors": [request_text]}).encode(),
            headers=(("Retry-After", str(retry_after)),),
        )
    if kind == "thread":
        return CannedAnswer(thread_status, json.dumps({"errors": [thread_text]}).encode())
    if kind == "503":
        return CannedAnswer(503, _SERVICE_UNAVAILABLE, content_type="text/html")
    raise ValueError(f"fault kind {kind!r} has no canned answer")
