"""SQLite commits survive a power failure: WAL with synchronous=FULL on every connection."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from madoguchi.conf.settings.base import database_from_env

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


def test_a_fresh_sqlite_connection_syncs_every_commit(tmp_path, monkeypatch, django_db_blocker):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    handler = ConnectionHandler({"default": database_from_env(f"sqlite:///{tmp_path / 'madoguchi.sqlite3'}")})
    wrapper = handler["default"]
    with django_db_blocker.unblock():  # a connection of its own, not the test database
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                synchronous = cursor.fetchone()[0]
                cursor.execute("PRAGMA journal_mode")
                journal_mode = cursor.fetchone()[0]
        finally:
            wrapper.close()

    assert synchronous == FULL
    assert journal_mode == "wal"


@pytest.mark.django_db
def test_the_test_database_connection_runs_the_same_pragma():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: this run is on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == FULL
