"""The emulator's entity tables hang together and say what the fact sheet and fixtures say."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autotask.emulator.model import schema
from tests import paths

ROOT = Path(__file__).resolve().parents[3]
ENTITIES = schema.entities()


def test_names_and_singulars_are_unique() -> None:
    assert len({e.name.lower() for e in ENTITIES}) == len(ENTITIES)
    assert len({e.singular.lower() for e in ENTITIES}) == len(ENTITIES)
    for e in ENTITIES:
        assert schema.entity(e.name.upper()) is e
        assert schema.by_singular(e.singular.lower()) is e


def test_issue_two_entities_are_served() -> None:
    wanted = [
        "Companies",
        "Contacts",
        "Tickets",
        "TicketNotes",
        "Projects",
        "Tasks",
        "TimeEntries",
        "Resources",
        "Roles",
        "Contracts",
        "ConfigurationItems",
        "Opportunities",
        "Appointments",
        "AttachmentInfo",
        "TicketAttachments",
        "CompanyAttachments",
        "ProjectAttachments",
        "OpportunityAttachments",
        "TaskAttachments",
        "BillingItems",
        "BillingCodes",
        "HolidaySets",
        "Holidays",
        "CompanyNotes",
        "CompanyToDos",
        "ProjectNotes",
        "Phases",
        "TicketChecklistItems",
    ]
    assert [n for n in wanted if schema.entity(n) is None] == []


@pytest.mark.parametrize("e", ENTITIES, ids=lambda e: e.name)
def test_id_comes_first_and_field_names_are_unique(e: schema.EntityDef) -> None:
    first = e.fields[0]
    assert (first.name, first.data_type, first.required, first.read_only) == (
        "id",
        "long",
        True,
        True,
    )
    assert len({f.name.lower() for f in e.fields}) == len(e.fields)
    assert len({u.name.lower() for u in e.udfs}) == len(e.udfs)
    assert e.has_udfs or not e.udfs


@pytest.mark.parametrize("e", ENTITIES, ids=lambda e: e.name)
def test_fields_are_well_formed(e: schema.EntityDef) -> None:
    types = {"string", "integer", "long", "decimal", "double", "boolean", "datetime"}
    for f in e.fields:
        assert f.data_type in types, f.name
        assert f.name[0].islower(), f.name  # camelCase (fixture shape fact 1)
        # Decimals have a fixed scale on the wire; doubles are written like repr (fact 6).
        assert (f.scale > 0) == (f.data_type == "decimal"), f.name
        if f.data_type == "string" and not (e.attachment and f.name == "data"):
            assert f.length > 0, f.name
        if f.picklist is not None:
            values = [p.value for p in f.picklist]
            assert len(set(values)) == len(values), f.name
            if f.data_type in ("integer", "long"):
                assert all(v.lstrip("-").isdigit() for v in values), f.name
        if f.picklist_parent:
            parent = e.field(f.picklist_parent)
            assert parent is not None and parent.picklist is not None
        if f.assumed and f.reference:
            # Our own choices only point at entities we serve, so they can be validated.
            assert schema.by_singular(f.reference) is not None, f.name


@pytest.mark.parametrize("e", ENTITIES, ids=lambda e: e.name)
def test_child_routes_resolve(e: schema.EntityDef) -> None:
    for route in e.children:
        child = schema.entity(route.entity)
        assert child is not None, route.entity
        assert child.field(route.parent_field) is not None, route
        assert all(child.field(m) is not None for m in route.mirror_fields)
        assert route.ops <= schema.CHILD_OPS
        # Written through the parent only: no root create (fact sheet §4.2), unless the
        # Swagger has one too (ContractServiceAdjustments, TicketChecklistLibraries: actions).
        assert "C" not in child.ops or child.derived, child.name
        assert schema.parent_of(child.name) == (e, route)
        assert e.child(route.segment.lower(), route.via) is route


def test_capabilities_follow_the_fact_sheet() -> None:
    def ops(name: str) -> str:
        e = schema.entity(name)
        assert e is not None
        return "".join(sorted(e.ops))

    assert ops("Tickets") == "CGQU"  # Tickets cannot be deleted via the API (§4.3)
    assert ops("Contacts") == "GQ"
    assert ops("TicketNotes") == "GQ"
    assert ops("Resources") == "GQU"
    assert ops("BillingItems") == "GQU"
    assert ops("TimeEntries") == "CDGQU"
    assert ops("Appointments") == "CDGQU"
    tickets = schema.entity("Tickets")
    companies = schema.entity("Companies")
    assert tickets is not None and companies is not None
    notes = tickets.child("Notes")
    contacts = companies.child("Contacts")
    assert notes is not None and "".join(sorted(notes.ops)) == "CGLU"  # no delete
    assert contacts is not None and "".join(sorted(contacts.ops)) == "CDGLU"


def test_attachments_are_created_and_deleted_only_through_their_parent() -> None:
    attachments = [e for e in ENTITIES if e.attachment]
    assert len(attachments) >= 5
    codes = set()
    for e in attachments:
        assert "".join(sorted(e.ops)) == "GQ", e.name
        owner = schema.parent_of(e.name)
        assert owner is not None, e.name
        assert "".join(sorted(owner[1].ops)) == "CDGL", e.name  # never updated (§7)
        data = e.field("data")
        assert data is not None and not data.queryable
        codes.add(e.attachment_parent_type)
    assert len(codes) == len(attachments)
    assert schema.entity("AttachmentInfo") is not None


def test_udf_carriers_match_the_fixtures() -> None:
    carriers = {e.name for e in ENTITIES if e.has_udfs}
    assert {"Companies", "Contacts", "Tickets", "Contracts", "Projects", "Tasks"} <= carriers
    # These records have no userDefinedFields key at all (fixture shape fact 7).
    assert not carriers & {"TimeEntries", "BillingItems", "Roles", "Resources"}


def test_real_metadata_is_not_marked_assumed_and_choices_are() -> None:
    tickets = schema.entity("Tickets")
    companies = schema.entity("Companies")
    assert tickets is not None and companies is not None
    assert not any(f.assumed for f in tickets.fields)
    assert all(f.assumed for f in companies.fields)
    assert all(u.assumed for u in companies.udfs)
    status = tickets.field("status")
    assert status is not None and status.required and status.picklist_value(5) is not None
    assert status.picklist_value("999") is None


def test_spellings_and_scales_follow_the_fixtures() -> None:
    def field(entity: str, name: str) -> schema.FieldDef:
        e = schema.entity(entity)
        assert e is not None
        f = e.field(name)
        assert f is not None and f.name == name, (entity, name)
        return f

    field("Tickets", "problemTicketId")  # not ...ID (fixture shape fact 1)
    field("Roles", "quoteItemDefaultTaxCategoryId")
    assert field("Tickets", "estimatedHours").scale == 4
    assert field("Contracts", "estimatedRevenue").scale == 2
    assert field("Contracts", "setupFee").scale == 4
    assert field("Projects", "actualHours").data_type == "double"
    assert field("Contacts", "isActive").data_type == "integer"  # fact 10
    assert field("Companies", "isActive").data_type == "boolean"
    assert field("Tickets", "subIssueType").picklist_parent == "IssueType"


@pytest.mark.skipif(paths.SWAGGER is None, reason=paths.SWAGGER_MISSING)
def test_committed_tables_match_the_derive_script() -> None:
    script = ROOT / "tools" / "derive_emulator_schema.py"
    run = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_hand_checked_tables_stay_and_everything_else_is_derived() -> None:
    hand = [e for e in ENTITIES if not e.derived]
    assert len(hand) == 31
    assert all(not e.sources.endswith("(derived)") for e in hand)
    derived = [e for e in ENTITIES if e.derived]
    assert len(derived) > 120
    for e in derived:
        assert all(f.assumed for f in e.fields), e.name
        assert not any(f.required for f in e.fields if f.name != "id"), e.name
        assert all(f.picklist is None for f in e.fields), e.name
    quote_items = schema.entity("QuoteItems")
    expenses = schema.alias("EXPENSES")
    assert quote_items is not None and expenses is not None
    assert expenses[0] == "Expenses" and expenses[1].name == "ExpenseReports"
    items = expenses[1].child("items", "Expenses")
    assert items is not None and items.entity == "ExpenseItems"
    assert expenses[1].child("Items") is None  # only through the Expenses prefix


@pytest.mark.skipif(paths.SWAGGER is None, reason=paths.SWAGGER_MISSING)
def test_every_swagger_entity_is_served_with_its_capabilities() -> None:
    assert paths.SWAGGER is not None
    swagger = json.loads(paths.SWAGGER.read_text(encoding="utf-8"))
    ops: dict[str, set[str]] = {}
    for path, operations in swagger["paths"].items():
        match = re.fullmatch(r"/V1\.0/(\w+)(/query|/\{id\})?", path)
        if match is None:
            continue
        letters = ops.setdefault(match[1], set())
        for verb in operations:
            if match[2] == "/query":
                letters.add("Q")
            elif match[2]:
                letters.add("G" if verb == "get" else "D")
            elif verb != "get":
                letters.add("C" if verb == "post" else "U")
    swagger_entities = {name: letters for name, letters in ops.items() if letters}
    served = {e.name: set(e.ops) for e in ENTITIES}
    newer = {"TimeEntryAttachments", "ConfigurationItemAttachments", "TicketWebhooks"}  # §4.2, §7
    assert set(served) - newer == set(swagger_entities)
    assert {n: s for n, s in served.items() if n in swagger_entities and s != ops[n]} == {}
