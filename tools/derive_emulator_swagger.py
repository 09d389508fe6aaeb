"""Every entity and child route of the Swagger beyond the hand-checked tables (issue 8 item 2).

Called by tools/derive_emulator_schema.py, which writes the result as
``autotask/emulator/data/entities/_derived.json`` and checks it for drift like the other tables.
The hand-checked tables (derive_emulator_specs.SPECS) stay as they are; this adds:

- every other root entity of the 2020 Swagger: its URL name, its singular (the model's name
  without ``Model``), its root capabilities from the paths it has (Q ``query``, G ``GET {id}``,
  C ``POST``, U ``PATCH``/``PUT``, D ``DELETE {id}``) and its fields from the model: names
  camelCased as the live API writes them, types from the formats (int32 integer, int64 long,
  double decimal, date-time datetime). Read-only by name (READONLY_PREFIXES, as in every real
  metadata fixture) and references by name (derive_emulator_specs.REFS, served tables only);
  nothing else is known (the Swagger has no required flags, lengths or picklists), so the
  emulator treats the rest as assumed: optional, strings up to 8,000 characters.
- every child route ``{Parent}/{parentId}/{Segment}`` the hand tables do not already have, with
  the child's root entity (the root whose model the route returns), the parent-id field and
  the route's capabilities (L list, C, U, G, D).
- parent URL prefixes that are not entities (fact sheet §9.2): ``Expenses`` takes expense report
  ids and ``UserDefinedFields`` UDF definition ids; ``ServiceLevelAgreements`` has no entity to
  check its ids against, so its child route is left out (the results are queried at the root).

The Swagger is read, never copied: only these names, letters and types are written.
"""

from __future__ import annotations

import json
import re
from typing import Any

from derive_emulator_specs import READONLY_PREFIXES, REFS, SERVED, SPECS

SWAGGER_TYPES = {
    "int32": "integer",
    "int64": "long",
    "double": "decimal",
    "date-time": "datetime",
    "boolean": "boolean",
    "string": "string",
    "byte": "string",
    "object": "string",  # UserDefinedFieldDefinitions.defaultValue
}
# Swagger properties that never appear in live records (fixtures): SOAP plumbing and the UDF list.
NOT_FIELDS = {"SoapParentPropertyId", "UserDefinedFields"}
# Entities whose records carry userDefinedFields (fact sheet §4.4, D-UDF's list), beyond the
# hand-checked tables.
UDF_ENTITIES = {"CompanySiteConfigurations", "Products", "SalesOrders", "Subscriptions"}
# Parent URL prefixes that are not root entity names -> the entity whose ids they take.
ALIASES = {"Expenses": "ExpenseReports", "UserDefinedFields": "UserDefinedFieldDefinitions"}
# Parent-id fields the naming rule cannot find: (parent, segment) -> (field, why).
PARENT_FIELDS = {
    ("UserDefinedFields", "ListItems"): ("udfFieldId", "the model's UdfFieldId"),
    ("Tasks", "Predecessors"): ("successorTaskID", "assumed: {id} is the successor task"),
}

_ROOT = re.compile(r"/V1\.0/(\w+)(/query|/\{id\})?")
_CHILD = re.compile(r"/V1\.0/(\w+)/\{parentId\}/(\w+)(/\{id\})?")


def camel(pascal: str) -> str:
    """Swagger PascalCase -> live camelCase: ``Id`` id, ``SICCode`` sicCode, ``SGDA`` sgda."""
    if pascal.isupper():
        return pascal.lower()
    run = len(pascal) - len(pascal.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    cut = 1 if run <= 1 else run - 1
    return pascal[:cut].lower() + pascal[cut:]


def model_fields(swagger: dict[str, Any], model: str) -> dict[str, str]:
    """camelCase name -> dataType for one Swagger model, in model order."""
    props = swagger["definitions"][model]["properties"]
    return {
        camel(name): SWAGGER_TYPES[prop.get("format", prop.get("type"))]
        for name, prop in props.items()
        if name not in NOT_FIELDS
    }


def _returned_model(operation: dict[str, Any]) -> str | None:
    ref = operation.get("responses", {}).get("200", {}).get("schema", {}).get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref else None


def _body_model(operation: dict[str, Any]) -> str | None:
    for parameter in operation.get("parameters", ()):
        ref = parameter.get("schema", {}).get("$ref") if parameter.get("in") == "body" else None
        if ref:
            return str(ref).rsplit("/", 1)[-1]
    return None


def _roots(swagger: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Root entity -> (capability letters in QGCUD order, model name)."""
    letters: dict[str, set[str]] = {}
    models: dict[str, str] = {}
    for path, operations in swagger["paths"].items():
        match = _ROOT.fullmatch(path)
        if match is None:
            continue
        name, tail = match.groups()
        found = letters.setdefault(name, set())
        for verb, operation in operations.items():
            if tail == "/query":
                found.add("Q")
            elif tail == "/{id}":
                found.add({"get": "G", "delete": "D"}[verb])
                if verb == "get":
                    models[name] = _returned_model(operation) or models.get(name, "")
            elif verb in ("post", "patch", "put"):
                found.add("C" if verb == "post" else "U")
                models.setdefault(name, _body_model(operation) or "")
    # EntityInformation, ThresholdInformation, ZoneInformation, InvoicePDF: no letters.
    return {
        name: ("".join(x for x in "QGCUD" if x in found), models[name])
        for name, found in letters.items()
        if found and models.get(name)
    }


def _children(swagger: dict[str, Any]) -> dict[tuple[str, str], tuple[set[str], str]]:
    """(parent prefix, segment) -> (capability letters, the model the route takes/returns)."""
    routes: dict[tuple[str, str], tuple[set[str], str]] = {}
    for path, operations in swagger["paths"].items():
        match = _CHILD.fullmatch(path)
        if match is None:
            continue
        parent, segment, by_id = match.groups()
        found, model = routes.get((parent, segment), (set(), ""))
        for verb, operation in operations.items():
            if by_id:
                found.add({"get": "G", "delete": "D"}[verb])
            else:
                found.add({"get": "L", "post": "C", "patch": "U", "put": "U"}[verb])
            model = model or _returned_model(operation) or ""
            if verb != "get" and not model:
                model = _body_model(operation) or ""
        routes[(parent, segment)] = (found, model)
    return routes


def _parent_field(parent: str, segment: str, singular: str, fields: dict[str, str]) -> str:
    """The child's field holding the parent id: ``{ParentSingular}ID``, else the field whose
    name the parent's singular ends with (CompanyWebhook -> webhookID), else PARENT_FIELDS."""
    if (parent, segment) in PARENT_FIELDS:
        return PARENT_FIELDS[(parent, segment)][0]
    lower = {name.lower(): name for name in fields}
    exact = lower.get(singular.lower() + "id")
    if exact:
        return exact
    endings = [
        name
        for name in fields
        if len(name) > 2
        and name.lower().endswith("id")
        and singular.lower().endswith(name[:-2].lower())
    ]
    if len(endings) != 1:
        raise SystemExit(f"no parent-id field for {parent}/{{id}}/{segment} in {fields}")
    return endings[0]


def _field_text(name: str, data_type: str) -> str:
    """``name:type``, then ``!`` when read-only by name and ``@Singular`` for a reference."""
    text = f"{name}:{data_type}"
    if name == "id" or name.startswith(READONLY_PREFIXES):
        text += "!"
    target = REFS.get(name, "")
    if name != "id" and target in SERVED:
        text += "@" + target
    return text


def derive_rest(swagger: dict[str, Any]) -> dict[str, Any]:
    """The content of ``_derived.json`` (see the module docstring)."""
    hand = {spec.name: spec for spec in SPECS}
    roots = _roots(swagger)
    singular = {name: model.removesuffix("Model") for name, (_, model) in roots.items()}
    singular.update({spec.name: spec.singular for spec in SPECS})
    entities = []
    for name, (ops, model) in sorted(roots.items()):
        if name in hand:
            continue
        fields = model_fields(swagger, model)
        entry: dict[str, Any] = {"name": name, "singular": singular[name], "ops": ops}
        if name in UDF_ENTITIES:
            entry["hasUdfs"] = True
        entry["model"] = model
        entry["fields"] = " ".join(_field_text(n, t) for n, t in fields.items())
        entities.append(entry)
    names = [e["singular"].lower() for e in entities] + [s.singular.lower() for s in SPECS]
    assert len(set(names)) == len(names), "singular names collide"
    by_model = {model: name for name, (_, model) in roots.items()}
    children = []
    for (parent, segment), (letters, model) in sorted(_children(swagger).items()):
        owner = ALIASES.get(parent, parent)
        if owner not in roots:
            continue  # ServiceLevelAgreements: no entity behind the prefix
        if owner in hand and any(c["segment"] == segment for c in hand[owner].children):
            continue  # the hand-checked table has it (with its own parent field)
        child = by_model[model]
        field = _parent_field(parent, segment, singular[owner], model_fields(swagger, model))
        ops = "".join(x for x in "LCUGD" if x in letters)
        children.append([parent, segment, child, field, ops])
    return {
        "_comment": (
            "Generated by tools/derive_emulator_schema.py (tools/derive_emulator_swagger.py) "
            "from the 2020 Swagger; do not edit by hand. Fields: name:type, ! read-only, "
            "@Singular reference; every other property is assumed."
        ),
        "aliases": ALIASES,
        "children": children,
        "entities": entities,
    }


def render(derived: dict[str, Any]) -> str:
    """Readable JSON: one entity and one child route per line."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{", f'  "_comment": {dump(derived["_comment"])},']
    lines.append(f'  "aliases": {dump(derived["aliases"])},')
    lines.append('  "children": [')
    rows = derived["children"]
    lines += [f"    {dump(row)}" + ("," if i < len(rows) - 1 else "") for i, row in enumerate(rows)]
    lines.append("  ],")
    lines.append('  "entities": [')
    rows = derived["entities"]
    lines += [f"    {dump(row)}" + ("," if i < len(rows) - 1 else "") for i, row in enumerate(rows)]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"
