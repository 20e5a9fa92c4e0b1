"""Between HTML form posts and the answers the procedures engine validates.

The portal does not use Django Form classes for answers: fields come from data, and the
one validation path (``procedures.answers.clean_answers``) is shared with the API. This
module only reads POSTed values into the engine's shapes and prepares what the field
templates show.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from madoguchi.procedures.answers import condition_holds
from madoguchi.procedures.definition import iter_fields, translated
from madoguchi.procedures.errors import FieldError
from madoguchi.procedures.person_fields import PART_LABELS, PREFECTURES, AddressField, NameField, prefecture_label

PART_FIELDS = {"name": NameField.PARTS, "address": AddressField.PARTS}
REQUIRED_PARTS = {"name": NameField.REQUIRED_PARTS, "address": AddressField.REQUIRED_PARTS}


def raw_answers_from_post(step: dict, post: QueryDict) -> dict[str, Any]:
    """Return the raw answers for ``step``'s fields from a form post."""
    raw: dict[str, Any] = {}
    for spec in step["fields"]:
        fid, kind = spec["id"], spec["type"]
        if kind in PART_FIELDS:
            raw[fid] = {part: post.get(f"{fid}.{part}", "") for part in PART_FIELDS[kind]}
        elif kind == "multichoice":
            raw[fid] = post.getlist(fid)
        elif kind != "file":
            raw[fid] = post.get(fid, "")
    return raw


def condition_text(definition: dict, spec: dict, language: str) -> str:
    condition = spec.get("show_if")
    if not condition:
        return ""
    controller = next(f for _s, f in iter_fields(definition) if f["id"] == condition["field"])
    expected = condition["in"] if "in" in condition else [condition["equals"]]
    if controller["type"] == "consent":
        choices = [_("checked")]
    else:
        labels = {c["value"]: translated(c["label"], language) for c in controller["choices"]}
        choices = [labels[v] for v in expected]
    return _("Answer only if “%(question)s” is “%(answer)s”.") % {
        "question": translated(controller["label"], language),
        "answer": _("” or “").join(choices),
    }


def _input_value(spec: dict, value: Any) -> Any:
    if value is None:
        return {} if spec["type"] in PART_FIELDS else ([] if spec["type"] == "multichoice" else "")
    return value


def field_contexts(
    definition: dict,
    step: dict,
    *,
    values: dict[str, Any],
    earlier: dict[str, Any],
    errors: list[FieldError],
    files: dict[str, list[dict]],
    language: str,
) -> list[dict]:
    """Return what the field template needs for each visible field of ``step``."""
    step_ids = {spec["id"] for spec in step["fields"]}
    contexts = []
    for spec in step["fields"]:
        condition = spec.get("show_if")
        depends_on_this_step = bool(condition and condition["field"] in step_ids)
        if condition and not depends_on_this_step and not condition_holds(spec, earlier):
            continue  # decided by an earlier step: not part of this form
        field_errors = [e for e in errors if e.path == spec["id"] or e.path.startswith(spec["id"] + ".")]
        part_errors = {e.path.split(".", 1)[1]: e.message for e in field_errors if "." in e.path}
        contexts.append(
            {
                "spec": spec,
                "id": spec["id"],
                "type": spec["type"],
                "label": translated(spec["label"], language),
                "help": translated(spec.get("help"), language),
                "required": spec.get("required", False) or spec["type"] == "consent",
                "value": _input_value(spec, values.get(spec["id"])),
                "error": next((e.message for e in field_errors if "." not in e.path), ""),
                "part_errors": part_errors,
                "choices": [
                    {"value": c["value"], "label": translated(c["label"], language)} for c in spec.get("choices", [])
                ],
                "consent_text": translated(spec.get("consent_text"), language),
                "condition": condition_text(definition, spec, language) if depends_on_this_step else "",
                "condition_field": condition["field"] if depends_on_this_step else "",
                "condition_values": json.dumps(
                    condition.get("in", [condition.get("equals")]) if depends_on_this_step else []
                ),
                "parts": _part_contexts(spec, values, part_errors, field_errors),
                "prefectures": (
                    [{"value": p, "label": prefecture_label(p, language)} for p in PREFECTURES]
                    if spec["type"] == "address"
                    else ()
                ),
                "files": files.get(spec["id"], []),
            }
        )
    return contexts


def _part_contexts(spec: dict, values: dict, part_errors: dict, field_errors: list[FieldError]) -> list[dict]:
    """The parts of a name or an address. A whole-field error (nothing entered) marks only the
    parts that must be filled in: 名 or 方書 are optional and are never outlined as wrong."""
    whole_field_error = any("." not in e.path for e in field_errors)
    required = REQUIRED_PARTS.get(spec["type"], ())
    return [
        {
            "name": part,
            "label": _(PART_LABELS[part]),
            "value": (values.get(spec["id"]) or {}).get(part, ""),
            "error": part_errors.get(part, ""),
            "invalid": part in part_errors or (whole_field_error and part in required),
        }
        for part in PART_FIELDS.get(spec["type"], ())
    ]


def error_summary(errors: list[FieldError], definition: dict, language: str) -> list[dict]:
    labels = {spec["id"]: translated(spec["label"], language) for _s, spec in iter_fields(definition)}
    summary = []
    for error in errors:
        fid, _sep, part = error.path.partition(".")
        label = labels.get(fid, fid)
        if part:
            part_label = _(PART_LABELS.get(part, part))
            label = f"{label}（{part_label}）" if language.startswith("ja") else f"{label} ({part_label})"
        anchor = f"f-{fid}-{part}" if part else f"f-{fid}"
        message = error.message
        # A message that already names the field (「生年月日を入力してください」) is not repeated
        # after the label; a generic one ("Enter at most 40 characters") needs it.
        text = message if "label" in error.params else f"{label}: {message}"
        summary.append({"anchor": anchor, "label": label, "message": message, "text": text})
    return summary
