"""Japanese identity and contact field types: 氏名 with フリガナ, kana, 郵便番号, 住所, phone, e-mail.

Names are kept as typed (see :func:`clean_person_text`); everything else is normalised by
:mod:`madoguchi.jp.text` before it is checked.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_noop

from madoguchi.jp import text as jptext
from madoguchi.procedures.errors import FieldInvalid
from madoguchi.procedures.fields import FieldType, as_text, jp_clean, limit_length, register

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


# The prefectures as Japan Post writes them in romaji (no macrons), for English pages. The
# stored value stays the Japanese name: it is what the registry and the PDFs use.
PREFECTURES_ROMAJI = dict(
    zip(
        PREFECTURES,
        (
            "Hokkaido",
            "Aomori",
            "Iwate",
            "Miyagi",
            "Akita",
            "Yamagata",
            "Fukushima",
            "Ibaraki",
            "Tochigi",
            "Gunma",
            "Saitama",
            "Chiba",
            "Tokyo",
            "Kanagawa",
            "Niigata",
            "Toyama",
            "Ishikawa",
            "Fukui",
            "Yamanashi",
            "Nagano",
            "Gifu",
            "Shizuoka",
            "Aichi",
            "Mie",
            "Shiga",
            "Kyoto",
            "Osaka",
            "Hyogo",
            "Nara",
            "Wakayama",
            "Tottori",
            "Shimane",
            "Okayama",
            "Hiroshima",
            "Yamaguchi",
            "Tokushima",
            "Kagawa",
            "Ehime",
            "Kochi",
            "Fukuoka",
            "Saga",
            "Nagasaki",
            "Kumamoto",
            "Oita",
            "Miyazaki",
            "Kagoshima",
            "Okinawa",
        ),
        strict=True,
    )
)

# The labels of the parts of a name or an address, for forms and for the messages that name
# a missing part (「請求者の氏名（姓）を入力してください」).
PART_LABELS = {
    "family": gettext_noop("Family name"),
    "given": gettext_noop("Given name"),
    "family_kana": gettext_noop("Family name (katakana)"),
    "given_kana": gettext_noop("Given name (katakana)"),
    "postal_code": gettext_noop("Postal code"),
    "prefecture": gettext_noop("Prefecture"),
    "city": gettext_noop("City, ward, town or village"),
    "town": gettext_noop("Town and district (町・字)"),
    "block": gettext_noop("Block and number (番地・号)"),
    "building": gettext_noop("Building and room (optional)"),
}


def prefecture_label(prefecture: str, language: str) -> str:
    """Return ``prefecture`` as a reader of ``language`` writes it (茨城県, Ibaraki)."""
    if language.startswith("ja"):
        return prefecture
    return PREFECTURES_ROMAJI.get(prefecture, prefecture)


# Controls (C0, DEL, C1) and the invisible characters every answer loses (jp.text).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(chr(cp) for cp in sorted(jptext.INVISIBLE_CHARACTERS)) + "]")


def clean_person_text(raw: Any, *, part: str | None = None) -> str:
    """Return a name part with whitespace tidied but characters kept as typed.

    Names are not NFKC-normalised: compatibility ideographs and variation selectors in a
    resident's name (髙, 﨑, 𠮷 with IVS) must survive exactly as entered. Controls, zero-width
    and bidirectional control characters are removed, so a name displays as it is stored.
    """
    value = as_text(raw)
    value = "".join(ch for ch in value if not _INVISIBLE.match(ch))
    return re.sub(r"\s+", " ", value).strip()


@register
class KanaField(FieldType):
    name = "kana"
    default_max_length = 80

    def clean(self, spec, raw, ctx):
        # Words stay apart (口座名義 "ヤマダ ハナコ"): bank and registry names keep the space.
        words = jptext.normalize_text(as_text(raw)).split()
        kana = " ".join(jp_clean(jptext.normalize_kana, word) for word in words)
        return limit_length(kana, self.max_length(spec))

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
    REQUIRED_PARTS = ("family", "family_kana")

    def clean(self, spec, raw, ctx):
        if not isinstance(raw, dict):
            raise FieldInvalid("wrong_type")
        unknown = set(raw) - set(self.PARTS)
        if unknown:
            raise FieldInvalid("unknown_field", part=sorted(unknown)[0])
        limit = self.max_length(spec)
        family = limit_length(clean_person_text(raw.get("family") or "", part="family"), limit, "family")
        given = limit_length(clean_person_text(raw.get("given") or "", part="given"), limit, "given")
        family_kana = limit_length(
            jp_clean(jptext.normalize_kana, raw.get("family_kana") or "", part="family_kana"), limit * 2, "family_kana"
        )
        given_kana = limit_length(
            jp_clean(jptext.normalize_kana, raw.get("given_kana") or "", part="given_kana"), limit * 2, "given_kana"
        )
        missing = [part for part, value in (("family", family), ("family_kana", family_kana)) if not value]
        if given and not given_kana:
            missing.append("given_kana")
        if missing:
            raise FieldInvalid("required", part=missing[0], also_parts=tuple(missing[1:]))
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
class PostalCodeField(FieldType):
    name = "postal_code"

    def clean(self, spec, raw, ctx):
        return jp_clean(jptext.normalize_postal_code, raw)

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
        missing = []
        for part in self.PARTS:
            part_raw = raw.get(part) or ""
            if part == "postal_code":
                cleaned = jp_clean(jptext.normalize_postal_code, part_raw, part=part) if part_raw else ""
            else:
                cleaned = limit_length(jp_clean(jptext.normalize_text, part_raw, part=part), self.PART_LIMIT, part)
            if not cleaned and part in self.REQUIRED_PARTS:
                missing.append(part)  # every missing part at once, not one per attempt
            value[part] = cleaned
        if missing:
            raise FieldInvalid("required", part=missing[0], also_parts=tuple(missing[1:]))
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
        postal_code = jptext.format_postal_code(value["postal_code"])
        parts = [value[p] for p in ("city", "town", "block") if value[p]]
        if not language.startswith("ja"):
            # English: the prefecture in romaji and the parts apart, as a romaji address is
            # written ("Ibaraki, Aoba, Chuo 1-2-3"), never 「茨城県AobaChuo1-2-3」.
            place = ", ".join([prefecture_label(value["prefecture"], language), *parts])
            building = f", {value['building']}" if value.get("building") else ""
            return f"{postal_code} {place}{building}"
        place = value["prefecture"]
        for part in parts:
            # Japanese parts run together (茨城県青葉市中央一丁目); a part typed in Latin letters
            # keeps a space from its neighbours so the words stay readable.
            latin = _has_latin(part) or _has_latin(place[-1:])
            place += f" {part}" if latin else part
        building = f" {value['building']}" if value.get("building") else ""
        return f"{postal_code} {place}{building}"


def _has_latin(text: str) -> bool:
    return any("A" <= ch <= "Z" or "a" <= ch <= "z" for ch in text)


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
        digits = jp_clean(jptext.normalize_phone, raw)
        typed = _PHONE_SEPARATORS.sub("-", jptext.normalize_text(as_text(raw))).strip("-")
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
        return limit_length(jp_clean(jptext.normalize_email, raw), 254)

    def json_schema(self, spec):
        return {"type": "string", "format": "email", "maxLength": 254}

    def example(self, spec):
        return "hanako@example.jp"
