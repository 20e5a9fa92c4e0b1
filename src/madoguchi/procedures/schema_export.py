"""What a client needs to build a valid application without reading our code:
the answers' JSON Schema (2020-12) and a complete example payload."""

from __future__ import annotations

from madoguchi.procedures.answers import condition_holds
from madoguchi.procedures.definition import iter_fields, translated
from madoguchi.procedures.fields import FIELD_TYPES


def answers_json_schema(definition: dict, *, language: str = "ja") -> dict:
    """Return the JSON Schema of the ``answers`` object (file fields travel as multipart parts)."""
    properties: dict[str, dict] = {}
    required: list[str] = []
    conditionals: list[dict] = []
    for _step, spec in iter_fields(definition):
        if spec["type"] == "file":
            continue
        schema = {"title": translated(spec["label"], language), **FIELD_TYPES[spec["type"]].json_schema(spec)}
        properties[spec["id"]] = schema
        is_required = spec.get("required", False) or spec["type"] == "consent"
        condition = spec.get("show_if")
        if condition is None:
            if is_required:
                required.append(spec["id"])
            continue
        expected = condition["in"] if "in" in condition else [condition["equals"]]
        controller = next(f for _s, f in iter_fields(definition) if f["id"] == condition["field"])
        test = {"contains": {"enum": expected}} if controller["type"] == "multichoice" else {"enum": expected}
        rule: dict = {"if": {"required": [condition["field"]], "properties": {condition["field"]: test}}}
        if is_required:
            rule["then"] = {"required": [spec["id"]]}
        rule["else"] = {"not": {"required": [spec["id"]]}}
        conditionals.append(rule)
    schema: dict = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": translated(definition["title"], language),
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }
    if conditionals:
        schema["allOf"] = conditionals
    return schema


def file_parts(definition: dict, *, language: str = "ja") -> list[dict]:
    """Return the multipart file parts the procedure accepts."""
    return [
        {
            "field": spec["id"],
            "label": translated(spec["label"], language),
            "required": spec.get("required", False),
            "condition": spec.get("show_if"),
            "accept": spec["accept"],
            "max_files": spec.get("max_files", 1),
            "max_size_mb": spec.get("max_size_mb", 10),
        }
        for _step, spec in iter_fields(definition)
        if spec["type"] == "file"
    ]


def example_answers(definition: dict) -> dict:
    """Return example answers that pass validation (file parts aside)."""
    values: dict = {}
    for _step, spec in iter_fields(definition):
        if spec["type"] == "file" or not condition_holds(spec, values):
            continue
        values[spec["id"]] = FIELD_TYPES[spec["type"]].example(spec)
    return values
