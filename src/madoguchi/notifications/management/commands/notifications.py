"""``madoguchi notifications send``: deliver the e-mails waiting in the outbox.

Once: ``madoguchi notifications send`` — from cron every minute
(``* * * * * madoguchi notifications send``) or a systemd timer (``OnUnitActiveSec=1min``)
starting a oneshot service. Or as a long-running worker: ``madoguchi notifications send
--loop 30`` runs every 30 seconds and exits after ``--max-runs`` runs, so a supervisor
(systemd ``Restart=always``) restarts it with fresh connections and code. Two workers at once
are safe on PostgreSQL and SQLite. See docs/notifications.md.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from madoguchi.notifications.delivery import notifications_send_due


class Command(BaseCommand):
    help = "Send the e-mails to residents that are due (correction requests and decisions)."
    # Replaced in tests, which never sleep.
    sleep = staticmethod(time.sleep)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Send due notifications once, or every --loop seconds.")
        send.add_argument("--limit", type=int, default=100, help="at most this many e-mails per run (default 100)")
        send.add_argument("--loop", type=float, metavar="SECONDS", help="run again every SECONDS seconds")
        send.add_argument(
            "--max-runs", type=int, default=120, help="with --loop: exit after this many runs (default 120)"
        )

    def handle(self, *args, action: str, limit: int, loop: float | None, max_runs: int, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        if loop is not None and (loop <= 0 or max_runs < 1):
            raise CommandError("--loop needs a positive number of seconds and --max-runs at least 1.")
        runs = 1 if loop is None else max_runs
        for run in range(1, runs + 1):
            report = notifications_send_due(limit=limit)
            if report.attempted or loop is None:
                self.stdout.write(
                    f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}"
                    + (" (mail server unreachable)" if report.unreachable else "")
                )
            if report.failed:
                self.stderr.write(f"{report.failed} notification(s) failed for good: staff see them as failed.")
            # A full batch means more may be due: go on at once, unless the server is down.
            if run < runs and (report.attempted < limit or report.unreachable):
                self.sleep(loop)
