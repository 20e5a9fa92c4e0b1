from datetime import date

import pytest

from madoguchi.jp.business_days import add_business_days, business_days_between, is_business_day


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (date(2026, 11, 26), True),  # Thursday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 23), False),  # 勤労感謝の日
        (date(2026, 5, 6), False),  # 振替休日 (憲法記念日 on Sunday)
        (date(2026, 12, 28), True),  # last working day of the year
        (date(2026, 12, 29), False),
        (date(2027, 1, 3), False),
        (date(2027, 1, 4), True),
        (date(2026, 9, 22), False),  # 国民の休日 between 敬老の日 and 秋分の日
    ],
)
def test_offices_are_closed_on_weekends_holidays_and_the_year_end(day, open_):
    assert is_business_day(day) is open_


def test_adding_business_days_skips_the_year_end_closure():
    assert add_business_days(date(2026, 12, 25), 2) == date(2027, 1, 4)


def test_adding_business_days_skips_golden_week():
    assert add_business_days(date(2026, 5, 1), 1) == date(2026, 5, 7)


def test_an_application_on_a_closed_day_counts_from_the_next_business_day():
    assert add_business_days(date(2026, 11, 28), 0) == date(2026, 11, 30)
    assert add_business_days(date(2026, 11, 28), 1) == date(2026, 12, 1)


def test_business_days_between_counts_in_both_directions():
    assert business_days_between(date(2026, 11, 26), date(2026, 12, 1)) == 3
    assert business_days_between(date(2026, 12, 1), date(2026, 11, 26)) == -3
