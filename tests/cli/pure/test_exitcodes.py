"""The exit-code table: every error class maps to exactly one code, and the codes are pinned."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import autotask
from autotask import errors
from autotask.cli import exitcodes
from autotask.cli.exitcodes import ERROR_CODES, ExitCode, exit_code_for


def _import_everything() -> None:
    """Import every module of the package but the emulator, so every error class exists."""
    for info in pkgutil.walk_packages(autotask.__path__, "autotask."):
        if not info.name.startswith("autotask.emulator"):
            importlib.import_module(info.name)


def _tree(root: type[BaseException]) -> set[type[BaseException]]:
    found = {root}
    for sub in root.__subclasses__():
        found |= _tree(sub)
    return found


def test_codes_are_pinned() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "UNEXPECTED": 1,
        "USAGE": 2,
        "CONFIG": 3,
        "REJECTED": 4,
        "TRANSPORT": 5,
        "RATE_LIMITED": 6,
        "BATCH_FAILURES": 7,
        "INTERRUPTED": 130,
    }
    assert set(exitcodes.MEANINGS) == set(ExitCode)


def test_every_error_class_is_in_the_table() -> None:
    """Walks the whole tree (library and CLI): a new class must be given its code here."""
    _import_everything()
    classes = _tree(errors.AutotaskError) | _tree(exitcodes.CliError)
    classes = {c for c in classes if c.__module__.startswith("autotask")}
    missing = sorted(c.__qualname__ for c in classes if c not in ERROR_CODES)
    assert not missing, f"give these error classes an exit code in exitcodes.py: {missing}"
    for cls in classes:
        assert isinstance(ERROR_CODES[cls], ExitCode)


def test_every_public_error_is_a_class_of_the_tree() -> None:
    public = {getattr(errors, name) for name in errors.__all__}
    assert public <= set(ERROR_CODES)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.ConfigError("x"), 3),
        (errors.AuthenticationError("x", status=401), 3),
        (errors.PermissionDenied("x"), 4),
        (errors.NotFound("x"), 4),
        (errors.InvalidRequest("x"), 4),
        (errors.TooManyRecords("x", count=2, limit=1), 4),
        (errors.RateLimited("x"), 6),
        (errors.ThreadLimitExceeded("x"), 6),
        (errors.ServerError("x"), 5),
        (errors.TransportError("x"), 5),
        (errors.OutcomeUnknown("x"), 5),
        (errors.PaginationError("x"), 5),
        (exitcodes.UsageError("x"), 2),
        (exitcodes.ConfirmationRefused("x"), 2),
        (exitcodes.RecordsMissing("x"), 4),
        (KeyboardInterrupt(), 130),
        (ValueError("a bug"), 1),
    ],
)
def test_exit_code_for(error: BaseException, code: int) -> None:
    assert exit_code_for(error) == code


def test_a_subclass_added_later_lands_on_its_base() -> None:
    class NewKindOfLimit(errors.RateLimited):
        pass

    assert exit_code_for(NewKindOfLimit("x")) == ExitCode.RATE_LIMITED


def test_batch_exit_code() -> None:
    assert exitcodes.batch_exit_code(0, 0) == ExitCode.OK
    assert exitcodes.batch_exit_code(1, 0) == ExitCode.BATCH_FAILURES
    assert exitcodes.batch_exit_code(0, 1) == ExitCode.BATCH_FAILURES


def test_the_table_is_the_only_one() -> None:
    """No other CLI module spells an exit code as a bare number in a return."""
    from autotask.cli import commands, main

    for module in (
        main,
        *(
            importlib.import_module(f"autotask.cli.commands.{m.name}")
            for m in pkgutil.iter_modules(commands.__path__)
        ),
    ):
        source = inspect.getsource(module)
        for bare in ("return 0\n", "return 1\n", "return 2\n", "return 130\n"):
            assert bare not in source, (module.__name__, bare)
