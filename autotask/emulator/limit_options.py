"""Flags for the emulator's limits, faults and quirk switches, and the values they resolve to.

``add_limit_arguments(parser)`` adds three argument groups; ``LimitSettings.from_namespace``
and ``Quirks.from_namespace`` read them back into frozen values. Every default is Autotask's
figure or the fact sheet §11 verdict, so a plain ``autotask emulator`` behaves like a fresh
tenant; the flags make the uncertain points switchable (issue 3, "Quirk switches").
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from autotask.emulator import faults as fault_rules
from autotask.emulator import limits

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Quirks:
    """Switches for the API behaviours the fact sheet could not settle (§11).

    The defaults are the fact sheet's verdicts (CONTRACTS §5); each switch flips one of them.

    Attributes:
        auth_failure_status: status for an unknown user or integration code (500; 401, §2).
        advertise_v2: versioninformation lists V2.0 beside V1.0, as live since ~2026-09 (§1);
            V2.0 paths stay 404 either way.
        strict_operators: reject unknown filter operators (default: silently ignored, §11.4).
        clamp_max_records: MaxRecords over 500 served as 500 (default: a 500 error, §11.4).
        include_id_always: IncludeFields always adds id (default: only when named, §11.5).
        missing_item_404: GET of a missing id is 404 (default: 200 {"item": null}, §11.2).
        reject_unknown_fields: unknown body fields are a 500 (default: ignored).
        accept_chunked: accept chunked request bodies (default: 411, §11.7).
        oversize_body_status: status for bodies over ``max_body_bytes``: 413 or 500 (§11.7).
        max_body_bytes: largest request body accepted (10 MiB, §11.7).
        thread_limit_status: status of thread-limit rejections: 429 or 500 (§11.1 (a)).
        thread_limit_text: text of thread-limit rejections (None: the fact sheet's, §11.1 (a)).
        hourly_limit_status: status of hourly-threshold rejections: 429 or 500 (§11.1 (b), §10.5).
        hourly_limit_text: text of hourly-threshold rejections (None: the default, §11.1 (b)).
        hourly_retry_after: send Retry-After on hourly-threshold rejections (off, §11.1 (b)).
        attachment_item_wrapper: single-attachment GETs wrap in ``item`` (default ``items``, §11.3).
        attachment_data_child_only: only the child-form GET carries ``data`` (default both, §11.3).
        attachment_queries_need_parent: attachment queries must name the parent id field and
            include the children's attachments (default, since 2021.1, §7); off: any filter.
    """

    auth_failure_status: int = 500
    advertise_v2: bool = True
    strict_operators: bool = False
    clamp_max_records: bool = False
    include_id_always: bool = False
    missing_item_404: bool = False
    reject_unknown_fields: bool = False
    accept_chunked: bool = False
    oversize_body_status: int = 413
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    thread_limit_status: int = 429
    thread_limit_text: str | None = None
    hourly_limit_status: int = 429
    hourly_limit_text: str | None = None
    hourly_retry_after: bool = False
    attachment_item_wrapper: bool = False
    attachment_data_child_only: bool = False
    attachment_queries_need_parent: bool = True

    @classmethod
    def from_namespace(cls, ns: argparse.Namespace) -> Quirks:
        """Read the quirk flags ``add_limit_arguments`` parsed."""
        return cls(
            auth_failure_status=ns.auth_failure_status,
            advertise_v2=ns.version_information == "v1+v2",
            strict_operators=ns.strict_operators,
            clamp_max_records=ns.max_records_policy == "clamp",
            include_id_always=ns.include_fields_id == "always",
            missing_item_404=ns.missing_id == "404",
            reject_unknown_fields=ns.unknown_body_fields == "reject",
            accept_chunked=ns.chunked_bodies == "accept",
            oversize_body_status=ns.oversize_body_status,
            max_body_bytes=ns.max_body_bytes,
            thread_limit_status=ns.thread_limit_status,
            thread_limit_text=ns.thread_limit_text,
            hourly_limit_status=ns.hourly_limit_status,
            hourly_limit_text=ns.hourly_limit_text,
            hourly_retry_after=ns.hourly_retry_after,
            attachment_item_wrapper=ns.attachment_wrapper == "item",
            attachment_data_child_only=ns.attachment_data == "child",
            attachment_queries_need_parent=ns.attachment_queries == "parent",
        )


@dataclass(frozen=True)
class LimitSettings:
    """Limits and faults of one emulator run (Autotask's figures when built bare).

    Attributes:
        thread_limit: concurrent requests per (integration code, entity); 0 off.
        hourly_limit: requests per rolling 60 minutes; 0 off (still counted).
        latency_ms: served on every API request while it holds its thread slot.
        threshold_latency_ms: added latency past 50% and 75% of the hourly limit.
        thread_latency_ms: added latency at 3 and at 10+ concurrent requests of a bucket
            (0, 0: off; the documented figures are 250, 1000).
        attachment_max_bytes: decoded bytes per attachment file; 0 off.
        attachment_window_bytes: decoded attachment bytes per 5 minutes per tenant; 0 off.
        faults: the fault rules given by ``--faults``.
        fault_seed: seed of the fault rules' RNGs.
        slow_ms: delay of the ``slow`` fault.
        fault_retry_after: Retry-After seconds of an injected ``429``.
    """

    thread_limit: int = limits.DEFAULT_THREAD_LIMIT
    hourly_limit: int = limits.DEFAULT_HOURLY_LIMIT
    latency_ms: int = 0
    threshold_latency_ms: tuple[int, int] = limits.DEFAULT_THRESHOLD_LATENCY_MS
    thread_latency_ms: tuple[int, int] = (0, 0)
    attachment_max_bytes: int = limits.DEFAULT_ATTACHMENT_MAX_BYTES
    attachment_window_bytes: int = limits.ATTACHMENT_WINDOW_BYTES
    faults: tuple[fault_rules.FaultRule, ...] = ()
    fault_seed: int = 0
    slow_ms: int = fault_rules.DEFAULT_SLOW_MS
    fault_retry_after: int = fault_rules.DEFAULT_FAULT_RETRY_AFTER

    @classmethod
    def from_namespace(cls, ns: argparse.Namespace) -> LimitSettings:
        """Read the values ``add_limit_arguments`` parsed."""
        return cls(
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


def _non_negative(text: str) -> int:
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
    half, three_quarters = (_non_negative(p) for p in parts)
    return (half, three_quarters)


def _fault_rules(text: str) -> tuple[fault_rules.FaultRule, ...]:
    try:
        return fault_rules.parse_faults(text)
    except fault_rules.FaultRuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _status(*allowed: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = -1
        if value not in allowed:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(map(str, allowed))}")
        return value

    return parse


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the limit, fault and quirk flags to ``parser`` (defaults = a real tenant)."""
    lim = parser.add_argument_group("limits (Autotask's figures by default; 0 switches one off)")
    lim.add_argument(
        "--thread-limit",
        type=_non_negative,
        default=limits.DEFAULT_THREAD_LIMIT,
        metavar="N",
        help="concurrent requests per (integration code, entity); the next one gets 429 "
        "(default: %(default)s)",
    )
    lim.add_argument(
        "--hourly-limit",
        type=_non_negative,
        default=limits.DEFAULT_HOURLY_LIMIT,
        metavar="N",
        help="requests per rolling 60 minutes, reported by ThresholdInformation; over it 429 "
        "(default: %(default)s)",
    )
    lim.add_argument(
        "--latency-ms",
        type=_non_negative,
        default=0,
        metavar="MS",
        help="latency served on every API request while it holds its thread slot, so the "
        "throughput bound is thread-limit / latency (default: 0)",
    )
    lim.add_argument(
        "--threshold-latency-ms",
        type=_latency_pair,
        default=limits.DEFAULT_THRESHOLD_LATENCY_MS,
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
        type=_non_negative,
        default=limits.DEFAULT_ATTACHMENT_MAX_BYTES,
        metavar="N",
        help="largest decoded attachment file (default: %(default)s = 6 MiB)",
    )
    lim.add_argument(
        "--attachment-window-bytes",
        type=_non_negative,
        default=limits.ATTACHMENT_WINDOW_BYTES,
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
        type=_non_negative,
        default=fault_rules.DEFAULT_SLOW_MS,
        metavar="MS",
        help="delay of the slow fault (default: %(default)s)",
    )
    flt.add_argument(
        "--fault-retry-after",
        type=_non_negative,
        default=fault_rules.DEFAULT_FAULT_RETRY_AFTER,
        metavar="S",
        help="Retry-After seconds of an injected 429 (default: %(default)s)",
    )
    qrk = parser.add_argument_group(
        "quirks (uncertain API behaviours; defaults follow the fact sheet's verdicts)"
    )
    for flag, allowed, help_text in _STATUS_QUIRKS:
        qrk.add_argument(
            flag,
            type=_status(*allowed),
            default=allowed[0],
            metavar="{" + ",".join(map(str, allowed)) + "}",
            help=f"{help_text} (default: {allowed[0]})",
        )
    for flag, choices, help_text in _CHOICE_QUIRKS:
        qrk.add_argument(
            flag, choices=choices, default=choices[0], help=help_text + " (default: %(default)s)"
        )
    qrk.add_argument(
        "--strict-operators",
        action="store_true",
        help="reject unknown filter operators with 500 (default: silently ignored)",
    )
    qrk.add_argument(
        "--hourly-retry-after",
        action="store_true",
        help="send Retry-After on hourly-threshold rejections (default: not sent)",
    )
    qrk.add_argument(
        "--max-body-bytes",
        type=_non_negative,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help="largest request body accepted (default: %(default)s = 10 MiB)",
    )
    qrk.add_argument(
        "--thread-limit-text",
        metavar="TEXT",
        help='errors[] text of thread-limit rejections (default: "Thread Threshold Exceeded - '
        'The Autotask API thread threshold of N threads has been exceeded.")',
    )
    qrk.add_argument(
        "--hourly-limit-text",
        metavar="TEXT",
        help="errors[] text of hourly-threshold rejections, never captured live (default: "
        '"Request Threshold Exceeded - The Autotask API request threshold of N requests per '
        '60 minutes has been exceeded.")',
    )


# Quirk switches between statuses: (flag, (default, alternative), help). Quirks.from_namespace
# reads them back.
_STATUS_QUIRKS: tuple[tuple[str, tuple[int, int], str], ...] = (
    ("--auth-failure-status", (500, 401), "status for an unknown user or integration code"),
    ("--oversize-body-status", (413, 500), "status for a request body over --max-body-bytes"),
    ("--thread-limit-status", (429, 500), "status of thread-limit rejections"),
    ("--hourly-limit-status", (429, 500), "status of hourly-threshold rejections"),
)

# Quirk switches between named behaviours: (flag, (default, alternative), help).
_CHOICE_QUIRKS: tuple[tuple[str, tuple[str, str], str], ...] = (
    (
        "--version-information",
        ("v1+v2", "v1"),
        "versions listed by versioninformation: V1.0 and V2.0 as since ~2026-09 (V2.0 paths "
        "answer 404), or V1.0 only as before",
    ),
    (
        "--max-records-policy",
        ("reject", "clamp"),
        "MaxRecords outside 1..500: reject with 500, or clamp",
    ),
    ("--missing-id", ("null", "404"), 'GET of a missing id: 200 {"item": null}, or 404'),
    (
        "--unknown-body-fields",
        ("ignore", "reject"),
        "fields a write body names that the entity does not have: ignore, or reject with 500",
    ),
    (
        "--chunked-bodies",
        ("reject", "accept"),
        "chunked request bodies: reject with 411, or accept",
    ),
    (
        "--attachment-wrapper",
        ("items", "item"),
        "key wrapping a single attachment's GET answer",
    ),
    (
        "--attachment-data",
        ("both", "child"),
        "single-attachment GETs that return data: child and root forms, or only the child form",
    ),
    (
        "--attachment-queries",
        ("parent", "any"),
        "queries on an attachment entity: must name its parent id field (ticketID) and include "
        "the attachments of its children, as since 2021.1; or take any filter and return own "
        "rows only",
    ),
    (
        "--include-fields-id",
        ("requested", "always"),
        "IncludeFields returns only the named fields, or always adds id",
    ),
)
