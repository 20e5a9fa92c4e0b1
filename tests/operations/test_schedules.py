"""Schedules (operations.schedules): the slots each kind names, in Japan time."""

from datetime import UTC, datetime, timedelta

import pytest
from tests.operations.conftest import JST

from madoguchi.operations.schedules import ScheduleError, format_duration, parse_duration, parse_schedule


def at(hour, minute=0, day=15):
    return datetime(2026, 6, day, hour, minute, tzinfo=JST)


def test_a_daily_schedule_before_its_time_names_yesterdays_slot():
    schedule = parse_schedule("daily 03:00")
    assert schedule.last_slot(at(2, 59), JST) == at(3, day=14)
    assert schedule.last_slot(at(3, 0), JST) == at(3)
    assert schedule.next_slot(at(3, 0), JST) == at(3, day=16)


def test_a_daily_time_is_japan_time_whatever_the_clocks_zone():
    utc_evening = datetime(2026, 6, 14, 18, 30, tzinfo=UTC)  # 03:30 on the 15th in Japan
    assert parse_schedule("daily 03:00").last_slot(utc_evening, JST) == at(3)


def test_intervals_fall_on_round_times():
    assert parse_schedule("every 15m").last_slot(at(10, 44), JST) == at(10, 30)
    assert parse_schedule("every 1m").last_slot(at(10, 44), JST) == at(10, 44)
    assert parse_schedule("hourly :05").last_slot(at(10, 4), JST) == at(9, 5)
    assert parse_schedule("hourly :05").next_slot(at(10, 5), JST) == at(11, 5)


def test_off_has_no_slots():
    schedule = parse_schedule("off")
    assert not schedule.enabled
    assert schedule.last_slot(at(10), JST) is None


@pytest.mark.parametrize("text", ["daily 25:00", "every 0m", "every 2d", "hourly :60", "weekly", ""])
def test_a_schedule_that_cannot_be_read_is_refused_with_the_forms_it_takes(text):
    with pytest.raises(ScheduleError):
        parse_schedule(text)


def test_durations_read_and_print_in_their_largest_unit():
    assert parse_duration("26h") == timedelta(hours=26)
    assert parse_duration("10m") == timedelta(minutes=10)
    assert format_duration(timedelta(hours=26)) == "26h"
    assert format_duration(timedelta(seconds=90)) == "90s"
    with pytest.raises(ScheduleError):
        parse_duration("soon")
