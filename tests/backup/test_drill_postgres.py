"""The restore drill on PostgreSQL: real pg_dump and pg_restore, a fresh database for each restore.

The target database (``madoguchi_backup_restore_<random>``) is created on the test server
and dropped afterwards; ``madoguchi restore`` runs in a subprocess pointed at it.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from tests.backup.conftest import CHECKS, Target, backup, digests, flip_byte, summary

from madoguchi.cases.models import Attachment, Case
from madoguchi.signatures.models import IssuedDocument, OrganisationSignature

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _server() -> dict:
    db = connection.settings_dict
    return {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"], "password": db["PASSWORD"]}


@pytest.fixture
def postgres_target(tmp_path):
    """An empty database on the test server, and a directory for the restored files."""
    name = f"madoguchi_backup_restore_{secrets.token_hex(4)}"
    server = _server()
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    directory = tmp_path / "restored"
    directory.mkdir()
    credentials = quote(server["user"] or "") + (f":{quote(server['password'])}" if server["password"] else "")
    url = f"postgres://{credentials}@{server['host'] or 'localhost'}:{server['port'] or 5432}/{name}"
    yield Target(directory, url), name
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _restored(name: str, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(dbname=name, **_server()) as restored:
        return restored.execute(sql, params).fetchall()


def test_a_postgresql_backup_restores_into_a_fresh_database_and_every_check_passes(
    instance, aoba, minatogawa, tmp_path, passphrase_file, postgres_target
):
    target, name = postgres_target
    archive = tmp_path / "drill.mdgbak"
    backup(archive, passphrase_file)

    result = target.restore(archive)

    assert result.returncode == 0, result.stdout + result.stderr
    assert summary(result.stdout) == dict.fromkeys(CHECKS, "OK")
    for municipality in (aoba, minatogawa):
        expected = [
            model.objects.for_municipality(municipality).count()
            for model in (Case, Attachment, IssuedDocument, OrganisationSignature)
        ]
        counted = [
            _restored(
                name,
                f"SELECT COUNT(*) FROM {table} t JOIN tenants_municipality m ON m.id = t.municipality_id "  # noqa: S608
                "WHERE m.code = %s",
                [municipality.code],
            )[0][0]
            for table in (
                "cases_case",
                "cases_attachment",
                "signatures_issueddocument",
                "signatures_organisationsignature",
            )
        ]
        assert counted == expected
    assert digests(target.media) == digests(Path(settings.MEDIA_ROOT))
    # The append-only triggers came back with the tables.
    assert _restored(
        name, "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass AND NOT tgisinternal"
    )
    document = instance.documents[0]
    restored_pdf = (target.media / document.storage_name).read_bytes()
    assert hashlib.sha256(restored_pdf).hexdigest() == document.sha256


def test_a_changed_byte_restores_nothing_into_postgresql(aoba, tmp_path, passphrase_file, postgres_target):
    target, name = postgres_target
    archive = tmp_path / "demo.mdgbak"
    backup(archive, passphrase_file)

    result = target.restore(flip_byte(archive, from_end=archive.stat().st_size // 2))

    assert result.returncode != 0
    assert "nothing restored: the archive was" in result.stderr and "does not authenticate" in result.stderr
    assert _restored(name, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'") == []
    assert target.holds_nothing()


def test_a_postgresql_backup_is_refused_by_an_sqlite_instance(aoba, tmp_path, passphrase_file, sqlite_target):
    archive = tmp_path / "demo.mdgbak"
    backup(archive, passphrase_file)

    result = sqlite_target.restore(archive)

    assert result.returncode != 0
    assert (
        "nothing restored: this backup is of a postgresql database and the configured one is sqlite; "
        "restoring across engines is not supported" in result.stderr
    )
    assert sqlite_target.holds_nothing()
