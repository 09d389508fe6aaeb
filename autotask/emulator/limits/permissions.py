"""A simulated API user's security level: which operations it lacks, per entity (``--deny``).

Autotask decides per security level what an API user may query, read, create, update and
delete (fact sheet §4.3 "per-tenant truth is entityInformation", §4.4). The emulator's API user
may do everything the entity table allows, unless ``--deny ENTITY[:OPS]`` (repeatable) or
``POST /_emulator/permissions`` takes operations away. OPS are the letters of fact sheet §4.3,
``Q`` query, ``G`` get by id, ``C`` create, ``U`` update, ``D`` delete; without ``:OPS`` all
five are denied.

How a denied operation is answered:

- ``Q`` (queries, counts, next pages and child lists): 500 ``The logged in Resource does not
  have the adequate permissions to query this entity type.`` The start of that text is the
  permission failure of fact sheet §5 (django-autotask's constant); the ending "to query this
  entity type." was logged by a public project calling a live tenant (not in the fact sheet).
  Attachment entities answer 200 with no rows (count 0) instead: that is what a user whose
  security level cannot see the attachments gets (§11.3, PK).
- ``G``: the record is not visible: 200 ``{"item": null}`` (fact sheet §11.2: "not visible to the
  user"), and 500 ``Attachment could not be found.`` for attachments (§11.3, PK).
- ``C``, ``U``, ``D``: 500 with the same text ending "to create / update / delete this entity
  type." (assumed by analogy with the query text: no capture of the write forms exists).

``entityInformation`` reports the denial: ``canX`` false and ``userAccessForX`` ``"None"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autotask.emulator.model import schema

OPERATIONS = "QGCUD"
_VERBS = {"Q": "query", "C": "create", "U": "update", "D": "delete"}

# The operation each routed action performs (api/routes.py action names).
ACTION_OPERATION = {
    "query": "Q",
    "count": "Q",
    "next": "Q",
    "child_list": "Q",
    "get": "G",
    "child_get": "G",
    "create": "C",
    "child_create": "C",
    "update": "U",
    "replace": "U",
    "child_update": "U",
    "child_replace": "U",
    "delete": "D",
    "child_delete": "D",
}


class PermissionRuleError(ValueError):
    """A ``--deny`` rule that names no served entity or unknown operation letters."""


def denied_text(operation: str) -> str:
    """The 500 text of a denied query or write (``operation`` in Q C U D)."""
    return (
        "The logged in Resource does not have the adequate permissions to "
        f"{_VERBS[operation]} this entity type."
    )


@dataclass(frozen=True)
class Permissions:
    """The operations the API user lacks: canonical entity name -> denied letters."""

    denied: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def allows(self, entity: str, operation: str) -> bool:
        """Whether the user may perform ``operation`` (a letter of Q G C U D) on ``entity``."""
        letters = self.denied.get(entity)
        return letters is None or operation not in letters

    def to_json(self) -> dict[str, Any]:
        """``{"deny": ["Tickets:CUD", ...]}``: the form ``POST /_emulator/permissions`` takes."""
        return {
            "deny": [
                f"{name}:{''.join(op for op in OPERATIONS if op in letters)}"
                for name, letters in sorted(self.denied.items())
            ]
        }


def parse_rule(text: str) -> tuple[str, frozenset[str]]:
    """Read ``ENTITY[:OPS]`` into the canonical entity name and the denied letters.

    Raises:
        PermissionRuleError: the entity is not served or a letter is not one of Q G C U D.
    """
    name, sep, ops = text.strip().partition(":")
    entity = schema.entity(name.strip())
    if entity is None:
        raise PermissionRuleError(f"{name.strip()!r} is not an entity the emulator serves")
    letters = frozenset(ops.strip().upper()) if sep else frozenset(OPERATIONS)
    unknown = letters - frozenset(OPERATIONS)
    if not letters or unknown:
        raise PermissionRuleError(
            f"{text.strip()!r}: operations are letters of {OPERATIONS} "
            "(query, get, create, update, delete)"
        )
    return entity.name, letters


def permissions_from_rules(rules: Iterable[str]) -> Permissions:
    """Combine ``ENTITY[:OPS]`` rules (repeated entities add up).

    Raises:
        PermissionRuleError: for a rule ``parse_rule`` refuses.
    """
    denied: dict[str, frozenset[str]] = {}
    for rule in rules:
        name, letters = parse_rule(rule)
        denied[name] = denied.get(name, frozenset()) | letters
    return Permissions(denied)


def permissions_from_json(body: object) -> Permissions:
    """Read the body of ``POST /_emulator/permissions``: ``{"deny": ["Tickets:CUD", ...]}``.

    Raises:
        PermissionRuleError: when the body is not of that form or a rule is refused.
    """
    if not isinstance(body, Mapping) or set(body) != {"deny"}:
        raise PermissionRuleError('expected {"deny": ["ENTITY[:OPS]", ...]}')
    rules = body["deny"]
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise PermissionRuleError("'deny' must be a list of 'ENTITY[:OPS]' strings")
    return permissions_from_rules(rules)


class PermissionState:
    """The API user's permissions now: the ``--deny`` rules at start, replaced at run time by
    ``POST /_emulator/permissions`` and restored by a reset. The value is frozen and swapped as
    a whole, so readers need no lock."""

    def __init__(self, start: Permissions) -> None:
        self.start = start
        self.current = start

    def replace(self, permissions: Permissions) -> None:
        """Use ``permissions`` from now on."""
        self.current = permissions

    def reset(self) -> None:
        """Back to the start rules."""
        self.current = self.start
