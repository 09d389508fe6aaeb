"""The activity part of the ``demo`` data set: tickets with notes and checklists, time entries
and billing items, appointments, holidays, attachments (see records.py)."""

from __future__ import annotations

import base64
from datetime import timedelta

from autotask.emulator.demo.base import BASE, TICKET_TITLES, DemoSet, at, contacts_of, day, pick
from autotask.emulator.model import schema


def tickets(s: DemoSet) -> None:
    rng = s.rng
    companies = s.ids("Companies")
    resources = s.ids("Resources")
    roles = s.ids("Roles")
    codes = s.ids("BillingCodes")
    contracts = s.records["Contracts"]
    ticket_field = schema.entity("Tickets")
    assert ticket_field is not None
    sub = ticket_field.field("subIssueType")
    assert sub is not None and sub.picklist is not None
    statuses = [1, 5, 7, 8, 11, 12]
    for i in range(80):
        company = companies[(i * 7) % len(companies)]
        contacts = contacts_of(s, company)
        contract = next((c["id"] for c in contracts if c["companyID"] == company), None)
        issue = pick("Tickets", "issueType", i % 12)
        subs = [p.value for p in sub.picklist if p.is_active and p.parent_value == str(issue)]
        status = statuses[i % len(statuses)]
        created = -90 + i
        done = status == 5
        udfs: dict[str, str] = {}
        if i % 4 == 0:
            udfs["FR Result"] = ["Allocated", "Escalated", "Transitioned"][i % 3]
        if i % 10 == 3:
            udfs["Ext URL"] = f"https://status.example.com/incident/{i}"
        if i % 7 == 0:
            udfs["Status Summary"] = "Waiting for the vendor's answer"
        s.add(
            "Tickets",
            {
                "id": 29296 + i,
                "assignedResourceID": resources[i % 6] if i % 9 else None,
                "assignedResourceRoleID": roles[i % 3] if i % 9 else None,
                "billingCodeID": codes[1 + i % 2],
                "changeInfoField1": "",
                "changeInfoField2": "",
                "changeInfoField3": "",
                "changeInfoField4": "",
                "changeInfoField5": "",
                "companyID": company,
                "completedByResourceID": resources[i % 6] if done else None,
                "completedDate": at(created + 2, 15, 147) if done else None,
                "contactID": contacts[i % len(contacts)] if contacts and i % 6 else None,
                "contractID": contract,
                "createDate": at(created, 40 + i % 20, 113 * (i % 9)),
                "creatorResourceID": resources[0],
                "creatorType": 1,
                "description": None if i % 8 == 0 else f"{TICKET_TITLES[i % 10].strip()}.",
                "dueDateTime": at(created + 3, 300),
                "estimatedHours": [0.0, 0.25, 1.0, 3.5][i % 4],
                "externalID": "",
                "firstResponseDateTime": at(created, 41 + i % 20, 73),
                "hoursToBeScheduled": 0.0,
                "isAssignedToComanaged": False,
                "issueType": issue if i % 5 else None,
                "isVisibleToComanaged": False,
                "lastActivityDate": at(created + 2, 15, 407),
                "lastActivityPersonType": 1,
                "lastActivityResourceID": resources[i % 6],
                "lastTrackedModificationDateTime": at(created + 2, 15, 520),
                "priority": pick("Tickets", "priority", i),
                "purchaseOrderNumber": "",
                "queueID": pick("Tickets", "queueID", i % 6),
                "resolution": "Resolved remotely." if done else "",
                "resolvedDateTime": at(created + 2, 10) if done else None,
                "source": pick("Tickets", "source", i % 6),
                "status": status,
                "subIssueType": int(rng.choice(subs)) if subs and i % 5 and i % 2 else None,
                "ticketCategory": 3 if i % 10 else 5,
                "ticketNumber": f"T2024{(i // 28) + 1:02d}{(i % 28) + 1:02d}.{i + 1:04d}",
                "ticketType": pick("Tickets", "ticketType", i % 3),
                "title": TICKET_TITLES[i % 10] + ("" if i < 10 else f" #{i}"),
            },
            udfs,
        )
    tickets = s.ids("Tickets")
    for i in range(60):
        ticket = tickets[i % 40]
        s.add(
            "TicketNotes",
            {
                "id": 30000 + i,
                "createDateTime": at(-50 + i // 2, 5 * i, 250),
                "creatorResourceID": resources[i % 6],
                "description": [
                    "Called the customer, issue reproduced.",
                    "Escalated to level 2.",
                    "Redémarrage effectué, à surveiller.",
                ][i % 3],
                "lastActivityDate": at(-50 + i // 2, 5 * i, 250),
                "noteType": pick("TicketNotes", "noteType", i),
                "publish": pick("TicketNotes", "publish", i % 2),
                "ticketID": ticket,
                "title": f"Note {i + 1}",
            },
        )
    for i in range(20):
        done = i % 3 == 0
        s.add(
            "TicketChecklistItems",
            {
                "id": 5000 + i,
                "completedByResourceID": resources[1] if done else None,
                "completedDateTime": at(-10, i) if done else None,
                "isCompleted": done,
                "isImportant": i % 4 == 0,
                "itemName": ["Create account", "Install laptop", "Vérifier la sauvegarde"][i % 3],
                "position": i % 5 + 1,
                "ticketID": tickets[i % 5],
            },
        )


def time_and_billing(s: DemoSet) -> None:
    resources = s.ids("Resources")
    roles = s.ids("Roles")
    codes = s.ids("BillingCodes")
    tickets = s.records["Tickets"]
    tasks = s.records["Tasks"]
    for i in range(50):
        on_task = i % 5 == 4
        parent = tasks[i % len(tasks)] if on_task else tickets[i % len(tickets)]
        hours = 0.25 * (1 + i % 14)
        start = BASE + timedelta(days=-40 + i // 2, hours=1 + i % 6)
        end = start + timedelta(hours=hours)
        s.add(
            "TimeEntries",
            {
                "id": 236 + i,
                "billingApprovalLevelMostRecent": 0,
                "billingCodeID": codes[3] if on_task else parent["billingCodeID"],
                "contractID": None if on_task else parent["contractID"],
                "createDateTime": at(-40 + i // 2, 60 * (7 + i % 6), 613),
                "creatorUserID": resources[i % 6],
                "dateWorked": day(-40 + i // 2),
                "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "hoursToBill": hours,
                "hoursWorked": hours,
                "internalBillingCodeID": codes[3] if on_task else parent["billingCodeID"],
                "isInternalNotesVisibleToComanaged": False,
                "isNonBillable": i % 9 == 0,
                "lastModifiedDateTime": at(-40 + i // 2, 60 * (7 + i % 6), 613),
                "lastModifiedUserID": resources[i % 6],
                "offsetHours": 0.0,
                "resourceID": resources[i % 6],
                "roleID": roles[i % 3],
                "showOnInvoice": True,
                "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "summaryNotes": ["Fini", "Investigated logs", "Onsite visit"][i % 3],
                "taskID": parent["id"] if on_task else None,
                "ticketID": None if on_task else parent["id"],
                "timeEntryType": 6 if on_task else 2,
            },
        )
    entries = [t for t in s.records["TimeEntries"] if t["ticketID"] is not None]
    by_id = {t["id"]: t for t in tickets}
    for i, entry in enumerate(entries[:20]):
        ticket = by_id[entry["ticketID"]]
        quantity = entry["hoursToBill"]
        s.add(
            "BillingItems",
            {
                "id": 26039 + i,
                "accountManagerWhenApprovedID": resources[3],
                "billingCodeID": entry["billingCodeID"],
                "billingItemType": 1,
                "companyID": ticket["companyID"],
                "contractID": entry["contractID"],
                "description": entry["summaryNotes"],
                "extendedPrice": round(quantity * 121.78, 4),
                "internalCurrencyExtendedPrice": round(quantity * 121.78, 4),
                "internalCurrencyRate": 121.78,
                "internalCurrencyTaxDollars": 0.0,
                "internalCurrencyTotalAmount": 0.0,
                "invoiceID": 0,
                "itemApproverID": resources[2],
                "itemDate": entry["dateWorked"],
                "itemName": ticket["title"],
                "nonBillable": 0,
                "ourCost": round(quantity * 64.88, 4),
                "postedDate": day(-5),
                "postedOnTime": at(-5, 52, 23),
                "purchaseOrderNumber": "",
                "quantity": quantity,
                "rate": 121.78,
                "roleID": entry["roleID"],
                "sortOrderID": 0,
                "subType": 1,
                "taxDollars": 0.0,
                "ticketID": ticket["id"],
                "timeEntryID": entry["id"],
                "totalAmount": 0.0,
            },
        )


def calendar(s: DemoSet) -> None:
    resources = s.ids("Resources")
    companies = s.ids("Companies")
    for i in range(10):
        s.add(
            "Appointments",
            {
                "id": 4 + i,
                "createDateTime": at(-14 + i, 10),
                "creatorResourceID": resources[0],
                "description": "Onsite visit" if i % 2 else "Rendez-vous client",
                "endDateTime": at(i, 120 + 60 * (i % 3)),
                "resourceID": resources[i % 6],
                "startDateTime": at(i, 60 * (i % 3)),
                "title": f"Appointment {i + 1}",
                "updateDateTime": at(-14 + i, 10),
            },
        )
    for i in range(15):
        s.add(
            "CompanyNotes",
            {
                "id": 1200 + i,
                "actionType": pick("CompanyNotes", "actionType", i),
                "assignedResourceID": resources[3],
                "companyID": companies[i % len(companies)],
                "createDateTime": at(-45 + 2 * i, 0),
                "endDateTime": at(-45 + 2 * i, 30),
                "lastModifiedDate": at(-45 + 2 * i, 30),
                "name": f"Account review {i + 1}",
                "note": "Discussed renewal; client satisfait.",
                "startDateTime": at(-45 + 2 * i, 0),
            },
        )
    for i in range(10):
        s.add(
            "CompanyToDos",
            {
                "id": 29684378 + i,
                "actionType": pick("CompanyToDos", "actionType", i),
                "activityDescription": "Follow up on the proposal",
                "assignedToResourceID": resources[3 + i % 2],
                "companyID": companies[(i * 5) % len(companies)],
                "createDateTime": at(-7, i),
                "creatorResourceID": resources[3],
                "endDateTime": at(3 + i, 30),
                "lastModifiedDate": at(-7, i),
                "startDateTime": at(3 + i, 0),
            },
        )
    sets = [("Headquarters Holidays", "Holiday Sets"), ("België / Belgique", "Belgian holidays")]
    for i, (name, description) in enumerate(sets):
        s.add(
            "HolidaySets",
            {"id": 1 + i, "holidaySetName": name, "holidaySetDescription": description},
        )
    holidays = [
        ("New Year's Day", "2024-01-01"),
        ("Easter Monday", "2024-04-01"),
        ("Labour Day", "2024-05-01"),
        ("Ascension", "2024-05-09"),
        ("Fête nationale", "2024-07-21"),
        ("Christmas / Noël", "2024-12-25"),
    ]
    for i in range(12):
        name, date = holidays[i % 6]
        s.add(
            "Holidays",
            {
                "id": 29683373 + i,
                "holidayDate": f"{date}T00:00:00Z",
                "holidayName": name,
                "holidaySetID": 1 + i // 6,
            },
        )
    s.add(
        "TicketWebhooks",
        {
            "id": 1,
            "deactivationUrl": "https://hooks.example.com/autotask/deactivated",
            "isActive": False,
            "isReady": True,
            "isSubscribedToCreateEvents": True,
            "isSubscribedToDeleteEvents": False,
            "isSubscribedToUpdateEvents": True,
            "name": "Ticket sync (demo)",
            "notificationEmailAddress": "ops@example.com",
            "ownerResourceID": resources[0],
            "secretKey": "demo-webhook-secret-not-a-credential",
            "sendThresholdExceededNotification": False,
            "webhookGuid": "5f0c1d9e-0000-4000-8000-000000000001",
            "webhookUrl": "https://hooks.example.com/autotask/tickets",
        },
    )


def attachments(s: DemoSet) -> None:
    resources = s.ids("Resources")
    plan = [
        ("TicketAttachments", "ticketID", s.ids("Tickets")[0], "screenshot.txt"),
        ("TicketAttachments", "ticketID", s.ids("Tickets")[0], "logs-été.txt"),
        ("TicketAttachments", "ticketID", s.ids("Tickets")[3], "error.txt"),
        ("CompanyAttachments", "companyID", s.ids("Companies")[0], "contract-scan.txt"),
        ("ProjectAttachments", "projectID", s.ids("Projects")[0], "plan.txt"),
        ("OpportunityAttachments", "opportunityID", s.ids("Opportunities")[0], "quote.txt"),
        ("TaskAttachments", "taskID", s.ids("Tasks")[0], "checklist.txt"),
    ]
    for i, (entity, parent_field, parent_id, path) in enumerate(plan):
        e = schema.entity(entity)
        assert e is not None
        content = f"Demo attachment {i + 1} ({path}) — données de test.\n".encode()
        common = {
            "id": 29684500 + i,
            "attachDate": at(-20 + i, 12, 500),
            "attachedByResourceID": resources[i % 3],
            "attachmentType": "FILE_ATTACHMENT",
            "contentType": "text/plain",
            "fileSize": float(len(content)),
            "fullPath": path,
            "parentID": parent_id,
            "parentType": e.attachment_parent_type,
            "publish": 1 if i % 2 == 0 else 2,
            "title": path.rsplit(".", 1)[0],
        }
        s.add(entity, {**common, parent_field: parent_id, "data": _b64(content)})
        s.add("AttachmentInfo", common)


def _b64(content: bytes) -> str:
    return base64.b64encode(content).decode("ascii")
