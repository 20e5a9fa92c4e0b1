"""Why a typed date does not exist, and dates written as residents read them (issue 12, item 7)."""

from datetime import date

import pytest

from madoguchi.jp.text import JapaneseInputError
from madoguchi.jp.wareki import format_date, is_wareki, parse_date


@pytest.mark.parametrize(
    ("typed", "params"),
    [
        ("令和7年2月30日", {"reason": "no_such_day", "month": 2, "day": 30}),
        ("2026-04-31", {"reason": "no_such_day", "month": 4, "day": 31}),
        ("R8.13.1", {"reason": "no_such_month", "month": 13}),
        ("令和7年2月29日", {"reason": "not_leap_year", "year_ja": "令和7年", "year_en": "令和7年 (2025)"}),
        ("2025/2/29", {"reason": "not_leap_year", "year_ja": "2025年", "year_en": "2025"}),
    ],
)
def test_a_date_that_does_not_exist_says_why_and_keeps_its_stable_code(typed, params):
    with pytest.raises(JapaneseInputError) as excinfo:
        parse_date(typed)
    assert excinfo.value.code == "invalid_date"
    assert excinfo.value.params == params


def test_a_date_outside_its_era_names_the_date_it_would_be():
    with pytest.raises(JapaneseInputError) as excinfo:
        parse_date("平成31年5月1日")
    assert excinfo.value.code == "out_of_era"
    assert excinfo.value.params == {"typed": "平成31年5月1日", "actual": "令和元年5月1日"}


def test_leap_days_and_month_ends_that_exist_are_accepted():
    assert parse_date("令和6年2月29日") == date(2024, 2, 29)
    assert parse_date("2026-04-30") == date(2026, 4, 30)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("令和8年4月1日", True), ("R8.4.1", True), ("ｈ３１．４．３０", True), ("2026-04-01", False), ("20260401", False)],
)
def test_is_wareki_tells_the_calendar_the_resident_typed_in(typed, expected):
    assert is_wareki(typed) is expected


def test_format_date_in_each_language_and_calendar():
    d = date(2026, 12, 5)
    assert format_date(d, "en") == "5 December 2026"
    assert format_date(d, "ja") == "2026年12月5日"
    assert format_date(d, "ja", wareki=True) == "令和8年12月5日"
    assert format_date(d, "en", wareki=True) == "R8.12.5 (5 December 2026)"
    assert format_date(date(1800, 1, 1), "ja", wareki=True) == "1800年1月1日"  # before 明治: western
