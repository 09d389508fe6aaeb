"""The request pipeline: one function every API request passes through, and its stages.

``Api.handle(ctx)`` resolves the route (a pure lookup; the template names the request in the
statistics even when a stage answers first), runs the ``before`` hook of each *stage* in order,
then the handler, then the ``after`` hooks of the stages that let the request through, in
reverse order, and finally records statistics and the request log. Every stage plugs in the same
way (CONTRACTS §5):

- ``before(ctx)`` may answer instead of the handler (an injected fault, a 401, a 429 from the
  thread gate or the hourly budget) or delay (``--latency-ms`` while holding a slot, ``slow``);
  it sees the route template, the bucket (entity acted on), the integration code and the body
  size in the ``Context``;
- ``after(ctx, response)`` runs once the request was served (release the slot; reset-after and
  truncate turn the answer into a dropped or cut connection via ``Response.close`` /
  ``Response.truncate_at``);
- ``reset()`` runs on ``POST /_emulator/reset``.

The emulator's stages, outermost first (app.py): the faults (a load balancer or the network
fails a request whatever its route, before routing and authentication), the query-string limit
of an IIS front (``--max-query-string``), ``Authentication`` (below), then the limits (thread
gate, hourly budget, latency). A path that resolves to no
route passes the stages untouched and is answered 404/405 here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from autotask.emulator.api import routes
from autotask.emulator.api.routes import Miss
from autotask.emulator.clock import Clock
from autotask.emulator.exchange import (
    Context,
    Response,
    errors,
    message,
    method_not_allowed,
    not_found,
    unexpected_error,
)
from autotask.emulator.model import wire
from autotask.emulator.settings import Settings

log = logging.getLogger(__name__)

REQUEST_LOG_SIZE = 1000
DENIED = "Authorization has been denied for this request."


class Stage(Protocol):
    """A pipeline hook (see the module docstring)."""

    def before(self, ctx: Context) -> Response | None:
        """Answer instead of the handler, or None to go on."""

    def after(self, ctx: Context, response: Response) -> Response:
        """Runs after the handler when ``before`` let the request through."""

    def reset(self) -> None:
        """Clear state for ``POST /_emulator/reset``."""


class Handler(Protocol):
    """What the pipeline calls once a request is routed and admitted (api/handlers.py)."""

    def dispatch(self, ctx: Context) -> Response:
        """Serve the routed request."""


class Authentication:
    """The stage that checks the three headers of routes that need them (fact sheet §2)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def before(self, ctx: Context) -> Response | None:
        """Check the three headers (names case-insensitive, fact sheet §2).

        Unknown user and wrong integration code are 500 with the recorded texts
        (error_500_invalid_username.json, error_500_invalid_integration_code.json); a wrong
        secret for a known user is 401 (§2, apigrate #19). The 401 body is ASP.NET's
        authorization message (not captured; §2 marks it unverified). ``--auth-failure-status
        401`` answers the unknown user and integration code with that 401 too.
        """
        if ctx.route is None or not ctx.route.auth:
            return None
        headers = ctx.headers
        user = (headers.get("UserName") or "").strip()
        unknown_as_401 = self.settings.quirks.auth_failure_status == 401
        if user.lower() != self.settings.username.lower():
            if unknown_as_401:
                return message(401, DENIED)
            return errors(500, "Zone information could not be determined")
        if (headers.get("ApiIntegrationCode") or "").strip() != self.settings.integration_code:
            if unknown_as_401:
                return message(401, DENIED)
            return errors(500, "IntegrationCode is invalid.")
        if headers.get("Secret") != self.settings.secret:
            return message(401, DENIED)
        ctx.integration_code = self.settings.integration_code
        return None

    def after(self, ctx: Context, response: Response) -> Response:
        """Nothing to undo."""
        return response

    def reset(self) -> None:
        """No state."""


class Api:
    """The pipeline of every ``/ATServicesRest/`` request."""

    def __init__(
        self,
        clock: Clock,
        handler: Handler,
        stages: Sequence[Stage] = (),
        *,
        asp_net_server_errors: bool = False,
    ) -> None:
        """Create the pipeline.

        Args:
            clock: the emulator's clock (request log times).
            handler: serves routed requests once every stage let them through.
            stages: the stages, outermost first.
            asp_net_server_errors: answer a failure of the emulator itself with ASP.NET's
                ``{"Message"}`` body instead of Autotask's unexpected-error text.
        """
        self.asp_net_server_errors = asp_net_server_errors
        self.clock = clock
        self.handler = handler
        self.stages: tuple[Stage, ...] = tuple(stages)
        self._lock = threading.Lock()
        self._requests: dict[str, dict[str, int]] = {}
        self._log: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)

    def handle(self, ctx: Context) -> Response:
        """Route, run the stages and the handler; never raises."""
        resolved = routes.resolve(ctx.method, ctx.path)
        ctx.template = resolved.template
        if not isinstance(resolved, Miss):
            ctx.route, ctx.bucket = resolved, resolved.bucket
        passed: list[Stage] = []
        response: Response | None = None
        try:
            for stage in self.stages:
                response = stage.before(ctx)
                if response is not None:
                    break
                passed.append(stage)
            if response is None:
                response = self._serve(ctx, resolved)
        except Exception:  # the server must survive any bug with a 500, never die
            log.exception("unhandled error serving %s %s", ctx.method, ctx.path)
            response = unexpected_error(self.asp_net_server_errors)
        for stage in reversed(passed):
            response = stage.after(ctx, response)
        self._record(ctx, response)
        return response

    def _serve(self, ctx: Context, resolved: routes.Route | Miss) -> Response:
        if isinstance(resolved, Miss):
            if resolved.status == 405:
                return method_not_allowed(ctx.method)
            return not_found(ctx.base_url + ctx.path)
        return self.handler.dispatch(ctx)

    def _record(self, ctx: Context, response: Response) -> None:
        # A dropped connection (reset-before, reset-after) sent no status at all.
        status = "dropped" if response.drop else str(response.status)
        entry = {
            "time": wire.format_datetime(wire.canonical_datetime(self.clock.now())),
            "method": ctx.method,
            "path": ctx.path,
            "route": ctx.template,
            "status": "dropped" if response.drop else response.status,
            "bodySize": ctx.body_size,
            "durationMs": round((time.monotonic() - ctx.started) * 1000, 3),
            "latencyMs": round(ctx.latency * 1000),
            "headers": masked_headers(ctx.headers),
        }
        with self._lock:
            per_status = self._requests.setdefault(ctx.route_key, {})
            per_status[status] = per_status.get(status, 0) + 1
            self._log.append(entry)

    def request_counts(self) -> dict[str, dict[str, int]]:
        """``{"METHOD template": {status: n}}`` for ``/_emulator/stats``."""
        with self._lock:
            return {k: dict(v) for k, v in self._requests.items()}

    def recent(self) -> list[dict[str, Any]]:
        """The request log, oldest first, secrets masked."""
        with self._lock:
            return list(self._log)

    def reset(self) -> None:
        """Clear counters, the log and every stage."""
        with self._lock:
            self._requests.clear()
            self._log.clear()
        for stage in self.stages:
            stage.reset()


_SECRET_HEADERS = frozenset({"secret", "apiintegrationcode"})
_LOGGED_HEADERS = frozenset(
    {"username", "secret", "apiintegrationcode", "impersonationresourceid", "content-type"}
)


def masked_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The Autotask headers of a request with the secret and integration code masked."""
    items = headers.items() if hasattr(headers, "items") else []
    return {
        name: ("***" if name.lower() in _SECRET_HEADERS else value)
        for name, value in items
        if name.lower() in _LOGGED_HEADERS
    }
