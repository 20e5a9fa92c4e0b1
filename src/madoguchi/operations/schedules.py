"""When a recurring job runs: a small schedule language and the slots it defines.

A schedule is one of::

    every 1m        every minute, on the minute          (also: every 15m, every 2h)
    hourly :05      every hour at five past
    daily 03:00     every day at 03:00
    off             never

in the scheduler's time zone (``MADOGUCHI_SCHEDULER_TIMEZONE``, Japan time by default).
A *slot* is one moment the schedule names. The scheduler asks for the latest slot at or
before now and runs the job if that slot has not been started yet — so a job missed during
downtime runs once when the scheduler is back, however many slots it missed.

Durations (the windows of docs/operations/jobs.md) are written ``90s``, ``10m``, ``26h`` or ``7d``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_EVERY = re.compile(r"every\s+(\d+)\s*([mh])")
_HOURLY = re.compile(r"hourly\s+:(\d{2})")
_DAILY = re.compile(r"daily\s+(\d{1,2}):(\d{2})")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Interval slots count from this local midnight, so "every 15m" fires at :00, :15, :30 and :45.
_EPOCH = datetime(2000, 1, 1)


class ScheduleError(ValueError):
    """A schedule or duration that cannot be read."""


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule; ``interval`` for every/hourly, ``at`` for daily, neither for off."""

    text: str
    interval: timedelta | None = None
    offset: timedelta = timedelta(0)
    at: time | None = None

    @property
    def enabled(self) -> bool:
        return self.interval is not None or self.at is not None

    def last_slot(self, now: datetime, tz: ZoneInfo) -> datetime | None:
        """Return the latest slot at or before ``now`` (aware), or None for ``off``."""
        local = now.astimezone(tz)
        if self.at is not None:
            slot = datetime.combine(local.date(), self.at, tzinfo=tz)
            if slot > local:
                slot = datetime.combine(local.date() - timedelta(days=1), self.at, tzinfo=tz)
            return slot
        if self.interval is None:
            return None
        epoch = _EPOCH.replace(tzinfo=tz) + self.offset
        steps = (local - epoch) // self.interval
        return epoch + steps * self.interval

    def next_slot(self, now: datetime, tz: ZoneInfo) -> datetime | None:
        """Return the first slot after ``now``, or None for ``off``."""
        last = self.last_slot(now, tz)
        if last is None:
            return None
        if self.at is not None:
            return datetime.combine(last.astimezone(tz).date() + timedelta(days=1), self.at, tzinfo=tz)
        return last + self.interval


def parse_schedule(text: str) -> Schedule:
    """Read a schedule (see the module docstring); raise ScheduleError."""
    spec = " ".join(text.strip().lower().split())
    if spec == "off":
        return Schedule(text=spec)
    if match := _EVERY.fullmatch(spec):
        interval = timedelta(seconds=int(match[1]) * _UNITS[match[2]])
        if not timedelta(minutes=1) <= interval <= timedelta(days=1):
            raise ScheduleError(f"{text!r}: an interval must be between 1m and 24h")
        return Schedule(text=spec, interval=interval)
    if match := _HOURLY.fullmatch(spec):
        minute = int(match[1])
        if minute > 59:
            raise ScheduleError(f"{text!r}: the minute must be 00-59")
        return Schedule(text=spec, interval=timedelta(hours=1), offset=timedelta(minutes=minute))
    if match := _DAILY.fullmatch(spec):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise ScheduleError(f"{text!r}: the time must be 00:00-23:59")
        return Schedule(text=f"daily {hour:02d}:{minute:02d}", at=time(hour, minute))
    raise ScheduleError(f"{text!r}: expected 'every 10m', 'hourly :05', 'daily 03:00' or 'off'")


def parse_duration(text: str) -> timedelta:
    """Read a duration such as ``10m`` or ``26h``; raise ScheduleError."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match or float(match[1]) <= 0:
        raise ScheduleError(f"{text!r}: expected a positive duration such as 90s, 10m, 26h or 7d")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2]])


def format_duration(value: timedelta) -> str:
    """Return ``value`` in the largest unit that divides it: ``10m``, ``26h``, ``90s``."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
