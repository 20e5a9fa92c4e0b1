"""``madoguchi drafts purge``: delete files of abandoned form drafts (run daily)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from madoguchi.cases.drafts import drafts_purge


class Command(BaseCommand):
    help = "Delete uploaded files of drafts older than the session lifetime."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser("purge")
        purge.add_argument("--older-than-hours", type=int, default=settings.SESSION_COOKIE_AGE // 3600)

    def handle(self, *args, action: str, older_than_hours: int, **options):
        deleted = drafts_purge(older_than=timedelta(hours=older_than_hours))
        self.stdout.write(f"deleted {deleted} draft file(s)")
