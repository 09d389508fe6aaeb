"""Derive the emulator's entity tables (autotask/emulator/data/entities/*.json).

Run from the repository root: ``python tools/derive_emulator_schema.py`` (``--check`` compares
instead of writing and exits 1 on drift). The output is committed; running the script again
reproduces it byte for byte.

Sources, strongest first (CONTRACTS §6):

1. Real field metadata in ../shared/fixtures/real/ (ticket_fields, contact_fields,
   resource_fields, ticketwebhook_fields, accounttodo_fields and the UDF lists): taken verbatim.
2. Real records in the same folder: the key set and order of a record, JSON types per key, and
   the number of decimals a decimal field is written with (``3.5000`` -> scale 4).
3. The 2020 Swagger (../shared/autotask-swagger-v1.json): field names (PascalCase -> camelCase),
   types (int32 integer, int64 long, double decimal, date-time datetime) and, for entities without
   a record fixture, the field order (it matches every record fixture's order).
4. The fact sheet (../shared/research/autotask-api.md): capabilities (§4.3), child routes (§4.2),
   attachments (§7). Required fields, lengths, scales, picklists and references chosen here for
   entities without real metadata are flagged ``"assumed": true`` in the output.

Those are the hand-checked tables (derive_emulator_specs.SPECS, one file each). Every other
entity and child route of the Swagger goes, compactly, into ``_derived.json``
(tools/derive_emulator_swagger.py).

The Swagger itself is never copied into the project: only the derived tables are written.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from derive_emulator_specs import (
    ATTACHMENT_PARENT_TYPE,
    DEFAULT_SCALE,
    SPECS,
    UDF_SPECS,
    EntitySpec,
)
from derive_emulator_swagger import camel, derive_rest, model_fields
from derive_emulator_swagger import render as render_derived
from shared_inputs import swagger_path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "real"  # the in-repo copy of ../shared/fixtures/real
SWAGGER = swagger_path()
OUT = ROOT / "autotask" / "emulator" / "data" / "entities"

# Metadata keys in output order, with the value that is left out of the data as the default.
FIELD_DEFAULTS: dict[str, Any] = {
    "length": 0,
    "isRequired": False,
    "isReadOnly": False,
    "isQueryable": True,
    "referenceEntityType": "",
    "picklistValues": None,
    "picklistParentValueField": "",
    "isSupportedWebhookField": False,
}
PICK_DEFAULTS: dict[str, Any] = {
    "isDefaultValue": False,
    "sortOrder": 0,
    "parentValue": "",
    "isActive": True,
    "isSystem": False,
}


def load_fixture(name: str) -> Any:
    """A fixture's ``response``, numbers kept as Decimal/int so decimal scales survive."""
    text = (FIXTURES / f"{name}.json").read_text("utf-8")
    return json.loads(text, parse_float=Decimal)["response"]


def fixture_record(name: str) -> dict[str, Any]:
    response = load_fixture(name)
    if isinstance(response, list):
        return dict(response[0])
    if "items" in response:
        return dict(response["items"][0])
    return dict(response)


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, Decimal):
        return "decimal"
    return "string"


def compact_picklist(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for raw in values:
        item = {"value": str(raw["value"]), "label": raw["label"]}
        for key, default in PICK_DEFAULTS.items():
            if raw.get(key, default) != default:
                item[key] = raw[key]
        out.append(item)
    return out


def compact_field(raw: dict[str, Any]) -> dict[str, Any]:
    """Real metadata -> data entry, defaults dropped (isReference/isPickList are implied)."""
    out: dict[str, Any] = {"name": raw["name"], "dataType": raw["dataType"]}
    for key, default in FIELD_DEFAULTS.items():
        value = raw.get(key, default)
        if value != default:
            out[key] = compact_picklist(value) if key == "picklistValues" else value
    return out


def field_names(spec: EntitySpec, swagger: dict[str, str], record: dict[str, Any] | None) -> list:
    """The entity's fields in record order: the record fixture's keys, else the Swagger's."""
    if record is not None:
        names = [k for k in record if k != "userDefinedFields"]
    else:
        names = [n for n in swagger if n not in spec.drop]
    for name, after in spec.extra:
        if name not in names:
            names.insert(names.index(after) + 1 if after else len(names), name)
    return names


def decimal_scale(value: Any) -> int | None:
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        return -exponent
    return None


def assumed_field(
    spec: EntitySpec, name: str, swagger: dict[str, str], record: dict[str, Any] | None
) -> dict[str, Any]:
    """A field of an entity without real metadata: every choice is flagged as assumed."""
    data_type = spec.types.get(name) or swagger.get(name)
    if data_type is None:
        assert record is not None and record.get(name) is not None, f"{spec.name}.{name}: type?"
        data_type = json_type(record[name])
    if data_type == "decimal" and spec.double:
        data_type = "double"  # Projects/Tasks write 0.0 and 155.6999: doubles, not scaled decimals
    out: dict[str, Any] = {"name": name, "dataType": data_type}
    if data_type == "string":
        out["length"] = spec.lengths.get(name, 255 if name not in spec.long_text else 8000)
    if name == "id" or name in spec.required:
        out["isRequired"] = True
    if name == "id" or name in spec.readonly or spec.is_readonly_by_name(name):
        out["isReadOnly"] = True
    if name in spec.not_queryable:
        out["isQueryable"] = False
    ref = spec.reference(name)
    if ref:
        out["referenceEntityType"] = ref
    if name in spec.picklists:
        out["picklistValues"] = [
            {"value": str(v), "label": label} for v, label in spec.picklists[name]
        ]
    if data_type == "decimal":
        out["scale"] = scale_of(spec, name, record)
    out["assumed"] = True
    return out


def scale_of(spec: EntitySpec, name: str, record: dict[str, Any] | None) -> int:
    """Decimals on the wire: as the record fixture shows (fixture shape fact 6), else 4."""
    if name in spec.scales:
        return spec.scales[name]
    scale = decimal_scale(record.get(name)) if record is not None else None
    return DEFAULT_SCALE if scale is None else scale


def udfs_of(spec: EntitySpec, record: dict[str, Any] | None) -> list[dict[str, Any]]:
    if spec.udf_meta:
        out = []
        for raw in load_fixture(spec.udf_meta)["fields"]:
            item: dict[str, Any] = {"name": raw["name"], "label": raw["label"], "type": raw["type"]}
            for key in ("length", "description", "isRequired", "isReadOnly", "isQueryable"):
                item[key] = raw[key]
            if raw["picklistValues"] is not None:
                item["picklistValues"] = compact_picklist(raw["picklistValues"])
            item["defaultValue"] = raw["defaultValue"]
            item["isSupportedWebhookField"] = raw["isSupportedWebhookField"]
            out.append(item)
        return out
    # No UDF metadata: the names (and order) a record fixture lists, types chosen here.
    names = [u["name"] for u in record["userDefinedFields"]] if record else []
    chosen = UDF_SPECS.get(spec.name, {})
    out = []
    for name in names:
        udf_type, length, picks = chosen.get(name, ("string", 8000, None))
        item = {"name": name, "label": name, "type": udf_type, "length": length}
        if picks:
            item["picklistValues"] = [{"value": v, "label": v} for v in picks]
        item["assumed"] = True
        out.append(item)
    return out


def derive_entity(spec: EntitySpec, swagger_doc: dict[str, Any]) -> dict[str, Any]:
    swagger = model_fields(swagger_doc, spec.model) if spec.model else {}
    record = fixture_record(spec.record) if spec.record else None
    meta: dict[str, dict[str, Any]] = {}
    if spec.meta:
        raw_fields = load_fixture(spec.meta)["fields"]
        if spec.meta_partial:  # accounttodo_fields (2020) spells names in PascalCase
            raw_fields = [{**f, "name": camel(f["name"])} for f in raw_fields]
        meta = {f["name"]: f for f in raw_fields}
    names = field_names(spec, swagger, record)
    if not names:  # metadata only (TicketWebhooks): id first, then by name like the metadata
        names = ["id", *sorted((n for n in meta if n != "id"), key=str.lower)]
    if spec.meta and not spec.meta_partial:
        # Fields the metadata lists but the (older) record lacks join in name order (Resources
        # payrollIdentifier); records of these entities are sorted by name after id.
        for name in sorted(set(meta) - set(names), key=str.lower):
            rest = names[1:]
            pos = next((i for i, n in enumerate(rest) if n.lower() > name.lower()), len(rest))
            names.insert(pos + 1, name)
    fields = []
    for name in names:
        if name in meta:
            field = compact_field(meta[name])
            if name in spec.picklists:  # real but trimmed picklist, completed by our choice
                known = {p["value"] for p in field.get("picklistValues", [])}
                field["picklistValues"] = field.get("picklistValues", []) + [
                    {"value": str(v), "label": label}
                    for v, label in spec.picklists[name]
                    if str(v) not in known
                ]
                field["assumed"] = True
            if field["dataType"] == "decimal":
                field["scale"] = scale_of(spec, name, record)
        else:
            field = assumed_field(spec, name, swagger, record)
        if record is not None and record.get(name) is not None:
            want = json_type(record[name])
            have = field["dataType"]
            have = {"long": "integer", "double": "decimal"}.get(have, have)
            if have == "datetime":
                have = "string"
            assert want == have, f"{spec.name}.{name}: record {want} vs table {have}"
        fields.append(field)
    out: dict[str, Any] = {"name": spec.name, "singular": spec.singular, "ops": spec.ops}
    if spec.has_udfs:
        out["hasUdfs"] = True
    if spec.attachment:
        out["attachment"] = True
        out["attachmentParentType"] = ATTACHMENT_PARENT_TYPE.get(spec.name, 0)
    if spec.webhook:
        out["webhookCallouts"] = True
    if spec.children:
        out["children"] = [dict(c) for c in spec.children]
    out["sources"] = spec.sources()
    out["fields"] = fields
    udfs = udfs_of(spec, record) if spec.has_udfs else []
    if udfs:
        out["udfs"] = udfs
    return out


def render(entity: dict[str, Any]) -> str:
    """Readable JSON: one field (and one picklist value) per line."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["{"]
    keys = list(entity)
    for key in keys:
        value = entity[key]
        comma = "," if key != keys[-1] else ""
        if key in ("fields", "udfs", "children"):
            lines.append(f"  {dump(key)}: [")
            for i, item in enumerate(value):
                item_comma = "," if i < len(value) - 1 else ""
                picks = item.get("picklistValues")
                if picks:
                    head = {k: v for k, v in item.items() if k != "picklistValues"}
                    lines.append("    " + dump(head)[:-1] + ', "picklistValues": [')
                    lines.extend(
                        f"      {dump(p)}" + ("," if j < len(picks) - 1 else "")
                        for j, p in enumerate(picks)
                    )
                    tail = {
                        k: v for k, v in item.items() if k not in head and k != "picklistValues"
                    }
                    lines.append("    ]" + ("" if not tail else ", " + dump(tail)[1:-1]) + "}")
                    lines[-1] += item_comma
                else:
                    lines.append(f"    {dump(item)}{item_comma}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {dump(key)}: {dump(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def derive() -> dict[str, str]:
    """File name -> text for every entity, plus the index that fixes the table order."""
    swagger = json.loads(SWAGGER.read_text("utf-8"))
    files: dict[str, str] = {}
    for spec in SPECS:
        files[f"{spec.name}.json"] = render(derive_entity(spec, swagger))
    index = {
        "_comment": "Generated by tools/derive_emulator_schema.py; do not edit by hand.",
        "entities": [spec.name for spec in SPECS],
    }
    files["_index.json"] = json.dumps(index, indent=1) + "\n"
    files["_derived.json"] = render_derived(derive_rest(swagger))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    files = derive()
    if args.check:
        existing = {p.name: p.read_text("utf-8") for p in OUT.glob("*.json")}
        drift = sorted(
            set(existing) ^ set(files) | {n for n in files if existing.get(n) != files[n]}
        )
        for name in drift:
            print(f"drift: {name}")
        return 1 if drift else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (OUT / name).write_text(text, "utf-8")
    print(f"wrote {len(files)} files to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
