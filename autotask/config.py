"""Credentials and request settings as frozen values, and their environment resolution.

Environment variables read by :meth:`Credentials.from_env` and the client:

========================== ==========================================================
``AUTOTASK_USERNAME``      the API-only user's username
``AUTOTASK_INTEGRATION_CODE`` the API tracking identifier (``ApiIntegrationCode``)
``AUTOTASK_SECRET``        the API user's secret
``AUTOTASK_API_URL``       an explicit zone URL (skips zone discovery)
``AUTOTASK_ZONE_LOOKUP_URL`` where zone discovery asks (default Autotask's global host)
``AUTOTASK_CACHE_DIR``     where the zone cache lives (default ``~/.cache/autotask``)
``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` CA certificates (see :func:`autotask.wire._tls.ca_bundle`)
========================== ==========================================================
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from autotask._log import register_secret
from autotask._version import __version__
from autotask.errors import ConfigError
from autotask.retry import RetryPolicy
from autotask.wire._tls import LEGACY_RENEGOTIATION_MODES

__all__ = ["ENV", "Credentials", "RequestConfig"]

#: Names of the environment variables the library reads.
ENV = {
    "username": "AUTOTASK_USERNAME",
    "integration_code": "AUTOTASK_INTEGRATION_CODE",
    "secret": "AUTOTASK_SECRET",
    "api_url": "AUTOTASK_API_URL",
    "zone_lookup_url": "AUTOTASK_ZONE_LOOKUP_URL",
    "cache_dir": "AUTOTASK_CACHE_DIR",
}


@dataclass(frozen=True, slots=True)
class Credentials:
    """The three values Autotask authenticates with (fact sheet §2).

    ``repr()`` never shows the secret or the integration code, and both are masked in every
    library log record.

    Args:
        username: the API-only user's username (``UserName`` header).
        integration_code: the API tracking identifier (``ApiIntegrationCode`` header).
        secret: the API user's secret (``Secret`` header).
    """

    username: str
    integration_code: str = field(repr=False)
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        missing = [
            name
            for name in ("username", "integration_code", "secret")
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip()
        ]
        if missing:
            raise ConfigError(f"missing credentials: {', '.join(missing)}")
        for name in ("username", "integration_code", "secret"):
            value = getattr(self, name)
            # They travel as HTTP header values: Latin-1, one line (never echo the value).
            if "\r" in value or "\n" in value or not value.isprintable():
                raise ConfigError(f"{name} contains a line break or control character")
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                raise ConfigError(f"{name} has characters an HTTP header cannot carry") from None
        register_secret(self.secret)
        register_secret(self.integration_code)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, integration_code='***', secret='***')"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        """Read ``AUTOTASK_USERNAME``, ``AUTOTASK_INTEGRATION_CODE`` and ``AUTOTASK_SECRET``.

        Raises:
            ConfigError: a variable is missing or empty (the message names which).
        """
        env = os.environ if environ is None else environ
        names = [ENV["username"], ENV["integration_code"], ENV["secret"]]
        missing = [name for name in names if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(f"set the environment variable(s) {', '.join(missing)}")
        return cls(
            username=env[ENV["username"]].strip(),
            integration_code=env[ENV["integration_code"]].strip(),
            secret=env[ENV["secret"]],
        )


@dataclass(frozen=True, slots=True)
class RequestConfig:
    """How the client talks to Autotask. Every field has a safe default.

    Args:
        timeout: seconds to wait for an answer (read timeout).
        connect_timeout: seconds to wait for a connection.
        max_retries: resends allowed per request where resending is safe (CONTRACTS §3).
        retry_backoff: first backoff delay in seconds; doubles per retry, with jitter.
        max_retry_wait: the longest single wait accepted (a longer ``Retry-After`` gives up).
        retry: a whole :class:`~autotask.RetryPolicy` instead of the three fields above
            (``RequestConfig(retry=RetryPolicy(max_retries=5, jitter=0.1))``); giving both is
            a ``ConfigError``.
        max_records: ``query_all()`` raises ``TooManyRecords`` past this many records.
        page_size: records per page, 1-500 (500 is the API maximum, fact sheet §3.3).
        concurrency: requests in flight at once per entity endpoint, shared by all threads of a
            client (Autotask rejects a 4th concurrent request per endpoint: fact sheet §6).
            The connection pool keeps four times this many connections per host, enough
            for several busy entities at once.
        impersonation_resource_id: sent as ``ImpersonationResourceId`` on writes.
        zone_lookup_url: where zone discovery asks; default ``AUTOTASK_ZONE_LOOKUP_URL`` or
            ``https://webservices.autotask.net/ATServicesRest/V1.0/`` (CONTRACTS §4).
        cache_dir: zone cache directory; default ``AUTOTASK_CACHE_DIR`` or ``~/.cache/autotask``.
        zone_cache_ttl: seconds a discovered zone is trusted (24 h).
        ca_file: a CA bundle to verify TLS with, instead of the system's.
        tls_legacy_renegotiation: ``"auto"`` (reconnect once with legacy TLS renegotiation
            allowed when an Autotask host, ``*.autotask.net``, is refused by OpenSSL 3 for
            lacking secure renegotiation; fact sheet §2), ``"always"`` (allow it for every
            host from the start) or ``"never"``. Certificates are verified in every mode.
        hourly_limit: the tenant's hourly request threshold assumed until ThresholdInformation
            reports it (Autotask's documented 10,000, fact sheet §6).
        budget_check_every: requests between ThresholdInformation checks (it counts too).
        max_budget_wait: the longest the client waits for the hourly budget to free up before
            raising ``RateLimited``.
        max_thread_wait: the longest a request waits for a free slot of its entity's thread
            gate (other threads' requests, or open streamed answers, hold them) before raising
            ``ThreadLimitExceeded``.
        attachment_max_bytes: the largest attachment file uploaded, in bytes (6 MiB: the API
            takes 6-7 MB per file, fact sheet §7); checked before a byte of the file is read.
            Raise it for a tenant that allows more.
        attachment_window_bytes: decoded attachment bytes uploaded per rolling
            ``attachment_window_seconds`` (Autotask's 10,000,000 per 5 minutes per tenant, fact
            sheet §7), shared by all threads of the client: an upload that would overflow the
            window waits; one larger than the whole window is refused. 0 switches it off.
        attachment_window_seconds: the window's length.
        max_answer_bytes: the longest answer read into memory, in bytes (64 MiB; a page of
            500 records is well under 1 MiB). A longer one raises ``TransportError`` (for a
            write, ``OutcomeUnknown``) instead of exhausting memory. Attachment downloads are
            streamed and not bound by it.
        user_agent: the ``User-Agent`` header.
    """

    timeout: float = 30.0
    connect_timeout: float = 10.0
    max_retries: int = 3
    retry_backoff: float = 1.0
    max_retry_wait: float = 120.0
    retry: RetryPolicy | None = None
    max_records: int = 10_000
    page_size: int = 500
    concurrency: int = 3
    impersonation_resource_id: int | None = None
    zone_lookup_url: str | None = None
    cache_dir: str | None = None
    zone_cache_ttl: float = 24 * 3600.0
    ca_file: str | None = None
    tls_legacy_renegotiation: str = "auto"
    hourly_limit: int = 10_000
    budget_check_every: int = 500
    max_budget_wait: float = 300.0
    max_thread_wait: float = 600.0
    attachment_max_bytes: int = 6_291_456
    attachment_window_bytes: int = 10_000_000
    attachment_window_seconds: float = 300.0
    max_answer_bytes: int = 64 * 1024 * 1024
    user_agent: str = f"autotask-psa/{__version__}"

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            # NaN passes every "< 0" check below, and an infinite timeout or wait is no bound:
            # both would turn the documented bounded waits into endless ones.
            if isinstance(value, float) and not math.isfinite(value):
                raise ConfigError(f"{f.name} must be a finite number, not {value!r}")
        if not 1 <= self.page_size <= 500:
            raise ConfigError(f"page_size must be 1..500 (the API maximum), not {self.page_size}")
        if self.concurrency < 1:
            raise ConfigError(f"concurrency must be >= 1, not {self.concurrency}")
        if self.max_retries < 0 or self.retry_backoff < 0 or self.max_retry_wait < 0:
            raise ConfigError("max_retries, retry_backoff and max_retry_wait must be >= 0")
        if self.retry is not None:
            if not isinstance(self.retry, RetryPolicy):
                raise ConfigError(f"retry must be a RetryPolicy, not {type(self.retry).__name__}")
            flat = (self.max_retries, self.retry_backoff, self.max_retry_wait)
            if flat != _FLAT_RETRY_DEFAULTS:
                raise ConfigError(
                    "give retry=RetryPolicy(...) or max_retries/retry_backoff/max_retry_wait, "
                    "not both"
                )
        if self.timeout <= 0 or self.connect_timeout <= 0:
            raise ConfigError("timeouts must be > 0 seconds")
        if self.max_records < 0:
            raise ConfigError("max_records must be >= 0")
        if self.hourly_limit < 1 or self.budget_check_every < 1 or self.max_budget_wait < 0:
            raise ConfigError("hourly_limit and budget_check_every must be >= 1")
        if self.tls_legacy_renegotiation not in LEGACY_RENEGOTIATION_MODES:
            raise ConfigError(
                "tls_legacy_renegotiation must be 'auto', 'always' or 'never', not "
                f"{self.tls_legacy_renegotiation!r}"
            )
        if self.max_thread_wait < 0:
            raise ConfigError(f"max_thread_wait must be >= 0, not {self.max_thread_wait}")
        if self.attachment_max_bytes < 1 or self.attachment_window_bytes < 0:
            raise ConfigError(
                "attachment_max_bytes must be >= 1 and attachment_window_bytes >= 0 (0: off)"
            )
        if self.attachment_window_seconds <= 0:
            raise ConfigError("attachment_window_seconds must be > 0")
        if self.max_answer_bytes < 1:
            raise ConfigError(f"max_answer_bytes must be >= 1, not {self.max_answer_bytes}")

    def retry_policy(self) -> RetryPolicy:
        """The :class:`~autotask.retry.RetryPolicy` these settings describe: ``retry`` when
        given, else one made of the flat fields."""
        if self.retry is not None:
            return self.retry
        return RetryPolicy(
            max_retries=self.max_retries,
            backoff=self.retry_backoff,
            max_backoff=max(self.retry_backoff, min(30.0, self.max_retry_wait)),
            max_wait=self.max_retry_wait,
        )


# The flat retry fields' defaults: set together with ``retry`` they would be ambiguous.
_FLAT_RETRY_DEFAULTS = tuple(
    f.default
    for f in fields(RequestConfig)
    if f.name in ("max_retries", "retry_backoff", "max_retry_wait")
)
