"""``madoguchi scheduler``: run the recurring jobs at their times (docs/operations/jobs.md).

Long-running (one per deployment; a second one started by mistake is harmless): stops
cleanly on SIGTERM or Ctrl+C once the jobs it is running have ended. ``--once`` runs what
is due now and exits (exit status 1 if a job failed), for cron or a systemd timer instead.
``--list`` shows each job's schedule, window and last success.
"""

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from madoguchi.operations.jobs import recurring_jobs, scheduler_timezone
from madoguchi.operations.models import RunOutcome
from madoguchi.operations.scheduler import Scheduler
from madoguchi.operations.schedules import ScheduleError, format_duration
from madoguchi.operations.selectors import recurring_jobs_health


class Command(BaseCommand):
    help = "Run the recurring jobs (e-mail, CRL refresh, drafts, sessions, audit, signatures, records)."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="run the jobs that are due now, then exit")
        mode.add_argument("--list", action="store_true", dest="show", help="show the jobs, their schedules and state")

    def handle(self, *args, once: bool, show: bool, **options):
        try:
            jobs = recurring_jobs()
        except ScheduleError as exc:
            raise CommandError(f"Bad schedule setting: {exc}") from exc
        if show:
            return self._list()
        scheduler = Scheduler(jobs=jobs)
        if once:
            scheduler.ensure_rows()
            failed = [run.job for run in scheduler.run_due() if run.outcome == RunOutcome.FAILED]
            if failed:
                raise CommandError(f"failed: {', '.join(failed)}")
            return
        stop = threading.Event()

        def request_stop(signum, frame):
            self.stderr.write(f"{signal.Signals(signum).name}: stopping after the running jobs end")
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        scheduler.serve(stop)

    def _list(self) -> None:
        tz = scheduler_timezone()
        now = timezone.now()
        health = {job.name: job for job in recurring_jobs_health(now=now).jobs}
        for job in recurring_jobs():
            state = health[job.name]
            upcoming = job.schedule.next_slot(now, tz)
            success = state.last_success_at.astimezone(tz).isoformat(timespec="minutes") if state.last_success_at else "never"
            self.stdout.write(
                f"{job.name:20} {job.schedule.text:12} window {format_duration(job.window):4} "
                f"next {upcoming.isoformat(timespec='minutes') if upcoming else '-'}  "
                f"last success {success}{'  OVERDUE' if state.overdue else ''}"
            )
