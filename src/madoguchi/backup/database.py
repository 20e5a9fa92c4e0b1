"""Dumping and restoring the configured database, consistently, with the engine's own tools.

PostgreSQL: ``pg_dump --format=custom`` of the ``default`` database, in a snapshot exported
from a read-only transaction that also reads the inventory, so the manifest's numbers are
exactly the dump's. Restored with ``pg_restore --single-transaction --exit-on-error``: a
failed restore leaves the target as it was. Host, port, user and name come from the
DATABASE settings; the password goes to the tools through ``PGPASSWORD`` in their
environment, never on a command line another account could read in ``ps``.

SQLite: a copy through SQLite's online backup API, which is consistent even while the
application writes (a file copy of a live WAL database is not), and restored the same way.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connections, transaction

from madoguchi.backup.inventory import database_inventory, storage_names

POSTGRESQL, SQLITE = "postgresql", "sqlite"
DUMP_NAMES = {POSTGRESQL: "database/postgresql.dump", SQLITE: "database/sqlite3.db"}
# libpq settings dj-database-url may put in OPTIONS, passed to the tools as environment.
_LIBPQ_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY"}


class DumpFailed(Exception):
    """The database could not be dumped or restored; the message says why."""


@dataclass(frozen=True)
class Dump:
    engine: str
    path: Path
    inventory: dict
    details: dict
    storage_names: list[str]


def database_engine(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor == "postgresql":
        return POSTGRESQL
    if vendor == "sqlite":
        return SQLITE
    raise DumpFailed(f"backups support PostgreSQL and SQLite, not {vendor}")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DumpFailed(
            f"{name} is not installed: install the PostgreSQL client tools "
            "(Debian: postgresql-client) of the server's major version or newer"
        )
    return found


def _libpq(alias: str) -> tuple[list[str], dict[str, str]]:
    """Command-line connection arguments and environment for pg_dump/pg_restore (no password in argv)."""
    db = connections[alias].settings_dict
    args: list[str] = ["--no-password"]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    args += ["--dbname", str(db["NAME"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in _LIBPQ_OPTIONS.items():
        if (db.get("OPTIONS") or {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise DumpFailed(f"{Path(command[0]).name} failed (exit {result.returncode}): {result.stderr.strip()}")


def database_dump(directory: Path, *, with_storage_names: bool = False, alias: str = "default") -> Dump:
    """Dump the database into ``directory`` and read its inventory from the same snapshot.

    ``with_storage_names``: also list the media files the rows name (for object storage).
    """
    engine = database_engine(alias)
    path = directory / Path(DUMP_NAMES[engine]).name
    connection = connections[alias]
    if engine == POSTGRESQL:
        args, env = _libpq(alias)
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            inventory = database_inventory(cursor)
            names = storage_names(cursor) if with_storage_names else []
            # The transaction stays open while pg_dump runs: the snapshot lives only as long.
            _run([_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--file", str(path), *args], env)
        details = {"name": connection.settings_dict["NAME"], "server_version": server_version}
        return Dump(engine, path, inventory, details, names)
    if connection.in_atomic_block:
        # The online backup waits for this connection's own write lock: it would never finish.
        raise DumpFailed("an SQLite backup cannot run inside a transaction")
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
        inventory = database_inventory(target.cursor())
        names = storage_names(target.cursor()) if with_storage_names else []
    finally:
        target.close()
    return Dump(engine, path, inventory, {"sqlite_version": sqlite3.sqlite_version}, names)


def database_tables(alias: str = "default") -> dict[str, int]:
    """Every table in the target database with its number of rows (empty dict: an empty database)."""
    connection = connections[alias]
    sqlite_file = connection.vendor == "sqlite" and not connection.is_in_memory_db()
    if sqlite_file and not Path(connection.settings_dict["NAME"]).exists():
        return {}  # connecting would create the file: an empty database stays absent until restored
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        counts = {}
        for name in names:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def database_restore(dump: Path, engine: str, *, replace: bool, alias: str = "default") -> None:
    """Load ``dump`` into the configured database; with ``replace``, what is there is dropped first."""
    target = database_engine(alias)
    if engine != target:
        raise DumpFailed(
            f"this backup is of a {engine} database and the configured one is {target}: "
            "restore into the same engine (to move between engines, restore first, then export and import)"
        )
    connection = connections[alias]
    if engine == POSTGRESQL:
        args, env = _libpq(alias)
        connection.close()
        clean = ["--clean", "--if-exists"] if replace else []
        _run(
            [_tool("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
             *clean, *args, str(dump)],
            env,
        )  # fmt: skip
        return
    if connection.is_in_memory_db():
        raise DumpFailed("the configured SQLite database is in memory: set DATABASE_URL to a file")
    name = str(connection.settings_dict["NAME"])
    connection.close()
    source = sqlite3.connect(dump)
    destination = sqlite3.connect(name)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
    Path(name).chmod(0o600)  # personal data, like the media files
