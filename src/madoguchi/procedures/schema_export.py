"""What a client needs to build a valid application without reading our code:
the answers' JSON Schema (2020-12) and a complete example payload, attachments included."""

from __future__ import annotations

import base64
import struct
import zlib

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
    """Return the multipart file parts the procedure accepts.

    ``required_unsigned``: an application without a signature must attach it (``unsigned_requires``).
    """
    unsigned = set(definition.get("unsigned_requires") or [])
    return [
        {
            "field": spec["id"],
            "label": translated(spec["label"], language),
            "required": spec.get("required", False),
            "required_unsigned": spec["id"] in unsigned,
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


def _example_pdf() -> bytes:
    """A one-page PDF, as small as a real one gets: what an example attachment needs."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _example_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")


# kind -> (file name, content type, bytes), in the order an example prefers them.
_EXAMPLE_FILES = {
    "pdf": ("example.pdf", "application/pdf", _example_pdf),
    "png": ("example.png", "image/png", _example_png),
}


def example_files(definition: dict, answers: dict) -> list[dict]:
    """Return example attachments for the file fields that ``answers`` make required, and those
    an unsigned application needs (``unsigned_requires``): the example is not signed.

    Each is ``{"field", "name", "content_type", "content_base64"}``: send it as a multipart
    part named ``field`` with that file name and type.
    """
    files = []
    unsigned = set(definition.get("unsigned_requires") or [])
    for _step, spec in iter_fields(definition):
        required = spec.get("required", False) or spec["id"] in unsigned
        if spec["type"] != "file" or not required or not condition_holds(spec, answers):
            continue
        kind = next((k for k in _EXAMPLE_FILES if k in spec["accept"]), None)
        if kind is None:
            continue
        name, content_type, make = _EXAMPLE_FILES[kind]
        files.append(
            {
                "field": spec["id"],
                "name": name,
                "content_type": content_type,
                "content_base64": base64.b64encode(make()).decode(),
            }
        )
    return files
