"""``autotask usage``: the API's request counter for this hour (ThresholdInformation)."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.args import add_command
from autotask.cli.context import Context
from autotask.cli.exitcodes import ExitCode

EXAMPLES = (
    ("requests used this hour", "autotask usage"),
    ("the figure alone, for a monitoring script", "autotask usage -o json | jq .percentUsed"),
)


def register(subparsers: Any) -> None:
    """Add ``usage``."""
    add_command(
        subparsers,
        "usage",
        help="show how much of the hourly request threshold is used",
        description=(
            "Ask ThresholdInformation how many requests the tenant made in the current window "
            "(this one included) against its threshold; the percentage is added."
        ),
        examples=EXAMPLES,
        run=run,
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Print the usage figures."""
    figures: dict[str, Any] = dict(ctx.client().usage())
    limit = figures.get("externalRequestThreshold") or 0
    used = figures.get("currentTimeframeRequestCount") or 0
    percent = round(100.0 * used / limit, 1) if limit else None
    figures["percentUsed"] = percent
    minutes = figures.get("requestThresholdTimeframe")
    ctx.document(
        figures,
        f"{used} of {limit} requests used in the last {minutes} minutes ({percent}%)",
    )
    return ExitCode.OK
