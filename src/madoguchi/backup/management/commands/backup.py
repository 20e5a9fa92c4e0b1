"""``madoguchi backup --output FILE``: one encrypted archive of the whole instance.

The passphrase comes from ``--passphrase-file`` or ``MADOGUCHI_BACKUP_PASSPHRASE``. Run it
nightly from a systemd timer or cron (docs/operations/backup.md); it exits non-zero when no
archive was written, so the timer's failure alerting applies.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError as DjangoDatabaseError

from madoguchi.backup.crypto import ArchiveError
from madoguchi.backup.database import DumpFailed
from madoguchi.backup.files import OBJECT_STORAGE_CHOICES, FilesRefused
from madoguchi.backup.passphrase import PassphraseMissing, passphrase_read
from madoguchi.backup.services import BackupNotRecorded, BackupRefused, backup_create


class Command(BaseCommand):
    help = "Write one encrypted archive of the database, media, signatures file and keys, with a manifest."

    def add_arguments(self, parser):
        # No abbreviations: "--passphrase SECRET" must fail, not be taken for --passphrase-file.
        parser.allow_abbrev = False
        parser.add_argument("--output", required=True, metavar="FILE", help="the archive to write (must not exist)")
        parser.add_argument(
            "--passphrase-file",
            metavar="FILE",
            help="file holding the passphrase (default: environment variable MADOGUCHI_BACKUP_PASSPHRASE)",
        )
        parser.add_argument(
            "--object-storage",
            choices=OBJECT_STORAGE_CHOICES,
            help="media in object storage: leave them out (skip; the storage has its own versions) or copy them (include)",
        )

    def handle(self, *args, output: str, passphrase_file: str | None, object_storage: str | None, **options):
        try:
            passphrase, warnings = passphrase_read(passphrase_file)
            for warning in warnings:
                self.stderr.write(f"WARNING {warning}")
            result = backup_create(output=Path(output), passphrase=passphrase, object_storage=object_storage)
        except (PassphraseMissing, BackupRefused, FilesRefused, DumpFailed, ArchiveError, OSError) as exc:
            raise CommandError(f"no backup written: {exc}") from exc
        except BackupNotRecorded as exc:
            raise CommandError(str(exc)) from exc
        except DjangoDatabaseError as exc:
            raise CommandError(f"no backup written: the database cannot be read: {exc}") from exc
        for warning in result.warnings:
            self.stderr.write(f"WARNING {warning}")
        manifest = result.manifest
        by_kind: dict[str, list[int]] = {}
        for entry in result.files:
            by_kind.setdefault(entry["kind"], []).append(entry["size"])
        media = by_kind.get("media", [])
        self.stdout.write(f"backup written: {result.path}")
        self.stdout.write(f"  {result.size:,} bytes, SHA-256 {result.sha256}")
        self.stdout.write(
            f"  database: {manifest['database']['engine']}, {sum(by_kind.get('database', [0])):,} bytes; "
            f"media: {len(media)} files, {sum(media):,} bytes"
            + ("" if manifest["media"]["included"] else " (object storage, not included)")
            + f"; signature files: {len(by_kind.get('signatures', []))}"
        )
        for code, facts in manifest["municipalities"].items():
            head = facts["audit_head"]
            self.stdout.write(
                f"  {code} {facts['name']}: {facts['cases']} cases, {facts['attachments']} attachments, "
                f"{facts['issued_documents']} issued documents, {facts['audit_entries']} audit entries "
                f"(head #{head['sequence']} {head['hash'][:12]})"
            )
        self.stdout.write(f"  took {result.seconds:.2f} s")
