"""``madoguchi files verify``: re-hash every stored attachment and document against the database.

Run it daily beside ``madoguchi audit verify`` and after every restore: it exits non-zero
when a file is missing or its size or SHA-256 differs from its row, naming the row's owner
(a receipt number) and the storage name, never the file's own name (it may carry a name).
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from madoguchi.storage.verify import stored_files_verify
from madoguchi.tenants.commandline import municipalities_for_command


class Command(BaseCommand):
    help = "Check stored files (attachments, issued documents) against the database."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Re-hash every stored file; exit 1 if one is missing or differs.")
        verify.add_argument("--municipality", metavar="CODE", help="local government code, e.g. 082015")

    def handle(self, *args, action: str, municipality: str | None = None, **options):
        failed, files, started = [], 0, time.perf_counter()
        for m in municipalities_for_command(municipality):
            with scope(municipality=m):
                report = stored_files_verify(municipality=m)
            files += report.files
            for item in report.problems:
                self.stdout.write(f"FAIL {m.code} {item.kind} {item.file.owner} {item.file.name}: {item.problem}")
            if report.problems:
                failed.append(m.code)
            else:
                self.stdout.write(f"OK {m.code} {report.files} files ({report.references} references)")
        self.stdout.write(f"verified {files} files in {time.perf_counter() - started:.2f} s")
        if failed:
            raise CommandError(f"stored files missing or changed: {', '.join(failed)}")
