"""Field types of procedure forms.

Each type turns a raw answer (from a portal form or an API body) into a clean, canonical
value, or raises :class:`FieldInvalid` with a code. Cleaning is idempotent — a cleaned
value cleans to itself — so a draft saved between form steps can be validated again at
submit time by the same code. Types register themselves in :data:`FIELD_TYPES`; the
portal picks a template per type and the API publishes :meth:`FieldType.json_schema`.

If you add a type here, add it to ``schemas/procedure.schema.json`` and the portal's
``portal/fields/<type>.html`` too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from madoguchi.jp import text as jptext
from madoguchi.jp.wareki import parse_date, to_wareki
from madoguchi.procedures.definition import translated
from madoguchi.procedures.errors import FieldInvalid

PREFECTURES = (
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
)
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


def _string(raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise FieldInvalid("wrong_type")
    value = str(raw)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: not text, and unstorable
        raise FieldInvalid("invalid_text") from None
    return value


def _jp(func, raw: Any, *, part: str | None = None, **kwargs):
    try:
        return func(_string(raw), **kwargs)
    except jptext.JapaneseInputError as exc:
        raise FieldInvalid(exc.code, part=part) from exc


def _limit_length(value: str, limit: int, part: str | None = None) -> str:
    if len(value) > limit:
        raise FieldInvalid("too_long", part=part, limit=limit)
    return value


def clean_person_text(raw: Any, *, part: str | None = None) -> str:
    """Return a name part with whitespace tidied but characters kept as typed.

    Names are not NFKC-normalised: compatibility ideographs and variation selectors in a
    resident's name (髙, 﨑, 𠮷 with IVS) must survive exactly as entered.
    """
    value = _string(raw)
    value = "".join(ch for ch in value if ch >= " " and ch not in "\u200b\u200c\u200d\ufeff\x7f")
    return re.sub(r"\s+", " ", value).strip()


class FieldType:
    name: ClassVar[str]
    default_max_length: ClassVar[int] = 200

    def clean(self, spec: dict, raw: Any, ctx: CleanContext) -> Any:
        raise NotImplementedError

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
        return _limit_length(_jp(jptext.normalize_text, raw), self.max_length(spec))


@register
class TextareaField(FieldType):
    name = "textarea"
    default_max_length = 2000

    def clean(self, spec, raw, ctx):
        return _limit_length(_jp(jptext.normalize_text, raw, multiline=True), self.max_length(spec))

    def example(self, spec):
        return "例文です。"


@register
class KanaField(FieldType):
    name = "kana"
    default_max_length = 80

    def clean(self, spec, raw, ctx):
        # Words stay apart (口座名義 "ヤマダ ハナコ"): bank and registry names keep the space.
        words = jptext.normalize_text(_string(raw)).split()
        kana = " ".join(_jp(jptext.normalize_kana, word) for word in words)
        return _limit_length(kana, self.max_length(spec))

    def json_schema(self, spec):
        return {"type": "string", "maxLength": self.max_length(spec), "pattern": "^[ァ-ヺー・]+( [ァ-ヺー・]+)*$"}

    def example(self, spec):
        return "ヤマダ"


@register
class NameField(FieldType):
    """姓・名 with their フリガナ. Only 姓 is required: some residents have one name."""

    name = "name"
    default_max_length = 40
    PARTS = ("family", "given", "family_kana", "given_kana")

    def clean(self, spec, raw, ctx):
        if not isinstance(raw, dict):
            raise FieldInvalid("wrong_type")
        unknown = set(raw) - set(self.PARTS)
        if unknown:
            raise FieldInvalid("unknown_field", part=sorted(unknown)[0])
        limit = self.max_length(spec)
        family = _limit_length(clean_person_text(raw.get("family") or "", part="family"), limit, "family")
        given = _limit_length(clean_person_text(raw.get("given") or "", part="given"), limit, "given")
        family_kana = _limit_length(
            _jp(jptext.normalize_kana, raw.get("family_kana") or "", part="family_kana"), limit * 2, "family_kana"
        )
        given_kana = _limit_length(
            _jp(jptext.normalize_kana, raw.get("given_kana") or "", part="given_kana"), limit * 2, "given_kana"
        )
        if not family:
            raise FieldInvalid("required", part="family")
        if not family_kana:
            raise FieldInvalid("required", part="family_kana")
        if given and not given_kana:
            raise FieldInvalid("required", part="given_kana")
        return {"family": family, "given": given, "family_kana": family_kana, "given_kana": given_kana}

    def json_schema(self, spec):
        limit = self.max_length(spec)
        kana = {"type": "string", "maxLength": limit * 2}
        return {
            "type": "object",
            "additionalProperties": False,
            "required": ["family", "family_kana"],
            "properties": {
                "family": {"type": "string", "minLength": 1, "maxLength": limit},
                "given": {"type": "string", "maxLength": limit},
                "family_kana": {**kana, "minLength": 1},
                "given_kana": kana,
            },
        }

    def example(self, spec):
        return {"family": "山田", "given": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ"}

    def display(self, spec, value, language):
        name = " ".join(p for p in (value["family"], value["given"]) if p)
        kana = " ".join(p for p in (value["family_kana"], value["given_kana"]) if p)
        return f"{name}（{kana}）" if language.startswith("ja") else f"{name} ({kana})"


@register
class DateField(FieldType):
    name = "date"

    def clean(self, spec, raw, ctx):
        try:
            value = parse_date(_string(raw))
        except jptext.JapaneseInputError as exc:
            raise FieldInvalid(exc.code) from exc
        earliest = resolve_date_bound(spec.get("min_date"), ctx.today)
        latest = resolve_date_bound(spec.get("max_date"), ctx.today)
        if earliest and value < earliest:
            raise FieldInvalid("date_too_early", limit=earliest.isoformat())
        if latest and value > latest:
            raise FieldInvalid("date_too_late", limit=latest.isoformat())
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
        return f"{parsed.isoformat()} ({to_wareki(parsed, style='letter')})"


@register
class PostalCodeField(FieldType):
    name = "postal_code"

    def clean(self, spec, raw, ctx):
        return _jp(jptext.normalize_postal_code, raw)

    def json_schema(self, spec):
        return {
            "type": "string",
            "pattern": "^[0-9]{7}$",
            "description": "7 digits; 100-0001 and full-width digits are accepted on input.",
        }

    def example(self, spec):
        return "3100015"

    def display(self, spec, value, language):
        return jptext.format_postal_code(value)


@register
class AddressField(FieldType):
    """A Japanese address in its parts: 〒, 都道府県, 市区町村, 町字, 番地・号, 方書."""

    name = "address"
    PARTS = ("postal_code", "prefecture", "city", "town", "block", "building")
    REQUIRED_PARTS = ("postal_code", "prefecture", "city", "town", "block")
    PART_LIMIT = 100

    def clean(self, spec, raw, ctx):
        if not isinstance(raw, dict):
            raise FieldInvalid("wrong_type")
        unknown = set(raw) - set(self.PARTS)
        if unknown:
            raise FieldInvalid("unknown_field", part=sorted(unknown)[0])
        value = {}
        for part in self.PARTS:
            part_raw = raw.get(part) or ""
            if part == "postal_code":
                cleaned = _jp(jptext.normalize_postal_code, part_raw, part=part) if part_raw else ""
            else:
                cleaned = _limit_length(_jp(jptext.normalize_text, part_raw, part=part), self.PART_LIMIT, part)
            if not cleaned and part in self.REQUIRED_PARTS:
                raise FieldInvalid("required", part=part)
            value[part] = cleaned
        if value["prefecture"] not in PREFECTURES:
            raise FieldInvalid("invalid_choice", part="prefecture")
        return value

    def json_schema(self, spec):
        part = {"type": "string", "maxLength": self.PART_LIMIT}
        return {
            "type": "object",
            "additionalProperties": False,
            "required": list(self.REQUIRED_PARTS),
            "properties": {
                "postal_code": {"type": "string", "pattern": "^[0-9]{7}$"},
                "prefecture": {"enum": list(PREFECTURES)},
                "city": {**part, "minLength": 1},
                "town": {**part, "minLength": 1},
                "block": {**part, "minLength": 1},
                "building": part,
            },
        }

    def example(self, spec):
        return {
            "postal_code": "3100015",
            "prefecture": "茨城県",
            "city": "青葉市",
            "town": "中央一丁目",
            "block": "2番3号",
            "building": "青葉ハイツ101",
        }

    def display(self, spec, value, language):
        place = "".join(value[p] for p in ("prefecture", "city", "town", "block"))
        building = f" {value['building']}" if value.get("building") else ""
        return f"{jptext.format_postal_code(value['postal_code'])} {place}{building}"


_PHONE_SEPARATORS = re.compile(r"[\s\-‐‑–—−ー－ｰ()（）]+")
_PHONE_GROUPED = re.compile(r"^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}$")


@register
class PhoneField(FieldType):
    """A Japanese phone number, kept with the resident's grouping (029-200-1234) when it has one.

    Where the hyphens go depends on the area code, which only the resident reliably knows;
    a number typed without separators is stored as digits.
    """

    name = "phone"

    def clean(self, spec, raw, ctx):
        digits = _jp(jptext.normalize_phone, raw)
        typed = _PHONE_SEPARATORS.sub("-", jptext.normalize_text(_string(raw))).strip("-")
        if _PHONE_GROUPED.match(typed) and typed.replace("-", "") == digits:
            return typed
        return digits

    def json_schema(self, spec):
        return {
            "type": "string",
            "pattern": "^0[0-9]{1,4}-?[0-9]{1,4}-?[0-9]{3,4}$",
            "description": "10 or 11 digits, optionally grouped with hyphens; +81 and full-width digits are accepted on input.",
        }

    def example(self, spec):
        return "029-200-1234"


@register
class EmailField(FieldType):
    name = "email"

    def clean(self, spec, raw, ctx):
        return _limit_length(_jp(jptext.normalize_email, raw), 254)

    def json_schema(self, spec):
        return {"type": "string", "format": "email", "maxLength": 254}

    def example(self, spec):
        return "hanako@example.jp"


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
        value = _string(raw).strip()
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
        chosen = {_string(item).strip() for item in items if not is_empty(item)}
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
