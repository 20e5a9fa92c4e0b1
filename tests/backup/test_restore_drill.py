"""The restore drill: back up real data, restore it into an empty instance, prove it is all there.

SQLite here (the default run); PostgreSQL with real pg_dump/pg_restore in test_drill_postgres.py.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import stat
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from tests.backoffice.casework import submit_jido_teate
from tests.backup.conftest import CHECKS, backup, digests, flip_byte, s3_environ, sqlite_only, summary

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.models import Attachment, Case
from madoguchi.signatures.models import IssuedDocument, OrganisationSignature

pytestmark = pytest.mark.django_db(transaction=True)


def source_counts(municipality) -> tuple[int, int, int, int]:
    return (
        Case.objects.for_municipality(municipality).count(),
        Attachment.objects.for_municipality(municipality).count(),
        IssuedDocument.objects.for_municipality(municipality).count(),
        OrganisationSignature.objects.for_municipality(municipality).count(),
    )


def restored_counts(database: Path, municipality) -> tuple[int, int, int, int]:
    with sqlite3.connect(database) as connection:

        def count(table: str) -> int:
            query = f"SELECT COUNT(*) FROM {table} t JOIN tenants_municipality m ON m.id = t.municipality_id WHERE m.code = ?"  # noqa: S608
            return connection.execute(query, [municipality.code]).fetchone()[0]

        return (
            count("cases_case"),
            count("cases_attachment"),
            count("signatures_issueddocument"),
            count("signatures_organisationsignature"),
        )


@sqlite_only
def test_a_backup_restores_into_an_empty_sqlite_instance_and_every_check_passes(
    instance, aoba, minatogawa, tmp_path, passphrase_file, sqlite_target
):
    archive = tmp_path / "drill.mdgbak"
    output = backup(archive, passphrase_file)
    assert output.startswith(f"backup written: {archive}")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial file, no dump left

    result = sqlite_target.restore(archive)

    assert result.returncode == 0, result.stdout + result.stderr
    assert summary(result.stdout) == dict.fromkeys(CHECKS, "OK")
    database = sqlite_target.directory / "madoguchi.sqlite3"
    for municipality in (aoba, minatogawa):
        assert restored_counts(database, municipality) == source_counts(municipality)
    assert source_counts(aoba) == (2, 1, 1, 4)  # the data the drill is about really exists
    assert digests(sqlite_target.media) == digests(Path(settings.MEDIA_ROOT))
    keys = sqlite_target.signatures_file.parent
    assert stat.S_IMODE((keys / "org-082015.p12").stat().st_mode) == 0o600
    assert stat.S_IMODE((keys / "org-082015.pass").stat().st_mode) == 0o600
    assert (keys / "org-root.pem").read_bytes() == (
        Path(settings.MADOGUCHI_SIGNATURES_FILE).parent / "org-root.pem"
    ).read_bytes()
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    # The restore is on record in each restored chain, after the checks compared them.
    with sqlite3.connect(database) as connection:
        events = connection.execute("SELECT event FROM audit_auditentry ORDER BY id DESC LIMIT 2").fetchall()
    assert events == [("backup.archive.restored",), ("backup.archive.restored",)]


def test_the_backup_is_on_record_in_every_chain_with_the_archives_digest(aoba, minatogawa, tmp_path, passphrase_file):
    archive = tmp_path / "record.mdgbak"
    backup(archive, passphrase_file)
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    for municipality in (aoba, minatogawa):
        entry = AuditEntry.objects.for_municipality(municipality).order_by("-sequence").first()
        assert entry.event == "backup.archive.created"
        assert entry.payload["sha256"] == digest and entry.payload["archive"] == "record.mdgbak"


@sqlite_only
def test_a_changed_byte_restores_nothing(aoba, tmp_path, passphrase_file, signatures_configured, sqlite_target):
    archive = tmp_path / "demo.mdgbak"
    backup(archive, passphrase_file)
    # In the last chunk (the manifest): every chunk before it decrypts, and still nothing is restored.
    tampered = flip_byte(archive, from_end=40)

    result = sqlite_target.restore(tampered)

    assert result.returncode != 0
    assert "nothing restored: the archive was cut off or changed: chunk" in result.stderr
    assert not (sqlite_target.directory / "madoguchi.sqlite3").exists()
    assert sqlite_target.holds_nothing()


@sqlite_only
def test_a_wrong_passphrase_restores_nothing(aoba, tmp_path, passphrase_file, sqlite_target):
    archive = tmp_path / "demo.mdgbak"
    backup(archive, passphrase_file)

    result = sqlite_target.restore(archive, passphrase="not the passphrase it was made with")

    assert result.returncode != 0
    assert "nothing restored: wrong passphrase" in result.stderr
    assert not (sqlite_target.directory / "madoguchi.sqlite3").exists()
    assert sqlite_target.holds_nothing()


def test_check_reads_the_whole_archive_and_restores_nothing(aoba, tmp_path, passphrase_file):
    archive = tmp_path / "demo.mdgbak"
    backup(archive, passphrase_file)
    out = StringIO()

    call_command("restore", "--input", str(archive), "--passphrase-file", str(passphrase_file), "--check", stdout=out)

    assert f"SHA-256 {hashlib.sha256(archive.read_bytes()).hexdigest()}" in out.getvalue()
    assert "archive OK: 1 files match the manifest; nothing restored" in out.getvalue()


def test_a_restore_into_a_database_that_is_not_empty_is_refused_before_decrypting(aoba, tmp_path, passphrase_file):
    archive = tmp_path / "demo.mdgbak"
    backup(archive, passphrase_file)
    cases = Case.objects.for_municipality(aoba).count()

    with pytest.raises(
        CommandError,
        match=r"nothing restored: the configured database is not empty \(\d+ tables, \d+ migrations applied",
    ):
        call_command("restore", "--input", str(archive), "--passphrase-file", str(passphrase_file))
    assert Case.objects.for_municipality(aoba).count() == cases


@sqlite_only
def test_force_replaces_a_restored_instance_and_says_what_it_replaces(
    aoba, tmp_path, passphrase_file, signatures_configured, sqlite_target
):
    archive = tmp_path / "demo.mdgbak"
    backup(archive, passphrase_file)
    assert sqlite_target.restore(archive).returncode == 0

    forced = sqlite_target.restore(archive, "--force")

    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "WARNING --force: replacing the configured database (" in forced.stdout
    assert f"WARNING --force: replacing {sqlite_target.signatures_file}\n" in forced.stdout
    assert summary(forced.stdout) == dict.fromkeys(CHECKS, "OK")  # the first restore's audit entries are gone


@sqlite_only
def test_media_copied_from_object_storage_restore_into_an_empty_bucket(
    aoba, version_of, now, tmp_path, passphrase_file, bucket, s3_server, sqlite_target
):
    case = submit_jido_teate(aoba, version_of, now=now)
    attachment = Attachment.objects.for_municipality(aoba).get(case=case)
    archive = tmp_path / "s3.mdgbak"
    backup(archive, passphrase_file, "--object-storage", "include")
    client, _source = bucket
    restored = f"madoguchi-restored-{secrets.token_hex(4)}"
    client.create_bucket(Bucket=restored, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    target = replace(sqlite_target, extra=s3_environ(s3_server, restored))

    result = target.restore(archive)

    assert result.returncode == 0, result.stdout + result.stderr
    assert summary(result.stdout) == dict.fromkeys(CHECKS, "OK")
    stored = client.get_object(Bucket=restored, Key=f"media/{attachment.storage_name}")["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256
