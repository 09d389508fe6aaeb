"""The outside world of one ``autotask`` run: streams, terminal facts, environment variables.

Everything a command touches outside the API comes through an :class:`Env`, so tests run
``main(argv, env)`` in-process with their own streams and terminal flags instead of patching
``sys`` (aesthetics §3, §17).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["Env"]


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or fake stream
        return False


@dataclass
class Env:
    """Streams and terminal facts for one run.

    Attributes:
        stdin: where ``-`` inputs and piped secrets are read from.
        stdout: records and documents (text; binary output uses ``stdout.buffer``).
        stderr: errors, warnings, progress bars and closing summaries.
        environ: the environment variables (``AUTOTASK_*``, ``NO_COLOR``, ``XDG_CONFIG_HOME``).
        stdin_isatty: a person may be typing (prompts allowed).
        stdout_isatty: the default output is a table, not JSON Lines (CONTRACTS §10).
        stderr_isatty: progress bars are drawn.
        columns: the terminal width in characters, or None when stdout is no terminal.
        stderr_columns: the width of stderr's terminal (progress bars), or None.
        read_secret: asks a person for a secret without echoing it (``getpass``).
    """

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    environ: Mapping[str, str]
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    columns: int | None = None
    stderr_columns: int | None = None
    read_secret: Callable[[str], str] = field(default=getpass.getpass)

    @classmethod
    def from_process(cls) -> Env:
        """The real process: ``sys`` streams, ``os.environ``, the terminal's width."""
        stdout_isatty = _isatty(sys.stdout)
        columns = shutil.get_terminal_size().columns if stdout_isatty else None
        if not stdout_isatty and os.environ.get("COLUMNS", "").isdigit():
            columns = int(os.environ["COLUMNS"])
        stderr_isatty = _isatty(sys.stderr)
        stderr_columns = None
        if stderr_isatty:
            try:
                stderr_columns = os.get_terminal_size(sys.stderr.fileno()).columns
            except (OSError, ValueError):
                stderr_columns = columns
        return cls(
            stdin=sys.stdin,
            stdout=sys.stdout,
            stderr=sys.stderr,
            environ=os.environ,
            stdin_isatty=_isatty(sys.stdin),
            stdout_isatty=stdout_isatty,
            stderr_isatty=stderr_isatty,
            columns=columns,
            stderr_columns=stderr_columns,
        )

    def color(self, isatty: bool) -> bool:
        """Whether to colour a stream: a terminal, ``NO_COLOR`` unset or empty, TERM not dumb
        (https://no-color.org)."""
        return isatty and not self.environ.get("NO_COLOR") and self.environ.get("TERM") != "dumb"

    def silence_stdout(self) -> None:
        """After a closed pipe on stdout: point fd 1 at /dev/null, so the interpreter's final
        flush of stdout cannot raise again at exit (pip's way). Only for the process's own
        stdout; a test's stream is left alone."""
        if self.stdout is not sys.stdout:
            return
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)

    def say(self, message: str) -> None:
        """One line on stderr (warnings, notes, summaries)."""
        self.stderr.write(message.rstrip("\n") + "\n")
        self.stderr.flush()
