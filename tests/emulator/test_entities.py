"""Every entity and child route of the Swagger is served, with the verbs its paths allow
(issue 8 item 2), checked over HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests import paths
from tests.emulator.support import ALL, Api
from tests.emulator_process import Emulator, running_emulator

VERBS = ("GET", "POST", "PATCH", "PUT", "DELETE")
# Swagger paths the emulator does not serve, on purpose: InvoicePDF is a file download, not an
# entity; ServiceLevelAgreements is a parent prefix with no entity whose ids it could check
# (its results are queried at the root, ServiceLevelAgreementResults/query).
NOT_SERVED = re.compile(r"/V1\.0/(InvoicePDF|ServiceLevelAgreements/)|/VersionInformation")


@pytest.fixture(scope="module")
def unlimited() -> Iterator[Emulator]:
    # A few thousand requests: without the hourly budget's latency and the thread gate.
    with running_emulator("--hourly-limit", "0", "--thread-limit", "0") as emulator:
        yield emulator


def _body(path: str, verb: str) -> Any:
    if path.endswith(("/query", "/query/count")):
        return {"filter": ALL}
    return {} if verb in ("POST", "PATCH", "PUT") else None


@pytest.mark.skipif(paths.SWAGGER is None, reason=paths.SWAGGER_MISSING)
def test_every_swagger_path_answers_its_verbs_and_refuses_the_others(unlimited: Emulator) -> None:
    assert paths.SWAGGER is not None
    swagger = json.loads(paths.SWAGGER.read_text(encoding="utf-8"))
    api = Api(unlimited)
    missing, extra = [], []
    served = 0
    for path, operations in swagger["paths"].items():
        if NOT_SERVED.search(path):
            continue
        served += 1
        url = path.removeprefix("/V1.0/").replace("{id}", "1").replace("{parentId}", "1")
        if url.lower() == "zoneinformation":
            url += "?user=emulator@example.com"
        allowed = {verb.upper() for verb in operations}
        for verb in allowed:
            reply = api.request(verb, url, _body(path, verb))
            if reply.status in (404, 405):
                missing.append(f"{verb} {path}: {reply.status} {reply.text[:80]}")
        refused = next((v for v in VERBS if v not in allowed), None)
        if refused is not None:
            reply = api.request(refused, url, _body(path, refused))
            if reply.status not in (404, 405):
                extra.append(f"{refused} {path}: {reply.status}")
    unlimited.reset()
    assert served > 1400
    assert missing == []
    assert extra == []


def test_resources_hold_roles_listed_through_their_parent(api: Api) -> None:
    resource = api.ids("Resources", MaxRecords=1)[0]
    roles = api.get(f"Resources/{resource}/Roles")
    assert roles.status == 200
    items = roles.json["items"]
    assert len(items) == 3 and {i["resourceID"] for i in items} == {resource}
    assert set(items[0]) == {"id", "departmentID", "isActive", "queueID", "resourceID", "roleID"}
    role = api.item("ResourceRoles", items[0]["id"])
    assert role["roleID"] in api.ids("Roles")
    # List and get only (Swagger: L/G): no writes through the parent, none at the root.
    assert api.post(f"Resources/{resource}/Roles", {"roleID": role["roleID"]}).status == 405
    assert api.post("ResourceRoles", {"resourceID": resource}).status == 404


def test_ticket_secondary_resources_are_written_through_the_ticket(api: Api) -> None:
    ticket = api.ids("Tickets", MaxRecords=1)[0]
    resource = api.ids("Resources", MaxRecords=1)[0]
    role = api.ids("Roles", MaxRecords=1)[0]
    base = f"Tickets/{ticket}/SecondaryResources"
    new_id = api.create(base, {"resourceID": resource, "roleID": role, "ticketID": 1})
    row = api.item("TicketSecondaryResources", new_id)
    assert (row["ticketID"], row["resourceID"], row["roleID"]) == (ticket, resource, role)
    condition = [{"op": "eq", "field": "ticketID", "value": ticket}]
    assert api.ids("TicketSecondaryResources", condition) == [new_id]
    assert [i["id"] for i in api.get(base).json["items"]] == [new_id]
    assert api.request("DELETE", f"TicketSecondaryResources/{new_id}").status == 405
    assert api.post("TicketSecondaryResources", {"ticketID": ticket}).status == 404
    assert api.request("DELETE", f"{base}/{new_id}").json == {"itemId": new_id}
    assert api.get(f"TicketSecondaryResources/{new_id}").json == {"item": None}


def test_a_parent_prefix_that_is_no_entity_serves_its_children(api: Api) -> None:
    # Expenses/{id}/Items takes expense report ids (fact sheet §4.2, §9.2).
    report = api.create("ExpenseReports", {"name": "Trip to Gent"})
    item = api.create(f"Expenses/{report}/Items", {"description": "Train", "miles": 12.5})
    record = api.item("ExpenseItems", item)
    assert (record["expenseReportID"], record["description"]) == (report, "Train")
    assert api.get(f"Expenses/{report}/Items").json["items"][0]["id"] == item
    assert api.get(f"ExpenseReports/{report}/Items").status == 404
    assert api.get(f"Expenses/{report}").status == 404
    missing = api.post("Expenses/999999/Items", {"description": "x"})
    assert missing.status == 500
    assert missing.errors == [
        "Reference value on field: expenseReportID of type: ExpenseReport does not exist or "
        "is invalid."
    ]


def test_derived_entities_answer_like_the_others(api: Api) -> None:
    # Fields and types from the Swagger model; decimals written with their places.
    fields = {f["name"]: f for f in api.get("QuoteItems/entityInformation/fields").json["fields"]}
    assert fields["quantity"]["dataType"] == "decimal"
    assert fields["quoteID"]["dataType"] == "integer"
    assert fields["isOptional"]["dataType"] == "boolean"
    info = api.get("Invoices/entityInformation").json["info"]
    assert (info["name"], info["canCreate"], info["canUpdate"]) == ("Invoice", False, True)
    assert api.post("Invoices", {}).status == 405  # QGU: PATCH/PUT only
    group = api.create("ContactGroups", {"name": "Newsletter", "isActive": True})
    assert api.item("ContactGroups", group) == {"id": group, "name": "Newsletter", "isActive": True}
    assert api.query("Invoices").json["items"] == []
    assert api.get("Widgets/query").status == 404  # an entity the API does not have
    assert api.get("ServiceLevelAgreements/1/Results").status == 404


def test_every_entity_is_counted_and_listed(api: Api, emulator: Emulator) -> None:
    records = emulator.stats()["records"]
    assert len(records) > 160
    assert records["ResourceRoles"] >= 30 and records["Departments"] == 2
    names = [d["info"]["name"] for d in api.get("EntityInformation").json["entityDescriptions"]]
    assert len(names) == len(records)
    assert {"Ticket", "TicketSecondaryResource", "QuoteItem", "ResourceRole"} <= set(names)
