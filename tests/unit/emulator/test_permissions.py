"""``--deny ENTITY[:OPS]``: parsing, the settings it resolves to, and the metadata it changes."""

from __future__ import annotations

import pytest

from autotask.emulator.api import metadata
from autotask.emulator.cli import build_parser
from autotask.emulator.limits.permissions import (
    ACTION_OPERATION,
    PermissionRuleError,
    Permissions,
    denied_text,
    parse_rule,
    permissions_from_json,
    permissions_from_rules,
)
from autotask.emulator.model import schema
from autotask.emulator.options import settings_from


def test_rules_name_served_entities_and_letters_of_qgcud() -> None:
    assert parse_rule("tickets:cud") == ("Tickets", frozenset("CUD"))
    assert parse_rule(" Contacts ") == ("Contacts", frozenset("QGCUD"))
    for bad in ("Nope", "Tickets:", "Tickets:X", "Tickets:QX", ":Q"):
        with pytest.raises(PermissionRuleError):
            parse_rule(bad)


def test_repeated_rules_add_up_and_read_back() -> None:
    permissions = permissions_from_rules(["Tickets:C", "tickets:D", "Contacts:Q"])
    assert permissions.to_json() == {"deny": ["Contacts:Q", "Tickets:CD"]}
    assert permissions_from_json(permissions.to_json()) == permissions
    assert not permissions.allows("Tickets", "C")
    assert permissions.allows("Tickets", "U")
    assert permissions.allows("Companies", "D")
    with pytest.raises(PermissionRuleError):
        permissions_from_json({"deny": "Tickets"})


def test_every_entity_action_has_an_operation() -> None:
    entity_actions = {
        "get", "query", "count", "next", "create", "update", "replace", "delete",
        "child_list", "child_create", "child_update", "child_replace", "child_get",
        "child_delete",
    }  # fmt: skip
    assert set(ACTION_OPERATION) == entity_actions
    assert set(ACTION_OPERATION.values()) == set("QGCUD")
    assert denied_text("Q").endswith("to query this entity type.")


def test_the_flag_resolves_into_the_settings() -> None:
    ns = build_parser().parse_args(["--deny", "Tickets:CUD", "--deny", "Contacts"])
    settings = settings_from(ns, environ={})
    assert settings.permissions == permissions_from_rules(["Tickets:CUD", "Contacts"])
    assert settings_from(build_parser().parse_args([]), environ={}).permissions == Permissions()
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--deny", "Nope"])


def test_entity_information_reflects_the_denials() -> None:
    tickets = schema.entity("Tickets")
    assert tickets is not None
    info = metadata.entity_information(tickets, permissions_from_rules(["Tickets:QC"]))["info"]
    assert (info["canQuery"], info["canCreate"], info["canUpdate"]) == (False, False, True)
    assert (info["userAccessForQuery"], info["userAccessForUpdate"]) == ("None", "All")
    assert metadata.entity_information(tickets)["info"]["canCreate"] is True
