"""The emulator's command-line flags and the settings value they resolve to.

``add_arguments`` is shared by ``autotask emulator`` and ``python -m autotask.emulator`` so
the two never drift. Parsing is pure; the environment is read only in ``Settings.resolve``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from autotask.emulator.limit_options import LimitSettings, Quirks, add_limit_arguments
from autotask.emulator.permissions import (
    PermissionRuleError,
    Permissions,
    parse_rule,
    permissions_from_rules,
)

__all__ = ["LimitSettings", "Permissions", "Quirks", "Settings", "add_arguments"]

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

limits and latency (fact sheet §6, §7, §11.1):
  thread gate     3 concurrent requests per (integration code, entity); the next gets 429
  hourly budget   10,000 requests per rolling 60 minutes; +0.5 s per request past 50%,
                  +1 s past 75%; over it 429 until the window frees
  attachments     6 MiB per file; 10,000,000 bytes per rolling 5 minutes, then 500
  --latency-ms is served while a request holds its slot: throughput <= thread-limit / latency

faults: 429, thread, 500, 503 and reset-before answer before the request is applied;
reset-after and truncate apply it and then lose or cut the answer; slow adds --slow-ms.

--deny (a security level lacking permissions): a denied query or write answers 500 "The logged
in Resource does not have the adequate permissions to query this entity type." (create, update,
delete alike); a denied get answers {"item": null}; entityInformation reports canX false.
"""

DEFAULT_USERNAME = "emulator@example.com"
DEFAULT_SECRET = "emulator-secret"
DEFAULT_INTEGRATION_CODE = "EMULATORINTEGRATIONCODE"


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

    @classmethod
    def resolve(cls, ns: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
        """Combine parsed flags with ``AUTOTASK_EMULATOR_*`` variables (flags win)."""
        env = os.environ if environ is None else environ
        return cls(
            host=ns.host,
            port=ns.port,
            db=ns.db,
            data=ns.data,
            username=ns.username or env.get("AUTOTASK_EMULATOR_USERNAME") or DEFAULT_USERNAME,
            secret=ns.secret or env.get("AUTOTASK_EMULATOR_SECRET") or DEFAULT_SECRET,
            integration_code=ns.integration_code
            or env.get("AUTOTASK_EMULATOR_INTEGRATION_CODE")
            or DEFAULT_INTEGRATION_CODE,
            quirks=Quirks.from_namespace(ns),
            limits=LimitSettings.from_namespace(ns),
            permissions=permissions_from_rules(ns.deny or ()),
        )


def _deny_rule(text: str) -> str:
    try:
        parse_rule(text)
    except PermissionRuleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


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
    auth.add_argument(
        "--deny",
        action="append",
        type=_deny_rule,
        metavar="ENTITY[:OPS]",
        help="simulate a security level without these permissions (repeatable): OPS are "
        "letters of Q (query) G (get) C (create) U (update) D (delete), all when omitted; "
        "e.g. --deny Tickets:CUD --deny Contacts",
    )
    add_limit_arguments(parser)
