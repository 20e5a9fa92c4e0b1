"""``madoguchi restore --input FILE``: restore a backup into an empty instance and verify it.

Point the environment (``DATABASE_URL``, ``MADOGUCHI_MEDIA_ROOT``, ``MADOGUCHI_SIGNATURES_FILE``)
at the instance to restore into. The command prints a table of checks and exits non-zero if
any fails, or if nothing could be restored (the reason is printed; the target is untouched).
``--check`` only proves the archive can be read (the monthly check of the off-site copy).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from madoguchi.backup.crypto import ArchiveError
from madoguchi.backup.database import DumpFailed
from madoguchi.backup.passphrase import PassphraseMissing, passphrase_read
from madoguchi.backup.restore import RestoreIncomplete, RestoreRefused, archive_check, backup_restore
from madoguchi.backup.verify import Check

SHOWN_PROBLEMS = 50


class Command(BaseCommand):
    help = "Restore an archive made by `madoguchi backup` into an empty instance, then verify everything."

    def add_arguments(self, parser):
        # No abbreviations: "--passphrase SECRET" must fail, not be taken for --passphrase-file.
        parser.allow_abbrev = False
        parser.add_argument("--input", required=True, metavar="FILE", help="the archive to restore")
        parser.add_argument(
            "--passphrase-file",
            metavar="FILE",
            help="file holding the passphrase (default: environment variable MADOGUCHI_BACKUP_PASSPHRASE)",
        )
        parser.add_argument(
            "--work-dir",
            metavar="DIR",
            default=tempfile.gettempdir(),
            help="where the archive is decrypted before anything is restored; needs its size free (default: %(default)s)",
        )
        parser.add_argument("--check", action="store_true", help="only decrypt and check the archive; restore nothing")
        parser.add_argument(
            "--force", action="store_true", help="replace a database, media or signature files that exist already"
        )
        parser.add_argument(
            "--migrate",
            action="store_true",
            help="apply this version's newer migrations after restoring an older backup",
        )
        parser.add_argument(
            "--allow-unsigned", action="store_true", help="do not fail on decisions recorded without a signature"
        )

    def handle(self, *args, **options):
        source = Path(options["input"])
        if not source.is_file():
            raise CommandError(f"nothing restored: {source} does not exist")
        started = time.perf_counter()
        try:
            passphrase, warnings = passphrase_read(options["passphrase_file"])
            for warning in warnings:
                self.stderr.write(f"WARNING {warning}")
            if options["check"]:
                extracted = archive_check(source=source, passphrase=passphrase)
                self._archive_row(source, extracted.manifest, extracted.archive_sha256)
                self.stdout.write(
                    f"archive OK: {len(extracted.members) - 1} files match the manifest; nothing restored"
                )
                return
            report = backup_restore(
                source=source,
                passphrase=passphrase,
                work_dir=Path(options["work_dir"]),
                force=options["force"],
                migrate=options["migrate"],
                allow_unsigned=options["allow_unsigned"],
                say=self.stdout.write,
            )
        except (PassphraseMissing, ArchiveError, RestoreRefused, DumpFailed) as exc:
            raise CommandError(f"nothing restored: {exc}") from exc
        except RestoreIncomplete as exc:
            raise CommandError(f"restore INCOMPLETE: {exc}") from exc
        self._archive_row(source, report.manifest, report.archive_sha256)
        for check in report.checks:
            self._row(check)
        for note in report.notes:
            self.stdout.write(f"NOTE {note}")
        self.stdout.write(f"restore took {time.perf_counter() - started:.2f} s")
        failed = [check.name for check in report.checks if not check.ok]
        if failed:
            raise CommandError(f"restored, but verification failed: {', '.join(failed)}")

    def _archive_row(self, source: Path, manifest: dict, sha256: str) -> None:
        self.stdout.write(f"{'check':<26} {'result':<6} detail")
        self.stdout.write(
            f"{'archive':<26} {'OK':<6} {source.name}: made {manifest['created_at']} by madoguchi "
            f"{manifest['version']}, {manifest['database']['engine']}, SHA-256 {sha256}"
        )

    def _row(self, check: Check) -> None:
        self.stdout.write(f"{check.name:<26} {'OK' if check.ok else 'FAIL':<6} {check.detail}")
        for problem in check.problems[:SHOWN_PROBLEMS]:
            self.stdout.write(f"  {problem}")
        if len(check.problems) > SHOWN_PROBLEMS:
            self.stdout.write(f"  … and {len(check.problems) - SHOWN_PROBLEMS} more")
