"""One error tree by cause (CONTRACTS §3).

Every error carries what a caller needs to decide what to do next:

- ``status``: the HTTP status, or ``None`` when no answer arrived (or the check ran locally);
- ``errors``: the API's own ``errors[]`` strings, never hidden behind "HTTP 500"
  (peers.md §3.4);
- ``operation``: the operation kind (``GET``, ``QUERY``, ``CREATE``, ...);
- ``entity``: the entity acted on, or ``None``;
- ``applied``: ``False`` when the request was certainly not applied (safe to resend),
  ``None`` when nobody can know (a write that may have reached the server). ``True`` is never
  raised. ``applied is None`` exactly for :class:`OutcomeUnknown`; every other class carries
  ``False``: a read never changes anything, and a write raises another class only when it was
  refused before sending or answered with a refusal (4xx, 429, a thread-limit rejection, a
  500 with ``errors[]`` text). A write with no usable answer (reset, read timeout, cut-off
  body, 502/503/504, a 500 without error text, a 2xx without the expected body) is an
  ``OutcomeUnknown`` whatever the cause, which is chained as ``__cause__``;
- ``retry_after``: seconds the server asked us to wait, when it said so;
- ``attempts``: how many times the transport tried to send the request before giving up (0 when
  it was refused before any try), so a batch reports each item's attempts exactly.

``str(e)`` is one line and includes the API's first error text. No error ever holds a secret:
messages are built from the operation, entity, status and the server's own texts only.

Example::

    try:
        client.tickets.create({"title": "x"})
    except InvalidRequest as e:
        print(e.status, e.errors)      # 500 ['Missing Required Field: companyID']
    except OutcomeUnknown:
        ...                            # look the record up before creating it again
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AuthenticationError",
    "AutotaskError",
    "ConfigError",
    "InvalidRequest",
    "NotFound",
    "OutcomeUnknown",
    "PaginationError",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "ThreadLimitExceeded",
    "TooManyRecords",
    "TransportError",
]


def _one_line(text: str) -> str:
    # The API's texts contain CR/LF ("Value cannot be null.\r\nParameter name: filters",
    # fact sheet §11.4); str(e) must stay on one line for logs and the CLI.
    return " ".join(text.split())


class AutotaskError(Exception):
    """Base of every error raised by the library.

    Args:
        message: what went wrong, in our words (never containing a secret).
        status: HTTP status, or ``None`` when there was no answer.
        errors: the API's ``errors[]`` strings (or the ASP.NET ``Message``).
        operation: operation kind, e.g. ``"QUERY"``.
        entity: the entity acted on, e.g. ``"TicketNotes"``.
        applied: ``False`` = certainly not applied; ``None`` = outcome unknown.
        retry_after: seconds the server asked us to wait, if it said.
        attempts: tries made by the transport (0 = refused before any try).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: Sequence[str] = (),
        operation: str | None = None,
        entity: str | None = None,
        applied: bool | None = False,
        retry_after: float | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = [str(e) for e in errors]
        self.operation = operation
        self.entity = entity
        self.applied = applied
        self.retry_after = retry_after
        self.attempts = attempts

    def __str__(self) -> str:
        parts = []
        where = " ".join(p for p in (self.operation, self.entity) if p)
        if where:
            parts.append(where)
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        parts.append(self.message)
        text = ": ".join(parts)
        if self.errors and self.errors[0] not in self.message:
            text += f": {self.errors[0]}"
            if len(self.errors) > 1:
                text += f" (+{len(self.errors) - 1} more)"
        return _one_line(text)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"errors={self.errors!r}, operation={self.operation!r}, entity={self.entity!r}, "
            f"applied={self.applied!r}, retry_after={self.retry_after!r}, "
            f"attempts={self.attempts!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Keep errors picklable (keyword-only arguments defeat Exception's default reduce),
        # so they can cross process pools.
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[AutotaskError], message: str, state: dict[str, object]) -> AutotaskError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ConfigError(AutotaskError):
    """The client is set up wrongly: missing credentials, a refused URL, a bad option."""


class AuthenticationError(AutotaskError):
    """The credentials were refused (401, or the 500s for an unknown user/integration code)."""


class PermissionDenied(AutotaskError):
    """The API user may not do this (403, or a 500 saying the permissions are missing)."""


class NotFound(AutotaskError):
    """The route does not exist (404). A missing record is ``get() -> None``, not this."""


class InvalidRequest(AutotaskError, ValueError):
    """The API (or our check before sending) rejected the request: fix it, do not resend.

    Raised for 400-series answers and for 500s carrying ``errors[]`` text (validation,
    unknown field, bad picklist value), and locally for filters Autotask would misread
    (unknown operators, a second UDF condition, naive datetimes, oversized ``in`` lists).
    """


class RateLimited(AutotaskError):
    """The hourly request threshold is exhausted (429), after our retries and waits."""


class ThreadLimitExceeded(RateLimited):
    """The per-endpoint thread threshold rejected the request, after our retries."""


class ServerError(AutotaskError):
    """502/503/504, or a 500 without ``errors[]`` text, after retries where they are safe.

    A write answered so raises :class:`OutcomeUnknown` instead (the server may have applied it
    before failing), with this error as its ``__cause__``.
    """


class TransportError(AutotaskError):
    """No usable answer: connection refused or reset, timeout, TLS failure, garbled body.

    For a write this is raised only when nothing was sent (connection refused, DNS, connect
    timeout, an untrusted certificate); a write that may have been sent raises
    :class:`OutcomeUnknown` with this error as its ``__cause__``.
    """


class OutcomeUnknown(AutotaskError):
    """A write may have been applied, but no usable answer came back. It is never resent.

    ``applied`` is ``None`` (and only this class has it so). ``status`` and ``errors`` are the
    answer's when there was one (e.g. 503), ``__cause__`` the error that ended the attempt.
    Look the record up (or use a dedupe key) before writing again.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: Sequence[str] = (),
        operation: str | None = None,
        entity: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(
            message,
            status=status,
            errors=errors,
            operation=operation,
            entity=entity,
            applied=None,
            attempts=attempts,
        )


class TooManyRecords(AutotaskError):
    """``query_all()`` matched more than ``RequestConfig.max_records`` records.

    ``count`` is how many records had been read when the limit was passed.
    """

    def __init__(
        self,
        message: str,
        *,
        count: int,
        limit: int,
        operation: str | None = None,
        entity: str | None = None,
    ) -> None:
        super().__init__(message, operation=operation, entity=entity)
        self.count = count
        self.limit = limit


class PaginationError(AutotaskError):
    """Paging could not continue safely (a next-page link off the zone origin, a loop)."""
