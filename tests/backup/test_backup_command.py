"""``madoguchi backup``: what it refuses, what the archive holds, and media in object storage."""

from __future__ import annotations

import hashlib
import tarfile
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from tests.backoffice.casework import submit_jido_teate
from tests.backup.conftest import PASSPHRASE, backup

from madoguchi.backup.crypto import EncryptingWriter
from madoguchi.backup.inventory import database_inventory
from madoguchi.backup.restore import archive_check, migration_plan
from madoguchi.backup.verify import restore_verify
from madoguchi.cases.models import Attachment


@pytest.fixture
def no_passphrase_in_environment(monkeypatch):
    monkeypatch.delenv("MADOGUCHI_BACKUP_PASSPHRASE", raising=False)


def test_a_backup_without_a_passphrase_is_refused(tmp_path, no_passphrase_in_environment):
    with pytest.raises(CommandError, match="give the archive's passphrase with --passphrase-file FILE or the environ"):
        call_command("backup", "--output", str(tmp_path / "a.mdgbak"))
    assert list(tmp_path.iterdir()) == []


def test_the_passphrase_cannot_be_given_on_the_command_line(tmp_path, no_passphrase_in_environment):
    with pytest.raises(CommandError, match="unrecognized arguments: --passphrase"):
        call_command("backup", "--output", str(tmp_path / "a.mdgbak"), "--passphrase", "secret")


def test_a_short_passphrase_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("MADOGUCHI_BACKUP_PASSPHRASE", "too short")
    with pytest.raises(CommandError, match="no backup written: the passphrase is too short: use at least 16"):
        call_command("backup", "--output", str(tmp_path / "a.mdgbak"))


def test_an_existing_archive_is_never_overwritten_and_a_loose_passphrase_file_is_named(tmp_path, passphrase_file):
    existing = tmp_path / "a.mdgbak"
    existing.write_bytes(b"yesterday's backup")
    passphrase_file.chmod(0o644)
    err = StringIO()
    with pytest.raises(CommandError, match="exists already: name a new file"):
        call_command("backup", "--output", str(existing), "--passphrase-file", str(passphrase_file), stderr=err)
    assert existing.read_bytes() == b"yesterday's backup"
    assert "readable by group or others (mode 0644; use 0600)" in err.getvalue()


def test_a_key_named_in_the_signatures_file_but_missing_stops_the_backup(tmp_path, passphrase_file, settings):
    signatures = tmp_path / "signatures.yaml"
    signatures.write_text(
        'municipalities:\n  "082015":\n    organisation:\n      keys: [{pkcs12: org.p12, passphrase_file: org.pass}]\n'
    )
    (tmp_path / "org.pass").write_text("x")
    settings.MADOGUCHI_SIGNATURES_FILE = str(signatures)
    with pytest.raises(CommandError, match=r"files named in signatures\.yaml do not exist: org\.p12"):
        backup(tmp_path / "a.mdgbak", passphrase_file)


def test_media_in_object_storage_are_refused_until_the_operator_chooses(tmp_path, passphrase_file, bucket):
    with pytest.raises(CommandError, match=r"media are in object storage .*--object-storage skip"):
        backup(tmp_path / "a.mdgbak", passphrase_file)
    assert not (tmp_path / "a.mdgbak").exists()


def _members(archive: Path) -> dict[str, dict]:
    return archive_check(source=archive, passphrase=PASSPHRASE.encode()).members


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("choice", ["skip", "include"])
def test_media_in_object_storage_are_left_out_or_copied_as_chosen(
    choice, aoba, version_of, now, tmp_path, passphrase_file, bucket
):
    case = submit_jido_teate(aoba, version_of, now=now)
    attachment = Attachment.objects.for_municipality(aoba).get(case=case)
    archive = tmp_path / "a.mdgbak"

    output = backup(archive, passphrase_file, "--object-storage", choice)

    members = _members(archive)
    media = {name: facts for name, facts in members.items() if name.startswith("media/")}
    if choice == "skip":
        assert media == {}
        assert "(object storage, not included)" in output
    else:
        assert media == {f"media/{attachment.storage_name}": {"size": attachment.size, "sha256": attachment.sha256}}


@pytest.mark.django_db(transaction=True)
def test_the_manifest_lists_every_file_with_its_digest_and_what_the_database_held(
    aoba, version_of, now, tmp_path, passphrase_file, signatures_configured
):
    case = submit_jido_teate(aoba, version_of, now=now)
    attachment = Attachment.objects.for_municipality(aoba).get(case=case)
    archive = tmp_path / "a.mdgbak"
    backup(archive, passphrase_file)

    extracted = archive_check(source=archive, passphrase=PASSPHRASE.encode())

    manifest = extracted.manifest
    assert (manifest["format"], manifest["application"], manifest["database"]["engine"]) == (
        1,
        "madoguchi",
        connection.vendor,
    )
    assert "0001_initial" in manifest["migrations"]["cases"]
    assert manifest["municipalities"]["082015"]["cases"] == 1
    assert manifest["municipalities"]["082015"]["attachments"] == 1
    assert manifest["municipalities"]["082023"]["cases"] == 0
    head = manifest["municipalities"]["082015"]["audit_head"]
    assert head["sequence"] == manifest["municipalities"]["082015"]["audit_entries"] > 0
    files = {entry["name"]: entry for entry in manifest["files"]}
    assert files[f"media/{attachment.storage_name}"]["sha256"] == attachment.sha256
    secret = {entry["reference"] for entry in manifest["signatures"]["files"] if entry["secret"]}
    assert secret == {"org-082015.p12", "org-082015.pass", "org-082023.p12", "org-082023.pass"}
    key = signatures_configured / "org-082015.p12"
    [entry] = [e for e in manifest["signatures"]["files"] if e["reference"] == "org-082015.p12"]
    assert files[entry["name"]]["sha256"] == hashlib.sha256(key.read_bytes()).hexdigest()


def test_the_archive_is_not_readable_as_a_tar_file_without_the_passphrase(tmp_path):
    target = tmp_path / "a.mdgbak"
    with open(target, "wb") as raw:
        writer = EncryptingWriter(raw, b"a passphrase long enough", scrypt_n=2**10)
        with tarfile.open(fileobj=writer, mode="w|") as tar:
            info = tarfile.TarInfo("media/x")
            info.size = 5
            tar.addfile(info, BytesIO(b"hello"))
        writer.close()
    with pytest.raises(tarfile.ReadError), tarfile.open(target):
        pass
    assert b"hello" not in target.read_bytes()


def test_migrations_the_code_does_not_know_and_ones_it_would_add_are_told_apart():
    from django.db.migrations.loader import MigrationLoader

    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    applied: dict[str, list[str]] = {}
    for app, name in known:
        applied.setdefault(app, []).append(name)
    assert migration_plan(applied) == ([], [])

    newer = {**applied, "cases": [*applied["cases"], "9999_from_the_future"]}
    assert migration_plan(newer)[0] == ["cases.9999_from_the_future"]
    last = sorted(applied["audit"])[-1]
    older = {**applied, "audit": [name for name in applied["audit"] if name != last]}
    assert migration_plan(older) == ([], [f"audit.{last}"])


def test_verification_finds_a_changed_attachment_and_counts_that_differ(aoba, version_of, now):
    with connection.cursor() as cursor:
        inventory = database_inventory(cursor)
    case = submit_jido_teate(aoba, version_of, now=now)  # after the "backup"
    attachment = Attachment.objects.for_municipality(aoba).get(case=case)
    Path(default_storage.path(attachment.storage_name)).write_bytes(b"%PDF-1.4 something else")

    checks = {
        c.name: c for c in restore_verify(manifest={"files": [], **inventory}, locations={}, allow_unsigned=False)
    }

    assert not checks["stored files"].ok
    assert checks["stored files"].problems == [
        f"082015 attachment {case.receipt_number} {attachment.storage_name}: 23 bytes, expected {attachment.size}"
    ]
    assert not checks["counts"].ok
    assert "082015 cases: backup 0, restored 1" in checks["counts"].problems
    assert checks["audit chains"].ok and checks["organisational signatures"].ok
