"""The request pipeline: one function every API request passes through, with hook points.

``Api.handle(ctx)`` runs, in order: route resolution, authentication, the ``before`` hook of
each *stage*, the handler, then the ``after`` hooks in reverse order, and finally statistics and
the request log. A stage is where the limits and faults of the next issue plug in without
touching the handlers (CONTRACTS §5):

- ``before(ctx)`` may answer instead of the handler (a 429 from the thread gate or the hourly
  budget, an injected 500/503/429, a reset-before), or delay (``--latency-ms`` while holding a
  slot, ``slow``), and it sees the route template, the bucket (entity acted on), the
  integration code and the body size in the ``Context``;
- ``after(ctx, response)`` runs once the request was applied (release the slot; reset-after
  and truncate turn the answer into a dropped or cut connection via ``Response.close`` /
  ``Response.truncate_at``);
- ``reset()`` runs on ``POST /_emulator/reset``.

The stage in use is limit_stages.LimitStage (thread gate, hourly budget, latency); the faults
of limit_stages.FaultLayer wrap the whole pipeline, before routing and authentication, because
a load balancer or the network fails a request whatever its route (CONTRACTS §5).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from autotask.emulator import routes, wire
from autotask.emulator.clock import Clock
from autotask.emulator.faults import NO_FAULT
from autotask.emulator.options import Settings
from autotask.emulator.routes import Miss, Route

if TYPE_CHECKING:
    from autotask.emulator.limit_stages import FaultLayer

log = logging.getLogger(__name__)

REQUEST_LOG_SIZE = 1000
DENIED = "Authorization has been denied for this request."


@dataclass
class Context:
    """One API request as it passes through the pipeline."""

    method: str
    path: str  # after /ATServicesRest/, without the query string
    query: Mapping[str, str]  # query parameters, names lower-cased (ASP.NET binds them so)
    headers: Mapping[str, str]  # case-insensitive (email.message.Message)
    body: bytes
    base_url: str  # http://HOST:PORT/ATServicesRest/ from the Host header (CONTRACTS §5)
    client: str = ""
    route: Route | None = None
    template: str = routes.UNMATCHED  # "Tickets/{id}/Notes"
    bucket: str | None = None  # entity acted on: the thread-limit key
    integration_code: str | None = None  # set once authenticated
    attachment_bytes: int = 0  # decoded attachment size of a create (for the byte window)
    slow: bool = False  # a `slow` fault: the limit stage adds --slow-ms to the latency
    latency: float = 0.0  # seconds of latency the stages added (in the request log)
    started: float = field(default_factory=time.monotonic)

    @property
    def body_size(self) -> int:
        """Bytes in the request body."""
        return len(self.body)

    @property
    def route_key(self) -> str:
        """``"METHOD template"``, the key of ``/_emulator/stats`` ``requests``."""
        return f"{self.method} {self.template}"


@dataclass
class Response:
    """What goes back on the wire."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    close: bool = False  # drop the connection after writing (or instead: see truncate_at)
    truncate_at: int | None = None  # write only this many bytes of the body, then close
    drop: bool = False  # write nothing at all and close (a reset)
    content_type: str = "application/json; charset=utf-8"


def json_response(status: int, obj: Any) -> Response:
    """A JSON body without decimal fields."""
    return Response(status, wire.dumps(obj))


def errors(status: int, *texts: str) -> Response:
    """Autotask's error shape: ``{"errors": ["..."]}`` (fact sheet §5)."""
    return json_response(status, {"errors": list(texts)})


def message(status: int, text: str) -> Response:
    """ASP.NET Web API's framework error shape: ``{"Message": "..."}`` (fact sheet §5)."""
    return json_response(status, {"Message": text})


def method_not_allowed(method: str) -> Response:
    """405 in ASP.NET's words (fact sheet §5, Anteris #12)."""
    return message(405, f"The requested resource does not support http method '{method}'.")


def not_found(url: str) -> Response:
    """404 in ASP.NET's words."""
    return message(404, f"No HTTP resource was found that matches the request URI '{url}'.")


class BadRequest(Exception):
    """A request that gets ``response`` instead of being served."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


_JSON_TYPES = ("application/json", "text/json")


def json_body(ctx: Context) -> Any:
    """The decoded JSON body, None when empty.

    Raises:
        BadRequest: 415 for a non-JSON content type, 500 for malformed JSON.
    """
    if not ctx.body.strip():
        return None
    content_type = (ctx.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type and content_type not in _JSON_TYPES and not content_type.endswith("+json"):
        raise BadRequest(
            message(
                415,
                f"The request entity's media type '{content_type}' is not supported for "
                "this resource.",
            )
        )
    try:
        return json.loads(ctx.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(errors(500, f"The request body is not valid JSON: {exc}.")) from None


class Stage(Protocol):
    """A pipeline hook (see the module docstring)."""

    def before(self, ctx: Context) -> Response | None:
        """Answer instead of the handler, or None to go on."""

    def after(self, ctx: Context, response: Response) -> Response:
        """Runs after the handler when ``before`` let the request through."""

    def reset(self) -> None:
        """Clear state for ``POST /_emulator/reset``."""


class Handler(Protocol):
    """What the pipeline calls once a request is routed and admitted (handlers.py)."""

    def dispatch(self, ctx: Context) -> Response:
        """Serve the routed request."""


class Api:
    """The pipeline of every ``/ATServicesRest/`` request."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        handler: Handler,
        stages: Sequence[Stage] = (),
        faults: FaultLayer | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.handler = handler
        self.stages: list[Stage] = list(stages)
        self.faults = faults
        self._lock = threading.Lock()
        self._requests: dict[str, dict[str, int]] = {}
        self._log: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)

    def handle(self, ctx: Context) -> Response:
        """Route, authenticate, run the stages and the handler; never raises."""
        decision = NO_FAULT if self.faults is None else self.faults.decide(ctx)
        if decision.before and self.faults is not None:
            ctx.template = routes.resolve(ctx.method, ctx.path).template  # for the stats
            self.faults.serve_slow(ctx)
            response = self.faults.answer(decision)
            self._record(ctx, response)
            return response
        try:
            response = self._handle(ctx)
        except Exception:  # the server must survive any bug with a 500, never die
            log.exception("unhandled error serving %s %s", ctx.method, ctx.path)
            response = errors(500, "An unexpected error occurred in the emulator.")
        if self.faults is not None:
            self.faults.serve_slow(ctx)
            if decision.after:
                response = self.faults.spoil(decision, response)
        self._record(ctx, response)
        return response

    def _handle(self, ctx: Context) -> Response:
        resolved = routes.resolve(ctx.method, ctx.path)
        if isinstance(resolved, Miss):
            ctx.template = resolved.template
            if resolved.status == 405:
                return method_not_allowed(ctx.method)
            return not_found(ctx.base_url + ctx.path)
        ctx.route, ctx.template, ctx.bucket = resolved, resolved.template, resolved.bucket
        if resolved.auth:
            denied = self.authenticate(ctx)
            if denied is not None:
                return denied
        passed: list[Stage] = []
        response: Response | None = None
        try:
            for stage in self.stages if resolved.auth else ():
                response = stage.before(ctx)
                if response is not None:
                    break
                passed.append(stage)
            if response is None:
                response = self.handler.dispatch(ctx)
        finally:
            for stage in reversed(passed):
                response = stage.after(ctx, response or errors(500, "No answer."))
        assert response is not None
        return response

    def authenticate(self, ctx: Context) -> Response | None:
        """Check the three headers (names case-insensitive, fact sheet §2).

        Unknown user and wrong integration code are 500 with the recorded texts
        (error_500_invalid_username.json, error_500_invalid_integration_code.json); a wrong
        secret for a known user is 401 (§2, apigrate #19). The 401 body is ASP.NET's
        authorization message (not captured; §2 marks it unverified). ``--auth-failure-status
        401`` answers the unknown user and integration code with that 401 too.
        """
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
