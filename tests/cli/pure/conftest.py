"""A field table over real recorded ticket metadata (tests/fixtures/real): no sockets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from autotask.cli.values.fieldtypes import FieldTable
from tests.paths import FIXTURES


def real_fields(name: str) -> list[dict[str, Any]]:
    """The ``fields`` of a recorded ``entityInformation/fields`` answer."""
    fields: list[dict[str, Any]] = json.loads((FIXTURES / name).read_text())["response"]["fields"]
    return fields


@pytest.fixture
def tickets() -> FieldTable:
    """The ticket fields and UDFs of a live tenant."""
    return FieldTable(
        "Tickets",
        lambda: real_fields("ticket_fields.json"),
        lambda: real_fields("ticket_udf_fields.json"),
    )
