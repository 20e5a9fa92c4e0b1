"""Normalisation and validation of Japanese form input.

Every function takes what a resident typed (full-width digits, half-width katakana,
ideographic spaces, assorted dashes) and returns one canonical form, or raises
:class:`JapaneseInputError` whose ``code`` the caller maps to a user-facing message.
"""

import re
import unicodedata

__all__ = [
    "INVISIBLE_CHARACTERS",
    "JapaneseInputError",
    "format_postal_code",
    "normalize_email",
    "normalize_kana",
    "normalize_phone",
    "normalize_postal_code",
    "normalize_text",
    "parse_amount",
    "to_katakana",
]


class JapaneseInputError(ValueError):
    """Invalid Japanese input; ``code`` identifies the problem (e.g. ``"invalid_date"``)."""

    def __init__(self, code: str, message: str = "", **params) -> None:
        self.code = code
        # What the resident's message names (e.g. the month and day that do not exist).
        self.params = params
        super().__init__(message or code)


# Characters that change how text looks without being seen: zero-width ones (ZWSP, ZWNJ,
# ZWJ, WORD JOINER, BOM) and the bidirectional controls — embeddings and overrides
# (U+202A–U+202E), isolates (U+2066–U+2069), the LRM/RLM marks and the Arabic letter mark.
# A right-to-left override in a name would show "山田<RLO>abc" reversed on staff pages, in
# PDFs and in CSV, so the text staff read would not be the text that was stored (issue 12).
# No Japanese or Latin name or address needs any of them.
INVISIBLE_CHARACTERS = frozenset(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
)
# Those and the C0/C1 controls that are not whitespace are deleted outright. Whitespace
# controls (tab, CR, LF, ...) are turned into spaces or line breaks instead, so that
# "山田\t太郎" keeps its word boundary.
_DELETE = dict.fromkeys(
    [*INVISIBLE_CHARACTERS]
    + [cp for cp in range(0xA0) if unicodedata.category(chr(cp)) == "Cc" and not chr(cp).isspace()]
)

# NFKC decomposes a standalone voiced/semi-voiced sound mark into SPACE + combining mark,
# so "か゛" would end up as "か ゙". Using the combining marks lets NFC compose "が".
_SOUND_MARKS = {0x309B: 0x3099, 0x309C: 0x309A}

# CJK compatibility ideographs have canonical decompositions (even NFC changes them):
# U+FA10 塚 would become U+585A 塚. They occur in people's names (many are CP932 IBM
# extensions), so they are kept as typed, like IVS-qualified ideographs.
_CJK_COMPAT_RE = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f]+)")

# Mandatory line breaks per UAX #14 (BK, CR, LF, NL).
_LINE_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_WHITESPACE_RE = re.compile(r"\s+")
_BLANK_LINES_RE = re.compile(r"\n{4,}")

# Hyphen-like characters residents type between digit groups (after NFKC, which already
# maps U+FF0D to "-", U+2011 to U+2010 and U+FF70 to U+30FC). Escaped because it is
# spliced into character classes, where a bare "-" would form a range.
_DASHES = re.escape("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d\uff70")

_POSTAL_CODE_RE = re.compile(rf"(?:〒\s?)?([0-9]{{3}})\s?(?:[{_DASHES}]\s?)?([0-9]{{4}})")
_PHONE_SEPARATORS_RE = re.compile(rf"[\s(){_DASHES}]")
# Numbers with a zero third digit ("0X0") are 11 digits long: M2M/pagers (020), IP phones
# (050), FMC (060), mobiles (070, 080, 090) and toll-free 0800. 010 is the international
# call prefix and 030/040 are unallocated. Everything else (landlines, 0120, 0570, 0990)
# has 10 digits.
_PHONE_RE = re.compile(r"0(?:[256789]0[0-9]{8}|[1-9][1-9][0-9]{7})")

_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_EMAIL_DOMAIN_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")

# "\" is accepted as a yen sign: on JIS keyboards the ¥ key types U+005C.
_AMOUNT_RE = re.compile(
    r"(?P<sign1>[-\u2212])?\s?(?:[¥\\]\s?)?(?P<sign2>[-\u2212])?"
    r"(?P<number>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\s?(?:円)?"
)

_HIRAGANA_TO_KATAKANA = {cp: cp + 0x60 for cp in range(0x3041, 0x3097)} | {
    0x309D: 0x30FD,
    0x309E: 0x30FE,
}
# Full-width katakana ァ..ヺ (including ヴ, ヵ, ヶ), the middle dot ・ and the long vowel mark ー.
_KATAKANA_RE = re.compile("[\u30a1-\u30fc]*")


def _nfkc(value: str) -> str:
    """Return ``value`` in NFKC, leaving CJK compatibility ideographs untouched."""
    parts = _CJK_COMPAT_RE.split(value.translate(_SOUND_MARKS))
    # re.split() with a capturing group puts the compatibility ideographs at odd indexes.
    return "".join(part if index % 2 else unicodedata.normalize("NFKC", part) for index, part in enumerate(parts))


def normalize_text(value: str, *, multiline: bool = False) -> str:
    """
    Return ``value`` NFKC-normalised with whitespace collapsed to single ASCII spaces.

    Full-width digits and Latin letters become half-width, half-width katakana become
    full-width. Control, zero-width and bidirectional control characters are removed;
    variation selectors (IVS)
    and characters outside CP932 such as 𠮷 are kept. Without ``multiline`` line breaks
    count as whitespace. With it, line endings become "\\n", spaces are collapsed and
    trailing spaces stripped per line, at most two consecutive blank lines are kept and
    blank lines at either end are removed.
    """
    text = _nfkc(value).translate(_DELETE)
    if not multiline:
        return _WHITESPACE_RE.sub(" ", text).strip()
    lines = _LINE_BREAK_RE.sub("\n", text).split("\n")
    text = "\n".join(_WHITESPACE_RE.sub(" ", line).rstrip() for line in lines)
    return _BLANK_LINES_RE.sub("\n\n\n", text).strip("\n")


def to_katakana(value: str) -> str:
    """Return ``value`` normalised with :func:`normalize_text` and hiragana turned into katakana."""
    return normalize_text(value).translate(_HIRAGANA_TO_KATAKANA)


def normalize_kana(value: str) -> str:
    """
    Return ``value`` as full-width katakana without spaces, for furigana fields.

    Hiragana and half-width katakana are converted. Raise ``JapaneseInputError`` with
    code ``"not_katakana"`` if anything but katakana, "ー" or "・" remains. An empty or
    blank value returns "".
    """
    kana = to_katakana(value).replace(" ", "")
    if not _KATAKANA_RE.fullmatch(kana):
        raise JapaneseInputError("not_katakana", f"Not katakana: {value!r}")
    return kana


def normalize_postal_code(value: str) -> str:
    """
    Return the seven digits of a Japanese postal code, e.g. "1000001".

    Accept "100-0001", "〒100-0001", full-width digits and any common dash. Raise
    ``JapaneseInputError`` with code ``"invalid_postal_code"`` otherwise.
    """
    match = _POSTAL_CODE_RE.fullmatch(normalize_text(value))
    if not match:
        raise JapaneseInputError("invalid_postal_code", f"Invalid postal code: {value!r}")
    return match[1] + match[2]


def format_postal_code(value: str) -> str:
    """Return a postal code for display, e.g. "〒100-0001"."""
    digits = normalize_postal_code(value)
    return f"〒{digits[:3]}-{digits[3:]}"


def normalize_phone(value: str) -> str:
    """
    Return a Japanese phone number as digits only, e.g. "0312345678".

    Accept full-width digits, dashes, spaces, parentheses and a "+81" prefix (with or
    without the trunk "0", as in "+81 (0)3-1234-5678"). Landlines, 0120, 0570 and 0990
    numbers have 10 digits; 020, 050, 060, 070, 080, 090 and 0800 numbers have 11. Raise
    ``JapaneseInputError`` with code ``"invalid_phone"`` otherwise.
    """
    number = _PHONE_SEPARATORS_RE.sub("", normalize_text(value))
    if number.startswith("+81"):
        number = "0" + number[3:].removeprefix("0")
    if not _PHONE_RE.fullmatch(number):
        raise JapaneseInputError("invalid_phone", f"Invalid phone number: {value!r}")
    return number


def normalize_email(value: str) -> str:
    """
    Return an email address normalised with its domain lower-cased.

    The local part keeps its case. Only ASCII dot-atom addresses are accepted. Raise
    ``JapaneseInputError`` with code ``"invalid_email"`` otherwise.
    """
    address = normalize_text(value)
    local, at, domain = address.rpartition("@")
    domain = domain.lower()
    if (
        not at
        or len(address) > 254
        or len(local) > 64
        or not _EMAIL_LOCAL_RE.fullmatch(local)
        or not _EMAIL_DOMAIN_RE.fullmatch(domain)
    ):
        raise JapaneseInputError("invalid_email", f"Invalid email address: {value!r}")
    return f"{local}@{domain}"


def parse_amount(value: int | str) -> int:
    """
    Return a whole number of yen parsed from ``value``.

    Accept an ``int`` or a string such as "１，０００円", "¥1,000", "1000 円" or "-5".
    Thousands separators must group by three. Raise ``JapaneseInputError`` with code
    ``"invalid_integer"`` for anything else, including booleans, floats and decimals.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise JapaneseInputError("invalid_integer", f"Not an integer: {value!r}")
    if isinstance(value, int):
        return value
    match = _AMOUNT_RE.fullmatch(normalize_text(value))
    if not match or (match["sign1"] and match["sign2"]):
        raise JapaneseInputError("invalid_integer", f"Not an integer: {value!r}")
    try:
        amount = int(match["number"].replace(",", ""))
    except ValueError:
        # More digits than int() accepts (sys.get_int_max_str_digits()).
        raise JapaneseInputError("invalid_integer", f"Not an integer: {value!r}") from None
    return -amount if match["sign1"] or match["sign2"] else amount
