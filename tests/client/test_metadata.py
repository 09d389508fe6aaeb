"""Metadata: info, fields, UDFs and picklists, cached per client."""

from __future__ import annotations

import pytest

from autotask import AutotaskClient, InvalidRequest
from tests.client.conftest import READS, requests_to, under_quirks
from tests.emulator_process import Emulator


@under_quirks(*READS)
def test_info_fields_udfs(client: AutotaskClient) -> None:
    info = client.tickets.info()
    assert info["canCreate"] is True and info["canDelete"] is False
    fields = {f["name"]: f for f in client.tickets.fields()}
    assert fields["status"]["isPickList"] and fields["title"]["dataType"] == "string"
    udfs = client.tickets.udfs()
    assert all("label" in u and "type" in u for u in udfs)


def test_metadata_is_cached_per_client(client: AutotaskClient, emulator: Emulator) -> None:
    for _ in range(3):
        client.tickets.fields()
        client.tickets.picklist("status")
        client.entity("tickets").info()
    assert requests_to(emulator, "GET Tickets/entityInformation/fields") == 1
    assert requests_to(emulator, "GET Tickets/entityInformation") == 1
    client.clear_metadata()
    client.tickets.fields()
    assert requests_to(emulator, "GET Tickets/entityInformation/fields") == 2


@under_quirks(*READS)
def test_picklists_map_values_to_labels_and_back(client: AutotaskClient) -> None:
    statuses = client.tickets.picklist("status")
    assert statuses["1"] == "New" and all(isinstance(k, str) for k in statuses)
    assert client.tickets.picklist_value("status", "new") == "1"
    assert client.tickets.picklist_value("Status", " Complete ") == "5"
    with pytest.raises(InvalidRequest, match="not a label"):
        client.tickets.picklist_value("status", "No Such Status")
    with pytest.raises(InvalidRequest, match="not a picklist"):
        client.tickets.picklist("title")
    with pytest.raises(InvalidRequest, match="no field"):
        client.tickets.picklist("nope")


@under_quirks(*READS)
def test_udf_picklists(client: AutotaskClient) -> None:
    picklist_udfs = [u for u in client.tickets.udfs() if u["isPickList"]]
    assert picklist_udfs, "the emulator's Ticket UDFs (from the real fixture) include picklists"
    udf = picklist_udfs[0]
    values = client.tickets.picklist(udf["name"])
    label = udf["picklistValues"][0]["label"]
    assert client.tickets.picklist_value(udf["name"], label) == udf["picklistValues"][0]["value"]
    assert values[udf["picklistValues"][0]["value"]] == label


@under_quirks(*READS)
def test_child_metadata_uses_the_root_entity(client: AutotaskClient, emulator: Emulator) -> None:
    ticket = next(client.ticket_notes.query(limit=1))["ticketID"]
    fields = client.tickets.child(ticket, "Notes").fields()
    assert "ticketID" in {f["name"] for f in fields}
    client.ticket_notes.fields()  # same entity, same cache entry
    assert requests_to(emulator, "GET TicketNotes/entityInformation/fields") == 1
