"""The values the emulator runs with: ``Settings`` and its ``Quirks`` and ``LimitSettings``.

Frozen values, read by every part of the emulator. They are built from the command line by
options.py and limits/flags.py (the argparse declarations live there, apart from these values);
built bare, each holds Autotask's figure or the fact sheet §11 verdict, so a plain ``autotask
emulator`` behaves like a fresh tenant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autotask.emulator.limits import faults as fault_rules
from autotask.emulator.limits import gates
from autotask.emulator.limits.permissions import Permissions

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_USERNAME = "emulator@example.com"
DEFAULT_SECRET = "emulator-secret"
DEFAULT_INTEGRATION_CODE = "EMULATORINTEGRATIONCODE"


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
        business_rules: enforce the cross-field rules of rules/business.py (ticket assignment,
            time entries, tasks; issue 8 item 1); off: only the field metadata is checked.
        reject_kept_field_changes: refuse a PATCH/PUT that changes a field Autotask keeps
            (rules/business.py KEPT_ON_UPDATE); default: keep it silently and answer 200, as
            Autotask does (issue 8 item 4).
        valueless_boolean_is_false: a boolean condition without a ``value`` key compares with
            false (default, issue 15 item 1, assumed); off: it is the null it decodes to (500).
        lenient_filter_values: filter values are read like a .NET model binder reads them:
            "true"/"false" on boolean fields, booleans as 1/0 on integer fields (default, issue
            15 item 2, assumed); off: booleans only as JSON true/false (§3.2).
        get_empty_filter_all: ``"filter": []`` in a GET query's ``search`` matches every row
            (default, issue 15 item 3, assumed); off: nothing, like a POST query (§11.4).
        max_in_values: refuse an ``in``/``notIn`` list of more values with the SOAP-era text
            (0: off, the default; issue 8 item 5).
        asp_net_server_errors: the ``500`` fault and the emulator's own failures answer ASP.NET's
            ``{"Message": "An error has occurred."}`` (default: Autotask's errors[] text "An
            unexpected error has occurred. ... Error ID: N", issue 8 item 3).
        max_query_string: the longest query string an IIS front accepts (0: any; IIS's own
            default is 2,048); longer ones get IIS's 404.15 page (issue 7 item 6).
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
    max_query_string: int = 0
    asp_net_server_errors: bool = False
    business_rules: bool = True
    reject_kept_field_changes: bool = False
    valueless_boolean_is_false: bool = True
    lenient_filter_values: bool = True
    get_empty_filter_all: bool = True
    max_in_values: int = 0


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

    thread_limit: int = gates.DEFAULT_THREAD_LIMIT
    hourly_limit: int = gates.DEFAULT_HOURLY_LIMIT
    latency_ms: int = 0
    threshold_latency_ms: tuple[int, int] = gates.DEFAULT_THRESHOLD_LATENCY_MS
    thread_latency_ms: tuple[int, int] = (0, 0)
    attachment_max_bytes: int = gates.DEFAULT_ATTACHMENT_MAX_BYTES
    attachment_window_bytes: int = gates.ATTACHMENT_WINDOW_BYTES
    faults: tuple[fault_rules.FaultRule, ...] = ()
    fault_seed: int = 0
    slow_ms: int = fault_rules.DEFAULT_SLOW_MS
    fault_retry_after: int = fault_rules.DEFAULT_FAULT_RETRY_AFTER


@dataclass(frozen=True)
class Settings:
    """Everything the emulator needs to start, resolved from flags and environment."""

    host: str = "127.0.0.1"
    port: int = 0
    db: str | None = None
    data: str = "demo"
    username: str = DEFAULT_USERNAME
    secret: str = DEFAULT_SECRET
    integration_code: str = DEFAULT_INTEGRATION_CODE
    quirks: Quirks = field(default_factory=Quirks)
    limits: LimitSettings = field(default_factory=LimitSettings)
    permissions: Permissions = field(default_factory=Permissions)

    def __repr__(self) -> str:  # never show the secret
        return (
            f"Settings(host={self.host!r}, port={self.port}, db={self.db!r}, "
            f"data={self.data!r}, username={self.username!r}, secret='***', "
            f"integration_code='***')"
        )
