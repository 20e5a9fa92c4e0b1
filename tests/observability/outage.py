"""Real database outages for tests: a read-only database and an unreachable one.

Each replaces the ``default`` connection of this thread with a new one whose settings make it
fail the way production fails, and puts the test's own connection back afterwards:

* read-only, SQLite: the test database copied to a file opened read-only (``mode=ro``), as a
  file on a file system remounted read-only behaves — reads work, every write is refused with
  "attempt to write a readonly database";
* read-only, PostgreSQL: ``ALTER DATABASE … SET default_transaction_read_only = on``, what an
  operator (or a standby) does; the new connection gets it, the test's own keeps writing;
* unreachable: PostgreSQL on a closed port, SQLite in a directory that does not exist.

Use them in ``transactional_db`` tests: what the requests need must be committed first.
"""

from __future__ import annotations

import copy
import socket
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

CLOSED_PORT = 18699  # in this project's test port range; nothing listens there (checked)


@contextmanager
def connection_replaced(**changes):
    original = connections[DEFAULT_DB_ALIAS]
    settings_dict = copy.deepcopy(original.settings_dict)
    settings_dict.update(changes)
    replacement = original.__class__(settings_dict, alias=DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = replacement
    try:
        yield replacement
    finally:
        replacement.close()
        connections[DEFAULT_DB_ALIAS] = original


@contextmanager
def read_only_database(directory: Path):
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        path = directory / "read-only.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")  # as production's database file is
        target.close()
        with connection_replaced(NAME=f"file:{path}?mode=ro"):
            yield
        return
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        with connection_replaced():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')


def _assert_closed(port: int) -> None:
    with socket.socket() as probe:
        probe.settimeout(1)
        assert probe.connect_ex(("127.0.0.1", port)) != 0, f"something listens on port {port}"


@contextmanager
def unreachable_database(directory: Path):
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        with connection_replaced(NAME=str(directory / "gone" / "madoguchi.sqlite3")):
            yield
        return
    _assert_closed(CLOSED_PORT)
    with connection_replaced(HOST="127.0.0.1", PORT=str(CLOSED_PORT)):
        yield
