"""THE chokepoint: every request of the library goes through :meth:`Transport.send`.

Headers, credentials (same origin only), the thread gate and hourly budget, urllib3, JSON
decoding, error wrapping, retries and logging happen here and nowhere else (ARCHITECTURE "How a
request flows"). This is the only module that imports urllib3, and no urllib3, socket or ssl
exception escapes it: everything becomes an :mod:`autotask.errors` class with its cause chained.

Retries follow :class:`~autotask.retry.RetryPolicy` (by operation, never by verb); the waiting
happens on an injectable ``sleep`` so tests need no time. A write whose request may have
reached the server is never resent.

The seams the batch engine and attachments build on:

- Every error carries ``applied`` exactly (CONTRACTS §3): ``False`` only when the request was
  certainly not applied (refused before sending, or answered with a refusal: 4xx, 429, a
  thread-limit rejection, a 500 with ``errors[]`` text). A write that gets no usable answer
  (reset, read timeout, cut-off body, 502/503/504, a 500 without error text) raises
  :class:`~autotask.errors.OutcomeUnknown`, and only then: ``applied is None`` if and only if
  the error is an ``OutcomeUnknown``. A caller with a dedupe key looks the record up; others
  report it.
- A request body may be a :class:`StreamBody` (a factory of byte chunks with a known
  Content-Length, rebuilt per attempt), and ``stream=True`` hands back an unread
  :class:`StreamedResponse` that holds its thread-gate slot until closed.
- :meth:`Transport.tries_here` counts the tries of the calling thread's sends, so a batch reports
  each item's requests exactly, successes included (errors carry ``attempts`` themselves).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import urllib3
import urllib3.exceptions as u3

from autotask._log import get_logger, mask
from autotask.config import Credentials, RequestConfig
from autotask.errors import (
    AutotaskError,
    ConfigError,
    InvalidRequest,
    OutcomeUnknown,
    RateLimited,
    ThreadLimitExceeded,
    TransportError,
)
from autotask.retry import Failure, Operation, RetryPolicy
from autotask.wire._answers import oversized_answer, parse_usage, read_answer
from autotask.wire._request import Request, StreamBody, json_bytes, request_url
from autotask.wire._tls import (
    LEGACY_REASON,
    failed_before_sending,
    legacy_renegotiation_retry,
    tls_context,
)
from autotask.wire.limits import AttachmentWindow, HourlyBudget, Reservation, ThreadGate
from autotask.wire.origins import origin_of
from autotask.wire.zones import ZoneResolver, zone_resolver

__all__ = ["Request", "StreamBody", "StreamedResponse", "Transport"]

_log = get_logger(__name__)
_ERROR_BODY_LIMIT = 64 * 1024  # bytes of an error body read from a streamed answer
# Connections kept per host: ``concurrency`` for each of this many entities in flight at once (a
# batch's writes, its lookups, a child route, the ThresholdInformation checks). The thread gate
# is per entity, so a pool of only ``concurrency`` would open and discard connections (and
# urllib3 would log "Connection pool is full") as soon as two entities are busy.
_POOL_ENTITIES = 4
# The client's own requests, not counted by tries_here(): they serve every item, not one.
_UNCOUNTED = frozenset({Operation.ZONE, Operation.USAGE, Operation.METADATA})


class StreamedResponse:
    """A successful answer whose body has not been read yet. Close it (or use ``with``).

    It holds its thread-gate slot until closed, as the server holds its thread while sending.
    Read errors become :class:`~autotask.errors.TransportError`.
    """

    def __init__(
        self,
        response: urllib3.BaseHTTPResponse,
        release: Callable[[], None],
        operation: Operation,
        entity: str | None,
    ) -> None:
        self.status = response.status
        self.headers: Mapping[str, str] = dict(response.headers)
        self._response = response
        self._release: Callable[[], None] | None = release
        self._operation = operation
        self._entity = entity

    def read(self, amt: int | None = None) -> bytes:
        """Up to ``amt`` bytes (all when None); ``b""`` at the end."""
        try:
            return self._response.read(amt)
        except (u3.HTTPError, OSError) as exc:
            raise TransportError(
                f"answer broken off: {exc}", operation=self._operation.value, entity=self._entity
            ) from exc

    def stream(self, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
        """The body in chunks of at most ``chunk_size`` bytes."""
        while True:
            chunk = self.read(chunk_size)
            if not chunk:
                return
            yield chunk

    def close(self) -> None:
        """Release the connection and the thread-gate slot (idempotent)."""
        release, self._release = self._release, None
        if release is None:
            return
        try:
            with contextlib.suppress(u3.HTTPError, OSError):
                self._response.drain_conn()
        finally:
            self._response.release_conn()
            release()

    def __enter__(self) -> StreamedResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten stream must not hold its slot forever
        if getattr(self, "_release", None) is not None:
            with contextlib.suppress(Exception):  # may run during interpreter shutdown
                self.close()


class Transport:
    """Sends :class:`Request` values to Autotask. One per client; safe to share between threads.

    Args:
        credentials: who we are.
        config: timeouts, retries, limits, TLS.
        base_url: an explicit zone URL (no discovery), e.g. the emulator's.
        sleep: how to wait (injected for tests).
        clock: monotonic seconds for the budget and the attachment window (injected for
            tests).
        rand: jitter source in [0, 1).
        environ: the environment for the zone lookup URL, the zone cache directory and the
            CA bundle probe (default ``os.environ``).

    Raises:
        ConfigError: the zone lookup URL or ``base_url`` is refused.
    """

    def __init__(
        self,
        credentials: Credentials,
        config: RequestConfig,
        *,
        base_url: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.policy: RetryPolicy = config.retry_policy()
        self.gate = ThreadGate(config.concurrency, max_wait=config.max_thread_wait)
        self.budget = HourlyBudget(
            limit=config.hourly_limit,
            check_every=config.budget_check_every,
            max_wait=config.max_budget_wait,
            clock=clock,
        )
        self.attachment_window = AttachmentWindow(
            config.attachment_window_bytes,
            config.attachment_window_seconds,
            clock=clock,
            sleep=sleep,
        )
        self.zone: ZoneResolver = zone_resolver(
            credentials.username, config, self._fetch_zone, base_url=base_url, environ=environ
        )
        self._sleep = sleep
        self._rand = rand
        self._environ = environ
        self._timeout = urllib3.Timeout(connect=config.connect_timeout, read=config.timeout)
        self._plain_headers = {
            "Accept": "application/json",
            "Content-Type": "application/json",
            "User-Agent": config.user_agent,
        }
        self._auth_headers = {
            **self._plain_headers,
            "ApiIntegrationCode": credentials.integration_code,
            "UserName": credentials.username,
            "Secret": credentials.secret,
        }
        # Two pool managers: the usual one, and (mode "auto") one allowing legacy TLS
        # renegotiation for the Autotask hosts found to need it (_tls.py).
        self._pools: dict[bool, urllib3.PoolManager] = {}
        self._pools_lock = threading.Lock()
        self._legacy_hosts: frozenset[str] = frozenset()
        self._closed = False
        self._tries = threading.local()

    # -- public ----------------------------------------------------------------------------

    def send(self, request: Request) -> Any:
        """Send ``request`` (with retries where safe) and return the decoded JSON answer.

        Returns:
            The decoded JSON body, or a :class:`StreamedResponse` when ``request.stream``.

        Raises:
            OutcomeUnknown: a write may have been applied but no usable answer came back; it
                was not resent.
            AutotaskError: another subclass per cause (CONTRACTS §3), with ``applied=False``;
                never a urllib3/socket/ssl error.
        """
        if self._closed:
            raise ConfigError("the client is closed", operation=request.operation.value)
        if not request.upload_bytes:
            return self._send(request)
        # Attachment bytes are counted once per request, retries included (fact sheet §7).
        reservation = self._reserve_upload(request)
        counted = True
        try:
            return self._send(request)
        except AutotaskError as exc:
            counted = exc.applied is not False  # a refused upload did not count on the server
            raise
        finally:
            self.attachment_window.settle(reservation, counted)

    def _send(self, request: Request) -> Any:
        operation = request.operation
        # The thread-gate bucket is the entity acted on; zoneInformation is exempt (fact sheet §6).
        zone_lookup = operation is Operation.ZONE
        bucket = None if zone_lookup else request.entity
        attempt = 0  # retries so far (the policy's count)
        tries = 0  # every try, the resend after a zone re-discovery included
        rediscovered = False
        while True:
            if request.budgeted and not zone_lookup:
                self._await_budget(request, tries)
            zone_url = None if zone_lookup else self.zone.current()
            url = request.path if zone_url is None else request_url(request, zone_url)
            self._take_slot(request, bucket, tries)
            tries += 1
            if operation not in _UNCOUNTED:
                self._tries.count = self.tries_here() + 1
            failure, error, result = self._attempt(request, url, self._headers(request), bucket)
            if error is None:
                return result
            assert failure is not None
            error.attempts = tries
            if failure is Failure.NOT_SENT and self._allow_legacy_renegotiation(url, error):
                continue  # nothing was sent: reconnect at once, not counted as a retry
            if error.status == 401 and zone_url and not rediscovered:
                # Tenants move between zones; a stale zone answers 401 (fact sheet §1). Look
                # the zone up once more; resend only if it moved.
                rediscovered = True
                if self._rediscover(zone_url):
                    continue
            if failure is Failure.RATE_LIMIT:
                self.budget.mark_exhausted(error.retry_after)
                if not request.budgeted:
                    raise error  # a budget check refused: the budget loop decides, not retries
            delay = self.policy.decide(operation, failure, attempt, error.retry_after, self._rand())
            if delay is None:
                if error.applied is None:
                    raise OutcomeUnknown(
                        f"{error.message}; the {operation.value.lower()} may have been applied, "
                        "so it is not resent",
                        status=error.status,
                        errors=error.errors,
                        operation=operation.value,
                        entity=request.entity,
                        attempts=error.attempts,
                    ) from error
                raise error
            attempt += 1
            _log.info(
                "retrying %s %s in %.2f s (retry %d of %d) after: %s",
                operation.value,
                request.entity or request.path,
                delay,
                attempt,
                self.policy.max_retries,
                error,
            )
            self._sleep(delay)

    def tries_here(self) -> int:
        """How many tries the calling thread's sends have made so far (zone, usage and metadata
        lookups not counted): the difference around a call is the requests it sent."""
        return int(getattr(self._tries, "count", 0))

    def usage(self) -> dict[str, int]:
        """GET ThresholdInformation and feed the hourly budget with it (fact sheet §11.8)."""
        answer = self.send(
            Request(
                Operation.USAGE,
                "GET",
                "ThresholdInformation",
                entity="ThresholdInformation",
                budgeted=False,
            )
        )
        figures = parse_usage(answer, Operation.USAGE)
        self.budget.update(
            figures["externalRequestThreshold"], figures["currentTimeframeRequestCount"]
        )
        return figures

    def close(self) -> None:
        """Close every pooled connection. Further sends raise ``ConfigError``."""
        self._closed = True
        with self._pools_lock:
            for pools in self._pools.values():
                pools.clear()
            self._pools = {}

    # -- steps -----------------------------------------------------------------------------

    def _headers(self, request: Request) -> dict[str, str]:
        """Credentials for every request but zone lookups (fact sheet §1: they need none);
        ``ImpersonationResourceId`` on writes only (fact sheet §2); a streamed body's type and
        length."""
        if request.operation is Operation.ZONE:
            return self._plain_headers
        headers = self._auth_headers
        impersonate = None
        if request.operation.is_write:
            impersonate = request.impersonate
            if impersonate is None:
                impersonate = self.config.impersonation_resource_id
        streamed = isinstance(request.body, StreamBody)
        if impersonate is not None or streamed:
            headers = dict(headers)
            if impersonate is not None:
                headers["ImpersonationResourceId"] = str(impersonate)
            if isinstance(request.body, StreamBody):
                headers["Content-Type"] = request.body.content_type
                headers["Content-Length"] = str(request.body.length)
        return headers

    def _body(self, request: Request) -> Any:
        body = request.body
        if body is None or isinstance(body, bytes):
            return body
        if isinstance(body, StreamBody):
            return body.open()
        return json_bytes(body)

    def _attempt(
        self, request: Request, url: str, headers: dict[str, str], bucket: str | None
    ) -> tuple[Failure | None, AutotaskError | None, Any]:
        """One try, holding the slot :meth:`_take_slot` took (given back here, or by the
        :class:`StreamedResponse`). Returns ``(None, None, result)`` or ``(failure, error,
        None)``."""
        operation, entity = request.operation, request.entity
        holding_slot = True
        try:
            try:
                body = self._body(request)
            except InvalidRequest as exc:  # the body cannot be JSON: nothing is sent
                exc.operation, exc.entity = operation.value, entity
                raise
            debug = _log.isEnabledFor(logging.DEBUG)
            if debug:
                headers_text = mask(str(headers))
                _log.debug(
                    "-> %s %s headers=%s body=%s",
                    request.method,
                    url,
                    headers_text,
                    _describe(body),
                )
            started = time.perf_counter()
            try:
                if operation is not Operation.ZONE:
                    self.budget.record()
                response = self._pool(url).urlopen(
                    request.method,
                    url,
                    body=body,
                    headers=headers,
                    redirect=False,
                    retries=False,
                    timeout=self._timeout,
                    preload_content=False,
                    assert_same_host=False,
                )
                status = response.status
                if request.stream and 200 <= status < 300:
                    holding_slot = False  # the StreamedResponse gives it back when closed
                    release = functools.partial(self.gate.release, bucket, threading.get_ident())
                    return None, None, StreamedResponse(response, release, operation, entity)
                # Never an unbounded read: a streamed request's error answer is only its text.
                limit = _ERROR_BODY_LIMIT if request.stream else self.config.max_answer_bytes
                data, oversized = _read_capped(response, limit)
            except (u3.HTTPError, OSError, ssl.SSLError, ValueError) as exc:
                failure, error = _error_for_exception(exc, operation, entity)
                error.__cause__ = exc
                if debug:
                    _log.debug("<- %s %s failed: %s", request.method, url, exc)
                return failure, error, None
        finally:
            if holding_slot:
                self.gate.release(bucket)
        if debug:
            _log.debug(
                "<- %s %s %d (%d bytes, %.1f ms) %s",
                request.method,
                url,
                status,
                len(data),
                (time.perf_counter() - started) * 1000,
                mask(data[:500].decode("utf-8", "replace")),
            )
        if oversized and 200 <= status < 300 and not request.stream:
            failure, error = oversized_answer(status, limit, operation, entity)
            return failure, error, None
        return read_answer(status, data, response.headers.get("Retry-After"), operation, entity)

    def _reserve_upload(self, request: Request) -> Reservation | None:
        """Room in the attachment byte window for the request's upload, waiting for it."""
        try:
            return self.attachment_window.reserve(request.upload_bytes)
        except InvalidRequest as exc:  # larger than the whole window: it could never fit
            exc.operation, exc.entity = request.operation.value, request.entity
            raise

    def _take_slot(self, request: Request, bucket: str | None, tries: int) -> None:
        """A slot in the thread gate for the next try, or the error saying why there is none."""
        try:
            if self.gate.acquire(bucket):
                return
        except ThreadLimitExceeded as exc:  # a wait that could never end
            exc.operation, exc.attempts = request.operation.value, tries
            raise
        raise ThreadLimitExceeded(
            f"client thread gate: no free slot for {bucket} within {self.gate.max_wait:g} s "
            f"(RequestConfig.max_thread_wait); {self.gate.in_flight(bucket or '')} requests "
            "of it were in flight (open streamed answers hold theirs)",
            operation=request.operation.value,
            entity=request.entity,
            attempts=tries,
        )

    def _pool(self, url: str) -> urllib3.PoolManager:
        legacy = self.config.tls_legacy_renegotiation == "always" or (
            bool(self._legacy_hosts) and origin_of(url)[1] in self._legacy_hosts
        )
        pools = self._pools.get(legacy)
        if pools is None:
            with self._pools_lock:
                pools = self._pools.get(legacy)
                if pools is None:
                    pools = urllib3.PoolManager(
                        num_pools=8,
                        maxsize=self.config.concurrency * _POOL_ENTITIES,
                        block=False,
                        retries=False,
                        ssl_context=tls_context(
                            self.config.ca_file, self._environ, legacy_renegotiation=legacy
                        ),
                    )
                    self._pools[legacy] = pools
        return pools

    def _allow_legacy_renegotiation(self, url: str, error: AutotaskError) -> bool:
        """After a failed handshake: reconnect with legacy renegotiation allowed? Once per host,
        logged at WARNING; :func:`autotask.wire._tls.legacy_renegotiation_retry` decides."""
        host = origin_of(url)[1]
        mode = self.config.tls_legacy_renegotiation
        if not legacy_renegotiation_retry(mode, host, str(error.__cause__)):
            return False
        with self._pools_lock:
            if host in self._legacy_hosts:
                return False
            self._legacy_hosts = self._legacy_hosts | {host}
        _log.warning(
            "%s does not support secure TLS renegotiation, which OpenSSL 3 requires; "
            "reconnecting with legacy renegotiation allowed for this host (certificates are "
            "still verified; RequestConfig(tls_legacy_renegotiation='never') forbids it)",
            host,
        )
        return True

    def _await_budget(self, request: Request, tries: int) -> None:
        decision = self.budget.wait_for_room(self.usage, self._sleep)
        if not decision.exhausted:
            return
        budget = self.budget
        if decision.from_server:
            when = f"the server says the window frees in about {decision.frees_in:.0f} s"
        elif decision.frees_in is None:
            when = (
                "none of this client's requests is in it, so only other integrations' can free it"
            )
        else:
            when = (
                f"the window frees in about {decision.frees_in:.0f} s, when this client's oldest "
                "request in it turns an hour old (other integrations' may free room sooner)"
            )
        raise RateLimited(
            f"the hourly request budget is used up: {decision.usage:.0%} of the tenant's "
            f"{budget.limit:,} requests per rolling hour (ThresholdInformation's last count plus "
            f"this client's requests since) and it did not free within "
            f"max_budget_wait={budget.max_wait:g} s; {when}",
            operation=request.operation.value,
            entity=request.entity,
            retry_after=decision.frees_in,
            attempts=tries,
        )

    def _rediscover(self, zone_url: str) -> bool:
        try:
            return self.zone.rediscover(zone_url) is not None
        except AutotaskError as exc:
            _log.info("zone re-discovery after 401 failed: %s", exc)
            return False

    def _fetch_zone(self, url: str) -> Any:
        return self.send(Request(Operation.ZONE, "GET", url, None))


def _read_capped(response: urllib3.BaseHTTPResponse, limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes of an answer's body, and whether it had more. The connection goes
    back to the pool only when read to its end: one closed with bytes unread is discarded, or
    the next request on it would read the rest as its own answer."""
    try:
        length = response.length_remaining  # from Content-Length; None when chunked
        if length is not None and length > limit:
            response.close()  # announced too long: not a byte of it is read
            return b"", True
        if length is not None and not response.headers.get("Content-Encoding"):
            return response.read(), False  # the usual answer: urllib3's one-read path
        data = response.read(limit + 1)  # chunked or compressed: read up to the bound
        if len(data) > limit:
            response.close()
            return data[:limit], True
        return data, False
    finally:
        response.release_conn()


def _describe(body: Any) -> str:
    if body is None:
        return "-"
    if isinstance(body, bytes):
        return mask(body[:500].decode("utf-8", "replace"))
    return f"<stream {type(body).__name__}>"


def _error_for_exception(
    exc: BaseException, operation: Operation, entity: str | None
) -> tuple[Failure, AutotaskError]:
    """Map a urllib3/socket/ssl exception onto a retry failure kind and a TransportError."""
    op = operation.value
    if isinstance(exc, u3.ConnectTimeoutError):  # includes NewConnectionError, DNS failures
        # Nothing left us: safe to resend any operation (CONTRACTS §3).
        return Failure.NOT_SENT, TransportError(
            f"cannot connect: {exc}", operation=op, entity=entity
        )
    if isinstance(exc, (u3.SSLError, ssl.SSLError)):
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
            return Failure.FINAL, TransportError(
                f"TLS certificate not trusted: {exc} (set RequestConfig(ca_file=...) or "
                "SSL_CERT_FILE)",
                operation=op,
                entity=entity,
            )
    if isinstance(exc, (u3.LocationValueError, u3.ProxyError, ValueError)):
        return Failure.FINAL, TransportError(f"cannot send: {exc}", operation=op, entity=entity)
    if failed_before_sending(exc):
        # A failed handshake (protocol or cipher mismatch, a plain-http port, a reset during
        # it): no byte of the request left the client, so even a write is safe to resend.
        hint = ""
        if LEGACY_REASON in str(exc):
            hint = (
                " (the server lacks secure renegotiation: RequestConfig("
                "tls_legacy_renegotiation='always') allows it, certificates still verified)"
            )
        return Failure.NOT_SENT, TransportError(
            f"cannot connect: TLS handshake failed: {exc}{hint}", operation=op, entity=entity
        )
    # Reset, read timeout, protocol error: the request may have arrived.
    kind = "no answer in time" if isinstance(exc, u3.ReadTimeoutError) else "connection broken"
    return Failure.NO_ANSWER, TransportError(
        f"{kind}: {exc}", operation=op, entity=entity, applied=None if operation.is_write else False
    )
