"""The recurring jobs: what each one calls, when it runs by default, and its window.

Each job calls a domain app's service or command in-process. A job succeeds when it returns
and fails when it raises (a command's CommandError, a non-zero SystemExit, any exception).
Its *window* is how long it may go without a success before it is overdue: an overdue job
means something needs a person (docs/operations/jobs.md says what to do for each).

Schedules and windows come from settings (``MADOGUCHI_SCHEDULES``, ``MADOGUCHI_JOB_WINDOWS``,
filled from ``MADOGUCHI_SCHEDULE_<JOB>`` / ``MADOGUCHI_JOB_WINDOW_<JOB>``); the defaults are
here. If you add a job, add it to docs/operations/jobs.md and README's command table.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext_lazy as _

from madoguchi.operations.schedules import Schedule, parse_duration, parse_schedule

logger = logging.getLogger("madoguchi.operations.jobs")


class JobFailed(Exception):
    """A job that ran to its end but must be reported as failed (e.g. the mail server is down)."""


@dataclass(frozen=True)
class RecurringJob:
    name: str
    label: str
    run: Callable[[], str]
    schedule: Schedule
    window: timedelta


@dataclass(frozen=True)
class _Definition:
    name: str
    label: str
    run: Callable[[], str]
    schedule: str
    window: str


def _command(*args: str) -> Callable[[], str]:
    """Return a job that runs ``madoguchi <args>`` in-process, logging what it prints."""

    def run() -> str:
        output = io.StringIO()
        job_logger = logging.getLogger(f"madoguchi.operations.jobs.{args[0]}")
        try:
            call_command(*args, stdout=output, stderr=output)
        except SystemExit as exit_:  # a command that calls sys.exit() must not stop the scheduler
            if exit_.code not in (None, 0):
                raise JobFailed(f"exit status {exit_.code}") from exit_
        finally:
            for line in output.getvalue().splitlines():
                job_logger.info("%s", line)
        lines = output.getvalue().strip().splitlines()
        return lines[-1] if lines else ""

    return run


def _send_notifications() -> str:
    from madoguchi.notifications.delivery import notifications_send_due

    batch, sent, retrying, failed = 100, 0, 0, 0
    # A full batch means more are due: go on (bounded, so one run cannot hold the job forever).
    for _round in range(50):
        report = notifications_send_due(limit=batch)
        sent, retrying, failed = sent + report.sent, retrying + report.retrying, failed + report.failed
        if report.unreachable:
            raise JobFailed(f"mail server unreachable (sent {sent} before)")
        if report.attempted < batch:
            break
    return f"sent {sent}, retrying {retrying}, failed {failed}"


def _verify_signatures() -> str:
    args = ["signatures", "verify"]
    if getattr(settings, "MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED", False):
        args.append("--allow-unsigned")
    return _command(*args)()


def _recover_tasks() -> str:
    from madoguchi.operations.recovery import tasks_recover
    from madoguchi.operations.transient import tasks_retry_transient

    report = tasks_recover()
    retried = tasks_retry_transient()
    return (
        f"requeued {report.requeued}, gave up {report.gave_up}, kept {report.kept_alive} with live workers; "
        f"retried {retried} after a transient error"
    )


def _prune() -> str:
    from madoguchi.operations.scheduler import operations_prune

    runs, workers = operations_prune()
    return f"deleted {runs} job run(s) and {workers} stale worker heartbeat(s)"


DEFINITIONS: tuple[_Definition, ...] = (
    _Definition("notifications-send", _("Send e-mails to residents"), _send_notifications, "every 1m", "10m"),
    _Definition("tasks-recover", _("Retake tasks of dead workers"), _recover_tasks, "every 1m", "10m"),
    _Definition("crl-refresh", _("Refresh residents' CRLs"), _command("signatures", "crl-refresh"), "hourly :05", "3h"),
    _Definition("audit-checkpoint", _("Audit chain checkpoint"), _command("audit", "checkpoint"), "daily 00:30", "26h"),
    _Definition("records-dispose", _("Dispose of expired records"), _command("records", "dispose"), "daily 02:00", "26h"),
    _Definition("drafts-purge", _("Purge abandoned drafts"), _command("drafts", "purge"), "daily 03:00", "26h"),
    _Definition("clearsessions", _("Clear expired sessions"), _command("clearsessions"), "daily 03:10", "26h"),
    _Definition(
        "inquiry-emails-expire",
        _("Forget e-mail addresses of unanswered inquiries"),
        _command("assistant", "expire-emails"),
        "daily 03:20",
        "26h",
    ),
    _Definition("signatures-verify", _("Verify organisational signatures"), _verify_signatures, "daily 04:00", "26h"),
    _Definition("operations-prune", _("Prune old job runs"), _prune, "daily 04:30", "26h"),
    _Definition(
        "payments-reconcile", _("Reconcile online payments"), _command("payments", "reconcile"), "daily 05:00", "26h"
    ),
)


def scheduler_timezone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "MADOGUCHI_SCHEDULER_TIMEZONE", "Asia/Tokyo"))


def recurring_jobs() -> list[RecurringJob]:
    """Return every recurring job with its configured schedule and window (ScheduleError if misconfigured)."""
    schedules = getattr(settings, "MADOGUCHI_SCHEDULES", {})
    windows = getattr(settings, "MADOGUCHI_JOB_WINDOWS", {})
    unknown = (set(schedules) | set(windows)) - {d.name for d in DEFINITIONS}
    if unknown:
        from madoguchi.operations.schedules import ScheduleError

        raise ScheduleError(f"no recurring job named {', '.join(sorted(unknown))}")
    return [
        RecurringJob(
            name=d.name,
            label=d.label,
            run=d.run,
            schedule=parse_schedule(schedules.get(d.name, d.schedule)),
            window=parse_duration(windows.get(d.name, d.window)),
        )
        for d in DEFINITIONS
    ]
