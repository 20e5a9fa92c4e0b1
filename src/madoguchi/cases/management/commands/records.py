"""``madoguchi records dispose [--municipality CODE] [--dry-run]``: apply retention periods.

Run daily (cron or a systemd timer). Lists what it disposed of or transferred.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from madoguchi.cases.retention import records_dispose
from madoguchi.tenants.models import Municipality


class Command(BaseCommand):
    help = "Dispose of (廃棄) or transfer (移管) closed cases whose retention period has expired."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        dispose = sub.add_parser("dispose")
        dispose.add_argument("--municipality", help="local government code (default: all)")
        dispose.add_argument("--dry-run", action="store_true", help="list, change nothing")

    def handle(self, *args, action: str, municipality=None, dry_run=False, **options):
        with scopes_disabled():
            municipalities = Municipality.objects.all()
            if municipality:
                municipalities = municipalities.filter(code=municipality)
                if not municipalities.exists():
                    raise CommandError(f"Unknown municipality {municipality}")
        today = timezone.localdate()
        for m in municipalities:
            report = records_dispose(municipality=m, today=today, dry_run=dry_run)
            verb = "would dispose of" if dry_run else "disposed of"
            self.stdout.write(f"{m.code}: {verb} {len(report.disposed)}, transferred {len(report.transferred)}")
            for number in report.disposed:
                self.stdout.write(f"  廃棄 {number}")
            for number in report.transferred:
                self.stdout.write(f"  移管 {number}")
