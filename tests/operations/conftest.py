"""Fixtures for the scheduler and task recovery: an injected clock, jobs under test, the
database task backend (the suite's settings run tasks immediately)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from tests.signatures.conftest import document_pki, documents_configured  # noqa: F401 (fixtures)

from madoguchi.operations.jobs import RecurringJob
from madoguchi.operations.schedules import parse_duration, parse_schedule

JST = ZoneInfo("Asia/Tokyo")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, value: datetime) -> None:
        self.now = value

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 15, 10, 0, tzinfo=JST))


def make_job(name: str, run, schedule: str = "daily 03:00", window: str = "26h") -> RecurringJob:
    return RecurringJob(
        name=name, label=name, run=run, schedule=parse_schedule(schedule), window=parse_duration(window)
    )


class Counter:
    """A job body that counts its runs (and raises ``error`` if set)."""

    def __init__(self, error: BaseException | None = None):
        self.runs = 0
        self.error = error

    def __call__(self) -> str:
        self.runs += 1
        if self.error is not None:
            raise self.error
        return "done"


@pytest.fixture
def database_tasks(settings):
    """Queue tasks in the database, as production does (the suite's default runs them at once)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "documents"]}}
