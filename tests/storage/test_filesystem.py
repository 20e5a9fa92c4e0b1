"""Evidence on the file system: written whole or not at all, and never reused unless it matches."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from madoguchi.storage.backends import VerifiedFileSystemStorage
from madoguchi.storage.services import StoredFileMismatch, read_verified, store_verified, stored_file_problem

CONTENT = b"%PDF-1.4 evidence" * 100
SHA = hashlib.sha256(CONTENT).hexdigest()
NAME = f"attachments/082015/{SHA[:2]}/{SHA}"


def on_disk(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def leftovers() -> list[str]:
    return [p.name for p in Path(settings.MEDIA_ROOT).rglob(".tmp-*")]


def test_the_default_storage_is_the_verified_file_system_storage():
    assert type(storages["default"]) is VerifiedFileSystemStorage


def test_store_verified_writes_the_bytes_under_their_name_and_leaves_no_temporary_file():
    assert store_verified(NAME, CONTENT, sha256=SHA, size=len(CONTENT)) == NAME
    assert on_disk(NAME).read_bytes() == CONTENT
    assert leftovers() == []


@pytest.mark.parametrize("damaged", [b"", CONTENT[:10], b"x" * len(CONTENT)], ids=["empty", "truncated", "other"])
def test_a_damaged_file_under_the_content_address_is_replaced_never_reused(damaged):
    # Regression (Run it in production): after a full disk a 0-byte file stayed under the
    # name and was reused for a case whose row recorded the real SHA-256 and size.
    on_disk(NAME).parent.mkdir(parents=True)
    on_disk(NAME).write_bytes(damaged)
    store_verified(NAME, CONTENT, sha256=SHA, size=len(CONTENT))
    assert on_disk(NAME).read_bytes() == CONTENT
    assert leftovers() == []


def test_a_matching_file_is_reused_without_being_rewritten():
    store_verified(NAME, CONTENT, sha256=SHA, size=len(CONTENT))
    inode = os.stat(on_disk(NAME)).st_ino
    store_verified(NAME, CONTENT, sha256=SHA, size=len(CONTENT))
    assert os.stat(on_disk(NAME)).st_ino == inode


def test_bytes_that_do_not_match_the_given_digest_are_refused_and_nothing_is_written():
    with pytest.raises(ValueError, match="does not match"):
        store_verified(NAME, CONTENT + b"!", sha256=SHA, size=len(CONTENT) + 1)
    assert not on_disk(NAME).exists()
    assert leftovers() == []


def test_read_verified_returns_matching_bytes_and_refuses_missing_or_changed_ones():
    store_verified(NAME, CONTENT, sha256=SHA, size=len(CONTENT))
    assert read_verified(NAME, sha256=SHA, size=len(CONTENT)) == CONTENT
    on_disk(NAME).write_bytes(CONTENT[:-1] + b"?")
    with pytest.raises(StoredFileMismatch, match="SHA-256 differs"):
        read_verified(NAME, sha256=SHA, size=len(CONTENT))
    on_disk(NAME).unlink()
    with pytest.raises(StoredFileMismatch, match="missing"):
        read_verified(NAME, sha256=SHA, size=len(CONTENT))


def test_stored_file_problem_names_what_differs():
    assert stored_file_problem(NAME, sha256=SHA, size=len(CONTENT)) == "missing"
    store_verified(NAME, CONTENT, sha256=SHA, size=len(CONTENT))
    assert stored_file_problem(NAME, sha256=SHA, size=len(CONTENT)) is None
    on_disk(NAME).write_bytes(b"")
    assert stored_file_problem(NAME, sha256=SHA, size=len(CONTENT)) == f"0 bytes, expected {len(CONTENT)}"


def test_django_save_is_atomic_and_never_overwrites_an_existing_name():
    first = default_storage.save("exports/report.csv", ContentFile(b"first"))
    second = default_storage.save("exports/report.csv", ContentFile(b"second"))
    assert first == "exports/report.csv"
    assert second != first
    assert on_disk(first).read_bytes() == b"first"
    assert on_disk(second).read_bytes() == b"second"
    assert leftovers() == []


def test_files_get_the_configured_permissions(settings):
    settings.FILE_UPLOAD_PERMISSIONS = 0o640
    store_verified(NAME, CONTENT, sha256=SHA, size=len(CONTENT))
    assert on_disk(NAME).stat().st_mode & 0o777 == 0o640
