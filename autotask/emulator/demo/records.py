"""The hand-shaped ``demo`` data set: ``demo_dataset``.

A small managed-service provider: resources with the roles and queues they hold (organization.py),
customer companies with contacts,
contracts, tickets with notes and checklists, projects with phases and tasks, time entries
and billing items, opportunities, configuration items, appointments, holidays, a few
attachments and one ticket webhook. Text mixes languages on purpose (non-ASCII, trailing spaces,
case variants) so queries meet what a real tenant holds (fixture shape fact 13).

Ids imitate a real tenant's ranges (Resources 29682885.., Contacts 30682885..). Variety comes
from index arithmetic and one seeded ``random.Random``, consumed in a fixed order.

This module builds the people, companies, contracts and projects; activity.py the
tickets, time, calendar and attachments; base.py holds what both draw from.
"""

from __future__ import annotations

from autotask.emulator.demo.activity import attachments, calendar, tickets, time_and_billing
from autotask.emulator.demo.base import (
    CITIES,
    COMPANIES,
    FIRST,
    LAST,
    DemoSet,
    Record,
    at,
    contacts_of,
    day,
    first_contact,
    pick,
)
from autotask.emulator.demo.organization import organization


def demo_dataset() -> dict[str, list[Record]]:
    """The ``--data demo`` start set: a few hundred records across the served entities.

    Picklist values are valid, references resolve (a Ticket's companyID is a Company of the
    set, and so on), some records carry UDF values, non-ASCII text and trailing-space or case
    variants (to exercise the SQL Server collation, fact sheet §11). Attachments carry small
    base64 ``data``; AttachmentInfo mirrors them with the same ids.

    Returns:
        Entity URL name -> records (new lists and dicts on every call; same content always).
    """
    s = DemoSet()
    _people(s)
    organization(s)
    _companies(s)
    _contracts_and_sales(s)
    _projects(s)
    tickets(s)
    time_and_billing(s)
    calendar(s)
    attachments(s)
    _owner_company(s)
    return s.records


def _owner_company(s: DemoSet) -> None:
    # Every tenant has its own company as id 0 (the real projects_query_page fixture has a
    # project of companyID 0, an internal project). Scripts file internal tickets and projects
    # against it, so it exists here too. Added last, so no other demo record's relations shift.
    # Its companyType is assumed (Customer; the real value of id 0 was never captured).
    s.add(
        "Companies",
        {
            "id": 0,
            "address1": "Rue de l'Emulateur, 1",
            "city": "Brussels",
            "companyName": "Demo MSP",
            "companyNumber": "",
            "companyType": 1,
            "countryID": 23,
            "createDate": at(-2000),
            "isActive": True,
            "lastActivityDate": at(-1),
            "ownerResourceID": s.ids("Resources")[0],
            "phone": "32 2 555 00 00",
            "postalCode": "1000",
            "webAddress": "www.demo-msp.test/",
        },
    )


def _people(s: DemoSet) -> None:
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
                "gender": pick("Resources", "gender", i),
                "greeting": pick("Resources", "greeting", i),
                "hireDate": day(-900 + 60 * i),
                "homePhone": "",
                "initials": f"{first[0]}{last[0]}".upper(),
                "internalCost": 30.0 + 2.5 * i,
                "isActive": i != 11,
                "lastName": last,
                "licenseType": pick("Resources", "licenseType", i),
                "locationID": pick("Resources", "locationID", i % 2),
                "middleName": "",
                "mobilePhone": f"+32400 00 00 {i:02d}",
                "numberFormat": "X,XXX.XX",
                "officeExtension": "",
                "officePhone": "",
                "payrollType": pick("Resources", "payrollType", i),
                "resourceType": "Contractor" if i == 10 else "Employee",
                "timeFormat": "HH:mm",
                "title": titles[i % len(titles)],
                "userName": f"{first}.{last}"[:32],
                "userType": pick("Resources", "userType", i),
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


def _companies(s: DemoSet) -> None:
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
                "classification": pick("Companies", "classification", i),
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
                "namePrefix": pick("Contacts", "namePrefix", i) if i % 4 else None,
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


def _contracts_and_sales(s: DemoSet) -> None:
    companies = s.ids("Companies")
    resources = s.ids("Resources")
    names = ["Régie", "Managed Services", "Block Hours 2024", "Support Retainer", "Per Ticket"]
    for i in range(15):
        company = companies[i % len(companies)]
        contacts = contacts_of(s, company)
        udfs = {"Bonus": "Yes", "CutOff": "Yes"} if i % 3 == 0 else {}
        if i % 5 == 1:
            udfs["EuroJob_Contract_ID"] = f"ADDR/NTK_R/{i:02d}"
        s.add(
            "Contracts",
            {
                "id": 29683353 + i,
                "billingPreference": pick("Contracts", "billingPreference", i),
                "companyID": company,
                "contactID": contacts[0] if contacts else None,
                "contractCategory": pick("Contracts", "contractCategory", i),
                "contractName": f"{names[i % 5]} {2023 + i % 2}",
                "contractType": pick("Contracts", "contractType", i),
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
                "contactID": first_contact(s, company),
                "cost": round(amount * 0.6, 2),
                "createDate": at(-60 + 3 * i, 30),
                "creatorResourceID": resources[3],
                "description": stages[i % 4],
                "ownerResourceID": resources[3 + i % 2],
                "probability": 10 * (i % 10),
                "projectedCloseDate": day(30 + 7 * i),
                "rating": pick("Opportunities", "rating", i),
                "stage": pick("Opportunities", "stage", i),
                "status": pick("Opportunities", "status", 1 if i % 5 else i),
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
                "configurationItemType": pick("ConfigurationItems", "configurationItemType", i),
                "contactID": first_contact(s, company),
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


def _projects(s: DemoSet) -> None:
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
                "projectType": pick("Projects", "projectType", 1 if i % 3 else i),
                "purchaseOrderNumber": "",
                "sgda": 0.0,
                "startDateTime": day(-120 + 10 * i),
                "status": pick("Projects", "status", 1 + i % 3),
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
                "status": pick("Tasks", "status", 1 if done else (3 if i % 2 else 0)),
                "taskCategoryID": 2,
                "taskNumber": f"T20240108.{i + 1:04d}",
                "taskType": pick("Tasks", "taskType", i),
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
                "noteType": pick("ProjectNotes", "noteType", i),
                "projectID": projects[i % len(projects)],
                "publish": pick("ProjectNotes", "publish", i),
                "title": f"Weekly update {i + 1}",
            },
        )
