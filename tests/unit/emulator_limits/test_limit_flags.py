"""The limit, fault and quirk flags and the frozen settings they resolve to."""

from __future__ import annotations

import argparse
import dataclasses

import pytest

from autotask.emulator.limits.faults import FaultRule
from autotask.emulator.limits.flags import add_limit_arguments, limit_settings_from
from autotask.emulator.options import add_quirk_arguments, quirks_from
from autotask.emulator.settings import LimitSettings, Quirks


def _parser(**kw: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emulator", **kw)  # type: ignore[arg-type]
    add_limit_arguments(parser)
    add_quirk_arguments(parser)
    return parser


def _parse_both(*argv: str) -> tuple[LimitSettings, Quirks]:
    ns = _parser(exit_on_error=False).parse_args(list(argv))
    return limit_settings_from(ns), quirks_from(ns)


def _parse(*argv: str) -> LimitSettings:
    return _parse_both(*argv)[0]


def test_defaults_are_a_real_tenant_and_the_fact_sheet_verdicts() -> None:
    settings, quirks = _parse_both()
    assert settings == LimitSettings()
    assert (settings.thread_limit, settings.hourly_limit, settings.latency_ms) == (3, 10_000, 0)
    assert settings.threshold_latency_ms == (500, 1000)
    assert settings.thread_latency_ms == (0, 0)  # opt-in
    assert settings.attachment_max_bytes == 6 * 1024 * 1024
    assert settings.attachment_window_bytes == 10_000_000
    assert (settings.faults, settings.fault_seed, settings.slow_ms) == ((), 0, 2000)
    assert quirks == Quirks()
    assert quirks.auth_failure_status == 500
    assert not quirks.missing_item_404
    assert quirks.max_body_bytes == 10 * 1024 * 1024
    assert quirks.attachment_queries_need_parent


def test_every_flag_reaches_the_settings() -> None:
    settings, quirks = _parse_both(
        "--thread-limit", "0", "--hourly-limit", "50", "--latency-ms", "20",
        "--threshold-latency-ms", "0", "--attachment-max-bytes", "100",
        "--attachment-window-bytes", "0", "--faults", "500=0.5@GET:*/Tickets/*",
        "--fault-seed", "9", "--slow-ms", "5", "--fault-retry-after", "0",
        "--auth-failure-status", "401", "--strict-operators", "--max-records-policy", "clamp",
        "--missing-id", "404", "--chunked-bodies", "accept", "--oversize-body-status", "500",
        "--max-body-bytes", "1000", "--thread-limit-status", "500", "--hourly-retry-after",
        "--attachment-wrapper", "item", "--attachment-data", "child",
        "--include-fields-id", "always", "--unknown-body-fields", "reject",
        "--thread-latency-ms", "250,1000", "--attachment-queries", "any",
        "--version-information", "v1", "--thread-limit-text", "T", "--hourly-limit-text", "H",
    )  # fmt: skip
    assert settings == LimitSettings(
        thread_limit=0,
        hourly_limit=50,
        latency_ms=20,
        threshold_latency_ms=(0, 0),
        thread_latency_ms=(250, 1000),
        attachment_max_bytes=100,
        attachment_window_bytes=0,
        faults=(FaultRule("500", 0.5, "GET", "*/Tickets/*"),),
        fault_seed=9,
        slow_ms=5,
        fault_retry_after=0,
    )
    assert quirks == Quirks(
        auth_failure_status=401,
        advertise_v2=False,
        strict_operators=True,
        clamp_max_records=True,
        include_id_always=True,
        missing_item_404=True,
        reject_unknown_fields=True,
        accept_chunked=True,
        oversize_body_status=500,
        max_body_bytes=1000,
        thread_limit_status=500,
        thread_limit_text="T",
        hourly_limit_text="H",
        hourly_retry_after=True,
        attachment_item_wrapper=True,
        attachment_data_child_only=True,
        attachment_queries_need_parent=False,
    )
    assert _parse("--threshold-latency-ms", "250,750").threshold_latency_ms == (250, 750)


@pytest.mark.parametrize(
    "argv",
    [
        ("--thread-limit", "-1"),
        ("--hourly-limit", "many"),
        ("--faults", "teapot=1"),
        ("--faults", "500=2"),
        ("--threshold-latency-ms", "1,2,3"),
        ("--auth-failure-status", "403"),
        ("--thread-limit-status", "503"),
        ("--missing-id", "empty"),
        ("--thread-latency-ms", "fast"),
        ("--attachment-queries", "some"),
    ],
)
def test_bad_values_are_usage_errors(
    argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises((SystemExit, argparse.ArgumentError)):
        _parse(*argv)


def test_settings_are_frozen_values() -> None:
    settings = LimitSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.thread_limit = 5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        Quirks().missing_item_404 = True  # type: ignore[misc]


def test_help_lists_every_quirk_switch() -> None:
    text = _parser().format_help()
    for flag in (
        "--auth-failure-status", "--strict-operators", "--max-records-policy", "--missing-id",
        "--chunked-bodies", "--oversize-body-status", "--thread-limit-status",
        "--hourly-retry-after", "--attachment-wrapper", "--faults", "--fault-seed", "--slow-ms",
        "--latency-ms", "--attachment-max-bytes", "--unknown-body-fields",
        "--attachment-queries", "--include-fields-id", "--attachment-data", "--max-body-bytes",
        "--thread-latency-ms", "--threshold-latency-ms", "--attachment-window-bytes",
        "--fault-retry-after", "--hourly-limit", "--thread-limit",
    ):  # fmt: skip
        assert flag in text
