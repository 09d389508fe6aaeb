"""The entity table: integrity against the Swagger, routing rules, aliases, buckets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autotask.core._registry_data import CHILDREN, ENTITIES, PARENT_ALIASES
from autotask.core.registry import (
    child_route,
    entity_names,
    entity_spec,
    name_for_attribute,
    snake_name,
)
from tests import paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(paths.SWAGGER is None, reason=paths.SWAGGER_MISSING)
def test_committed_data_matches_the_derivation_tool() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "derive_registry.py"), str(paths.SWAGGER), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_table_integrity() -> None:
    assert len(ENTITIES) > 150
    assert all(set(caps) <= set("QGCURD") and caps for caps in ENTITIES.values())
    keys = [(row[0], row[1]) for row in CHILDREN]
    assert len(keys) == len(set(keys)), "duplicate child routes"
    for parent, _segment, entity, field, caps in CHILDREN:
        assert entity in ENTITIES, entity
        assert parent in ENTITIES or parent in PARENT_ALIASES or parent == "ServiceLevelAgreements"
        assert set(caps) <= set("LCURGD") and caps
        assert field == "" or field[0].islower(), field  # camelCase as the live API sends


@pytest.mark.skipif(paths.SWAGGER is None, reason=paths.SWAGGER_MISSING)
def test_every_swagger_child_route_is_in_the_table() -> None:
    assert paths.SWAGGER is not None
    swagger = json.loads(paths.SWAGGER.read_text(encoding="utf-8"))
    routes = set()
    for path in swagger["paths"]:
        parts = path.split("/")
        if len(parts) >= 5 and parts[3] == "{parentId}":
            routes.add((parts[2], parts[4]))
    assert routes <= {(row[0], row[1]) for row in CHILDREN}


@pytest.mark.parametrize(
    ("name", "caps"),
    [("Tickets", "QGCUR"), ("TicketNotes", "QG"), ("TimeEntries", "QGCURD"), ("Contacts", "QG")],
)
def test_known_capabilities(name: str, caps: str) -> None:
    # Tickets cannot be deleted; TicketNotes and Contacts are written through their parents
    # (fact sheet §4.3).
    assert entity_spec(name).capabilities == caps


def test_child_routes_and_parent_fields() -> None:
    notes = child_route("tickets", "notes")
    assert notes is not None
    assert (notes.entity, notes.parent_field, notes.path(5)) == (
        "TicketNotes",
        "ticketID",
        "Tickets/5/Notes",
    )
    assert child_route("Companies", "Contacts").parent_field == "companyID"
    assert child_route("Projects", "Tasks").entity == "Tasks"
    assert child_route("ExpenseReports", "Items").path(3) == "Expenses/3/Items"
    assert child_route("Tickets", "Nope") is None
    spec = entity_spec("ticketnotes")
    assert spec.name == "TicketNotes" and spec.writes_through_parent("C")
    assert not entity_spec("Tickets").writes_through_parent("C")
    assert "Notes" in {r.segment for r in entity_spec("Tickets").children}


def test_unknown_names_still_have_a_spec() -> None:
    spec = entity_spec("BrandNewThings")
    assert (spec.name, spec.known, spec.capabilities) == ("BrandNewThings", False, "")
    assert not spec.writes_through_parent("C")


def test_attribute_aliases() -> None:
    assert name_for_attribute("tickets") == "Tickets"
    assert name_for_attribute("ticket_notes") == "TicketNotes"
    assert name_for_attribute("organizational_level1s") == "OrganizationalLevel1s"
    assert name_for_attribute("brand_new_things") == "BrandNewThings"
    assert all(name_for_attribute(snake_name(n)) == n for n in entity_names())


def test_attachment_parent_type_codes_agree_with_the_emulator() -> None:
    # Both tables assume the same AttachmentInfo.parentType codes (no source shows them, fact
    # sheet §7); written separately on purpose (CONTRACTS §6), they must not drift apart.
    from autotask.attachments.parents import parent_for_code
    from autotask.emulator.model import schema

    coded = {
        e.name: e.attachment_parent_type for e in schema.entities() if e.attachment_parent_type
    }
    assert coded, "the emulator has no attachment parent type codes"
    for entity, code in coded.items():
        parent = parent_for_code(code)
        assert parent is not None and parent.entity == entity, (entity, code, parent)
