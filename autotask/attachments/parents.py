"""Which records take attachments, and by what name: registry data, read, never restated.

The parents are the registry's child routes whose segment is ``Attachments``
(``Tickets/{id}/Attachments`` -> TicketAttachments, fact sheet §4.2, §7). A caller may name one
in the singular or the plural, in any case, with or without underscores (``Ticket``,
``tickets``, ``time_entry``, ``ExpenseReports`` for the ``Expenses/{id}`` prefix), or by the
SOAP-era name Autotask's own screens still use (``Account`` for Companies).

AttachmentInfo says whose an attachment is with a ``parentType`` code. The codes are not
documented anywhere we found (fact sheet §7), so the tenant's own picklist labels are matched
when its metadata has them, and the registry's assumed table
(``_registry_data.ATTACHMENT_PARENT_TYPES``) is the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from autotask.core._registry_data import ATTACHMENT_PARENT_TYPES, CHILDREN, PARENT_ALIASES
from autotask.core.registry import ChildRoute
from autotask.errors import InvalidRequest

__all__ = ["SEGMENT", "Parent", "find_parent", "parent_for_code", "parent_for_label", "parents"]

SEGMENT = "Attachments"
# Names Autotask's UI and SOAP API used for some parents (picklist labels may use them too).
_SYNONYMS = {
    "account": "Companies",
    "accountnote": "CompanyNotes",
    "installedproduct": "ConfigurationItems",
    "configurationitemnote": "ConfigurationItemNotes",
}
_NOT_LETTERS = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True, slots=True)
class Parent:
    """One kind of record that takes attachments.

    Attributes:
        name: the parent entity's name (``"Tickets"``, ``"ExpenseReports"``).
        route: its ``{Parent}/{id}/Attachments`` route (``route.entity`` is the attachment
            entity, e.g. ``"TicketAttachments"``, which is also the thread-limit bucket).
    """

    name: str
    route: ChildRoute

    @property
    def entity(self) -> str:
        """The attachment entity: ``"TicketAttachments"``."""
        return self.route.entity

    def path(self, parent_id: int, attachment_id: int | None = None) -> str:
        """``Tickets/5/Attachments`` or, with an attachment id, ``Tickets/5/Attachments/7``."""
        base = self.route.path(int(parent_id))
        return base if attachment_id is None else f"{base}/{int(attachment_id)}"


def _fold(name: str) -> str:
    return _NOT_LETTERS.sub("", name.lower())


def _singular(folded: str) -> str:
    if folded.endswith("ies"):
        return folded[:-3] + "y"
    return folded[:-1] if folded.endswith("s") else folded


@lru_cache(maxsize=1)
def parents() -> tuple[Parent, ...]:
    """Every parent the registry has an ``Attachments`` route for, in table order."""
    found = []
    for row in CHILDREN:
        route = ChildRoute(*row)
        if route.segment == SEGMENT:
            found.append(Parent(PARENT_ALIASES.get(route.parent, route.parent), route))
    return tuple(found)


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Parent]:
    keys: dict[str, Parent] = {}
    for parent in parents():
        for name in (parent.name, parent.route.parent):
            folded = _fold(name)
            keys.setdefault(folded, parent)
            keys.setdefault(_singular(folded), parent)
    by_name = {p.name: p for p in parents()}
    for synonym, name in _SYNONYMS.items():
        if name in by_name:
            keys.setdefault(synonym, by_name[name])
            keys.setdefault(synonym + "s", by_name[name])
    return keys


def find_parent(name: str) -> Parent:
    """The parent called ``name``: singular or plural, any case (``Ticket``, ``tickets``).

    Raises:
        InvalidRequest: no parent of that name takes attachments (the message lists them).
    """
    folded = _fold(str(name))
    parent = _by_key().get(folded) or _by_key().get(_singular(folded))
    if parent is None:
        known = ", ".join(sorted(p.name for p in parents()))
        raise InvalidRequest(f"{name!r} takes no attachments; parent types: {known}")
    return parent


def parent_for_label(label: str) -> Parent | None:
    """The parent a ``parentType`` picklist label names (``"Ticket"``, ``"Time Entry"``)."""
    folded = _fold(label)
    return _by_key().get(folded) or _by_key().get(_singular(folded))


def parent_for_code(code: object) -> Parent | None:
    """The parent of an AttachmentInfo ``parentType`` code in the registry's assumed table."""
    if isinstance(code, bool) or not isinstance(code, (int, float, str)):
        return None
    try:
        number = float(code)
    except ValueError:
        return None
    if not number.is_integer():
        return None
    name = ATTACHMENT_PARENT_TYPES.get(int(number))
    return None if name is None else find_parent(name)
