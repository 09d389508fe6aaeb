"""What the chaos scenarios share: fault mixes, a client that records its waits, and the
read-back of what the API holds (issue 14 "Chaos").

Every scenario asserts the final state through the API (count and query) after the faults are
cleared, never through the emulator's internals. Fault rules are seeded (CONTRACTS §5): the
same seed fires the same number of faults in the same order of matching requests; which item
meets which fault still depends on thread timing, so every assertion holds for any assignment.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from autotask import AutotaskClient, Credentials, F, RequestConfig
from autotask.batch import ItemResult
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator

#: Every fault kind the emulator has (CONTRACTS §5).
KINDS = ("429", "thread", "500", "503", "reset-before", "reset-after", "slow", "truncate")
#: The demo data's "Helpdesk Queue": every new ticket names it (BRIEF).
QUEUE = 29683325
#: Emulator flags of the chaos emulators: short slow faults, Retry-After 1 s on injected 429s.
FLAGS = ("--slow-ms", "300", "--fault-retry-after", "1")
#: A real wait is this fraction of the wait the client asked for: the waits are recorded at
#: their full length (and asserted), but the run does not spend them.
TIME_SCALE = 0.02


def mixed(route: str, rate: float, kinds: tuple[str, ...] = KINDS) -> list[dict[str, Any]]:
    """One rule per kind on ``route``, together firing on about ``rate`` of its requests."""
    return [{"kind": k, "probability": rate / len(kinds), "route": route} for k in kinds]


def set_faults(emu: Emulator, seed: int, *rule_lists: list[dict[str, Any]]) -> None:
    """Replace the emulator's fault rules (``{"rules": []}`` when none are given)."""
    rules = [rule for rules in rule_lists for rule in rules]
    emu.control("POST", "faults", {"seed": seed, "rules": rules})


class Waits:
    """An injectable ``sleep`` that records every wait the client asks for, and sleeps a
    :data:`TIME_SCALE` fraction of it (so backoff still spreads the retries out)."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.asked.append(seconds)
        time.sleep(seconds * TIME_SCALE)

    @property
    def longest(self) -> float:
        return max(self.asked, default=0.0)


def chaos_client(
    emu: Emulator, cache: Path, waits: Waits | None = None, **config: Any
) -> AutotaskClient:
    """A client of ``emu`` with the default retry policy, waiting through ``waits``."""
    return AutotaskClient(
        Credentials(USERNAME, INTEGRATION_CODE, SECRET),
        RequestConfig(cache_dir=str(cache), **config),
        base_url=emu.base_url,
        environ={},
        sleep=waits or Waits(),
    )


def ticket(company: int, tag: str, n: int) -> dict[str, Any]:
    """Item ``n`` of a run tagged ``tag``: a valid ticket with a unique external id UDF."""
    return {
        "companyID": company,
        "title": f"{tag} {n}",
        "status": 1,
        "priority": 2,
        "queueID": QUEUE,
        "userDefinedFields": [{"name": "Ext URL", "value": f"{tag}-{n}"}],
    }


def stored_titles(client: AutotaskClient, tag: str) -> Counter[str]:
    """Titles of the stored tickets of a run, counted: a duplicate shows as 2."""
    records = client.tickets.query(F("title").begins_with(f"{tag} "), fields=["title"])
    return Counter(r["title"] for r in records)


def outcomes(results: list[ItemResult]) -> dict[str, int]:
    """Results by status, for the figures."""
    return dict(sorted(Counter(r.status for r in results).items()))


def faults_fired(emu: Emulator) -> dict[str, int]:
    """Faults fired so far, per kind (read before the rules are cleared)."""
    return dict(sorted(emu.stats()["faults"].items()))


def first_company(client: AutotaskClient) -> int:
    """A demo company's id."""
    return int(next(client.companies.query(limit=1))["id"])
