"""Japanese era (和暦) dates and fiscal years (年度).

Dates in 明治 before 1873 are converted as if the Gregorian calendar had been in use; the
lunisolar calendar of the time is not modelled.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from madoguchi.jp.text import JapaneseInputError, normalize_text

__all__ = ["ERAS", "Era", "era_for", "fiscal_year", "format_date", "is_wareki", "parse_date", "to_wareki"]


@dataclass(frozen=True)
class Era:
    """A Japanese era; ``end`` is the last day of the era, or None for the current one."""

    name: str
    letter: str
    romaji: str
    start: date
    end: date | None

    def __contains__(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d <= self.end)


def _eras(*eras: tuple[str, str, str, date]) -> tuple[Era, ...]:
    """Return the eras, each ending the day before the next one starts."""
    ends = [following[3] - timedelta(days=1) for following in eras[1:]] + [None]
    return tuple(
        Era(name, letter, romaji, start, end) for (name, letter, romaji, start), end in zip(eras, ends, strict=True)
    )


ERAS: tuple[Era, ...] = _eras(
    ("明治", "M", "meiji", date(1868, 1, 25)),
    ("大正", "T", "taisho", date(1912, 7, 30)),
    ("昭和", "S", "showa", date(1926, 12, 25)),
    ("平成", "H", "heisei", date(1989, 1, 8)),
    ("令和", "R", "reiwa", date(2019, 5, 1)),
)

_ERAS_BY_KEY = {era.name: era for era in ERAS} | {era.letter: era for era in ERAS}

_WESTERN_RE = re.compile(
    r"(?:西暦\s?)?(?P<year>[0-9]{4})\s?(?:"
    r"年\s?(?P<m1>[0-9]{1,2})\s?月\s?(?P<d1>[0-9]{1,2})\s?日"
    r"|(?P<sep>[-/.])(?P<m2>[0-9]{1,2})(?P=sep)(?P<d2>[0-9]{1,2}))"
)
_COMPACT_RE = re.compile(r"(?P<year>[0-9]{4})(?P<m1>[0-9]{2})(?P<d1>[0-9]{2})")
_WAREKI_RE = re.compile(
    rf"(?P<era>{'|'.join(_ERAS_BY_KEY)})\s?(?P<year>元|[0-9]{{1,2}})\s?(?:"
    r"年\s?(?P<m1>[0-9]{1,2})\s?月\s?(?P<d1>[0-9]{1,2})\s?日"
    r"|(?P<sep>[-/.])(?P<m2>[0-9]{1,2})(?P=sep)(?P<d2>[0-9]{1,2}))",
    re.IGNORECASE,
)


def _make_date(year: int, match: re.Match[str], value: str, typed_year: str) -> date:
    """Return the date for ``year`` and the month and day captured by ``match``.

    The code stays ``invalid_date`` (a stable API code); ``reason`` says why (``no_such_month``,
    ``no_such_day``, ``not_leap_year`` with the year as the resident wrote it), so the message
    can name the day that does not exist instead of asking for "a valid date" again.
    """
    month = int(match["m1"] or match["m2"])
    day = int(match["d1"] or match["d2"])
    if not 1 <= month <= 12:
        raise JapaneseInputError("invalid_date", f"Invalid date: {value!r}", reason="no_such_month", month=month)
    try:
        return date(year, month, day)
    except ValueError:
        if month == 2 and day == 29:
            raise JapaneseInputError(
                "invalid_date",
                f"Invalid date: {value!r}",
                reason="not_leap_year",
                year_ja=typed_year,
                year_en=f"{typed_year} ({year})" if typed_year != f"{year}年" else str(year),
            ) from None
        if day < 1:
            raise JapaneseInputError("invalid_date", f"Invalid date: {value!r}") from None
        raise JapaneseInputError(
            "invalid_date", f"Invalid date: {value!r}", reason="no_such_day", month=month, day=day
        ) from None


def parse_date(value: str) -> date:
    """
    Return the date written in ``value`` in the western or the Japanese calendar.

    Accept "2026-04-01", "2026/4/1", "2026.4.1", "2026年4月1日", "20260401", "令和8年4月1日",
    "令和元年5月1日", "R8.4.1", "r08/04/01", "㍻31年4月30日" and full-width variants.
    Raise ``JapaneseInputError`` with code ``"invalid_date"`` if ``value`` is not a
    date, or ``"out_of_era"`` if the date lies outside the era given (e.g. 平成31年5月1日).
    """
    text = normalize_text(value)
    if match := _WESTERN_RE.fullmatch(text) or _COMPACT_RE.fullmatch(text):
        year = int(match["year"])
        if year < 1:
            raise JapaneseInputError("invalid_date", f"Invalid date: {value!r}")
        return _make_date(year, match, value, f"{year}年")
    if match := _WAREKI_RE.fullmatch(text):
        era = _ERAS_BY_KEY[match["era"].upper()]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        if era_year < 1:
            raise JapaneseInputError("invalid_date", f"Invalid date: {value!r}")
        typed_year = f"{era.name}{'元' if era_year == 1 else era_year}年"
        result = _make_date(era.start.year + era_year - 1, match, value, typed_year)
        if result not in era:
            try:
                actual = to_wareki(result)
            except JapaneseInputError:
                actual = f"{result.year}年{result.month}月{result.day}日"
            raise JapaneseInputError(
                "out_of_era",
                f"{value!r} is outside {era.romaji}",
                typed=f"{typed_year}{result.month}月{result.day}日",
                actual=actual,
            )
        return result
    raise JapaneseInputError("invalid_date", f"Invalid date: {value!r}")


def is_wareki(value: str) -> bool:
    """Return True if ``value`` is written in the Japanese calendar (令和8年4月1日, R8.4.1)."""
    return _WAREKI_RE.fullmatch(normalize_text(value)) is not None


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date(d: date, language: str, *, wareki: bool = False) -> str:
    """Return ``d`` as a resident reads it: 2026年12月5日 in Japanese, "5 December 2026" in
    English (day first: unambiguous, never a bare ISO date); with ``wareki`` 令和8年12月5日, or
    "R8.12.5 (5 December 2026)" in English."""
    western = (
        f"{d.year}年{d.month}月{d.day}日" if language.startswith("ja") else f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    )
    if wareki:
        try:
            # English readers who type 和暦 use the letters (R8.4.1); the western date helps them.
            return to_wareki(d) if language.startswith("ja") else f"{to_wareki(d, style='letter')} ({western})"
        except JapaneseInputError:
            pass  # before 明治: no era to write it in
    return western


def era_for(d: date) -> Era:
    """
    Return the era ``d`` falls in.

    Raise ``JapaneseInputError`` (a ``ValueError``) with code ``"out_of_era"`` for dates
    before 明治.
    """
    if isinstance(d, datetime):
        # datetime is a date subclass but refuses to be compared with a date.
        d = d.date()
    for era in reversed(ERAS):
        if d in era:
            return era
    raise JapaneseInputError("out_of_era", f"{d.isoformat()} is before {ERAS[0].romaji}")


def to_wareki(d: date, *, style: str = "kanji") -> str:
    """
    Return ``d`` in the Japanese calendar.

    With style "kanji": "令和8年4月1日", the first year written as "元年" ("令和元年5月1日").
    With style "letter": "R8.4.1" ("R1.5.1" for the first year). Raise ``ValueError`` for
    an unknown style or a date before 明治.
    """
    if style not in ("kanji", "letter"):
        raise ValueError(f"Unknown style: {style!r}")
    era = era_for(d)
    era_year = d.year - era.start.year + 1
    if style == "letter":
        return f"{era.letter}{era_year}.{d.month}.{d.day}"
    year = "元" if era_year == 1 else str(era_year)
    return f"{era.name}{year}年{d.month}月{d.day}日"


def fiscal_year(d: date) -> int:
    """Return the fiscal year (年度, April to March) of ``d`` as the year it began in."""
    return d.year if d.month >= 4 else d.year - 1
