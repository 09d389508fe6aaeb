"""The organization part of the ``demo`` data set: countries, departments, and the roles and
queues each resource holds, which the ticket assignment rules check (rules/business.py)."""

from __future__ import annotations

from autotask.emulator.demo.base import DemoSet

HELPDESK_QUEUE = 29683325  # "Helpdesk Queue" in Tickets.queueID's real picklist
TRIAGE_QUEUE = 29748501  # "Triage"
DEPARTMENTS = [(29683475, "Sales", "SAL"), (29683481, "Professional Services", "PS")]
# Contacts use 23 (the contacts_query_page fixture); the other ids are the emulator's choice.
COUNTRIES = [
    (23, "BE", "Belgium", True),
    (1, "US", "United States", False),
    (2, "GB", "United Kingdom", False),
    (11, "FR", "France", False),
    (12, "DE", "Germany", False),
    (13, "NL", "Netherlands", False),
]


def organization(s: DemoSet) -> None:
    """Add countries, departments, resource roles and resource queues (after the resources)."""
    for country_id, code, name, default in COUNTRIES:
        s.add(
            "Countries",
            {
                "id": country_id,
                "addressFormatID": 1,
                "countryCode": code,
                "displayName": name,
                "isActive": True,
                "isDefaultCountry": default,
                "name": name.upper(),
            },
        )
    for department_id, name, number in DEPARTMENTS:
        s.add(
            "Departments",
            {"id": department_id, "description": "", "name": name, "number": number},
        )
    resources = s.ids("Resources")
    roles = s.ids("Roles")
    # Every active employee holds the first three roles in Professional Services; the
    # contractor is a Consultant only; the inactive last resource holds none. A ticket that
    # names a resource with a role it does not hold is refused (rules/business.py).
    held = [(r, role) for r in resources[:10] for role in roles[:3]]
    held.append((resources[10], roles[3]))
    for i, (resource_id, role_id) in enumerate(held):
        s.add(
            "ResourceRoles",
            {
                "id": 29684600 + i,
                "departmentID": DEPARTMENTS[1][0],
                "isActive": True,
                "queueID": None,
                "resourceID": resource_id,
                "roleID": role_id,
            },
        )
    queues = [(r, HELPDESK_QUEUE) for r in resources[:6]] + [
        (r, TRIAGE_QUEUE) for r in resources[:2]
    ]
    for i, (resource_id, queue_id) in enumerate(queues):
        s.add(
            "ResourceRoleQueues",
            {"id": 29684700 + i, "queueID": queue_id, "resourceID": resource_id},
        )
