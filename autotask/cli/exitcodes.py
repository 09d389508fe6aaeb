"""Exit codes of the ``autotask`` command: one table for the code, the tests and the man page."""

from __future__ import annotations

import enum


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
    ExitCode.REJECTED: "the API rejected the request (validation, permission, not found)",
    ExitCode.TRANSPORT: "the network or the server failed (connect, TLS, 5xx without API text)",
    ExitCode.RATE_LIMITED: "rate or thread limits, or the retries, were exhausted",
    ExitCode.BATCH_FAILURES: "a batch finished but some items failed (see the per-item results)",
    ExitCode.INTERRUPTED: "stopped by Ctrl-C or SIGTERM",
}


def epilog() -> str:
    """Return the EXIT STATUS text shown in ``--help`` and the man page."""
    rows = [f"  {int(code):>3}  {MEANINGS[code]}" for code in ExitCode]
    return "exit status:\n" + "\n".join(rows)
