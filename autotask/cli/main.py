"""``main(argv, env) -> int``: parse, dispatch, and map every outcome to an exit code.

The one exit ladder (aesthetics §5, §18): a command returns an :class:`ExitCode`; an error
becomes one line on stderr (``autotask: error: ...``) and the code :func:`exit_code_for` gives
its class; Ctrl-C and SIGTERM are 130; a closed stdout pipe (``| head``) ends quietly. Only
``--debug`` shows tracebacks, and it also sends the library's wire log to stderr (secrets
masked by the library's filter, and again by this handler).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TextIO

from autotask._log import SecretFilter, mask
from autotask._version import __version__
from autotask.cli.context import Context
from autotask.cli.env import Env
from autotask.cli.exitcodes import CliError, ExitCode, exit_code_for
from autotask.cli.parser import PROG, build_parser
from autotask.errors import AutotaskError

__all__ = ["main", "versions"]


def versions() -> str:
    """``autotask X (urllib3 Y, Python Z, OpenSSL W)``: what a bug report needs (issue 12)."""
    import platform
    import ssl

    import autotask.wire.transport  # noqa: F401 (imports urllib3, the one module allowed to)

    urllib3 = sys.modules.get("urllib3")
    urllib3_version = getattr(urllib3, "__version__", "not installed")
    return (
        f"{PROG} {__version__} (urllib3 {urllib3_version}, Python {platform.python_version()}, "
        f"{ssl.OPENSSL_VERSION})"
    )


@contextlib.contextmanager
def _debug_log(enabled: bool, stream: TextIO) -> Iterator[None]:
    """While ``enabled``: the ``autotask`` loggers at DEBUG on ``stream``, masked."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("autotask")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.addFilter(SecretFilter())
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM ends a run like Ctrl-C (exit 130, a batch's journal flushed on the way out)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _report(env: Env, message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        env.stderr.write(f"{PROG}: {_one_line(mask(message))}\n")
        env.stderr.flush()


def _one_line(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped (``\\n``,
    ``\\x1b``): an error is one line, whatever the argument or file it quotes holds, and
    never a terminal control sequence."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\t" else repr(c)[1:-1] for c in text)


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    """Run the ``autotask`` command.

    Args:
        argv: the arguments without the program name; ``None`` means ``sys.argv[1:]``.
        env: streams, terminal facts and environment; ``None`` means this process's.

    Returns:
        An :class:`~autotask.cli.exitcodes.ExitCode` value.
    """
    env = env or Env.from_process()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0); argparse's own exits
        return int(exc.code) if isinstance(exc.code, int) else int(ExitCode.USAGE)
    except CliError as exc:  # usage errors, refused secret flags: one line
        _report(env, f"error: {exc}")
        return int(exit_code_for(exc))
    if args.version:
        env.stdout.write(versions() + "\n")
        return int(ExitCode.OK)
    run = getattr(args, "run", None)
    if run is None:
        _report(env, f"error: a command is required (see '{PROG} --help')")
        return int(ExitCode.USAGE)
    ctx = Context(args, env)
    with _debug_log(ctx.debug, env.stderr), _sigterm_interrupts():
        try:
            return int(run(args, ctx))
        except BrokenPipeError:
            env.silence_stdout()
            return int(ExitCode.OK)
        except KeyboardInterrupt:
            _report(env, "interrupted")
            return int(ExitCode.INTERRUPTED)
        except (AutotaskError, CliError) as exc:
            if ctx.debug:
                env.stderr.write(mask(traceback.format_exc()))
            _report(env, f"error: {exc}")
            return int(exit_code_for(exc))
        except Exception as exc:
            if ctx.debug:
                env.stderr.write(mask(traceback.format_exc()))
                _report(env, f"internal error: {type(exc).__name__}: {exc}")
            else:
                _report(
                    env,
                    f"internal error: {type(exc).__name__}: {exc} (run with --debug for the "
                    "traceback, and please report it)",
                )
            return int(ExitCode.UNEXPECTED)
        finally:
            ctx.close()
