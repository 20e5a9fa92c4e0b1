"""Business days of Japanese government offices (開庁日).

Offices close on weekends, national holidays (祝日, 振替休日, 国民の休日 — from the
maintained ``holidays`` package) and over the year end, 29 December to 3 January. The
standard processing period (標準処理期間) of a procedure is counted in these days.
"""

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _national_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("JP", years=year))


def is_business_day(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    if (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3):
        return False
    return day not in _national_holidays(day.year)


def add_business_days(start: date, days: int) -> date:
    """Return the business day ``days`` business days after ``start``.

    An application received on a closed day counts from the next business day, as a
    counter would accept it then; with ``days == 0`` that business day is the answer.
    """
    day = start
    while not is_business_day(day):
        day += timedelta(days=1)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Return how many business days lie after ``start`` up to and including ``end`` (negative if before)."""
    if end < start:
        return -business_days_between(end, start)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count
