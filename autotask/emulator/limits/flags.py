"""Flags of the limits, faults and permissions, and the values they resolve to.

``add_limit_arguments(parser)`` adds the limit and fault argument groups, ``add_deny_argument``
the ``--deny`` flag (in the caller's credentials group); ``limit_settings_from`` and
``permissions_from`` read them back into the frozen values of settings.py. Every default is
Autotask's figure (fact sheet §6, §7, §11.1).
"""

from __future__ import annotations

import argparse

from autotask.emulator.limits import faults, gates
from autotask.emulator.limits.permissions import (
    PermissionRuleError,
    Permissions,
    parse_rule,
    permissions_from_rules,
)
from autotask.emulator.settings import LimitSettings


def limit_settings_from(ns: argparse.Namespace) -> LimitSettings:
    """Read the values ``add_limit_arguments`` parsed."""
    return LimitSettings(
        thread_limit=ns.thread_limit,
        hourly_limit=ns.hourly_limit,
        latency_ms=ns.latency_ms,
        threshold_latency_ms=ns.threshold_latency_ms,
        thread_latency_ms=ns.thread_latency_ms,
        attachment_max_bytes=ns.attachment_max_bytes,
        attachment_window_bytes=ns.attachment_window_bytes,
        faults=ns.faults,
        fault_seed=ns.fault_seed,
        slow_ms=ns.slow_ms,
        fault_retry_after=ns.fault_retry_after,
    )


def permissions_from(ns: argparse.Namespace) -> Permissions:
    """Read the ``--deny`` rules (already checked by the parser)."""
    return permissions_from_rules(ns.deny or ())


def non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _latency_pair(text: str) -> tuple[int, int]:
    parts = [p.strip() for p in text.split(",")]
    if parts == ["0"]:
        return (0, 0)
    if len(parts) != 2:
        raise argparse.ArgumentTypeError("expected two latencies in ms, FIRST,SECOND (or 0)")
    half, three_quarters = (non_negative(p) for p in parts)
    return (half, three_quarters)


def _fault_rules(text: str) -> tuple[faults.FaultRule, ...]:
    try:
        return faults.parse_faults(text)
    except faults.FaultRuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the limit and fault flags to ``parser`` (defaults = a real tenant)."""
    lim = parser.add_argument_group("limits (Autotask's figures by default; 0 switches one off)")
    lim.add_argument(
        "--thread-limit",
        type=non_negative,
        default=gates.DEFAULT_THREAD_LIMIT,
        metavar="N",
        help="concurrent requests per (integration code, entity); the next one gets 429 "
        "(default: %(default)s)",
    )
    lim.add_argument(
        "--hourly-limit",
        type=non_negative,
        default=gates.DEFAULT_HOURLY_LIMIT,
        metavar="N",
        help="requests per rolling 60 minutes, reported by ThresholdInformation; over it 429 "
        "(default: %(default)s)",
    )
    lim.add_argument(
        "--latency-ms",
        type=non_negative,
        default=0,
        metavar="MS",
        help="the least time every API request takes while it holds its thread slot, the "
        "emulator's own work included, so the throughput bound is thread-limit / latency "
        "(default: 0)",
    )
    lim.add_argument(
        "--threshold-latency-ms",
        type=_latency_pair,
        default=gates.DEFAULT_THRESHOLD_LATENCY_MS,
        metavar="HALF,3/4",
        help="added latency past 50%% and 75%% of the hourly limit; 0 switches it off "
        "(default: 500,1000)",
    )
    lim.add_argument(
        "--thread-latency-ms",
        type=_latency_pair,
        default=(0, 0),
        metavar="AT3,AT10",
        help="added latency per request that finds 3 requests of its bucket running (itself "
        "included), rising linearly to the second figure at 10 or more; Autotask documents "
        "250,1000 (default: 0, off)",
    )
    lim.add_argument(
        "--attachment-max-bytes",
        type=non_negative,
        default=gates.DEFAULT_ATTACHMENT_MAX_BYTES,
        metavar="N",
        help="largest decoded attachment file (default: %(default)s = 6 MiB)",
    )
    lim.add_argument(
        "--attachment-window-bytes",
        type=non_negative,
        default=gates.ATTACHMENT_WINDOW_BYTES,
        metavar="N",
        help="decoded attachment bytes per rolling 5 minutes per tenant (default: %(default)s)",
    )
    flt = parser.add_argument_group("faults (see POST /_emulator/faults)")
    flt.add_argument(
        "--faults",
        type=_fault_rules,
        default=(),
        metavar="KIND=P[@METHOD:GLOB],...",
        help="inject faults: KIND is 429, thread, 500, 503, reset-before, reset-after, slow or "
        "truncate; P a probability 0..1; GLOB matches the path after /ATServicesRest/ "
        "case-insensitively, * crossing / (e.g. 429=0.05@POST:*/Tickets)",
    )
    flt.add_argument(
        "--fault-seed",
        type=int,
        default=0,
        metavar="N",
        help="seed of the fault rules' random choices (default: 0)",
    )
    flt.add_argument(
        "--slow-ms",
        type=non_negative,
        default=faults.DEFAULT_SLOW_MS,
        metavar="MS",
        help="delay of the slow fault (default: %(default)s)",
    )
    flt.add_argument(
        "--fault-retry-after",
        type=non_negative,
        default=faults.DEFAULT_FAULT_RETRY_AFTER,
        metavar="S",
        help="Retry-After seconds of an injected 429 (default: %(default)s)",
    )


def _deny_rule(text: str) -> str:
    try:
        parse_rule(text)
    except PermissionRuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_deny_argument(group: argparse._ArgumentGroup) -> None:
    """Add ``--deny`` (a security level lacking permissions) to ``group``."""
    group.add_argument(
        "--deny",
        action="append",
        type=_deny_rule,
        metavar="ENTITY[:OPS]",
        help="simulate a security level without these permissions (repeatable): OPS are "
        "letters of Q (query) G (get) C (create) U (update) D (delete), all when omitted; "
        "e.g. --deny Tickets:CUD --deny Contacts",
    )
