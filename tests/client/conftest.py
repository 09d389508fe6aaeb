"""Fixtures for the real client against the real emulator over loopback (no mocks).

Tests marked ``@under_quirks(...)`` run once per named set of the emulator's quirk switches
(README "Quirk switches"): ``emulator`` (and ``client``, which uses it) is then an emulator
started with those flags, so every way the emulator may answer is met by the client
(issue 7 item 8). ``READS`` names the sets that change how reads are answered.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from autotask import AutotaskClient, Credentials, RequestConfig
from tests.emulator_process import (
    INTEGRATION_CODE,
    SECRET,
    USERNAME,
    Emulator,
    running_emulator,
)

# Named sets of quirk switches; "default" is the session emulator.
QUIRKS: dict[str, tuple[str, ...]] = {
    "default": (),
    "missing-id-404": ("--missing-id", "404"),
    "include-fields-id-always": ("--include-fields-id", "always"),
    "strict-operators-clamp": ("--strict-operators", "--max-records-policy", "clamp"),
    "attachment-item-child-data": ("--attachment-wrapper", "item", "--attachment-data", "child"),
    # The refusals behind the client's splitting of in-lists (500 values, the SOAP-era limit)
    # and its keyset paging (an IIS front refuses query strings over 2,048 characters).
    "in-values-and-query-string-limits": ("--max-in-values", "500", "--max-query-string", "2048"),
    "auth-failure-401": ("--auth-failure-status", "401"),
    "thread-limit-500": ("--thread-limit-status", "500"),
    "thread-limit-own-text": (
        "--thread-limit-text",
        "ITGENATR005: this integration exceeded its thread threshold of 3 concurrent requests.",
    ),
}
#: The sets that change how reads (get, query, paging, metadata) are answered.
READS = (
    "default",
    "missing-id-404",
    "include-fields-id-always",
    "strict-operators-clamp",
    "attachment-item-child-data",
    "in-values-and-query-string-limits",
)


def under_quirks(*names: str) -> pytest.MarkDecorator:
    """Run the test once per named quirk set (its ``emulator`` started with those flags)."""
    return pytest.mark.parametrize("emulator", names, indirect=True)


@pytest.fixture(scope="session")
def quirk_emulators() -> Iterator[Callable[[str], Emulator]]:
    """Start an emulator per quirk set on first use; all stop at the end of the session."""
    with contextlib.ExitStack() as stack:
        started: dict[str, Emulator] = {}

        def get(name: str) -> Emulator:
            if name not in started:
                started[name] = stack.enter_context(running_emulator(*QUIRKS[name]))
            return started[name]

        yield get


@pytest.fixture
def emulator(
    request: pytest.FixtureRequest,
    emulator_session: Emulator,
    quirk_emulators: Callable[[str], Emulator],
) -> Emulator:
    """The session emulator, or the one of the test's quirk set; reset to its start state."""
    name = getattr(request, "param", "default")
    emu = emulator_session if name == "default" else quirk_emulators(name)
    emu.reset()
    return emu


def connect(
    emu: Emulator, cache_dir: Path, /, base_url: str | None = None, **config: Any
) -> AutotaskClient:
    """A client for ``emu`` (or ``base_url``), with the zone cache in ``cache_dir``."""
    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(cache_dir=str(cache_dir), **config),
        base_url=base_url or emu.base_url,
        environ={},
    )


@pytest.fixture
def client(emulator: Emulator, tmp_path: Path) -> Iterator[AutotaskClient]:
    """A fresh client for the (reset) emulator of the test."""
    with connect(emulator, tmp_path) as c:
        yield c


def requests_to(emu: Emulator, route: str) -> int:
    """How many requests the emulator served for ``"METHOD route-template"``."""
    return sum(emu.stats()["requests"].get(route, {}).values())
