from django import template
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from madoguchi.jp.wareki import format_date
from madoguchi.procedures.files import KINDS

register = template.Library()

INPUT_TYPES = {"email": "email", "phone": "tel"}
INPUT_MODES = {"integer": "numeric", "yen": "numeric", "postal_code": "numeric", "phone": "tel"}
AUTOCOMPLETE = {"email": "email", "phone": "tel", "postal_code": "postal-code"}
PART_AUTOCOMPLETE = {
    "family": "family-name",
    "given": "given-name",
    "family_kana": "off",
    "given_kana": "off",
    "postal_code": "postal-code",
    "city": "address-level2",
    "town": "address-line1",
    "block": "address-line2",
    "building": "address-line3",
}


@register.filter
def input_type(kind: str) -> str:
    return INPUT_TYPES.get(kind, "text")


@register.filter
def input_mode(kind: str) -> str:
    return INPUT_MODES.get(kind, "")


@register.filter
def field_autocomplete(kind: str) -> str:
    return AUTOCOMPLETE.get(kind, "")


@register.filter
def part_autocomplete(part: str) -> str:
    return PART_AUTOCOMPLETE.get(part, "off")


@register.filter
def accept_attr(kinds: list[str]) -> str:
    return ",".join(sorted({f".{ext}" for kind in kinds for ext in KINDS[kind][1]} | {KINDS[k][0] for k in kinds}))


@register.filter
def format_hint(spec: dict) -> str:
    """Return the format a field expects, so residents need not guess (JIS X 8341-3)."""
    kind = spec["type"]
    if kind == "date":
        return _("Example: 2026-04-01 or 令和8年4月1日 (R8.4.1)")
    if kind == "kana":
        return _("In katakana, e.g. ヤマダ (hiragana is converted)")
    if kind == "name":
        return _("Enter furigana in katakana; hiragana is converted.")
    if kind == "postal_code":
        return _("7 digits, e.g. 310-0015")
    if kind == "phone":
        return _("e.g. 029-200-1234")
    if kind in {"integer", "yen"} and "max" in spec:
        return _("A whole number from %(min)s to %(max)s") % {"min": spec.get("min", 0), "max": spec["max"]}
    if kind in {"integer", "yen"} and "min" in spec:
        return _("A whole number of at least %(min)s") % {"min": spec["min"]}
    if kind == "file":
        kinds = ", ".join(k.upper() for k in spec["accept"])
        size = spec.get("max_size_mb", 10)
        count = spec.get("max_files", 1)
        return ngettext(
            "Accepted: %(kinds)s, up to %(size)s MB, one file",
            "Accepted: %(kinds)s, up to %(size)s MB each, at most %(count)s files",
            count,
        ) % {"kinds": kinds, "size": size, "count": count}
    return ""


@register.filter
def yen(amount: int) -> str:
    """Return an amount as a resident of the page's language writes it: 300円, ¥300 (never "300yen")."""
    if (get_language() or "ja").startswith("ja"):
        return f"{int(amount):,}円"
    return f"¥{int(amount):,}"


@register.filter
def resident_date(value, with_time: bool = False) -> str:
    """Return a date (or the local date and time) as residents read it: 2026年12月5日 14:03 in
    Japanese, 5 December 2026, 14:03 in English."""
    if not value:
        return ""
    language = get_language() or "ja"
    moment = timezone.localtime(value) if hasattr(value, "hour") else None
    text = format_date(moment.date() if moment else value, language)
    if with_time and moment:
        separator = " " if language.startswith("ja") else ", "
        text += f"{separator}{moment:%H:%M}"
    return text
