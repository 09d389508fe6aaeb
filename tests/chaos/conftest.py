"""Fixtures of the chaos suite: its own emulator, and the figures each scenario reports.

``make chaos`` sets ``AUTOTASK_CHAOS_RESULTS`` (to tests/chaos/results.json): each scenario's
figures (items, faults fired per kind, outcomes, waits) are then merged into that file when the
session ends, stamped with the time and commit, so docs/RELIABILITY.md quotes a run and never a
hand-typed number. Without the variable nothing is written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import _environment
from tests.chaos.support import FLAGS
from tests.emulator_process import Emulator, running_emulator

RESULTS_ENV = "AUTOTASK_CHAOS_RESULTS"

Record = Callable[..., None]


@pytest.fixture(scope="session")
def figures() -> Iterator[Record]:
    """``figures(scenario, **numbers)`` keeps a scenario's figures for the results file."""
    collected: dict[str, dict[str, Any]] = {}

    def record(scenario: str, **numbers: Any) -> None:
        collected[scenario] = {**_environment(), **numbers}

    yield record
    target = os.environ.get(RESULTS_ENV)
    if not target or not collected:
        return
    path = Path(target)
    results: dict[str, Any] = {"benchmark": "chaos", "scenarios": {}}
    if path.exists():
        results = json.loads(path.read_text(encoding="utf-8"))
    results["scenarios"].update(collected)
    results["scenarios"] = dict(sorted(results["scenarios"].items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def chaos_emulator() -> Iterator[Emulator]:
    """An emulator of this module's own (the faults and limits stay out of the session's)."""
    with running_emulator(*FLAGS) as emu:
        yield emu


@pytest.fixture
def emu(chaos_emulator: Emulator) -> Emulator:
    """The module's emulator, reset: start data, no faults, counters and clock cleared."""
    chaos_emulator.reset()
    return chaos_emulator
