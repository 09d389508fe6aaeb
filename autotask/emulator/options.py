"""The emulator's command-line flags (argparse) and the ``Settings`` they resolve to.

``add_arguments`` is shared by ``autotask emulator`` and ``python -m autotask.emulator`` so
the two never drift; the limit, fault and ``--deny`` flags come from limits/flags.py, the quirk
switches are declared here. Parsing is pure; the environment is read only in
``settings_from``. The values themselves (``Settings``, ``Quirks``) live in settings.py, which
is what the rest of the emulator reads.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping

from autotask.emulator.limits import flags as limit_flags
from autotask.emulator.limits.flags import non_negative
from autotask.emulator.settings import (
    DEFAULT_INTEGRATION_CODE,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_SECRET,
    DEFAULT_USERNAME,
    Quirks,
    Settings,
)

DESCRIPTION = (
    "Serve a local emulator of the Autotask PSA REST API (V1.0) on loopback, for tests, "
    "demos and dry runs of your own jobs."
)
EPILOG = """\
default credentials (CONTRACTS §5):
  username          emulator@example.com      (AUTOTASK_EMULATOR_USERNAME)
  secret            emulator-secret           (AUTOTASK_EMULATOR_SECRET)
  integration code  EMULATORINTEGRATIONCODE   (AUTOTASK_EMULATOR_INTEGRATION_CODE)

control API (no auth, loopback only), outside /ATServicesRest/:
  GET  /_emulator/stats      POST /_emulator/reset     GET /_emulator/requests
  POST /_emulator/seed       {"entity": "Companies", "count": 100000}
  POST /_emulator/clock      {"advance": 3600}
  POST /_emulator/faults     {"seed": 7, "rules": [{"kind": "429", "probability": 0.05,
                              "route": "POST:*/Tickets", "times": null, "after": 0}]}
  GET  /_emulator/faults     the active rules
  POST /_emulator/permissions {"deny": ["Tickets:CUD"]}   (GET: the active denials)
  POST /_emulator/records    {"entity": "Tickets", "id": 5, "set": {...},
                              "modified": "2026-01-01T00:00:00Z"}  (change outside the API;
                              no id: create; "delete": true: delete; GET: modified fields)

limits and latency (fact sheet §6, §7, §11.1):
  thread gate     3 concurrent requests per (integration code, entity); the next gets 429
  hourly budget   10,000 requests per rolling 60 minutes; +0.5 s per request past 50%,
                  +1 s past 75%; over it 429 until the window frees
  attachments     6 MiB per file; 10,000,000 bytes per rolling 5 minutes, then 500
  --latency-ms is the least time a request takes holding its slot (its own work included):
  throughput <= thread-limit / latency, and reaches it

faults: 429, thread, 500, 503 and reset-before answer before the request is applied;
reset-after and truncate apply it and then lose or cut the answer; slow adds --slow-ms.

--deny (a security level lacking permissions): a denied query or write answers 500 "The logged
in Resource does not have the adequate permissions to query this entity type." (create, update,
delete alike); a denied get answers {"item": null}; entityInformation reports canX false.
"""


def settings_from(ns: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    """Combine parsed flags with ``AUTOTASK_EMULATOR_*`` variables (flags win)."""
    env = os.environ if environ is None else environ
    return Settings(
        host=ns.host,
        port=ns.port,
        db=ns.db,
        data=ns.data,
        username=ns.username or env.get("AUTOTASK_EMULATOR_USERNAME") or DEFAULT_USERNAME,
        secret=ns.secret or env.get("AUTOTASK_EMULATOR_SECRET") or DEFAULT_SECRET,
        integration_code=ns.integration_code
        or env.get("AUTOTASK_EMULATOR_INTEGRATION_CODE")
        or DEFAULT_INTEGRATION_CODE,
        quirks=quirks_from(ns),
        limits=limit_flags.limit_settings_from(ns),
        permissions=limit_flags.permissions_from(ns),
    )


def quirks_from(ns: argparse.Namespace) -> Quirks:
    """Read the quirk flags ``add_arguments`` parsed."""
    return Quirks(
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
        max_query_string=ns.max_query_string,
        asp_net_server_errors=ns.server_error_body == "message",
        business_rules=ns.business_rules == "enforce",
        reject_kept_field_changes=ns.kept_fields == "reject",
        valueless_boolean_is_false=ns.condition_without_value == "false",
        lenient_filter_values=ns.filter_values == "lenient",
        get_empty_filter_all=ns.get_empty_filter == "all",
        max_in_values=ns.max_in_values,
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the emulator's flags to ``parser`` (no defaults read from the environment here)."""
    net = parser.add_argument_group("listening")
    net.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    net.add_argument(
        "--port", type=int, default=0, help="port to bind; 0 picks a free one (default: 0)"
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--db",
        metavar="FILE",
        help="keep the data in this sqlite3 file across restarts (default: in memory)",
    )
    data.add_argument(
        "--data",
        choices=("demo", "empty"),
        default="demo",
        help="start data set for a new database (default: %(default)s)",
    )
    auth = parser.add_argument_group("credentials")
    auth.add_argument("--username", metavar="U", help=f"API username (default: {DEFAULT_USERNAME})")
    auth.add_argument("--secret", metavar="S", help="API secret (default: emulator-secret)")
    auth.add_argument(
        "--integration-code",
        metavar="C",
        help=f"API integration code (default: {DEFAULT_INTEGRATION_CODE})",
    )
    limit_flags.add_deny_argument(auth)
    limit_flags.add_limit_arguments(parser)
    add_quirk_arguments(parser)


def add_quirk_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the quirk switches (uncertain API behaviours, fact sheet §11)."""
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
        type=non_negative,
        default=DEFAULT_MAX_BODY_BYTES,
        metavar="N",
        help="largest request body accepted (default: %(default)s = 10 MiB)",
    )
    qrk.add_argument(
        "--max-in-values",
        type=non_negative,
        default=0,
        metavar="N",
        help="refuse an in or notIn list of more than N values with the SOAP-era 500 "
        "\"Invalid query syntax. Queries are limited to N or fewer 'OR' conditions.\" "
        "(default: 0, no limit)",
    )
    qrk.add_argument(
        "--max-query-string",
        type=non_negative,
        default=0,
        metavar="N",
        help="answer a request whose query string is longer than N characters the way an IIS "
        "front does, 404 with its 404.15 page (IIS's default limit is 2048; default: 0, any "
        "length)",
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


# Quirk switches between statuses: (flag, (default, alternative), help). quirks_from reads
# them back.
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
        "--business-rules",
        ("enforce", "off"),
        "cross-field rules Autotask enforces beyond the field metadata (a ticket needs a queue or "
        "a resource with a role it holds, time entry and task rules): enforce, or check the "
        "metadata only",
    ),
    (
        "--kept-fields",
        ("keep", "reject"),
        "a PATCH or PUT changing a field Autotask keeps after create (a time entry's ticketID and "
        "taskID): keep the old value and answer 200 as Autotask does, or refuse with 500",
    ),
    (
        "--filter-values",
        ("lenient", "strict"),
        'filter values read like a .NET model binder reads them ("true"/"false" on boolean '
        "fields, booleans as 1/0 on integer fields), or booleans only as JSON true/false",
    ),
    (
        "--condition-without-value",
        ("false", "null"),
        "a boolean condition with no value key compares with false, or is the null it decodes "
        "to (500)",
    ),
    (
        "--get-empty-filter",
        ("all", "none"),
        'a GET query\'s search with "filter": [] returns every row, or none like a POST query',
    ),
    (
        "--server-error-body",
        ("errors", "message"),
        "body of the 500 fault and of the emulator's own failures: Autotask's errors[] text "
        '"An unexpected error has occurred. ... Error ID: N", or ASP.NET\'s {"Message": "An '
        'error has occurred."}',
    ),
    (
        "--include-fields-id",
        ("requested", "always"),
        "IncludeFields returns only the named fields, or always adds id",
    ),
)
