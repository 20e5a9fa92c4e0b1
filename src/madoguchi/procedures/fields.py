"""Field types of procedure forms.

Each type turns a raw answer (from a portal form or an API body) into a clean, canonical
value, or raises :class:`FieldInvalid` with a code. Cleaning is idempotent — a cleaned
value cleans to itself — so a draft saved between form steps can be validated again at
submit time by the same code. Types register themselves in :data:`FIELD_TYPES`; the
portal picks a template per type and the API publishes :meth:`FieldType.json_schema`.

The generic types live here; the Japanese identity and contact types (name with フリガナ,
kana, postal code, address, phone, e-mail) in ``person_fields`` and attachments in ``files``.
``ProceduresConfig.ready()`` imports those modules, so every type is registered once Django
is set up. If you add a type, add it to ``schemas/procedure.schema.json`` and to the
portal's ``portal/includes/field.html`` too.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from madoguchi.jp import text as jptext
from madoguchi.jp.wareki import format_date, is_wareki, parse_date, to_wareki
from madoguchi.procedures.definition import translated
from madoguchi.procedures.errors import FieldInvalid

_OFFSET_RE = re.compile(r"^today(?:([+-])(\d+)([ymd]))?$")
TRUE_STRINGS = {"true", "on", "1", "yes"}


@dataclass
class CleanContext:
    today: date
    language: str = "ja"


MAX_NESTING = 8


def is_empty(raw: Any, _depth: int = 0) -> bool:
    """Return True if ``raw`` carries no answer. Deeper nesting than any field uses is an answer
    (which its field type then refuses), never a recursion error."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if _depth >= MAX_NESTING:
        return False
    if isinstance(raw, list | tuple):
        return all(is_empty(item, _depth + 1) for item in raw)
    if isinstance(raw, dict):
        return all(is_empty(item, _depth + 1) for item in raw.values())
    return False


def resolve_date_bound(bound: str | None, today: date) -> date | None:
    """Return the date that ``bound`` ('2020-01-01', 'today', 'today-120y') stands for."""
    if not bound:
        return None
    match = _OFFSET_RE.match(bound)
    if not match:
        return date.fromisoformat(bound)
    sign, amount, unit = match.groups()
    if not sign:
        return today
    n = int(amount) * (1 if sign == "+" else -1)
    if unit == "d":
        return today + timedelta(days=n)
    months = n * 12 if unit == "y" else n
    year, month = divmod(today.month - 1 + months, 12)
    year += today.year
    day = min(
        today.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month
        ],
    )
    return date(year, month + 1, day)


def list_separator(language: str) -> str:
    return "、" if language.startswith("ja") else ", "


def as_text(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise FieldInvalid("wrong_type")
    value = str(raw)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: not text, and unstorable
        raise FieldInvalid("invalid_text") from None
    return value


def jp_clean(func, raw: Any, *, part: str | None = None, **kwargs):
    try:
        return func(as_text(raw), **kwargs)
    except jptext.JapaneseInputError as exc:
        raise FieldInvalid(exc.code, part=part) from exc


def limit_length(value: str, limit: int, part: str | None = None) -> str:
    if len(value) > limit:
        raise FieldInvalid("too_long", part=part, limit=limit)
    return value


class FieldType(ABC):
    name: ClassVar[str]
    default_max_length: ClassVar[int] = 200

    @abstractmethod
    def clean(self, spec: dict, raw: Any, ctx: CleanContext) -> Any:
        """Return the canonical value of ``raw``, or raise FieldInvalid."""

    def json_schema(self, spec: dict) -> dict:
        return {"type": "string", "maxLength": self.max_length(spec)}

    def example(self, spec: dict) -> Any:
        return "例"

    def display(self, spec: dict, value: Any, language: str) -> str:
        return "" if value is None else str(value)

    def max_length(self, spec: dict) -> int:
        return spec.get("max_length", self.default_max_length)


FIELD_TYPES: dict[str, FieldType] = {}


def register(cls: type[FieldType]) -> type[FieldType]:
    FIELD_TYPES[cls.name] = cls()
    return cls


@register
class TextField(FieldType):
    name = "text"

    def clean(self, spec, raw, ctx):
        return limit_length(jp_clean(jptext.normalize_text, raw), self.max_length(spec))


@register
class TextareaField(FieldType):
    name = "textarea"
    default_max_length = 2000

    def clean(self, spec, raw, ctx):
        return limit_length(jp_clean(jptext.normalize_text, raw, multiline=True), self.max_length(spec))

    def example(self, spec):
        return "例文です。"


@register
class DateField(FieldType):
    name = "date"

    def clean(self, spec, raw, ctx):
        text = as_text(raw)
        try:
            value = parse_date(text)
        except jptext.JapaneseInputError as exc:
            raise FieldInvalid(exc.code, **exc.params) from exc
        earliest = resolve_date_bound(spec.get("min_date"), ctx.today)
        latest = resolve_date_bound(spec.get("max_date"), ctx.today)
        # The limit in the calendar the resident typed in: 和暦 for 和暦, never a bare ISO date.
        wareki = is_wareki(text)
        if earliest and value < earliest:
            raise FieldInvalid("date_too_early", limit=format_date(earliest, ctx.language, wareki=wareki))
        if latest and value > latest:
            raise FieldInvalid("date_too_late", limit=format_date(latest, ctx.language, wareki=wareki))
        return value.isoformat()

    def json_schema(self, spec):
        return {
            "type": "string",
            "format": "date",
            "description": "ISO 8601 (YYYY-MM-DD); Japanese-era input such as 令和8年4月1日 is also accepted.",
        }

    def example(self, spec):
        today = date.today()
        earliest = resolve_date_bound(spec.get("min_date"), today)
        latest = resolve_date_bound(spec.get("max_date"), today)
        candidate = latest or today
        if earliest and candidate < earliest:
            candidate = earliest
        if earliest and latest:
            candidate = earliest + (latest - earliest) / 2
        return candidate.isoformat()

    def display(self, spec, value, language):
        parsed = date.fromisoformat(value)
        if language == "ja":
            return f"{to_wareki(parsed)}（{parsed.year}年{parsed.month}月{parsed.day}日）"
        return f"{format_date(parsed, language)} ({to_wareki(parsed, style='letter')})"


@register
class IntegerField(FieldType):
    name = "integer"
    DEFAULT_MIN = 0
    DEFAULT_MAX = 10**9

    def clean(self, spec, raw, ctx):
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise FieldInvalid("wrong_type")
        try:
            value = jptext.parse_amount(raw)
        except jptext.JapaneseInputError as exc:
            raise FieldInvalid(exc.code) from exc
        minimum, maximum = spec.get("min", self.DEFAULT_MIN), spec.get("max", self.DEFAULT_MAX)
        if value < minimum:
            raise FieldInvalid("too_small", limit=minimum)
        if value > maximum:
            raise FieldInvalid("too_large", limit=maximum)
        return value

    def json_schema(self, spec):
        return {
            "type": "integer",
            "minimum": spec.get("min", self.DEFAULT_MIN),
            "maximum": spec.get("max", self.DEFAULT_MAX),
        }

    def example(self, spec):
        return spec.get("min", max(self.DEFAULT_MIN, 1))


@register
class YenField(IntegerField):
    name = "yen"

    def display(self, spec, value, language):
        return f"{value:,}円" if language == "ja" else f"¥{value:,}"


@register
class ChoiceField(FieldType):
    name = "choice"

    def clean(self, spec, raw, ctx):
        value = as_text(raw).strip()
        if value not in {c["value"] for c in spec["choices"]}:
            raise FieldInvalid("invalid_choice")
        return value

    def json_schema(self, spec):
        return {"enum": [c["value"] for c in spec["choices"]]}

    def example(self, spec):
        return spec["choices"][0]["value"]

    def display(self, spec, value, language):
        labels = {c["value"]: translated(c["label"], language) for c in spec["choices"]}
        return labels.get(value, value)


@register
class MultiChoiceField(ChoiceField):
    name = "multichoice"

    def clean(self, spec, raw, ctx):
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise FieldInvalid("wrong_type")
        allowed = [c["value"] for c in spec["choices"]]
        chosen = {as_text(item).strip() for item in items if not is_empty(item)}
        if chosen - set(allowed):
            raise FieldInvalid("invalid_choice")
        return [value for value in allowed if value in chosen]

    def json_schema(self, spec):
        return {"type": "array", "uniqueItems": True, "items": {"enum": [c["value"] for c in spec["choices"]]}}

    def example(self, spec):
        return [spec["choices"][0]["value"]]

    def display(self, spec, value, language):
        return list_separator(language).join(ChoiceField.display(self, spec, item, language) for item in value)


@register
class ConsentField(FieldType):
    name = "consent"

    def clean(self, spec, raw, ctx):
        if raw is True or (isinstance(raw, str) and raw.strip().lower() in TRUE_STRINGS):
            return True
        raise FieldInvalid("consent_required")

    def json_schema(self, spec):
        return {"const": True}

    def example(self, spec):
        return True

    def display(self, spec, value, language):
        return str(_("Agreed"))
