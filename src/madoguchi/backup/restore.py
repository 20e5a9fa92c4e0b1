"""Restoring a backup into an empty instance, and proving the result.

:func:`backup_restore` goes in two halves. First, nothing is changed: the target must be
empty (no tables in the database, no files in the media storage, no signatures file), and
the whole archive is decrypted into a private staging directory, every chunk
authenticated, every member checked against the manifest, the engine and the migrations
compared with this version's. A wrong passphrase, a changed byte, a cut-off archive, a
backup of the other engine or of a newer version stops here, and the target is untouched.

Then the database is restored (``pg_restore`` in one transaction, or SQLite's backup API),
the files are put in place (each atomically; keys and passphrase files with mode 0600), and
:func:`madoguchi.backup.verify.restore_verify` checks the result. Each municipality's audit
chain records the restore (``backup.archive.restored``) after the checks, so they compare
the chains exactly as they were backed up.

``force`` replaces a non-empty target, and says what it replaces; it never skips a check.
:func:`archive_check` is the first half alone: it proves an archive (say, the off-site
copy) can be read with the passphrase, restoring nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DatabaseError as DjangoDatabaseError
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader

from madoguchi.audit.services import audit_log
from madoguchi.backup.archive import Extracted, archive_read
from madoguchi.backup.crypto import DecryptingReader
from madoguchi.backup.database import database_engine, database_restore, database_tables
from madoguchi.backup.files import (
    install_file,
    media_is_filesystem,
    media_root,
    signature_destination,
)
from madoguchi.backup.verify import Check, restore_verify
from madoguchi.signatures.config import signatures_file
from madoguchi.storage.services import StorageUnavailable, store_verified
from madoguchi.tenants.commandline import municipalities_for_command

EVENT_RESTORED = "backup.archive.restored"


class RestoreRefused(Exception):
    """Nothing was restored; the message says why and what to do."""


class RestoreIncomplete(Exception):
    """The database was restored but the rest failed: the target holds a partial restore."""


@dataclass
class RestoreReport:
    manifest: dict
    archive_sha256: str
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def _read(source: Path, passphrase: bytes, staging: Path | None) -> Extracted:
    with open(source, "rb") as handle:
        return archive_read(DecryptingReader(handle, passphrase), staging)


def archive_check(*, source: Path, passphrase: bytes) -> Extracted:
    """Decrypt and check all of ``source`` without writing anything; raises ArchiveError."""
    return _read(source, passphrase, None)


def _describe_tables(tables: dict[str, int]) -> str:
    migrations = tables.get("django_migrations", 0)
    with_rows = sorted(name for name, rows in tables.items() if rows)
    return f"{len(tables)} tables, {migrations} migrations applied, {len(with_rows)} tables holding rows"


def _media_contents() -> list[str]:
    if media_is_filesystem():
        root = media_root()
        return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    directories, files = default_storage.listdir("")
    return [*directories, *files]


def migration_plan(applied_lists: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(migrations the backup has that this version does not know, migrations this version would add)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = {(app, name) for app, names in applied_lists.items() for name in names}
    unknown = sorted(
        f"{app}.{name}"
        for app, name in applied
        if app in loader.migrated_apps and (app, name) not in loader.disk_migrations
    )
    pending = []
    for key in loader.graph.nodes:
        replaced = loader.replacements.get(key)
        if key in applied or (replaced is not None and all(r in applied for r in replaced.replaces)):
            continue
        pending.append(f"{key[0]}.{key[1]}")
    return unknown, sorted(pending)


def _preflight_database(*, force: bool, say: Callable[[str], None]) -> dict[str, int]:
    try:
        database_engine()
        tables = database_tables()
    except DjangoDatabaseError as exc:
        raise RestoreRefused(
            f"cannot reach the configured database ({exc}); create it first (PostgreSQL: createdb NAME)"
        ) from exc
    if tables and not force:
        raise RestoreRefused(
            f"the configured database is not empty ({_describe_tables(tables)}). Restore into a new, empty "
            "database, or pass --force to replace everything in it"
        )
    if tables:
        say(f"WARNING --force: replacing the configured database ({_describe_tables(tables)})")
    return tables


def _preflight_media(*, force: bool, say: Callable[[str], None]) -> None:
    media = _media_contents()
    if media and not force:
        raise RestoreRefused(
            f"the media storage is not empty ({len(media)} entries): restore into an empty one, or pass --force"
        )
    if media:
        say(f"WARNING --force: restoring into a media storage holding {len(media)} entries; same names are replaced")


def _preflight_signatures(manifest: dict, *, force: bool, say: Callable[[str], None]) -> Path | None:
    """Check where the signature files go; return the signatures file's path (None: the backup has none)."""
    info = manifest.get("signatures")
    if not info:
        return None
    target = signatures_file()
    if target is None:
        raise RestoreRefused(
            "the backup holds a signatures file and keys, but MADOGUCHI_SIGNATURES_FILE is not set: "
            "set it to where the signatures file should go"
        )
    taken = [target, *(signature_destination(f["reference"], target) for f in info["files"])]
    present = [str(path) for path in taken if path.exists()]
    if present and not force:
        raise RestoreRefused(f"signature files exist already: {', '.join(present)}; move them away, or pass --force")
    for path in present:
        say(f"WARNING --force: replacing {path}")
    return target


def _install_files(manifest: dict, staging: Path, signatures: Path | None) -> dict[str, Path | str]:
    """Put media and signature files in place; return where each archive member went."""
    locations: dict[str, Path | str] = {}
    for entry in manifest["files"]:
        if entry["kind"] != "media":
            continue
        # Through the one door for evidence files: atomic and verified on a disk or in a bucket.
        name = entry["name"].removeprefix("media/")
        content = (staging / entry["name"]).read_bytes()
        locations[entry["name"]] = store_verified(name, content, sha256=entry["sha256"], size=entry["size"])
    info = manifest.get("signatures")
    if info and signatures is not None:
        install_file(staging / info["file"], signatures, mode=0o600, directory_mode=0o700)
        locations[info["file"]] = signatures
        for entry in info["files"]:
            destination = signature_destination(entry["reference"], signatures)
            install_file(
                staging / entry["name"], destination, mode=0o600 if entry["secret"] else 0o644, directory_mode=0o700
            )
            locations[entry["name"]] = destination
    return locations


def backup_restore(
    *,
    source: Path,
    passphrase: bytes,
    work_dir: Path,
    force: bool = False,
    migrate: bool = False,
    allow_unsigned: bool = False,
    actor: str = "cli:restore",
    say: Callable[[str], None] = lambda line: None,
) -> RestoreReport:
    """Restore ``source`` into the configured (empty) instance and verify it; see the module docstring."""
    if not work_dir.is_dir():
        raise RestoreRefused(f"the work directory {work_dir} does not exist")
    tables = _preflight_database(force=force, say=say)
    _preflight_media(force=force, say=say)
    staging = Path(tempfile.mkdtemp(dir=work_dir, prefix="madoguchi-restore-"))
    try:
        extracted = _read(source, passphrase, staging)
        manifest = extracted.manifest
        engine = manifest["database"]["engine"]
        if engine != database_engine():
            raise RestoreRefused(
                f"this backup is of a {engine} database and the configured one is {database_engine()}; "
                "restoring across engines is not supported: restore into the same engine"
            )
        unknown, pending = migration_plan(manifest["migrations"])
        if unknown:
            raise RestoreRefused(
                f"the backup was made by a newer Madoguchi ({manifest['version']}) with migrations this version "
                f"does not have ({', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}): install that version"
            )
        if pending and not migrate:
            raise RestoreRefused(
                f"the backup's schema is older than this version's ({len(pending)} migrations to apply, e.g. "
                f"{pending[0]}): pass --migrate to apply them after restoring, or install {manifest['version']}"
            )
        signatures = _preflight_signatures(manifest, force=force, say=say)

        say(f"restoring the {engine} database ({manifest['database']['file']})")
        database_restore(staging / manifest["database"]["file"], engine, replace=bool(tables))
        connections.close_all()
        report = RestoreReport(manifest=manifest, archive_sha256=extracted.archive_sha256)
        try:
            if pending:
                say(f"applying {len(pending)} migrations")
                call_command("migrate", interactive=False, verbosity=0)
                report.notes.append(f"applied {len(pending)} migrations after the restore")
            say("restoring files")
            locations = _install_files(manifest, staging, signatures)
        except (OSError, DjangoDatabaseError, StorageUnavailable) as exc:
            raise RestoreIncomplete(
                f"the database was restored, then this failed: {exc}. The target is incomplete: "
                "empty it (or use --force) and restore again"
            ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    say("verifying")
    report.checks = restore_verify(manifest=manifest, locations=locations, allow_unsigned=allow_unsigned)
    if not manifest["media"]["included"]:
        report.notes.append("the backup did not include media (object storage): they were checked where they are")
    for variable in (manifest.get("signatures") or {}).get("passphrase_env", []):
        report.notes.append(f"a signing key's passphrase comes from the environment variable {variable}: set it here")
    _record(report, actor=actor)
    return report


def _record(report: RestoreReport, *, actor: str) -> None:
    payload = {
        "archive_sha256": report.archive_sha256,
        "backup_created_at": report.manifest["created_at"],
        "backup_version": report.manifest["version"],
        "verified": report.ok,
    }
    for municipality in municipalities_for_command(None):
        with transaction.atomic():
            audit_log(
                municipality=municipality, event=EVENT_RESTORED, actor=actor, object_type="backup", payload=payload
            )
