"""The limits and faults as stages of the request pipeline (pipeline.py's one plug-in shape).

Three stages, in this order around every ``/ATServicesRest/`` request (app.py puts the
authentication stage before the limits):

1. ``FaultStage`` (outermost, every API path, before authentication, like a load balancer or
   the network would): decides the request's faults (faults.py). A ``500`` (Autotask's
   unexpected-error answer), ``503``, ``429``, ``thread`` or ``reset-before`` answers instead
   of the API and nothing is applied;
   ``reset-after`` and ``truncate`` spoil the answer of an applied request (``after``);
   ``slow`` marks the request for the limit stage's delay, and ``after`` serves it for a
   request that never reached that stage.
2. ``QueryStringLimit`` (``--max-query-string N``, off by default): IIS's request filtering in
   front of the API refuses a query string longer than N characters (its default limit is
   2,048) with its 404.15 page, before ASP.NET routes or authenticates anything.
3. ``LimitStage`` (authenticated routes only, after authentication, before the handler):
   takes a slot in the thread gate of (integration code, entity acted on), then asks the hourly
   budget, then serves the budget's added latency + the opt-in thread latency + ``slow``
   before the handler, *while holding the slot*. ``--latency-ms`` is the least time a request
   then takes in all, the handler's own work included: ``after`` waits out what is left of it,
   still holding the slot, so the throughput bound is exactly ``thread_limit / latency``
   (CONTRACTS §5) rather than that less the emulator's own processing. ``after`` then gives the
   slot back before the answer is written, so a client that sends its next request as soon as
   it reads an answer never races its own previous request for the slot.
   It also serves the attachment byte limits to the handlers and the ThresholdInformation body.

Rejected requests (thread gate, hourly budget) are not counted in the budget, and a request
refused by the gate does not reach the budget at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from autotask.emulator.exchange import Context, Response, errors, unexpected_error
from autotask.emulator.limits.faults import (
    NO_FAULT,
    CannedAnswer,
    FaultDecision,
    FaultPlan,
    FaultRule,
    canned_answer,
    plan_from_json,
)
from autotask.emulator.limits.gates import (
    AttachmentWindow,
    Bucket,
    HourlyBudget,
    ThreadGate,
    request_threshold_text,
    thread_latency,
    thread_threshold_text,
    threshold_information,
)
from autotask.emulator.settings import LimitSettings, Quirks

Sleep = Callable[[float], None]


def thread_text(limits: LimitSettings, quirks: Quirks) -> str:
    """The text of a thread-limit rejection: ``--thread-limit-text`` or the fact sheet's."""
    return quirks.thread_limit_text or thread_threshold_text(limits.thread_limit or 3)


def hourly_text(limits: LimitSettings, quirks: Quirks) -> str:
    """The text of an hourly-threshold rejection: ``--hourly-limit-text`` or the default."""
    return quirks.hourly_limit_text or request_threshold_text(limits.hourly_limit or 10_000)


class LimitStage:
    """Thread gate, hourly budget, latency and attachment bytes (see the module docstring)."""

    def __init__(
        self,
        limits: LimitSettings,
        quirks: Quirks,
        seconds: Callable[[], float],
        sleep: Sleep = time.sleep,
    ) -> None:
        """Create the stage.

        Args:
            limits: the limit flags.
            quirks: the quirk flags (thread-limit status, Retry-After on hourly rejections).
            seconds: the emulator clock's monotonic seconds (``Clock.seconds``).
            sleep: how to wait (real time: latency is real even when the clock is moved).
        """
        self.limits = limits
        self.quirks = quirks
        self.gate = ThreadGate(limits.thread_limit)
        self.budget = HourlyBudget(seconds, limits.hourly_limit, limits.threshold_latency_ms)
        self.attachments = AttachmentWindow(
            seconds, limits.attachment_max_bytes, limits.attachment_window_bytes
        )
        self._sleep = sleep
        self._latency = limits.latency_ms / 1000
        self._slow = limits.slow_ms / 1000
        self._thread_answer = errors(quirks.thread_limit_status, thread_text(limits, quirks))

    def before(self, ctx: Context) -> Response | None:
        """Take the slot, count the request, serve the latency; or answer a rejection."""
        if ctx.route is None or not ctx.route.auth:
            return None  # unrouted, versioninformation, zoneInformation: no limits
        bucket = None
        concurrent = 0
        if ctx.bucket is not None:
            bucket = Bucket(ctx.integration_code or "", ctx.bucket)
            concurrent = self.gate.try_acquire(bucket)
            if not concurrent:
                return self._thread_answer
        admission = self.budget.admit()
        if not admission.admitted:
            if bucket is not None:
                self.gate.release(bucket)
            return self._hourly_answer(admission.retry_after)
        delay = (
            admission.delay
            + thread_latency(concurrent, self.limits.thread_latency_ms)
            + (self._slow if ctx.slow else 0.0)
        )
        ctx.slow = False  # served here, holding the slot
        if delay > 0:
            ctx.latency += delay
            self._sleep(delay)
        ctx.service_started = time.monotonic()
        return None

    def after(self, ctx: Context, response: Response) -> Response:
        """Wait out the rest of ``--latency-ms``, then give the slot back (before the answer
        is written)."""
        if ctx.service_started is not None and self._latency > 0:
            # The request log shows the latency set (the least time the request took), not
            # the rest waited here, which depends on how fast this machine handled it.
            ctx.latency += self._latency
            rest = self._latency - (time.monotonic() - ctx.service_started)
            if rest > 0:
                self._sleep(rest)
        if ctx.bucket is not None:
            self.gate.release(Bucket(ctx.integration_code or "", ctx.bucket))
        return response

    def _hourly_answer(self, retry_after: int) -> Response:
        # fact sheet §11.1 (b): most likely 429 with the threshold text (status switchable);
        # Retry-After only when switched on.
        headers = (("Retry-After", str(retry_after)),) if self.quirks.hourly_retry_after else ()
        response = errors(self.quirks.hourly_limit_status, hourly_text(self.limits, self.quirks))
        response.headers = headers
        return response

    def check_attachment(self, ctx: Context, size: int) -> Response | None:
        """The handlers' hook before storing an attachment of ``size`` decoded bytes."""
        verdict = self.attachments.check_and_record(size)
        return None if verdict.error is None else errors(500, verdict.error)

    def threshold_info(self) -> dict[str, int]:
        """The ThresholdInformation body (this request already counted, §11.8)."""
        return threshold_information(self.budget.limit, self.budget.count())

    def in_flight(self) -> dict[str, int]:
        """Requests holding a slot now, per entity (``/_emulator/stats`` ``in_flight``)."""
        return self.gate.in_flight_by_entity()

    def reset(self) -> None:
        """Clear counters, the budget and the attachment window (held slots stay held)."""
        self.gate.reset_counters()
        self.budget.reset()
        self.attachments.reset()


class FaultStage:
    """Decides and applies the injected faults of each API request (see the module docstring)."""

    def __init__(self, limits: LimitSettings, quirks: Quirks) -> None:
        """Create the stage with the ``--faults`` rules and ``--fault-seed``.

        Args:
            limits: the limit and fault flags.
            quirks: the rejection texts and thread-limit status, which ``thread`` and ``429``
                answer exactly like the real limits.
        """
        self.limits = limits
        self.quirks = quirks
        self.start_rules: tuple[FaultRule, ...] = limits.faults
        self.start_seed = limits.fault_seed
        self.plan = FaultPlan(limits.faults, limits.fault_seed)
        self._answers: dict[str, CannedAnswer] = {
            kind: canned_answer(
                kind,
                thread_text=thread_text(limits, quirks),
                thread_status=quirks.thread_limit_status,
                request_text=hourly_text(limits, quirks),
                retry_after=limits.fault_retry_after,
            )
            for kind in ("429", "thread", "503")
        }

    def before(self, ctx: Context) -> Response | None:
        """Answer a before-apply fault, or mark the request for an after-apply one."""
        decision = self._decide(ctx)
        if not decision.before:
            ctx.fault = decision.kind  # None, or reset-after / truncate for ``after``
            return None
        self._serve_slow(ctx)
        if decision.kind == "reset-before":
            return Response(0, b"", drop=True)
        assert decision.kind is not None
        if decision.kind == "500":
            return unexpected_error(self.quirks.asp_net_server_errors)
        canned = self._answers[decision.kind]
        return Response(
            canned.status, canned.body, canned.headers, content_type=canned.content_type
        )

    def after(self, ctx: Context, response: Response) -> Response:
        """Serve a ``slow`` delay no later stage served, then spoil an applied answer."""
        self._serve_slow(ctx)
        if ctx.fault is None:
            return response
        if ctx.fault == "reset-after":
            return Response(response.status, b"", drop=True)
        # truncate: the status line, the headers (with the full Content-Length) and half of
        # the body go out, then the connection closes.
        return Response(
            response.status,
            response.body,
            response.headers,
            close=True,
            truncate_at=len(response.body) // 2,
            content_type=response.content_type,
        )

    def _decide(self, ctx: Context) -> FaultDecision:
        """The faults of this request (``NO_FAULT`` fast when no rule is set)."""
        if not self.plan.active:
            return NO_FAULT
        decision = self.plan.decide(ctx.method, ctx.path)
        ctx.slow = decision.slow
        return decision

    def _serve_slow(self, ctx: Context) -> None:
        """Serve a ``slow`` delay the limit stage did not (unauthenticated or refused routes)."""
        if ctx.slow:
            ctx.slow = False
            ctx.latency += self.limits.slow_ms / 1000
            time.sleep(self.limits.slow_ms / 1000)

    def replace(self, body: object) -> dict[str, object]:
        """Serve ``POST /_emulator/faults``: new rules and seed; returns the plan read back.

        Raises:
            faults.FaultRuleError: when the body does not follow CONTRACTS §5.
        """
        seed, rules = plan_from_json(body)
        self.plan.replace(rules, seed)  # fresh RNGs and counters; the fault counts stay
        return self.plan.to_json()

    def reset(self) -> None:
        """Back to the ``--faults`` rules, with fresh RNGs and counters."""
        self.plan.replace(self.start_rules, self.start_seed)
        self.plan.reset()


# IIS's answer to a query string over requestLimits/@maxQueryString: HTTP 404 with substatus 15
# and its error page (an HTML body, not JSON). The two sentences are the ones IIS prints.
QUERY_STRING_TOO_LONG = (
    b"<!DOCTYPE html>\r\n<html><head><title>IIS Detailed Error - 404.15 - Not Found</title>"
    b"</head>\r\n<body><h3>HTTP Error 404.15 - Not Found</h3>\r\n"
    b"<h4>The request filtering module is configured to deny a request where the query string "
    b"is too long.</h4>\r\n"
    b"<p>Most likely causes: request filtering is configured on the web server to deny the "
    b"request because the query string is too long.</p>\r\n"
    b"<p>Things you can try: verify the configuration/system.webServer/security/"
    b"requestFiltering/requestLimits@maxQueryString setting.</p>\r\n</body></html>\r\n"
)


class QueryStringLimit:
    """IIS request filtering: a query string over ``limit`` characters gets the 404.15 page."""

    def __init__(self, limit: int) -> None:
        """Create the stage.

        Args:
            limit: the longest query string accepted, in characters of the raw (encoded)
                string; 0 accepts any length.
        """
        self.limit = limit

    def before(self, ctx: Context) -> Response | None:
        """Refuse an over-long query string, whatever the route."""
        if self.limit and ctx.query_length > self.limit:
            return Response(404, QUERY_STRING_TOO_LONG, content_type="text/html")
        return None

    def after(self, ctx: Context, response: Response) -> Response:
        """Nothing to undo."""
        return response

    def reset(self) -> None:
        """No state."""
