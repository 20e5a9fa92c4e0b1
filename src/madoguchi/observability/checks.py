"""The built-in readiness checks: database, migrations, disk space of the media directory.

Each is cheap enough for a probe every few seconds: the database check is one round trip on
PostgreSQL and a rolled-back one-row write on SQLite; the migration plan is computed until it
is empty once, then remembered (migrations are not un-applied under a running process).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from madoguchi.observability.health import CheckResult, register_check

# How long the SQLite write probe waits for another writer's lock before calling it busy.
SQLITE_PROBE_BUSY_MS = 2000


def database_health(alias: str = DEFAULT_DB_ALIAS) -> CheckResult:
    """Reachable and writable? PostgreSQL says whether it is a standby or read-only; SQLite is
    asked to write (and roll back) one row, as a read-only file only fails on a write."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")
                in_recovery, read_only = cursor.fetchone()
                if in_recovery:
                    return CheckResult("fail", "the database is a standby (in recovery): read-only")
                if read_only == "on":
                    return CheckResult("fail", "the database is read-only")
            elif connection.vendor == "sqlite":
                return _sqlite_write_probe(connection)
    except DatabaseError as exc:
        return CheckResult("fail", f"the database cannot be reached ({type(exc).__name__})")
    return CheckResult("ok")


def _sqlite_write_probe(connection) -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (busy_timeout,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_PROBE_BUSY_MS}")
        try:
            with transaction.atomic(using=connection.alias):
                # Same value written back, then rolled back: nothing changes, but SQLite has to
                # take the write lock and open the file for writing.
                cursor.execute(
                    "UPDATE django_migrations SET app = app WHERE id = (SELECT MIN(id) FROM django_migrations)"
                )
                transaction.set_rollback(True, using=connection.alias)
        except DatabaseError as exc:
            message = str(exc).lower()
            if "readonly" in message or "read-only" in message:
                return CheckResult("fail", "the database is read-only")
            if "locked" in message or "busy" in message:
                return CheckResult("fail", "the database is busy (locked by another writer)")
            return CheckResult("fail", f"the database refused a write ({type(exc).__name__})")
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout)}")
    return CheckResult("ok")


_migrations_applied: set[str] = set()


def migrations_health(alias: str = DEFAULT_DB_ALIAS) -> CheckResult:
    """Are all migrations of this code applied? Remembered once they are."""
    if alias in _migrations_applied:
        return CheckResult("ok")
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return CheckResult("fail", f"the migration state cannot be read ({type(exc).__name__})")
    if plan:
        return CheckResult("fail", f"{len(plan)} migrations not applied: run madoguchi migrate")
    _migrations_applied.add(alias)
    return CheckResult("ok")


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def media_free_bytes() -> int:
    return shutil.disk_usage(_existing(Path(settings.MEDIA_ROOT))).free


def disk_health() -> CheckResult:
    """Free space where attachments and issued documents are written (MEDIA_ROOT).

    Below ``MADOGUCHI_HEALTH_MIN_FREE_MB`` it fails (a submission with a file would fail);
    below twice that it warns.
    """
    free = media_free_bytes()
    minimum = settings.MADOGUCHI_HEALTH_MIN_FREE_MB * 1024 * 1024
    shown = f"{free / 1024**3:.1f} GiB free"
    if free < minimum:
        return CheckResult("fail", f"{shown}, below the minimum of {settings.MADOGUCHI_HEALTH_MIN_FREE_MB} MB")
    if free < 2 * minimum:
        return CheckResult("warn", f"{shown}, close to the minimum of {settings.MADOGUCHI_HEALTH_MIN_FREE_MB} MB")
    return CheckResult("ok", shown)


def register_builtin_checks() -> None:
    register_check("database", database_health, critical=True)
    register_check("migrations", migrations_health, critical=True)
    register_check("disk", disk_health, critical=True)
