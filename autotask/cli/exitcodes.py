"""Exit codes of the ``autotask`` command: the one table for the code, the tests and the man page.

Every error class of the library (``autotask.errors``) and of the command line maps to exactly
one code in :data:`ERROR_CODES` (CONTRACTS §10); :func:`exit_code_for` looks an exception up by
its class, walking its MRO so a subclass added later still lands somewhere sensible, while
tests/cli/test_exitcodes.py walks the whole error tree and insists every class is listed here by
name.
"""

from __future__ import annotations

import enum

from autotask import errors


@enum.unique
class ExitCode(enum.IntEnum):
    """What an ``autotask`` run ended with (the man page's EXIT STATUS section)."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    CONFIG = 3
    REJECTED = 4
    TRANSPORT = 5
    RATE_LIMITED = 6
    BATCH_FAILURES = 7
    INTERRUPTED = 130


MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "everything asked for was done",
    ExitCode.UNEXPECTED: "an internal error (a bug); --debug shows the traceback",
    ExitCode.USAGE: "bad command line or bad input (the message names the file, row or field)",
    ExitCode.CONFIG: "configuration or authentication failed (missing credentials, 401)",
    ExitCode.REJECTED: (
        "the request was refused: by the API (validation, permission, not found, a missing "
        "record) or by the client (too many records)"
    ),
    ExitCode.TRANSPORT: (
        "the network or the server failed (connect, TLS, 5xx without API text, a write whose "
        "outcome is unknown)"
    ),
    ExitCode.RATE_LIMITED: "rate or thread limits, or the retries, were exhausted",
    ExitCode.BATCH_FAILURES: "a batch finished with failed or unknown items (see the results)",
    ExitCode.INTERRUPTED: "stopped by Ctrl-C or SIGTERM",
}


class CliError(Exception):
    """A failure the command line reports in one line and ends with :attr:`code`.

    Raise a subclass; the message is shown as ``autotask: error: MESSAGE``.
    """


class UsageError(CliError):
    """Bad command line or bad input: a condition that does not parse, malformed JSON/CSV,
    a missing file, an unknown entity or field. The message names the file, row and field."""


class ConfirmationRefused(UsageError):
    """A destructive command was not confirmed (no ``--confirm`` and no terminal, or "no")."""


class RecordsMissing(CliError):
    """``get`` asked for ids that do not exist (the API answered ``{"item": null}``)."""


#: Every error class -> its one exit code. Library classes first, then the CLI's own.
ERROR_CODES: dict[type[BaseException], ExitCode] = {
    errors.AutotaskError: ExitCode.UNEXPECTED,  # only subclasses are raised
    errors.ConfigError: ExitCode.CONFIG,
    errors.AuthenticationError: ExitCode.CONFIG,
    errors.PermissionDenied: ExitCode.REJECTED,
    errors.NotFound: ExitCode.REJECTED,
    errors.InvalidRequest: ExitCode.REJECTED,
    errors.TooManyRecords: ExitCode.REJECTED,
    errors.RateLimited: ExitCode.RATE_LIMITED,
    errors.ThreadLimitExceeded: ExitCode.RATE_LIMITED,
    errors.ServerError: ExitCode.TRANSPORT,
    errors.TransportError: ExitCode.TRANSPORT,
    errors.OutcomeUnknown: ExitCode.TRANSPORT,
    errors.PaginationError: ExitCode.TRANSPORT,
    CliError: ExitCode.UNEXPECTED,  # only subclasses are raised
    UsageError: ExitCode.USAGE,
    ConfirmationRefused: ExitCode.USAGE,
    RecordsMissing: ExitCode.REJECTED,
    KeyboardInterrupt: ExitCode.INTERRUPTED,
}


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code for ``error``: its class's entry, else its nearest listed base class.

    Anything not derived from a listed class (a bug) is :attr:`ExitCode.UNEXPECTED`.
    """
    for cls in type(error).__mro__:
        code = ERROR_CODES.get(cls)
        if code is not None:
            return code
    return ExitCode.UNEXPECTED


def batch_exit_code(failed: int, unknown: int) -> ExitCode:
    """The code a finished batch ends with: 7 when any item failed or its outcome is unknown.

    Args:
        failed: items whose status is ``failed`` or ``invalid``.
        unknown: items whose status is ``unknown`` (a write that may or may not have landed).
    """
    return ExitCode.BATCH_FAILURES if failed or unknown else ExitCode.OK


def epilog() -> str:
    """Return the EXIT STATUS text shown in ``--help``."""
    rows = [f"  {int(code):>3}  {MEANINGS[code]}" for code in ExitCode]
    return "exit status:\n" + "\n".join(rows)
