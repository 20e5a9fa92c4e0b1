"""Making a backup: one encrypted archive of the database, the media and the signing keys.

:func:`backup_create` dumps the database (reading the manifest's numbers in the same
snapshot), adds the media files and the signatures file with everything it names, writes
the manifest last, and seals the archive. The archive appears under its name only when it
is complete: it is written to a temporary file beside it (mode 0600), fsynced, then renamed.
Each municipality's audit chain records that a backup was made (``backup.archive.created``,
with the archive's SHA-256 so a copy found later can be identified), because the archive
is all of its personal data leaving the database.

Restoring is :func:`madoguchi.backup.restore.backup_restore`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone

from madoguchi.audit.services import audit_log
from madoguchi.backup.archive import MANIFEST_FORMAT, ArchiveWriter
from madoguchi.backup.crypto import EncryptingWriter
from madoguchi.backup.database import DUMP_NAMES, database_dump
from madoguchi.backup.files import media_is_filesystem, media_members, signature_members
from madoguchi.tenants.commandline import municipalities_for_command

EVENT_CREATED = "backup.archive.created"
MIN_PASSPHRASE = 16


class BackupRefused(Exception):
    """The backup was not made; the message says why and what to do."""


class BackupNotRecorded(Exception):
    """The archive was written, but its audit entries were not."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    manifest: dict
    files: list[dict]
    seconds: float
    warnings: list[str]


def application_version() -> str:
    try:
        return version("madoguchi")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backup_create(
    *,
    output: Path,
    passphrase: bytes,
    object_storage: str | None = None,
    actor: str = "cli:backup",
    now: datetime | None = None,
) -> BackupResult:
    """Write the archive to ``output`` (which must not exist) and return what was written.

    ``object_storage`` ("skip" or "include") is required when media are not on a file
    system, see :mod:`madoguchi.backup.files`.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupRefused(f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters (24+ random ones)")
    if output.exists():
        raise BackupRefused(f"{output} exists already: name a new file (e.g. with the date)")
    if not output.parent.is_dir():
        raise BackupRefused(f"the directory {output.parent} does not exist")
    signatures, signatures_info, warnings = signature_members()
    # Refuses object storage without a choice before the database is touched.
    media_members(object_storage=object_storage, storage_names=[])

    work = Path(tempfile.mkdtemp(dir=output.parent, prefix=".madoguchi-backup-"))
    descriptor, partial_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".partial")
    partial = Path(partial_name)
    try:
        with os.fdopen(descriptor, "wb") as raw:
            dump = database_dump(work, with_storage_names=not media_is_filesystem() and object_storage == "include")
            media, media_info = media_members(object_storage=object_storage, storage_names=dump.storage_names)
            sealed = EncryptingWriter(raw, passphrase)
            archive = ArchiveWriter(sealed)
            archive.add_path(DUMP_NAMES[dump.engine], "database", dump.path)
            dump.path.unlink()  # plain personal data: gone as soon as it is sealed
            for member in media:
                if member.path is not None:
                    archive.add_path(member.name, "media", member.path)
                else:
                    with default_storage.open(member.storage_name, "rb") as source:
                        archive.add(member.name, "media", source, default_storage.size(member.storage_name))
            for member in signatures:
                archive.add_path(member.name, "signatures", member.path)
            manifest = {
                "format": MANIFEST_FORMAT,
                "application": "madoguchi",
                "version": application_version(),
                "created_at": now.isoformat(timespec="seconds"),
                "database": {"engine": dump.engine, "file": DUMP_NAMES[dump.engine], **dump.details},
                "migrations": dump.inventory["migrations"],
                "municipalities": dump.inventory["municipalities"],
                "media": media_info,
                "signatures": signatures_info,
            }
            archive.finish(manifest)
            sealed.close()
            raw.flush()
            os.fsync(raw.fileno())
        partial.chmod(0o600)
        os.replace(partial, output)
        _fsync_directory(output.parent)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)

    result = BackupResult(
        output, sealed.bytes_written, sealed.sha256, manifest, archive.files, time.perf_counter() - started, warnings
    )
    try:
        _record(result, actor=actor)
    except DatabaseError as exc:
        raise BackupNotRecorded(
            f"{output} was written, but recording it in the audit chains failed ({exc}): keep it, and record "
            f"the backup by hand (its SHA-256 is {result.sha256})"
        ) from exc
    return result


def _record(result: BackupResult, *, actor: str) -> None:
    payload = {
        "archive": result.path.name,
        "sha256": result.sha256,
        "size": result.size,
        "files": len(result.files),
        "created_at": result.manifest["created_at"],
    }
    for municipality in municipalities_for_command(None):
        with transaction.atomic():
            audit_log(
                municipality=municipality, event=EVENT_CREATED, actor=actor, object_type="backup", payload=payload
            )
