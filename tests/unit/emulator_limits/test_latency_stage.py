"""``--latency-ms`` is the least time a request takes holding its slot, the emulator's own work
included (CONTRACTS §5): the limit stage waits out only the rest, so the documented bound
``thread_limit / latency`` holds exactly."""

from __future__ import annotations

import time

from autotask.emulator.exchange import Context, Response
from autotask.emulator.limits.stages import LimitStage
from autotask.emulator.settings import LimitSettings, Quirks


def _stage(latency_ms: int, slept: list[float]) -> LimitStage:
    return LimitStage(
        LimitSettings(latency_ms=latency_ms), Quirks(), time.monotonic, sleep=slept.append
    )


def _served(work_started: float) -> Context:
    ctx = Context("GET", "Tickets/1", {}, 0, {}, b"", "http://127.0.0.1/ATServicesRest/")
    ctx.service_started = work_started
    return ctx


def test_the_latency_counts_the_work_already_done() -> None:
    slept: list[float] = []
    stage = _stage(200, slept)
    ctx = _served(time.monotonic() - 0.05)  # the handler already took 50 ms
    stage.after(ctx, Response(200, {}))
    (rest,) = slept
    assert 0 < rest <= 0.15  # only what is left of the 200 ms, not 200 ms more
    assert ctx.latency == 0.2  # the request log shows the latency set


def test_work_longer_than_the_latency_waits_no_more() -> None:
    slept: list[float] = []
    _stage(20, slept).after(_served(time.monotonic() - 0.05), Response(200, {}))
    assert slept == []
