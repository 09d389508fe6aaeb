"""Derive the client's entity table (autotask/core/_registry_data.py) from the Autotask Swagger.

Usage::

    python tools/derive_registry.py [SWAGGER_JSON] [--check]

The Swagger (default ../shared/autotask-swagger-v1.json, the 2020 V1.0 document) is read, never
copied: only entity names, capabilities, child routes and parent-id fields are kept, in a compact
Python module. ``--check`` exits 1 when the committed module differs from what would be written.

What comes from where:

- Root entities and their capabilities: the ``/V1.0/{Entity}...`` paths. Q = ``query``,
  G = ``GET {id}``, C = POST, U = PATCH, R = PUT, D = ``DELETE {id}``.
- Child routes ``/V1.0/{Parent}/{parentId}/{Segment}``: the child's root entity is the root whose
  GET-by-id returns the same model (``Companies/{id}/Contacts`` -> ``Contacts``). Capabilities:
  L = list, C, U, R, G, D as above.
- The parent-id field: the child model's ``{ParentSingular}ID`` (``TicketID`` -> ``ticketID``),
  else a field named by a suffix of the parent's singular (``CompanyWebhooks`` -> ``WebhookID``),
  else :data:`PARENT_FIELD_OVERRIDES`. Names are camelCased as the live API does (fact sheet §3.5).
- :data:`SUPPLEMENT`: children newer than the 2020 Swagger, from fact sheet §4.2 and §7.

This table is the client's own; the emulator keeps a separate one on purpose (CONTRACTS §6).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from shared_inputs import swagger_path  # noqa: E402

DEFAULT_SWAGGER = swagger_path()
OUTPUT = ROOT / "autotask" / "core" / "_registry_data.py"

# Parent path prefixes that are not root entities (fact sheet §9.2 "Parent-only URL prefixes"):
# prefix -> the entity whose ids it takes. Expenses = ExpenseReports (fact sheet §4.2); the
# UserDefinedFields/{id}/ListItems id is a UDF definition's id (assumed from the model's
# UdfFieldId). ServiceLevelAgreements has no entity to map to.
PARENT_ALIASES = {"Expenses": "ExpenseReports", "UserDefinedFields": "UserDefinedFieldDefinitions"}

# Parent-id fields the naming rules cannot find, with the reason.
PARENT_FIELD_OVERRIDES: dict[tuple[str, str], tuple[str, str]] = {
    # The UDF list item names its definition "UdfFieldId" (Swagger UserDefinedFieldListItemModel).
    ("UserDefinedFields", "ListItems"): ("udfFieldId", "swagger"),
    # Tasks/{id}/Predecessors lists the predecessors of task {id}: {id} is the successor.
    ("Tasks", "Predecessors"): ("successorTaskID", "assumed"),
    # SLA results carry no SLA id field in the 2020 model; the route is read-only (L/G).
    ("ServiceLevelAgreements", "Results"): ("", "none"),
}

# Children newer than the 2020 Swagger: (parent, segment, root entity, parent-id field, caps).
# Attachments are created and deleted only through the parent (fact sheet §4.2, §7); their
# queries name the parent id field (ticketID for TicketAttachments, fact sheet §7, D-AttChg).
SUPPLEMENT: tuple[tuple[str, str, str, str, str], ...] = (
    ("TimeEntries", "Attachments", "TimeEntryAttachments", "timeEntryID", "LCGD"),
    ("TicketNotes", "Attachments", "TicketNoteAttachments", "ticketNoteID", "LCGD"),
    ("ExpenseItems", "Attachments", "ExpenseItemAttachments", "expenseItemID", "LCGD"),
    (
        "ConfigurationItems",
        "Attachments",
        "ConfigurationItemAttachments",
        "configurationItemID",
        "LCGD",
    ),
    (
        "ConfigurationItemNotes",
        "Attachments",
        "ConfigurationItemNoteAttachments",
        "configurationItemNoteID",
        "LCGD",
    ),
    ("TaskNotes", "Attachments", "TaskNoteAttachments", "taskNoteID", "LCGD"),
    ("CompanyNotes", "Attachments", "CompanyNoteAttachments", "companyNoteID", "LCGD"),
    ("ProjectNotes", "Attachments", "ProjectNoteAttachments", "projectNoteID", "LCGD"),
    ("Documents", "Attachments", "DocumentAttachments", "documentID", "LCGD"),
    # Attachment entities of fact sheet §7 whose parent route no source shows; inferred from
    # the one rule "create/delete only through {Parent}/{parentId}/Attachments" (§7, D-AttInfo).
    ("ContractNotes", "Attachments", "ContractNoteAttachments", "contractNoteID", "LCGD"),
    ("Expenses", "Attachments", "ExpenseReportAttachments", "expenseReportID", "LCGD"),
    ("Resources", "Attachments", "ResourceAttachments", "resourceID", "LCGD"),
    ("SalesOrders", "Attachments", "SalesOrderAttachments", "salesOrderID", "LCGD"),
)
# AttachmentInfo.parentType code -> the parent entity, for operations given only an attachment
# id (fact sheet §7). Assumed: no source shows the codes (the emulator's table assumes the same
# ones, tools/derive_emulator_specs.py); the client prefers the tenant's own parentType picklist
# when its metadata has one (autotask/attachments/parents.py).
ATTACHMENT_PARENT_TYPES: dict[int, str] = {
    1: "Companies",
    3: "Opportunities",
    4: "Tickets",
    5: "Projects",
    6: "Tasks",
    7: "TimeEntries",
    8: "ConfigurationItems",
}
# Attachment children in the Swagger name their parent "ParentID"; live records and queries
# use the parent's own id field (ticketID, fact sheet §7), which is what routing looks for.
ATTACHMENT_SEGMENT = "Attachments"

_ROOT_PATH = re.compile(r"/V1\.0/(\w+)(/query|/\{id\})?")
_CHILD_PATH = re.compile(r"/V1\.0/(\w+)/\{parentId\}/(\w+)(/\{id\})?")


def camel(name: str) -> str:
    """camelCase a PascalCase name the way the API's serializer does (``ID`` -> ``id``)."""
    chars = list(name)
    for i, char in enumerate(chars):
        if i > 0 and i + 1 < len(chars) and not chars[i + 1].isupper():
            break
        if not char.isupper():
            break
        chars[i] = char.lower()
    return "".join(chars)


def _model(operation: dict[str, Any]) -> str | None:
    for answer in operation.get("responses", {}).values():
        ref = answer.get("schema", {}).get("$ref")
        if ref:
            return str(ref).rsplit("/", 1)[-1]
    return None


def _body_model(operation: dict[str, Any]) -> str | None:
    for param in operation.get("parameters", []):
        ref = param.get("schema", {}).get("$ref") if param.get("in") == "body" else None
        if ref:
            return str(ref).rsplit("/", 1)[-1]
    return None


def _singular(model: str) -> str:
    return model.removesuffix("Model")


def derive(swagger: dict[str, Any]) -> tuple[dict[str, str], list[tuple[str, ...]]]:
    """Return (root capabilities by entity, child rows) from a parsed Swagger document."""
    paths: dict[str, dict[str, Any]] = swagger["paths"]
    definitions: dict[str, Any] = swagger["definitions"]
    caps: dict[str, set[str]] = {}
    models: dict[str, str] = {}
    for path, ops in paths.items():
        match = _ROOT_PATH.fullmatch(path)
        if not match or match[1] in ("ZoneInformation", "ThresholdInformation"):
            continue
        name, tail = match[1], match[2]
        entity = caps.setdefault(name, set())
        if tail == "/query":
            entity.add("Q")
        elif tail == "/{id}":
            if "get" in ops:
                entity.add("G")
                model = _model(ops["get"])
                if model:
                    models[name] = model
            if "delete" in ops:
                entity.add("D")
        else:
            entity.update(letter for verb, letter in _VERBS.items() if verb in ops)
            for verb in ("post", "patch", "put"):
                model = _body_model(ops.get(verb, {}))
                if model and name not in models:
                    models[name] = model
    by_model = {model: name for name, model in models.items()}

    children: dict[tuple[str, str], dict[str, Any]] = {}
    for path, ops in paths.items():
        match = _CHILD_PATH.fullmatch(path)
        if not match:
            continue
        parent, segment, by_id = match[1], match[2], bool(match[3])
        row = children.setdefault((parent, segment), {"caps": set(), "model": None})
        if by_id:
            if "get" in ops:
                row["caps"].add("G")
                row["model"] = _model(ops["get"]) or row["model"]
            if "delete" in ops:
                row["caps"].add("D")
        else:
            row["caps"].update(letter for verb, letter in _CHILD_VERBS.items() if verb in ops)
            for verb in ("post", "patch", "put"):
                row["model"] = row["model"] or _body_model(ops.get(verb, {}))

    rows: list[tuple[str, ...]] = []
    for (parent, segment), row in sorted(children.items()):
        model = row["model"]
        root = by_model.get(model) if model else None
        if root is None:
            raise SystemExit(f"no root entity for {parent}/{{id}}/{segment} (model {model})")
        field = _parent_field(parent, segment, model, models, definitions)
        rows.append((parent, segment, root, field, _order(row["caps"], "LCURGD")))
    known = {(r[0], r[1]) for r in rows}
    for extra in SUPPLEMENT:
        if (extra[0], extra[1]) not in known:
            rows.append(extra)
            # Newer entities (fact sheet §9.2): query and get by id at the root.
            if extra[0] not in PARENT_ALIASES:  # "Expenses" is ExpenseReports' URL prefix
                caps.setdefault(extra[0], {"Q", "G"})
            caps.setdefault(extra[2], {"Q", "G"})
    # Paths like /V1.0/EntityInformation or /V1.0/Modules give no letters: not entities.
    entities = {name: _order(letters, "QGCURD") for name, letters in sorted(caps.items())}
    return {name: letters for name, letters in entities.items() if letters}, rows


_VERBS = {"post": "C", "patch": "U", "put": "R"}
_CHILD_VERBS = {"get": "L", "post": "C", "patch": "U", "put": "R"}


def _order(letters: set[str], order: str) -> str:
    return "".join(letter for letter in order if letter in letters)


def _parent_field(
    parent: str,
    segment: str,
    model: str,
    models: dict[str, str],
    definitions: dict[str, Any],
) -> str:
    override = PARENT_FIELD_OVERRIDES.get((parent, segment))
    if override:
        return override[0]
    parent_root = PARENT_ALIASES.get(parent, parent)
    singular = _singular(models.get(parent_root, parent_root))
    if segment == ATTACHMENT_SEGMENT:
        return camel(singular + "ID")
    fields = list(definitions.get(model, {}).get("properties", {}))
    lowered = {f.lower(): f for f in fields}
    exact = lowered.get((singular + "id").lower())
    if exact:
        return camel(exact)
    suffixes = [
        f
        for f in fields
        if f.lower().endswith("id") and len(f) > 2 and singular.lower().endswith(f[:-2].lower())
    ]
    if len(suffixes) == 1:
        return camel(suffixes[0])
    raise SystemExit(f"cannot find the parent id field of {parent}/{{id}}/{segment} in {model}")


def render(entities: dict[str, str], children: list[tuple[str, ...]]) -> str:
    """The Python source of autotask/core/_registry_data.py."""
    lines = [
        '"""Entity table data, generated by tools/derive_registry.py. Do not edit by hand.',
        "",
        "Derived from the Autotask REST V1.0 Swagger (2020) plus the newer children in the",
        "tool's SUPPLEMENT (fact sheet §4.2, §7). Root capabilities: Q query, G get by id,",
        "C create, U update (PATCH), R replace (PUT), D delete. Child capabilities: L list,",
        "C, U, R, G, D. Parent-id fields marked assumed in the tool are inferred, not observed.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "ENTITIES: dict[str, str] = {",
    ]
    lines += [f'    "{name}": "{letters}",' for name, letters in entities.items()]
    lines += [
        "}",
        "",
        "# (parent, segment, child's root entity, parent-id field, capabilities)",
        "CHILDREN: tuple[tuple[str, str, str, str, str], ...] = (",
    ]
    for row in children:
        one_line = f"    {tuple(row)!r},"
        if len(one_line) <= 100:
            lines.append(one_line)
        else:  # the layout ruff format gives a tuple too long for one line
            lines += ["    ("] + [f"        {item!r}," for item in row] + ["    ),"]
    lines += [
        ")",
        "",
        "# Parent URL prefixes that are not entity names -> the entity whose ids they take",
        "PARENT_ALIASES: dict[str, str] = {",
        *(f'    "{prefix}": "{entity}",' for prefix, entity in PARENT_ALIASES.items()),
        "}",
        "",
        "# AttachmentInfo.parentType code -> parent entity (assumed codes: see the tool)",
        "ATTACHMENT_PARENT_TYPES: dict[int, str] = {",
        *(f'    {code}: "{entity}",' for code, entity in ATTACHMENT_PARENT_TYPES.items()),
        "}",
        "",
    ]
    return "\n".join(lines).replace("'", '"')


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    source = Path(args[0]) if args else DEFAULT_SWAGGER
    swagger = json.loads(source.read_text(encoding="utf-8"))
    text = render(*derive(swagger))
    if check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run tools/derive_registry.py")
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {text.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
