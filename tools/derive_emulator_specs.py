"""Per-entity choices for tools/derive_emulator_schema.py (the what; that script is the how).

Everything that is not read from a real fixture or the Swagger is chosen here and ends up
flagged ``"assumed": true`` in the data. Capabilities cite the fact sheet §4.3, child routes
§4.2, attachments §7.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_SCALE = 4  # decimals observed for money/hours fields: 3.5000, 110.4700 (fixture fact 6)

# Attachments: publish per the fact sheet §7 (live picklist); attachmentType values beyond
# FILE_ATTACHMENT are SOAP lore (§7, unconfirmed).
PUBLISH = [(1, "All Autotask Users"), (2, "Internal Users Only"), (4, "Internal & Co-Managed")]
ATTACHMENT_TYPES = [
    ("FILE_ATTACHMENT", "File Attachment"),
    ("FOLDER_LINK", "Folder Link"),
    ("URL", "URL"),
]
# AttachmentInfo.parentType of each attachment entity (codes assumed; no source shows them).
ATTACHMENT_PARENT_TYPE = {
    "CompanyAttachments": 1,
    "OpportunityAttachments": 3,
    "TicketAttachments": 4,
    "ProjectAttachments": 5,
    "TaskAttachments": 6,
    "TimeEntryAttachments": 7,
    "ConfigurationItemAttachments": 8,
}
# Who did something: a picklist in the real Tickets metadata (creatorType, lastActivityPersonType
# in ticket_fields.json), assumed for the same-named fields of other entities (issue 15 item 4).
PERSON_TYPES = [(1, "Resource"), (2, "Contact")]
NOTE_TYPES = [(1, "Task Summary"), (2, "Task Detail"), (3, "Internal Notes"), (13, "Workflow")]
# accounttodo_fields.json (real, trimmed by its source to these two values) plus 2 and 3: the
# same source created a ToDo with ActionType 3 (companytodo_create_response.json).
ACTION_TYPES = [(0, "Opportunity Update"), (1, "Phone Call"), (2, "Meeting"), (3, "Email")]

# Field name -> singular entity type for entities without real metadata (served entities only).
REFS = {
    "companyID": "Company",
    "parentCompanyID": "Company",
    "billToCompanyID": "Company",
    "contactID": "Contact",
    "billToCompanyContactID": "Contact",
    "attachedByContactID": "Contact",
    "installedByContactID": "Contact",
    "resourceID": "Resource",
    "assignedResourceID": "Resource",
    "assignedToResourceID": "Resource",
    "attachedByResourceID": "Resource",
    "billingApprovalResourceID": "Resource",
    "companyOwnerResourceID": "Resource",
    "completedByResourceID": "Resource",
    "creatorResourceID": "Resource",
    "createdByResourceID": "Resource",
    "impersonatorCreatorResourceID": "Resource",
    "impersonatorUpdaterResourceID": "Resource",
    "lastActivityResourceID": "Resource",
    "ownerResourceID": "Resource",
    "projectLeadResourceID": "Resource",
    "roleID": "Role",
    "assignedResourceRoleID": "Role",
    "billingCodeID": "BillingCode",
    "internalBillingCodeID": "BillingCode",
    "setupFeeBillingCodeID": "BillingCode",
    "contractID": "Contract",
    "projectID": "Project",
    "taskID": "Task",
    "ticketID": "Ticket",
    "opportunityID": "Opportunity",
    "configurationItemID": "ConfigurationItem",
    "parentConfigurationItemID": "ConfigurationItem",
    "phaseID": "Phase",
    "parentPhaseID": "Phase",
    "timeEntryID": "TimeEntry",
    "holidaySetID": "HolidaySet",
    "ticketNoteID": "TicketNote",
}
# Set by the system, never by a caller: read-only in every real metadata fixture that has them.
READONLY_PREFIXES = (
    "createDate",
    "createdBy",
    "creator",
    "impersonator",
    "lastActivity",
    "lastModified",
    "lastTracked",
    "updateDateTime",
)


@dataclass(frozen=True)
class EntitySpec:
    """How to build one entity's table; see the module docstring of derive_emulator_schema."""

    name: str
    singular: str
    model: str | None  # Swagger definition
    ops: str  # root capabilities, fact sheet §4.3
    record: str | None = None  # record fixture: key set, order, JSON types, decimal scales
    meta: str | None = None  # real field metadata fixture
    meta_partial: bool = False  # metadata covers only some fields (accounttodo_fields)
    udf_meta: str | None = None  # real UDF metadata fixture
    has_udfs: bool = False  # records carry userDefinedFields (fixture fact 7)
    attachment: bool = False
    webhook: bool = False
    children: tuple[dict[str, Any], ...] = ()
    required: tuple[str, ...] = ()
    readonly: tuple[str, ...] = ()
    writable: tuple[str, ...] = ()  # exempt from READONLY_PREFIXES
    not_queryable: tuple[str, ...] = ()
    lengths: dict[str, int] = field(default_factory=dict)
    long_text: tuple[str, ...] = ("description", "note", "notes", "summaryNotes", "internalNotes")
    picklists: dict[str, list[tuple[Any, str]]] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    scales: dict[str, int] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)  # overrides REFS ("" = none)
    extra: tuple[tuple[str, str], ...] = ()  # (field, insert after) not in the Swagger model
    drop: tuple[str, ...] = ()
    double: bool = False  # Swagger doubles are written as doubles (0.0), not scaled decimals

    def reference(self, name: str) -> str:
        if name in self.refs:
            return self.refs[name]
        ref = REFS.get(name, "")
        return ref if ref in SERVED else ""

    def is_readonly_by_name(self, name: str) -> bool:
        return name not in self.writable and name.startswith(READONLY_PREFIXES)

    def sources(self) -> str:
        parts = [f"fixture {x}" for x in (self.meta, self.udf_meta, self.record) if x]
        if self.model:
            parts.append(f"swagger {self.model}")
        return "; ".join(parts)


def child(segment: str, entity: str, parent_field: str, ops: str, mirror: str = "") -> dict:
    out: dict[str, Any] = {
        "segment": segment,
        "entity": entity,
        "parentField": parent_field,
        "ops": ops,
    }
    if mirror:
        out["mirrorFields"] = [mirror]
    return out


def attachment_spec(name: str, singular: str, model: str, parent_field: str, **kw: Any) -> Any:
    """An attachment entity: QG at root, written only through its parent (fact sheet §7)."""
    extra = kw.pop("extra", ())
    if parent_field != "opportunityID":
        extra = ((parent_field, "parentID"), *extra)
    return EntitySpec(
        name,
        singular,
        model,
        "QG",
        attachment=True,
        extra=extra,
        required=("attachmentType", "fullPath", "publish", "title", parent_field),
        readonly=(
            "attachDate",
            "attachedByResourceID",
            "contentType",
            "fileSize",
            "isTaskAttachment",
            "parentType",
            "creatorType",
        ),
        not_queryable=("data",),
        # data: base64, bounded by the attachment size limit, not a length (fact sheet §7).
        lengths={
            "attachmentType": 32,
            "contentType": 100,
            "data": 0,
            "fullPath": 255,
            "title": 255,
        },
        long_text=(),
        picklists={
            "publish": PUBLISH,
            "attachmentType": ATTACHMENT_TYPES,
            **kw.pop("picklists", {}),
        },
        types={"fileSize": "double", **kw.pop("types", {})},
        refs={"opportunityID": "" if parent_field != "opportunityID" else "Opportunity"},
        **kw,
    )


COMPANY_TYPES = [
    (1, "Customer"),
    (2, "Lead"),
    (3, "Prospect"),
    (4, "Dead"),
    (6, "Cancelation"),
    (7, "Vendor"),
    (8, "Partner"),
]

SPECS: list[EntitySpec] = [
    EntitySpec(
        "Companies",
        "Company",
        "CompanyModel",
        "QGCU",
        record="companies_query_page",
        has_udfs=True,
        webhook=True,
        children=(
            child("Attachments", "CompanyAttachments", "companyID", "LCGD", "parentID"),
            child("Contacts", "Contacts", "companyID", "LCUGD"),
            child("Notes", "CompanyNotes", "companyID", "LCUG"),
            child("ToDos", "CompanyToDos", "companyID", "LCUGD"),
        ),
        required=("companyName", "companyType", "ownerResourceID", "phone"),
        lengths={
            "additionalAddressInformation": 100,
            "address1": 128,
            "address2": 128,
            "alternatePhone1": 25,
            "alternatePhone2": 25,
            "billToAdditionalAddressInformation": 100,
            "billingAddress1": 150,
            "billingAddress2": 150,
            "billToAttention": 50,
            "billToCity": 50,
            "billToState": 128,
            "billToZipCode": 50,
            "city": 30,
            "companyName": 100,
            "companyNumber": 50,
            "fax": 25,
            "phone": 25,
            "postalCode": 20,
            "sicCode": 32,
            "state": 25,
            "stockMarket": 10,
            "stockSymbol": 10,
            "taxID": 50,
            "webAddress": 255,
        },
        picklists={
            "companyType": COMPANY_TYPES,
            "billToAddressToUse": [(1, "Use Company Address"), (2, "Use Bill To Address")],
            "classification": [(15, "Standard"), (16, "Key Account"), (17, "Partner Tier")],
        },
        types={"companyCategoryID": "integer", "purchaseOrderTemplateID": "integer"},
    ),
    EntitySpec(
        "Contacts",
        "Contact",
        "ContactModel",
        "QG",
        record="contacts_query_page",
        meta="contact_fields",
        udf_meta="contact_udf_fields",
        has_udfs=True,
        webhook=True,
    ),
    EntitySpec(
        "Tickets",
        "Ticket",
        "TicketModel",
        "QGCU",
        record="tickets_query_page",
        meta="ticket_fields",
        udf_meta="ticket_udf_fields",
        has_udfs=True,
        webhook=True,
        children=(
            child("Attachments", "TicketAttachments", "ticketID", "LCGD", "parentID"),
            child("ChecklistItems", "TicketChecklistItems", "ticketID", "LCUGD"),
            child("Notes", "TicketNotes", "ticketID", "LCUG"),
        ),
    ),
    EntitySpec(
        "TicketNotes",
        "TicketNote",
        "TicketNoteModel",
        "QG",
        required=("description", "noteType", "publish", "ticketID", "title"),
        lengths={"description": 32000, "title": 250},
        picklists={"noteType": NOTE_TYPES, "publish": PUBLISH},
    ),
    EntitySpec(
        "Resources",
        "Resource",
        "ResourceModel",
        "QGU",
        record="resources_query_items",
        meta="resource_fields",
    ),
    EntitySpec(
        "Roles",
        "Role",
        "RoleModel",
        "QGCU",
        record="roles_query_page",
        required=("hourlyFactor", "hourlyRate", "isActive", "name"),
        lengths={"name": 200, "description": 200},
        readonly=("isSystemRole",),
        refs={},
    ),
    EntitySpec(
        "BillingCodes",
        "BillingCode",
        "BillingCodeModel",
        "QG",
        record="billingcodes_query_item",
        lengths={"name": 200, "description": 500, "externalNumber": 100},
        refs={"taxCategoryID": "TaxCategory"},  # the Swagger's TaxCategories (assumed)
        picklists={
            "billingCodeType": [(0, "System"), (1, "Non-Billable"), (2, "Normal")],
            "useType": [(1, "General"), (2, "Recurring Contract"), (3, "Material")],
        },
    ),
    EntitySpec(
        "Contracts",
        "Contract",
        "ContractModel",
        "QGCU",
        record="contracts_query_page",
        has_udfs=True,
        required=("companyID", "contractName", "contractType", "endDate", "startDate", "status"),
        lengths={"contactName": 250, "contractName": 100, "contractNumber": 50},
        long_text=("description",),
        picklists={
            "status": [(0, "Inactive"), (1, "Active")],
            "contractType": [
                (1, "Time & Materials"),
                (3, "Fixed Price"),
                (4, "Block Hours"),
                (6, "Retainer"),
                (7, "Recurring Service"),
                (8, "Per Ticket"),
            ],
            "billingPreference": [(1, "Manually"), (2, "Immediately"), (3, "Timesheet Approval")],
            "contractCategory": [(1, "Standard"), (13, "Régie"), (14, "Managed Services")],
        },
        refs={"exclusionContractID": "Contract", "renewedContractID": "Contract"},
    ),
    EntitySpec(
        "Projects",
        "Project",
        "ProjectModel",
        "QGCU",
        record="projects_query_page",
        has_udfs=True,
        double=True,
        children=(
            child("Attachments", "ProjectAttachments", "projectID", "LCGD", "parentID"),
            child("Notes", "ProjectNotes", "projectID", "LCUG"),
            child("Phases", "Phases", "projectID", "LCUG"),
            child("Tasks", "Tasks", "projectID", "LCUG"),
        ),
        required=(
            "companyID",
            "endDateTime",
            "projectName",
            "projectType",
            "startDateTime",
            "status",
        ),
        lengths={"projectName": 100, "projectNumber": 50, "extProjectNumber": 50},
        picklists={
            "status": [(0, "Inactive"), (1, "New"), (2, "In Progress"), (5, "Complete")],
            "projectType": [(3, "Proposal"), (4, "Client"), (5, "Internal"), (8, "Baseline")],
            "lastActivityPersonType": PERSON_TYPES,
        },
        readonly=("projectNumber", "actualHours", "actualBilledHours", "completedDateTime"),
        types={"opportunityID": "integer"},
    ),
    EntitySpec(
        "Tasks",
        "Task",
        "TaskModel",
        "QG",
        record="tasks_query_page",
        has_udfs=True,
        double=True,
        children=(child("Attachments", "TaskAttachments", "taskID", "LCGD", "parentID"),),
        required=("projectID", "status", "taskType", "title"),
        lengths={"title": 255, "taskNumber": 50},
        picklists={
            "status": [(1, "New"), (5, "Complete"), (7, "Waiting Customer"), (8, "In Progress")],
            "taskType": [(1, "Fixed Work"), (2, "Fixed Duration")],
            # Served as a picklist live; 2 = Standard (issue 15 item 4, tasks_query_page).
            "taskCategoryID": [(2, "Standard")],
            "creatorType": PERSON_TYPES,
            "lastActivityPersonType": PERSON_TYPES,
            "completedByType": PERSON_TYPES,
        },
        readonly=("taskNumber", "completedByType", "hoursToBeScheduled", "remainingHours"),
        types={"priorityLabel": "integer"},
    ),
    EntitySpec(
        "Phases",
        "Phase",
        "PhaseModel",
        "QG",
        double=True,
        required=("projectID", "title"),
        lengths={"title": 255, "phaseNumber": 50, "externalID": 50},
        readonly=("phaseNumber",),
    ),
    EntitySpec(
        "ProjectNotes",
        "ProjectNote",
        "ProjectNoteModel",
        "QG",
        required=("description", "noteType", "projectID", "publish", "title"),
        lengths={"description": 32000, "title": 250},
        picklists={"noteType": NOTE_TYPES, "publish": PUBLISH},
    ),
    EntitySpec(
        "TimeEntries",
        "TimeEntry",
        "TimeEntryModel",
        "QGCUD",
        record="timeentries_query_page",
        children=(child("Attachments", "TimeEntryAttachments", "timeEntryID", "LCGD", "parentID"),),
        required=("dateWorked", "resourceID", "roleID"),
        lengths={"summaryNotes": 32000, "internalNotes": 32000},
        picklists={"timeEntryType": [(2, "Ticket"), (3, "Regular"), (6, "Project Task")]},
        readonly=("billingApprovalDateTime", "billingApprovalLevelMostRecent", "timeEntryType"),
        refs={"creatorUserID": "Resource", "lastModifiedUserID": "Resource"},
        types={"isInternalNotesVisibleToComanaged": "boolean"},
    ),
    EntitySpec(
        "BillingItems",
        "BillingItem",
        "BillingItemModel",
        "QGU",
        record="billingitems_query_page",
        types={
            "contractBlockID": "integer",
            "contractServiceAdjustmentID": "integer",
            "contractServiceBundleAdjustmentID": "integer",
            "contractServiceBundleID": "long",
            "contractServiceBundlePeriodID": "long",
            "contractServiceID": "long",
            "contractServicePeriodID": "long",
            "sortOrderID": "integer",
        },
        readonly=(
            "accountManagerWhenApprovedID",
            "billingItemType",
            "companyID",
            "extendedPrice",
            "itemApproverID",
            "itemDate",
            "postedDate",
            "postedOnTime",
            "quantity",
            "rate",
            "subType",
            "totalAmount",
        ),
        refs={"accountManagerWhenApprovedID": "Resource", "itemApproverID": "Resource"},
    ),
    EntitySpec(
        "Opportunities",
        "Opportunity",
        "OpportunityModel",
        "QGCU",
        has_udfs=True,
        children=(
            child("Attachments", "OpportunityAttachments", "opportunityID", "LCGD", "parentID"),
        ),
        required=(
            "amount",
            "companyID",
            "cost",
            "ownerResourceID",
            "projectedCloseDate",
            "stage",
            "status",
            "title",
            "useQuoteTotals",
        ),
        lengths={"title": 128, "market": 100, "promotionName": 50, "revenueSpreadUnit": 10},
        long_text=(
            "description",
            "barriers",
            "helpNeeded",
            "nextStep",
            "lossReasonDetail",
            "winReasonDetail",
        ),
        picklists={
            "status": [
                (0, "Inactive"),
                (1, "Active"),
                (2, "Lost"),
                (3, "Closed"),
                (4, "Implemented"),
            ],
            "stage": [(1, "Lead"), (2, "Qualified"), (3, "Proposal"), (4, "Negotiation")],
            "rating": [(1, "Hot"), (2, "Warm"), (3, "Cold")],
        },
    ),
    EntitySpec(
        "ConfigurationItems",
        "ConfigurationItem",
        "ConfigurationItemModel",
        "QGCU",
        has_udfs=True,
        webhook=True,
        children=(
            child(
                "Attachments",
                "ConfigurationItemAttachments",
                "configurationItemID",
                "LCGD",
                "parentID",
            ),
        ),
        required=("companyID", "isActive", "productID"),
        lengths={
            "referenceNumber": 50,
            "referenceTitle": 200,
            "serialNumber": 100,
            "location": 100,
        },
        picklists={
            "configurationItemType": [
                (1, "Workstation"),
                (2, "Server"),
                (3, "Network Device"),
                (4, "Printer"),
                (5, "Mobile Device"),
            ],
            "lastActivityPersonType": PERSON_TYPES,
        },
        refs={
            "createdByPersonID": "Resource",
            "installedByID": "Resource",
            # An entity of the Swagger (ConfigurationItemCategories), not a picklist (assumed).
            "configurationItemCategoryID": "ConfigurationItemCategory",
        },
    ),
    EntitySpec(
        "Appointments",
        "Appointment",
        "AppointmentModel",
        "QGCUD",
        # title is not required: appointment_create_response.json created one with "".
        required=("endDateTime", "resourceID", "startDateTime"),
        lengths={"title": 255},
    ),
    EntitySpec(
        "CompanyNotes",
        "CompanyNote",
        "CompanyNoteModel",
        "QG",
        required=("actionType", "assignedResourceID", "companyID", "endDateTime", "startDateTime"),
        lengths={"name": 250, "note": 32000},
        picklists={"actionType": ACTION_TYPES},
    ),
    EntitySpec(
        "CompanyToDos",
        "CompanyToDo",
        "CompanyToDoModel",
        "QG",
        meta="accounttodo_fields",
        meta_partial=True,
        required=("assignedToResourceID", "companyID", "endDateTime", "startDateTime"),
        picklists={"actionType": ACTION_TYPES},
        types={"assignedToResourceID": "integer"},
    ),
    EntitySpec(
        "TicketChecklistItems",
        "TicketChecklistItem",
        "TicketChecklistItemModel",
        "QG",
        required=("itemName", "ticketID"),
        lengths={"itemName": 255},
        readonly=("completedByResourceID", "completedDateTime"),
    ),
    EntitySpec(
        "HolidaySets",
        "HolidaySet",
        "HolidaySetModel",
        "QGCUD",
        record="holidayset_item",
        children=(child("Holidays", "Holidays", "holidaySetID", "LCUGD"),),
        required=("holidaySetName",),
        lengths={"holidaySetName": 100, "holidaySetDescription": 500},
    ),
    EntitySpec(
        "Holidays",
        "Holiday",
        "HolidayModel",
        "QG",
        record="holidays_list_page",
        required=("holidayDate", "holidayName", "holidaySetID"),
        lengths={"holidayName": 100},
    ),
    EntitySpec(
        "AttachmentInfo",
        "AttachmentInfo",
        "AttachmentInfoModel",
        "QG",
        lengths={"attachmentType": 32, "contentType": 100, "fullPath": 255, "title": 255},
        long_text=(),
        picklists={"publish": PUBLISH, "attachmentType": ATTACHMENT_TYPES},
        types={"fileSize": "double"},
        readonly=(
            "attachDate",
            "attachedByContactID",
            "attachedByResourceID",
            "attachmentType",
            "contentType",
            "fileSize",
            "fullPath",
            "opportunityID",
            "parentID",
            "parentType",
            "publish",
            "title",
        ),
        refs={"opportunityID": "", "parentID": ""},
    ),
    attachment_spec(
        "TicketAttachments",
        "TicketAttachment",
        "TicketAttachmentModel",
        "ticketID",
        extra=(
            ("creatorType", "contentType"),
            ("parentAttachmentID", "opportunityID"),
            ("ticketNoteID", "ticketID"),
            ("timeEntryID", "ticketNoteID"),
        ),
        picklists={"creatorType": PERSON_TYPES},
        types={
            "creatorType": "integer",
            "parentAttachmentID": "long",
            "ticketID": "integer",
            "ticketNoteID": "integer",
            "timeEntryID": "integer",
        },
    ),
    attachment_spec(
        "CompanyAttachments",
        "CompanyAttachment",
        "CompanyAttachmentModel",
        "companyID",
        types={"companyID": "integer"},
    ),
    attachment_spec(
        "ProjectAttachments",
        "ProjectAttachment",
        "ProjectAttachmentModel",
        "projectID",
        types={"projectID": "integer"},
    ),
    attachment_spec(
        "OpportunityAttachments",
        "OpportunityAttachment",
        "OpportunityAttachmentModel",
        "opportunityID",
    ),
    attachment_spec(
        "TaskAttachments",
        "TaskAttachment",
        "TaskAttachmentModel",
        "taskID",
        types={"taskID": "integer"},
    ),
    # Newer than the 2020 Swagger (fact sheet §4.2/§7): same shape as TicketAttachments.
    attachment_spec(
        "TimeEntryAttachments",
        "TimeEntryAttachment",
        "TicketAttachmentModel",
        "timeEntryID",
        extra=(("taskID", "publish"), ("ticketID", "taskID")),
        types={"timeEntryID": "integer", "taskID": "integer", "ticketID": "integer"},
    ),
    attachment_spec(
        "ConfigurationItemAttachments",
        "ConfigurationItemAttachment",
        "TicketAttachmentModel",
        "configurationItemID",
        types={"configurationItemID": "integer"},
    ),
    EntitySpec(
        "TicketWebhooks",
        "TicketWebhook",
        None,
        "QGCUD",
        meta="ticketwebhook_fields",
    ),
]

SERVED = {spec.singular for spec in SPECS}

# UDFs known only from a record fixture's names: (type, length, picklist values), assumed.
_NUM = ("decimal", 0, None)
_YES_NO = ("string", 8000, ["Yes", "No"])
UDF_SPECS: dict[str, dict[str, tuple[str, int, list[str] | None]]] = {
    "Companies": {
        "Coefficient_limit": _NUM,
        "DayOff_coef": _NUM,
        "Discount": _NUM,
        "FD_coef": _NUM,
        "HD_coef": _NUM,
        "HDFD_reduction": _NUM,
        "Helpdesk_coef": _NUM,
        "Language": ("string", 8000, ["ENU", "FRA", "NLD", "DEU"]),
        "Number of Employees": ("decimal", 0, None),
        "PriorityCritical_coef": _NUM,
        "PriorityHigh_coef": _NUM,
        "PriorityLow_coef": _NUM,
        "PriorityNormal_coef": _NUM,
        "Saturday_coef": _NUM,
        "Service Price": _NUM,
        "SP_Renew_floor": _NUM,
        "Sunday_coef": _NUM,
        "Target Margin": _NUM,
        "Travel": _NUM,
        "Work Report": _YES_NO,
    },
    "Contracts": {
        "Balance": _NUM,
        "Balance_LastUpdated": ("datetime", 0, None),
        "Bonus": _YES_NO,
        "CutOff": _YES_NO,
        "SP_Renew_amount": _NUM,
        "SP_Renew_floor": _NUM,
    },
}
