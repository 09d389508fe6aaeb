"""Requests as values: each names the entity it acts on (its thread-gate bucket)."""

from __future__ import annotations

import dataclasses

import pytest

from autotask import ConfigError
from autotask.retry import Operation
from autotask.wire._request import Request


def test_a_request_names_its_entity_where_it_is_built() -> None:
    request = Request(Operation.GET, "GET", "Tickets/5/Notes/7", "TicketNotes")
    assert request.entity == "TicketNotes" and request.upload_bytes == 0
    with pytest.raises(TypeError):
        Request(Operation.GET, "GET", "Tickets/5")  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="GET request to 'Tickets/5' needs the entity"):
        Request(Operation.GET, "GET", "Tickets/5", None)
    with pytest.raises(ConfigError):
        dataclasses.replace(request, entity="")
    # Only a zone lookup, which the thread limit exempts, has none.
    assert Request(Operation.ZONE, "GET", "https://x/zoneInformation", None).entity is None
