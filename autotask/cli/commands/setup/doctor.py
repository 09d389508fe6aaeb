"""``autotask doctor``: check the setup step by step, one line per check."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autotask.cli.args import add_command
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode, exit_code_for
from autotask.errors import AutotaskError, RateLimited
from autotask.profiles import ProfileStore, config_path

EXAMPLES = (
    ("check the default setup", "autotask doctor"),
    ("check a profile, in a cron job's log", "autotask --profile prod doctor -o jsonl"),
)
CHECKS = ("config", "credentials", "tls", "zone", "auth", "usage")


def register(subparsers: Any) -> None:
    """Add ``doctor``."""
    add_command(
        subparsers,
        "doctor",
        help="check config file, credentials, TLS, zone, authentication and usage",
        description=(
            "Check, in order: the config file (and that only its owner can read it), where "
            "each credential comes from, the CA certificates used, the zone URL, that the "
            "credentials authenticate (with the round-trip time), and the hourly usage. One "
            "line per check; a check whose prerequisite failed is skipped. Exits 0 only when "
            "every check passes, else with the code of the first failure."
        ),
        examples=EXAMPLES,
        run=run,
    )


@dataclass
class Result:
    """One check's outcome: ``ok`` True/False, or None when skipped."""

    check: str
    ok: bool | None
    detail: str
    error: BaseException | None = None

    @property
    def word(self) -> str:
        """``ok``, ``FAIL`` or ``skip``."""
        return {True: "ok", False: "FAIL", None: "skip"}[self.ok]


class _Doctor:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.results: list[Result] = []
        self.figures: dict[str, int] = {}
        self.round_trip = 0.0

    def step(self, name: str, check: Callable[[], str], needs: tuple[str, ...] = ()) -> None:
        failed = [r.check for r in self.results if r.check in needs and not r.ok]
        if failed:
            self.results.append(Result(name, None, f"needs {', '.join(failed)}"))
            return
        try:
            self.results.append(Result(name, True, check()))
        except (AutotaskError, OSError) as exc:
            self.results.append(Result(name, False, str(exc), exc))

    def config(self) -> str:
        store = ProfileStore(config_path(self.ctx.env.environ))
        mode = store.mode()
        if mode is None:
            return f"no config file at {store.path} (environment only)"
        store.check_mode()
        profile = self.ctx.settings().profile
        used = f"profile {profile!r}" if profile else "no profile used"
        return f"{store.path} (mode {mode:04o}, {used})"

    def credentials(self) -> str:
        settings = self.ctx.settings()
        settings.require_credentials()
        where = settings.sources
        return (
            f"username {settings.values['username']} ({where['username']}); integration code "
            f"({where['integration_code']}); secret ({where['secret']})"
        )

    def tls(self) -> str:
        from autotask.wire._tls import ca_bundle, tls_context

        settings = self.ctx.settings()
        ca_file = settings.values.get("ca_file")
        cafile, capath = ca_bundle(ca_file, self.ctx.env.environ)
        tls_context(ca_file, self.ctx.env.environ)  # loads it: fails on a broken bundle
        if cafile or capath:
            return f"CA certificates from {cafile or capath}"
        return "CA certificates from OpenSSL's default paths"

    def zone(self) -> str:
        client = self.ctx.client()
        url = client.zone_url
        settings = self.ctx.settings()
        if "api_url" in settings.values:
            return f"{url} (given by {settings.sources['api_url']})"
        return f"{url} (discovered via {client.transport.zone.lookup_url})"

    def auth(self) -> str:
        started = time.perf_counter()
        self.figures = self.ctx.client().usage()
        self.round_trip = time.perf_counter() - started
        user = self.ctx.settings().values["username"]
        return f"authenticated as {user}; round trip {self.round_trip * 1000:.0f} ms"

    def usage(self) -> str:
        used = self.figures.get("currentTimeframeRequestCount", 0)
        limit = self.figures.get("externalRequestThreshold", 0)
        minutes = self.figures.get("requestThresholdTimeframe", 60)
        text = f"{used} of {limit} requests in the last {minutes} minutes"
        if limit and used >= limit:
            raise RateLimited(f"the hourly threshold is used up: {text}")
        return text + (f" ({100 * used / limit:.1f}%)" if limit else "")


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Run every check and print one line each."""
    doctor = _Doctor(ctx)
    doctor.step("config", doctor.config)
    doctor.step("credentials", doctor.credentials, ("config",))
    doctor.step("tls", doctor.tls, ("config",))
    doctor.step("zone", doctor.zone, ("credentials", "tls"))
    doctor.step("auth", doctor.auth, ("zone",))
    doctor.step("usage", doctor.usage, ("auth",))
    _print(ctx, doctor.results)
    for result in doctor.results:
        if result.ok is False:
            return exit_code_for(result.error) if result.error else ExitCode.UNEXPECTED
    return ExitCode.OK


def _print(ctx: Context, results: list[Result]) -> None:
    if ctx.format in ("table", "summary"):
        out = ctx.env.stdout
        for r in results:
            out.write(f"{r.word:<4}  {r.check:<11}  {r.detail}\n")
        out.flush()
        return
    writer = ctx.writer(columns=("check", "result", "detail"), noun="checks")
    try:
        for r in results:
            writer.write({"check": r.check, "result": r.word, "detail": r.detail})
    finally:
        ctx.finish(writer)
