"""The resident's own notation (表記), kept beside the clean answers.

Answers are stored clean and canonical — a date as ISO, text with full-width ASCII and
brackets folded (NFKC) — so that search, comparison and PDFs work. But a resident who typed
「令和7年2月3日」 or 「（株）青葉商店」 and sees 「2025-02-03」 or 「(株)青葉商店」 when the form is
shown back (the correction form, the confirmation page) reads it as a change they did not
make. So the text as entered is kept too, and shown back wherever the resident is shown
what they typed; staff, documents and exports keep using the clean value.

A notation is kept only if it *means* the clean value: it is cleaned again by its field type
and must give exactly the stored value. Invisible format characters (zero-width, bidi
controls) are never kept, so the kept text cannot display differently from what was checked.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from madoguchi.procedures.definition import iter_fields
from madoguchi.procedures.errors import FieldInvalid
from madoguchi.procedures.fields import FIELD_TYPES, CleanContext

# Field types whose typed text can differ from the clean value only in notation. フリガナ,
# postal codes and phone numbers are shown in their standard form instead (カタカナ, 310-0015):
# that form is what the resident is asked for, and seeing it is how they check it.
NOTATION_TYPES = frozenset({"text", "textarea", "date", "name", "address"})
# For answers in parts, the parts whose notation is kept; the others show the clean value.
NOTATION_PARTS = {"name": frozenset({"family", "given"}), "address": frozenset({"city", "town", "block", "building"})}
MAX_NOTATION_LENGTH = 4000


def visible_text(text: str) -> str:
    """Return ``text`` without format and control characters (line breaks kept), stripped."""
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in {"Cf", "Cc", "Co", "Cs"}).strip()[
        :MAX_NOTATION_LENGTH
    ]


def _candidate(raw: Any) -> Any:
    if isinstance(raw, str):
        return visible_text(raw)
    if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
        return {key: visible_text(value) for key, value in raw.items()}
    return None


def notation_entered(
    definition: dict, raw: dict[str, Any], values: dict[str, Any], *, today: date, language: str = "ja"
) -> dict[str, Any]:
    """Return ``{field id: text as entered}`` for answers whose notation differs from the clean
    value in ``values`` but means exactly it. ``raw`` is what the resident posted."""
    ctx = CleanContext(today=today, language=language)
    kept: dict[str, Any] = {}
    for _step, spec in iter_fields(definition):
        fid = spec["id"]
        if spec["type"] not in NOTATION_TYPES or fid not in values or fid not in raw:
            continue
        candidate = _candidate(raw[fid])
        if isinstance(candidate, dict) and isinstance(values[fid], dict):
            parts = NOTATION_PARTS.get(spec["type"], frozenset())
            candidate = {key: candidate.get(key, "") if key in parts else clean for key, clean in values[fid].items()}
        if candidate is None or candidate == values[fid]:
            continue
        try:
            same = FIELD_TYPES[spec["type"]].clean(spec, candidate, ctx) == values[fid]
        except (FieldInvalid, ValueError, TypeError, KeyError):
            same = False
        if same:
            kept[fid] = candidate
    return kept


def notation_for_form(values: dict[str, Any], entered: dict[str, Any]) -> dict[str, Any]:
    """Return the answers to fill a form with: the resident's notation where it was kept."""
    return {**values, **{fid: text for fid, text in entered.items() if fid in values}}


def notation_text(spec: dict, value: Any, entered: Any, language: str) -> str:
    """Return the display text of one answer, in the resident's notation if it was kept.

    A date is always shown in full (和暦 with the Western date, or the other way round in
    English), which shows the era the resident typed and how it was read; its notation is
    for filling the form again.
    """
    kind = FIELD_TYPES[spec["type"]]
    if spec["type"] == "date":
        return kind.display(spec, value, language)
    if isinstance(entered, str):
        return entered
    if isinstance(entered, dict):
        try:
            return kind.display(spec, entered, language)
        except (KeyError, TypeError, ValueError):
            pass
    return kind.display(spec, value, language)


def notation_display(
    definition: dict, sections: list[dict], values: dict[str, Any], entered: dict[str, Any], language: str
) -> list[dict]:
    """Return ``sections`` (from ``display_answers``) with each item shown as entered, if kept."""
    specs = {spec["id"]: spec for _step, spec in iter_fields(definition)}
    return [
        {
            **section,
            "items": [
                {**item, "text": notation_text(specs[item["id"]], values[item["id"]], entered[item["id"]], language)}
                if item["id"] in entered
                else item
                for item in section["items"]
            ],
        }
        for section in sections
    ]
