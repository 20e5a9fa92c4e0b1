"""Validate a resident's answers against one version of a procedure definition.

The same function serves the portal (one step at a time, earlier steps already clean)
and the API (all at once), so a rule can never hold on one door and not on the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from madoguchi.procedures.definition import iter_fields, translated
from madoguchi.procedures.errors import AnswersInvalid, FieldError, FieldInvalid
from madoguchi.procedures.fields import FIELD_TYPES, CleanContext, is_empty
from madoguchi.procedures.files import PendingAttachment
from madoguchi.procedures.notation import notation_text


@dataclass
class CleanAnswers:
    values: dict[str, Any]
    attachments: list[PendingAttachment] = field(default_factory=list)


def condition_holds(spec: dict, values: dict[str, Any]) -> bool:
    """Return True if ``spec`` has no show_if or its condition holds for ``values``."""
    condition = spec.get("show_if")
    if not condition:
        return True
    answer = values.get(condition["field"])
    expected = condition["in"] if "in" in condition else [condition["equals"]]
    if isinstance(answer, list):
        return any(item in expected for item in answer)
    return answer in expected


def clean_answers(
    definition: dict,
    raw: dict[str, Any],
    files: dict[str, list] | None = None,
    *,
    today: date,
    language: str = "ja",
    step_ids: set[str] | None = None,
    previous: dict[str, Any] | None = None,
) -> CleanAnswers:
    """Return the clean answers for the steps in ``step_ids`` (all steps if None).

    ``previous`` holds clean answers of earlier steps that conditions may refer to.
    Raise AnswersInvalid listing every problem, not just the first.
    """
    if not isinstance(raw, dict):
        raise AnswersInvalid([FieldError("", "wrong_type")])
    files = files or {}
    ctx = CleanContext(today=today, language=language)
    values: dict[str, Any] = dict(previous or {})
    attachments: list[PendingAttachment] = []
    errors: list[FieldError] = []
    known: set[str] = set()
    for step, spec in iter_fields(definition):
        known.add(spec["id"])
        if step_ids is not None and step["id"] not in step_ids:
            continue
        values.pop(spec["id"], None)
        answer = files.get(spec["id"]) if spec["type"] == "file" and spec["id"] in files else raw.get(spec["id"])
        if not condition_holds(spec, values):
            continue  # a hidden field's answer is dropped, whatever was sent
        required = spec.get("required", False) or spec["type"] == "consent"
        missing = _missing_params(spec, language)
        if is_empty(answer):
            if required:
                errors.append(
                    FieldError(spec["id"], "file_required" if spec["type"] == "file" else "required", missing)
                )
            continue
        try:
            cleaned = FIELD_TYPES[spec["type"]].clean(spec, answer, ctx)
        except FieldInvalid as exc:
            for part in (exc.part, *exc.also_parts):
                path = f"{spec['id']}.{part}" if part else spec["id"]
                params = exc.params
                if exc.code == "required" and part:
                    params = {**missing, **params, "part": part, "kind": _part_kind(part)}
                errors.append(FieldError(path, exc.code, params))
            continue
        if is_empty(cleaned):
            # Only invisible characters were sent (zero-width spaces, control codes).
            if required:
                errors.append(FieldError(spec["id"], "required", missing))
            continue
        if spec["type"] == "file":
            attachments.extend(cleaned)
            cleaned = [item.describe() for item in cleaned]
        values[spec["id"]] = cleaned
    for unknown in sorted(set(raw) - known):
        errors.append(FieldError(unknown, "unknown_field"))
    file_fields = {spec["id"] for _step, spec in iter_fields(definition) if spec["type"] == "file"}
    for unknown in sorted(set(files) - file_fields):
        errors.append(FieldError(unknown, "unknown_field" if unknown not in known else "wrong_type"))
    if errors:
        raise AnswersInvalid(errors)
    if step_ids is not None:
        wanted = _ids_in(definition, step_ids)
        values = {k: v for k, v in values.items() if k in wanted}
    return CleanAnswers(values=values, attachments=attachments)


# What the resident does with a field that is missing: 入力 / 選択 / 添付 / 同意.
_KIND_BY_TYPE = {"choice": "choose", "multichoice": "choose", "file": "attach", "consent": "consent"}


def _missing_params(spec: dict, language: str) -> dict:
    """The params of a required-answer error: the field's label in the resident's language."""
    return {"label": translated(spec["label"], language), "kind": _KIND_BY_TYPE.get(spec["type"], "enter")}


def _part_kind(part: str) -> str:
    return "choose" if part == "prefecture" else "enter"


def _ids_in(definition: dict, step_ids: set[str]) -> set[str]:
    return {spec["id"] for step, spec in iter_fields(definition) if step["id"] in step_ids}


def display_answers(definition: dict, values: dict[str, Any], language: str) -> list[dict]:
    """Return the answers as (step title, [(label, text)]) rows for confirmation and status pages."""
    rows = []
    for step in definition["steps"]:
        items = []
        for spec in step["fields"]:
            if spec["id"] not in values:
                continue
            text = FIELD_TYPES[spec["type"]].display(spec, values[spec["id"]], language)
            items.append({"id": spec["id"], "label": translated(spec["label"], language), "text": text})
        if items:
            rows.append({"id": step["id"], "title": translated(step["title"], language), "items": items})
    return rows


def answers_diff(
    definition: dict,
    before: dict[str, Any],
    after: dict[str, Any],
    language: str,
    *,
    entered_before: dict[str, Any] | None = None,
    entered_after: dict[str, Any] | None = None,
) -> list[dict]:
    """Return the fields whose answer differs between ``before`` and ``after``, in form order,
    as ``{"id", "label", "before", "after"}`` with display texts ("" where there was none).

    What a 補正 changed, field by field. ``entered_*`` (procedures.notation) show the texts
    in the resident's own notation, for pages that show the resident what they typed.
    """
    changes = []
    for _step, spec in iter_fields(definition):
        fid = spec["id"]
        old, new = before.get(fid), after.get(fid)
        if old == new:
            continue
        changes.append(
            {
                "id": fid,
                "label": translated(spec["label"], language),
                "before": "" if old is None else notation_text(spec, old, (entered_before or {}).get(fid), language),
                "after": "" if new is None else notation_text(spec, new, (entered_after or {}).get(fid), language),
            }
        )
    return changes
