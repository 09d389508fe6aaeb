"""The hand-shaped ``demo`` data set (see ``demo.demo_dataset``).

A small managed-service provider: resources and roles, customer companies with contacts,
contracts, tickets with notes and checklists, projects with phases and tasks, time entries
and billing items, opportunities, configuration items, appointments, holidays, a few
attachments and one ticket webhook. Text mixes languages on purpose (non-ASCII, trailing spaces,
case variants) so queries meet what a real tenant holds (fixture shape fact 13).

Ids imitate a real tenant's ranges (Resources 29682885.., Contacts 30682885..). Variety comes
from index arithmetic and one seeded ``random.Random``, consumed in a fixed order.
"""

from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta, timezone
from typing import Any

from autotask.emulator import schema

Record = dict[str, Any]

_BASE = datetime(2024, 1, 8, 8, 0, tzinfo=timezone.utc)  # a Monday
_SEED = 20240108


def at(days: float, minutes: int = 0, millis: int = 0) -> str:
    """A UTC timestamp ``days`` after the base day, API-formatted (fixture shape fact 5)."""
    moment = _BASE + timedelta(days=days, minutes=minutes, milliseconds=millis)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}".rstrip("0")
    return text + "Z"


def day(days: int) -> str:
    """A date-only value: midnight UTC (fixture shape fact 5)."""
    moment = datetime(2024, 1, 8, tzinfo=timezone.utc) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT00:00:00Z")


class _Set:
    """Collects records per entity, filling unset fields with None and listing every UDF."""

    def __init__(self) -> None:
        self.rng = random.Random(_SEED)
        self.records: dict[str, list[Record]] = {e.name: [] for e in schema.entities()}

    def add(self, entity: str, values: Record, udfs: dict[str, str] | None = None) -> Record:
        e = schema.entity(entity)
        assert e is not None, entity
        record: Record = dict.fromkeys((f.name for f in e.fields), None)
        unknown = set(values) - set(record)
        assert not unknown, f"{entity}: {sorted(unknown)}"
        record.update(values)
        if e.has_udfs:
            given = udfs or {}
            record["userDefinedFields"] = [
                {"name": u.name, "value": given.get(u.name)} for u in e.udfs
            ]
        self.records[entity].append(record)
        return record

    def ids(self, entity: str) -> list[int]:
        return [r["id"] for r in self.records[entity]]


FIRST = ["Rick", "Jane", "José", "Zoë", "Søren", "Łukasz", "François", "Aoife", "Mei", "Omar"]
LAST = ["Roe", "Doe", "Müller", "Núñez", "O'Brien", "Dubois", "Janssens", "Nakamura", "doe", "Ng"]
COMPANIES = [
    "Acme Exemplar",
    "Sirius Cybernetics Corporation",
    "Société Générale de Café",
    "Müller & Söhne GmbH",
    "Ørsted Consulting ApS",
    "Zoë's Bakery",
    "Łódź Logistics",
    "北京 Trading Co.",
    "ACME Exemplar Services",
    "Globex Corporation ",
    "Initech",
    "Umbrella Corp",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Tyrell Corporation",
    "Cyberdyne Systems",
    "Soylent Corp",
    "Wonka Industries",
    "Vandelay Industries",
    "Pied Piper",
    "Aperture Science",
    "Black Mesa",
    "Oceanic Airlines",
    "Dunder Mifflin",
]
CITIES = ["Bruxelles", "Gent", "Zürich", "København", "São Paulo", "Paris", "Köln", "Bruxelles "]
TICKET_TITLES = [
    "Printer offline on 2nd floor",
    "Outlook keeps asking for password",
    "New starter: laptop and accounts",
    "VPN drops every 10 minutes",
    "Backup job failed",
    "Réinitialisation du mot de passe",
    "Firewall firmware update",
    "Disk space low on FS01",
    "ICT Coaching",
    "Phone system: no dial tone ",
]


def build_demo() -> dict[str, list[Record]]:
    s = _Set()
    _people(s)
    _companies(s)
    _contracts_and_sales(s)
    _projects(s)
    _tickets(s)
    _time_and_billing(s)
    _calendar(s)
    _attachments(s)
    return s.records


def _pick(entity: str, field: str, n: int) -> Any:
    """The n-th active value (cyclic) of a picklist, typed as the field is."""
    e = schema.entity(entity)
    f = e.field(field) if e else None
    assert f is not None and f.picklist is not None, (entity, field)
    values = [p.value for p in f.picklist if p.is_active]
    value = values[n % len(values)]
    return int(value) if f.data_type in ("integer", "long") else value


def _people(s: _Set) -> None:
    titles = ["Service Desk", "Engineer", "Project Manager", "Account Manager", "Stagiaire"]
    for i in range(12):
        first, last = FIRST[i % 10], LAST[(i * 3) % 10]
        local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        s.add(
            "Resources",
            {
                "id": 29682885 + i,
                "accountingReferenceID": f"R{i:03d}",
                "dateFormat": "dd/MM/yyyy" if i % 2 else "MM/dd/yyyy",
                "email": f"{local}@example.com",
                "email2": "",
                "email3": "",
                "emailTypeCode": "PRIMARY",
                "firstName": first,
                "gender": _pick("Resources", "gender", i),
                "greeting": _pick("Resources", "greeting", i),
                "hireDate": day(-900 + 60 * i),
                "homePhone": "",
                "initials": f"{first[0]}{last[0]}".upper(),
                "internalCost": 30.0 + 2.5 * i,
                "isActive": i != 11,
                "lastName": last,
                "licenseType": _pick("Resources", "licenseType", i),
                "locationID": _pick("Resources", "locationID", i % 2),
                "middleName": "",
                "mobilePhone": f"+32400 00 00 {i:02d}",
                "numberFormat": "X,XXX.XX",
                "officeExtension": "",
                "officePhone": "",
                "payrollType": _pick("Resources", "payrollType", i),
                "resourceType": "Contractor" if i == 10 else "Employee",
                "timeFormat": "HH:mm",
                "title": titles[i % len(titles)],
                "userName": f"{first}.{last}"[:32],
                "userType": _pick("Resources", "userType", i),
            },
        )
    roles = [
        ("System Engineer", 110.47, 1.2),
        ("Help Desk", 85.0, 1.0),
        ("Project Manager", 125.0, 1.0),
        ("Consultant", 140.0, 1.5),
        ("Développeur", 99.99, 1.0),
        ("Administration", 60.0, 0.0),
    ]
    for i, (name, rate, factor) in enumerate(roles):
        s.add(
            "Roles",
            {
                "id": 29683455 + i,
                "name": name,
                "description": "",
                "hourlyFactor": factor,
                "hourlyRate": rate,
                "isActive": True,
                "isExcludedFromNewContracts": i == 5,
                "isSystemRole": False,
                "quoteItemDefaultTaxCategoryId": 1,
                "roleType": 0,
            },
        )
    codes = ["Sales", "Remote Support", "On-site Support", "Project Work", "Internal"]
    for i, name in enumerate(codes):
        s.add(
            "BillingCodes",
            {
                "id": 29682860 + i,
                "billingCodeType": 2,
                "department": 29683475,
                "isActive": True,
                "isExcludedFromNewContracts": False,
                "name": name,
                "unitCost": 0.0,
                "unitPrice": 0.0 if i in (0, 4) else 95.0,
                "useType": 1,
            },
        )


def _companies(s: _Set) -> None:
    resources = s.ids("Resources")
    languages = ["FRA", "ENU", "NLD", "DEU"]
    for i, name in enumerate(COMPANIES):
        company_type = 1 if i % 6 else (3 if i % 12 else 7)
        udfs: dict[str, str] = {}
        if i % 3 == 0:
            udfs = {"Language": languages[i % 4], "NAV ID": f"C{5252 + i:05d}"}
        if i % 4 == 0:
            udfs.update({"Discount": "0.0000", "Service Price": "20.6400", "Work Report": "Yes"})
        city = CITIES[i % len(CITIES)]
        s.add(
            "Companies",
            {
                "id": 174 + i,
                "additionalAddressInformation": "",
                "address1": f"Rue Imaginaire, {i + 1}",
                "address2": None if i % 2 else "",
                "alternatePhone1": "",
                "alternatePhone2": "",
                "billToAddressToUse": 1,
                "billingAddress1": f"Rue Imaginaire, {i + 1}",
                "billingAddress2": "",
                "city": city,
                "classification": _pick("Companies", "classification", i),
                "companyName": name,
                "companyNumber": f"CUST{i:04d}",
                "companyType": company_type,
                "countryID": 23,
                "createDate": at(-400 + 11 * i, 7 * i, 167 if i % 2 else 0),
                "createdByResourceID": resources[0],
                "currencyID": 1,
                "fax": "",
                "invoiceNonContractItemsToParentCompany": False,
                "isActive": i != 23,
                "isClientPortalActive": i % 5 == 0,
                "isEnabledForComanaged": False,
                "isTaskFireActive": False,
                "isTaxExempt": i == 7,
                "lastActivityDate": at(-3 - i % 9, 13 * i),
                "ownerResourceID": resources[i % 4],
                "parentCompanyID": 174 if i == 8 else None,
                "phone": f"32 2 555 {i // 10:02d} {i % 100:02d}",
                "postalCode": str(1000 + 50 * i),
                "sicCode": "",
                "state": "",
                "stockMarket": "",
                "stockSymbol": "",
                "taxID": " " if i == 0 else "",
                "webAddress": None if i % 7 == 3 else f"www.example-{i}.test/",
            },
            udfs,
        )
    companies = s.ids("Companies")
    support_types = ["PDTDC", "SDTDC", "VIP"]
    for i in range(60):
        first, last = FIRST[(i * 7) % 10], LAST[(i * 3 + i // 10) % 10]
        email = f"{first}.{last}{i}".lower().replace("'", "")
        udfs = {"CRM Bulk Email status": "0", "Patching Notifications": "Blank"}
        if i % 5 == 0:
            udfs["Support Contact Type"] = support_types[i % 3]
        if i % 9 == 0:
            udfs["Contact overview"] = "Prefers e-mail; speaks français and Nederlands"
        s.add(
            "Contacts",
            {
                "id": 30682885 + i,
                "additionalAddressInformation": "",
                "addressLine": "",
                "addressLine1": "",
                "alternatePhone": "",
                "city": CITIES[i % len(CITIES)],
                "companyID": companies[i % len(companies)],
                "countryID": 23,
                "createDate": at(-300 + 4 * i, i, 893),
                "emailAddress": f"{email}@example.com",
                "extension": "",
                "externalID": "",
                "facebookUrl": "",
                "faxNumber": "",
                "firstName": first,
                "isActive": 0 if i % 13 == 12 else 1,
                "isOptedOutFromBulkEmail": i % 8 == 0,
                "lastActivityDate": at(-10 + i % 7, i),
                "lastModifiedDate": at(-20 + i % 11, i, 887),
                "lastName": last,
                "linkedInUrl": "",
                "mobilePhone": f"+32 400 {i // 100:02d} {i % 100:02d} 00",
                "namePrefix": _pick("Contacts", "namePrefix", i) if i % 4 else None,
                "note": "",
                "phone": "",
                "primaryContact": i < len(companies),
                "receivesEmailNotifications": True,
                "roomNumber": "",
                "solicitationOptOut": False,
                "state": "",
                "surveyOptOut": False,
                "title": ["Directeur", "IT Manager", "CFO", "Office Manager"][i % 4],
                "twitterUrl": "",
                "zipCode": "",
            },
            udfs,
        )


def _contacts_of(s: _Set, company_id: int) -> list[int]:
    return [c["id"] for c in s.records["Contacts"] if c["companyID"] == company_id]


def _first_contact(s: _Set, company_id: int) -> int | None:
    return next(iter(_contacts_of(s, company_id)), None)


def _contracts_and_sales(s: _Set) -> None:
    companies = s.ids("Companies")
    resources = s.ids("Resources")
    names = ["Régie", "Managed Services", "Block Hours 2024", "Support Retainer", "Per Ticket"]
    for i in range(15):
        company = companies[i % len(companies)]
        contacts = _contacts_of(s, company)
        udfs = {"Bonus": "Yes", "CutOff": "Yes"} if i % 3 == 0 else {}
        if i % 5 == 1:
            udfs["EuroJob_Contract_ID"] = f"ADDR/NTK_R/{i:02d}"
        s.add(
            "Contracts",
            {
                "id": 29683353 + i,
                "billingPreference": _pick("Contracts", "billingPreference", i),
                "companyID": company,
                "contactID": contacts[0] if contacts else None,
                "contractCategory": _pick("Contracts", "contractCategory", i),
                "contractName": f"{names[i % 5]} {2023 + i % 2}",
                "contractType": _pick("Contracts", "contractType", i),
                "endDate": day(356 - 365 * (i % 2)),
                "estimatedCost": 0.0,
                "estimatedHours": float(40 * (i % 4)),
                "estimatedRevenue": 1200.5 * (i % 3),
                "internalCurrencySetupFee": 0.0,
                "isCompliant": True,
                "isDefaultContract": i < 3,
                "purchaseOrderNumber": "",
                "setupFee": 0.0,
                "startDate": day(-7 - 365 * (i % 2)),
                "status": 0 if i == 14 else 1,
                "timeReportingRequiresStartAndStopTimes": i % 2,
            },
            udfs,
        )
    stages = ["Qualify the need", "Demo booked", "Offre envoyée", "Negotiating price "]
    for i in range(12):
        company = companies[(i * 2) % len(companies)]
        amount = 2500.0 + 750.0 * i
        s.add(
            "Opportunities",
            {
                "id": 29684300 + i,
                "amount": amount,
                "companyID": company,
                "contactID": _first_contact(s, company),
                "cost": round(amount * 0.6, 2),
                "createDate": at(-60 + 3 * i, 30),
                "creatorResourceID": resources[3],
                "description": stages[i % 4],
                "ownerResourceID": resources[3 + i % 2],
                "probability": 10 * (i % 10),
                "projectedCloseDate": day(30 + 7 * i),
                "rating": _pick("Opportunities", "rating", i),
                "stage": _pick("Opportunities", "stage", i),
                "status": _pick("Opportunities", "status", 1 if i % 5 else i),
                "title": f"Opportunity {i + 1}: {['Firewall', 'M365', 'Backup', 'Laptops'][i % 4]}",
                "totalAmountMonths": 12,
                "useQuoteTotals": False,
            },
        )
    for i in range(20):
        company = companies[i % 10]
        s.add(
            "ConfigurationItems",
            {
                "id": 400 + i,
                "companyID": company,
                "configurationItemType": _pick("ConfigurationItems", "configurationItemType", i),
                "contactID": _first_contact(s, company),
                "createDate": at(-200 + i, 15),
                "installDate": day(-190 + i),
                "isActive": i != 19,
                "location": ["Bureau 1", "Salle serveur", "Remote"][i % 3],
                "monthlyCost": 15.0 if i % 2 else 0.0,
                "productID": 29682863,
                "referenceNumber": f"AT-{i:05d}",
                "referenceTitle": f"{['LAPTOP', 'SRV', 'FW', 'PRN', 'PHONE'][i % 5]}-{i:04d}",
                "serialNumber": f"SN{1000003 * (i + 1) % 9999991:07d}",
                "warrantyExpirationDate": day(365 + 30 * i),
            },
        )


def _projects(s: _Set) -> None:
    companies = s.ids("Companies")
    resources = s.ids("Resources")
    roles = s.ids("Roles")
    codes = s.ids("BillingCodes")
    names = ["MSP Integration RMM", "Migration M365", "Déploiement Wi-Fi", "Office move"]
    for i in range(8):
        s.add(
            "Projects",
            {
                "id": 36 + i,
                "actualBilledHours": 0.0,
                "actualHours": round(12.25 * i + 0.6999, 4) if i % 2 else 0.0,
                "changeOrdersRevenue": 0.0,
                "companyID": companies[i * 3 % len(companies)],
                "completedPercentage": 100 if i == 0 else 10 * i,
                "createDateTime": day(-120 + 10 * i),
                "creatorResourceID": resources[2],
                "department": 29683481,
                "description": f"{names[i % 4]} — phase {i + 1}",
                "duration": 30 + i,
                "endDateTime": day(-60 + 15 * i),
                "estimatedSalesCost": 0.0,
                "estimatedTime": 40.0 + i,
                "extProjectNumber": "",
                "laborEstimatedCosts": 0.0,
                "laborEstimatedMarginPercentage": 0.0,
                "laborEstimatedRevenue": 0.0,
                "lastActivityDateTime": at(-2 - i, 37, 303),
                "lastActivityPersonType": 1,
                "lastActivityResourceID": resources[2],
                "originalEstimatedRevenue": 0.0,
                "projectCostEstimatedMarginPercentage": 0.0,
                "projectCostsBudget": 0.0,
                "projectCostsRevenue": 0.0,
                "projectLeadResourceID": resources[2],
                "projectName": f"{names[i % 4]} {i + 1}",
                "projectNumber": f"P2024010{i % 9}.{i + 1:04d}",
                "projectType": _pick("Projects", "projectType", 1 if i % 3 else i),
                "purchaseOrderNumber": "",
                "sgda": 0.0,
                "startDateTime": day(-120 + 10 * i),
                "status": _pick("Projects", "status", 1 + i % 3),
                "statusDateTime": at(-120 + 10 * i, 51),
                "statusDetail": "",
            },
            {},
        )
    projects = s.ids("Projects")
    for i in range(12):
        s.add(
            "Phases",
            {
                "id": 900 + i,
                "createDate": day(-110 + i),
                "creatorResourceID": resources[2],
                "description": "",
                "dueDate": day(-50 + 5 * i),
                "estimatedHours": 8.0 * (1 + i % 3),
                "externalID": "",
                "isScheduled": i % 2 == 0,
                "phaseNumber": f"PH{i + 1:03d}",
                "projectID": projects[i % len(projects)],
                "startDate": day(-110 + i),
                "title": ["Analyse", "Build", "Go-live"][i % 3],
            },
        )
    phases = s.records["Phases"]
    for i in range(30):
        phase = phases[i % len(phases)]
        done = i % 4 == 0
        s.add(
            "Tasks",
            {
                "id": 19254 + i,
                "assignedResourceID": resources[1 + i % 4],
                "assignedResourceRoleID": roles[i % 3],
                "billingCodeID": codes[3],
                "canClientPortalUserCompleteTask": False,
                "completedByResourceID": resources[1 + i % 4] if done else None,
                "completedDateTime": at(-5, i) if done else None,
                "createDateTime": at(-100 + i, 49, 183),
                "creatorResourceID": resources[2],
                "creatorType": 1,
                "departmentID": 29683481,
                "description": "",
                "endDateTime": day(-40 + i),
                "estimatedHours": 0.5 * (i % 9),
                "externalID": "",
                "hoursToBeScheduled": -168.1166 if i == 0 else 0.0,
                "isTaskBillable": i % 3 != 0,
                "isVisibleInClientPortal": True,
                "lastActivityDateTime": at(-4, 28, 873),
                "lastActivityPersonType": 1,
                "lastActivityResourceID": resources[2],
                "phaseID": phase["id"] if i % 5 else None,
                "priority": i % 3,
                "projectID": phase["projectID"],
                "purchaseOrderNumber": "",
                "remainingHours": 0.0,
                "startDateTime": day(-60 + i),
                "status": _pick("Tasks", "status", 1 if done else (3 if i % 2 else 0)),
                "taskCategoryID": 2,
                "taskNumber": f"T20240108.{i + 1:04d}",
                "taskType": _pick("Tasks", "taskType", i),
                "title": f"{phase['title']} — step {i + 1}",
            },
            {},
        )
    for i in range(10):
        s.add(
            "ProjectNotes",
            {
                "id": 700 + i,
                "createDateTime": at(-30 + i, 5),
                "creatorResourceID": resources[2],
                "description": "Status meeting: on track. Prochaine étape : tests.",
                "isAnnouncement": i == 0,
                "lastActivityDate": at(-30 + i, 5),
                "noteType": _pick("ProjectNotes", "noteType", i),
                "projectID": projects[i % len(projects)],
                "publish": _pick("ProjectNotes", "publish", i),
                "title": f"Weekly update {i + 1}",
            },
        )


def _tickets(s: _Set) -> None:
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
        contacts = _contacts_of(s, company)
        contract = next((c["id"] for c in contracts if c["companyID"] == company), None)
        issue = _pick("Tickets", "issueType", i % 12)
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
                "priority": _pick("Tickets", "priority", i),
                "purchaseOrderNumber": "",
                "queueID": _pick("Tickets", "queueID", i % 6),
                "resolution": "Resolved remotely." if done else "",
                "resolvedDateTime": at(created + 2, 10) if done else None,
                "source": _pick("Tickets", "source", i % 6),
                "status": status,
                "subIssueType": int(rng.choice(subs)) if subs and i % 5 and i % 2 else None,
                "ticketCategory": 3 if i % 10 else 5,
                "ticketNumber": f"T2024{(i // 28) + 1:02d}{(i % 28) + 1:02d}.{i + 1:04d}",
                "ticketType": _pick("Tickets", "ticketType", i % 3),
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
                "noteType": _pick("TicketNotes", "noteType", i),
                "publish": _pick("TicketNotes", "publish", i % 2),
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


def _time_and_billing(s: _Set) -> None:
    resources = s.ids("Resources")
    roles = s.ids("Roles")
    codes = s.ids("BillingCodes")
    tickets = s.records["Tickets"]
    tasks = s.records["Tasks"]
    for i in range(50):
        on_task = i % 5 == 4
        parent = tasks[i % len(tasks)] if on_task else tickets[i % len(tickets)]
        hours = 0.25 * (1 + i % 14)
        start = _BASE + timedelta(days=-40 + i // 2, hours=1 + i % 6)
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


def _calendar(s: _Set) -> None:
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
                "actionType": _pick("CompanyNotes", "actionType", i),
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
                "actionType": _pick("CompanyToDos", "actionType", i),
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


def _attachments(s: _Set) -> None:
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
