"""The context commands run with: progress bars by terminal and --quiet, confirmation that
never waits without a terminal, the default output format (no sockets)."""

from __future__ import annotations

import io

import pytest

from autotask.cli.context import Context
from autotask.cli.env import Env
from autotask.cli.exitcodes import ConfirmationRefused
from autotask.cli.output.progress import Progress
from autotask.cli.parser import build_parser


class NeverRead(io.StringIO):
    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise AssertionError("waited for input")


def _context(*argv: str, tty: bool, stdin: io.StringIO | None = None) -> Context:
    environment = Env(
        stdin=stdin or NeverRead(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        environ={},
        stdin_isatty=tty,
        stdout_isatty=tty,
        stderr_isatty=tty,
        columns=90 if tty else None,
        stderr_columns=70 if tty else None,
    )
    return Context(build_parser().parse_args(["delete", "Tickets", "1", *argv]), environment)


def test_default_format_and_override() -> None:
    assert _context(tty=True).format == "table"
    assert _context(tty=False).format == "jsonl"
    assert _context("-o", "csv", tty=True).format == "csv"


def test_progress_bar_on_a_terminal_unless_quiet() -> None:
    ctx = _context(tty=True)
    bar = ctx.progress("Tickets delete")
    assert bar.enabled and bar.width == 69  # stderr's width, less the last column
    bar(Progress(1, 2, 1, 0, 0, 1.0))
    assert "1/2" in ctx.env.stderr.getvalue()  # type: ignore[attr-defined]
    assert not _context("--quiet", tty=True).progress("x").enabled
    assert not _context(tty=False).progress("x").enabled


def test_no_terminal_and_no_confirm_refuses_without_waiting() -> None:
    with pytest.raises(ConfirmationRefused, match="refused without --confirm"):
        _context(tty=False).confirm("delete Tickets 1")
    _context("--confirm", tty=False).confirm("delete Tickets 1")  # no question asked
    _context("--yes", tty=False).confirm("delete Tickets 1")


def test_a_terminal_is_asked() -> None:
    ctx = _context(tty=True, stdin=io.StringIO("yes\n"))
    ctx.confirm("delete Tickets 1")
    assert ctx.env.stderr.getvalue() == "delete Tickets 1? [y/N] "  # type: ignore[attr-defined]
    with pytest.raises(ConfirmationRefused, match="not confirmed"):
        _context(tty=True, stdin=io.StringIO("\n")).confirm("delete Tickets 1")
