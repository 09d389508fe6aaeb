"""Cross-field rules Autotask enforces on writes beyond the field metadata (issue 8 items 1, 4).

None of these fields is ``isRequired`` in the metadata, yet live Autotask refuses the write.
Each rule says where it comes from; the texts are the observed ones unless marked assumed.
Rules run on create and on update/replace, on the record as it would be after the write;
``--business-rules off`` switches them all off. Every refusal is a 500 with ``errors[]`` like
the other validation failures (fact sheet §11.6).

Tickets
  - A resource needs its role, and a role its resource: "When assigning a Resource, you must
    assign both a assignedResourceID and assignedResourceRoleID." (§11.6, OBS WYRE; the role
    without a resource gets the same text: assumed).
  - A queue or a resource with its role: "assignedResourceID, assignedResourceRoleID, and
    queueID cannot all be empty. ..." (§11.6, OBS PK).
  - The resource must hold the role (an active ResourceRoles row): "There is no row at position
    0." (§11.6, OBS PK), checked when the write names the resource or the role.
  - The contact must belong to the ticket's company or its parent company: "contactID is not
    associated to the companyID or its Parent Company" (§11.6, OBS PK), and the configuration
    item to the company: "The configurationItemID [x] is not associated with Company [y]"
    (§11.6, OBS PK); checked when the write names one of the fields.
TimeEntries
  - A ticket's time entry needs a role: "TimeEntries for Tickets must have a roleID." (§11.6,
    OBS PK, JU), instead of the required-field text.
  - ``dateWorked`` is taken from ``startDateTime`` when only that is given (its UTC date:
    assumed); with neither: "dateWorked is required when no value is supplied for
    startDateTime" (§11.6, OBS JU).
  - ``hoursWorked`` must be more than 0 and at most 24 (documented for SOAP's TimeEntry entity,
    assumed for REST; wording assumed).
Tasks
  - A missing ``taskType`` reads "Value does not reference an existing entity for taskType . "
    (§11.6, OBS WYRE #46/#47), instead of the required-field text.
  - A resource needs its role, as on tickets (assumed: tasks have the same pair of fields).
Notes and contacts: no cross-field rule is documented beyond their metadata's required fields
(fact sheet §11.6, the entity pages' first paragraphs); none is enforced.

Fields kept on update (issue 8 item 4): ``KEPT_ON_UPDATE`` lists fields that Autotask leaves as
they were when a PATCH or PUT changes them, answering 200 all the same. The emulator keeps them
too (``--kept-fields reject`` refuses the change instead, with an assumed text).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from autotask.emulator.model import schema
from autotask.emulator.model.store import Doc, Store, json_path

ASSIGN_BOTH = (
    "When assigning a Resource, you must assign both a assignedResourceID and "
    "assignedResourceRoleID."
)
ASSIGN_SOMETHING = (
    "assignedResourceID, assignedResourceRoleID, and queueID cannot all be empty. Supply a "
    "queueID or both an assignedResourceID and assignedResourceRoleID."
)
ROLE_NOT_HELD = "There is no row at position 0."
CONTACT_COMPANY = "contactID is not associated to the companyID or its Parent Company"
CI_COMPANY = "The configurationItemID [{}] is not associated with Company [{}]"
TICKET_TIME_ROLE = "TimeEntries for Tickets must have a roleID."
DATE_WORKED = "dateWorked is required when no value is supplied for startDateTime"
HOURS_WORKED = "hoursWorked must be greater than 0 and no more than 24."  # wording assumed
TASK_TYPE = "Value does not reference an existing entity for taskType . "

# Fields a PATCH/PUT cannot change: Autotask answers 200 and keeps the old value.
KEPT_ON_UPDATE: Mapping[str, tuple[str, ...]] = {
    # A time entry stays on its ticket (issue 8 item 4: a PATCH of ticketID answers 200 and
    # leaves the old value) and, by the same token, on its task (assumed).
    "TimeEntries": ("ticketID", "taskID"),
}


def kept_text(field_name: str, singular: str) -> str:
    """The refusal of a change to a kept field with ``--immutable-fields reject`` (assumed)."""
    return f"{field_name} cannot be changed after the {singular} is created."


@dataclass
class Findings:
    """What the rules found in one write.

    Attributes:
        errors: the refusals, in order.
        claimed: fields whose missing value a rule reported in its own words, so the generic
            required-field check leaves them alone.
    """

    errors: list[str] = field(default_factory=list)
    claimed: set[str] = field(default_factory=set)


def check(entity_name: str, doc: dict[str, Any], touched: frozenset[str], store: Store) -> Findings:
    """Apply the rules of ``entity_name`` to ``doc`` (the record after the write).

    Args:
        entity_name: the entity written.
        doc: the record as it would be stored; rules may fill derived values (dateWorked).
        touched: the fields the request sets (canonical names).
        store: the records, for lookups (resource roles, contacts, configuration items).
    """
    findings = Findings()
    rule = _RULES.get(entity_name)
    if rule is not None:
        rule(doc, touched, store, findings)
    return findings


def _ticket(doc: dict[str, Any], touched: frozenset[str], store: Store, out: Findings) -> None:
    resource, role = doc.get("assignedResourceID"), doc.get("assignedResourceRoleID")
    if (resource is None) != (role is None):
        out.errors.append(ASSIGN_BOTH)
    elif resource is None and doc.get("queueID") is None:
        out.errors.append(ASSIGN_SOMETHING)
    elif (
        resource is not None
        and role is not None
        and touched & {"assignedResourceID", "assignedResourceRoleID"}
        and _found(store, "Resources", resource)
        and _found(store, "Roles", role)
        and not _holds(store, resource, role)
    ):
        out.errors.append(ROLE_NOT_HELD)
    company = doc.get("companyID")
    contact = _record(store, "Contacts", doc.get("contactID"))
    if contact is not None and touched & {"contactID", "companyID"}:
        owner = _record(store, "Companies", company)
        allowed = {company, owner.get("parentCompanyID") if owner else None} - {None}
        if contact.get("companyID") not in allowed:
            out.errors.append(CONTACT_COMPANY)
    item = _record(store, "ConfigurationItems", doc.get("configurationItemID"))
    if (
        item is not None
        and touched & {"configurationItemID", "companyID"}
        and item.get("companyID") != company
    ):
        out.errors.append(CI_COMPANY.format(doc["configurationItemID"], company))


def _time_entry(doc: dict[str, Any], touched: frozenset[str], store: Store, out: Findings) -> None:
    if doc.get("dateWorked") is None:
        start = doc.get("startDateTime")
        if isinstance(start, str):
            doc["dateWorked"] = start[:10] + "T00:00:00.000Z"  # the stored form (model/wire.py)
        else:
            out.errors.append(DATE_WORKED)
            out.claimed.add("dateWorked")
    if doc.get("ticketID") is not None and doc.get("roleID") is None:
        out.errors.append(TICKET_TIME_ROLE)
        out.claimed.add("roleID")
    hours = doc.get("hoursWorked")
    if "hoursWorked" in touched and isinstance(hours, (int, float)) and not 0 < hours <= 24:
        out.errors.append(HOURS_WORKED)


def _task(doc: dict[str, Any], touched: frozenset[str], store: Store, out: Findings) -> None:
    if doc.get("taskType") is None:
        out.errors.append(TASK_TYPE)
        out.claimed.add("taskType")
    if (doc.get("assignedResourceID") is None) != (doc.get("assignedResourceRoleID") is None):
        out.errors.append(ASSIGN_BOTH)


Rule = Callable[[dict[str, Any], frozenset[str], Store, Findings], None]
_RULES: Mapping[str, Rule] = {"Tickets": _ticket, "TimeEntries": _time_entry, "Tasks": _task}


def _record(store: Store, entity_name: str, record_id: Any) -> Doc | None:
    entity = schema.entity(entity_name)
    if entity is None or not isinstance(record_id, int):
        return None
    return store.get(entity, record_id)


def _found(store: Store, entity_name: str, record_id: Any) -> bool:
    entity = schema.entity(entity_name)
    return entity is not None and isinstance(record_id, int) and store.exists(entity, record_id)


def _holds(store: Store, resource_id: int, role_id: int) -> bool:
    """Whether an active ResourceRoles row gives ``resource_id`` the role ``role_id``."""
    roles = schema.entity("ResourceRoles")
    if roles is None:
        return True
    where = (
        f"json_extract(doc, '{json_path('resourceID')}') = ? "
        f"AND json_extract(doc, '{json_path('roleID')}') = ? "
        f"AND coalesce(json_extract(doc, '{json_path('isActive')}'), 1)"
    )
    return bool(store.page(roles, where, (resource_id, role_id), -1, 1))
