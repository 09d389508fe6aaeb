"""``build_parser()`` is pure and driven by the command table; global options go anywhere."""

from __future__ import annotations

import os
import socket
import time

import pytest

from autotask.cli.commands import COMMANDS
from autotask.cli.exitcodes import UsageError
from autotask.cli.parser import build_parser


def test_build_parser_is_pure(monkeypatch: pytest.MonkeyPatch) -> None:
    """No environment, files, network or clock: all of them fail loudly while it builds."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("build_parser() touched the outside world")

    monkeypatch.setattr(os, "environ", {})
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(time, "time", refuse)
    monkeypatch.setattr(time, "monotonic", refuse)
    monkeypatch.setattr("builtins.open", refuse)
    parser = build_parser()
    assert parser.prog == "autotask"


def test_every_command_module_registers_commands() -> None:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if getattr(a, "dest", "") == "command"]
    names = set(commands.choices)
    assert {
        "get",
        "query",
        "count",
        "create",
        "update",
        "replace",
        "delete",
        "batch",
        "attachments",
        "export",
        "sync",
        "entities",
        "info",
        "usage",
        "doctor",
        "config",
        "emulator",
    } == names
    assert len(COMMANDS) == 14
    for name, sub in commands.choices.items():
        if name != "emulator":
            assert sub.examples, f"{name} has no examples"  # the man page's EXAMPLES


def test_global_options_before_or_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["-o", "csv", "--quiet", "query", "Tickets"])
    after = parser.parse_args(["query", "Tickets", "-o", "csv", "-q"])
    neither = parser.parse_args(["query", "Tickets"])
    assert (before.output, before.quiet) == (after.output, after.quiet) == ("csv", True)
    assert (neither.output, neither.quiet, neither.debug, neither.profile) == (
        None,
        False,
        False,
        None,
    )
    both = parser.parse_args(["-o", "csv", "query", "Tickets", "-o", "json"])
    assert both.output == "json"  # the later one wins


def test_parser_errors_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"invalid choice: 'nope'.*see 'autotask --help'"):
        build_parser().parse_args(["nope"])
    with pytest.raises(UsageError, match=r"see 'autotask query --help'"):
        build_parser().parse_args(["query", "Tickets", "--limit", "x"])


def test_secrets_are_refused_while_parsing() -> None:
    with pytest.raises(UsageError) as caught:
        build_parser().parse_args(["query", "Tickets", "--secret=hunter2-secret"])
    assert "hunter2" not in str(caught.value)


def test_entity_arguments_complete_from_the_registry() -> None:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if getattr(a, "dest", "") == "command"]
    entity = next(a for a in commands.choices["query"]._actions if a.dest == "entity")
    complete = entity.complete  # type: ignore[attr-defined]
    assert "Tickets" in complete["zsh"] and complete["bash"] == "_autotask_entities"
