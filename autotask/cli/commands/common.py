"""Arguments and steps that several commands share: ``--labels``, ``--fields``, conditions."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence

from autotask.cli.exitcodes import UsageError
from autotask.cli.values.conditions import GRAMMAR
from autotask.cli.values.fieldtypes import FieldTable
from autotask.core.records import UDF_PREFIX

__all__ = [
    "add_condition_arguments",
    "add_fields_option",
    "add_labels_option",
    "positive_int",
    "resolve_fields",
    "seconds",
]


def positive_int(text: str) -> int:
    """An argparse ``type``: a whole number >= 1 (``--batch-size``, ``--partitions``).

    Raises:
        argparse.ArgumentTypeError: anything else (the parser turns it into exit 2).
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def seconds(text: str) -> float:
    """An argparse ``type``: a finite number of seconds >= 0 (``--settle``).

    Raises:
        argparse.ArgumentTypeError: anything else, NaN and infinity included (exit 2).
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number >= 0")
    return value


def add_labels_option(parser: argparse.ArgumentParser) -> None:
    """``--labels``: a ``field.label`` beside each picklist value."""
    parser.add_argument(
        "--labels",
        action="store_true",
        help="show each picklist value's label beside it, as a FIELD.label column or key",
    )


def add_fields_option(parser: argparse.ArgumentParser) -> None:
    """``--fields a,b,udf:Name``."""
    parser.add_argument(
        "--fields",
        metavar="A,B,...",
        help="only these fields, comma-separated (udf:NAME for a UDF); id is always included",
    )


def add_condition_arguments(parser: argparse.ArgumentParser) -> None:
    """CONDITION..., ``--any`` and ``--filter``."""
    parser.add_argument(
        "conditions",
        metavar="CONDITION",
        nargs="*",
        help=f"a condition, {GRAMMAR}; several are AND-ed",
    )
    parser.add_argument("--any", action="store_true", help="OR the conditions instead")
    parser.add_argument(
        "--filter",
        metavar="JSON",
        help="an Autotask filter in JSON (an object or a list), AND-ed with the conditions",
    )


def resolve_fields(text: str, table: FieldTable) -> tuple[list[str], list[str]]:
    """``--fields`` checked against the metadata.

    Returns:
        ``(include, columns)``: the names for ``IncludeFields`` (UDFs by their name) and the
        output columns (``id`` first, UDFs as ``udf:Name``).

    Raises:
        UsageError: an empty list or an unknown field.
    """
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise UsageError("--fields: no field names given")
    include: list[str] = []
    columns: list[str] = []
    for name in names:
        info = table.column(name)
        include.append(info.name)
        columns.append(UDF_PREFIX + info.name if info.udf else info.name)
    if not any(c.lower() == "id" for c in columns):
        columns.insert(0, "id")
    return include, list(dict.fromkeys(columns))


def split_names(values: Sequence[str]) -> list[str]:
    """Names given as several arguments or comma-separated."""
    return [n.strip() for v in values for n in v.split(",") if n.strip()]
