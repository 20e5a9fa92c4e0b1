"""移管 (transfer to the archives): the export is checked and durable before the case is removed.
The originals are deleted after a transfer, so a file that does not match its row stops it."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.cases.test_retention import admin, closed_case  # noqa: F401 (admin is a fixture)
from tests.samples import pdf_bytes

from madoguchi.cases.models import Attachment, Case
from madoguchi.cases.retention import records_dispose
from madoguchi.procedures.models import ProcedureVersion
from madoguchi.procedures.schema_export import example_answers
from madoguchi.storage.errors import StoredFileMismatch

CONTENT = pdf_bytes("保険証 移管")


@pytest.fixture
def transferred_case(aoba, version_of, admin, settings, tmp_path):  # noqa: F811
    version = version_of(aoba, "jido-teate")
    ProcedureVersion.objects.for_municipality(aoba).filter(pk=version.pk).update(
        definition={**version.definition, "retention_fate": "transfer", "retention": "1y"}
    )
    version.refresh_from_db()
    settings.MADOGUCHI_TRANSFER_DIR = tmp_path / "transfer"
    upload = SimpleUploadedFile("保険証.pdf", CONTENT, "application/pdf")
    return closed_case(
        aoba, version, admin, "transfer-1", example_answers(version.definition), {"health_insurance_copy": [upload]}
    )


def test_a_transfer_exports_verified_files_then_removes_the_case(
    aoba, transferred_case, django_capture_on_commit_callbacks
):
    case = transferred_case
    attachment = Attachment.objects.for_municipality(aoba).get(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        report = records_dispose(municipality=aoba, today=date(2040, 4, 1))
    assert report.transferred == [case.receipt_number]
    exported = Path(settings.MADOGUCHI_TRANSFER_DIR) / "082015" / case.receipt_number
    assert sorted(p.name for p in exported.iterdir()) == ["case.json", f"{attachment.sha256}-保険証.pdf"]
    assert hashlib.sha256((exported / f"{attachment.sha256}-保険証.pdf").read_bytes()).hexdigest() == attachment.sha256
    assert json.loads((exported / "case.json").read_text())["receipt_number"] == case.receipt_number
    assert not Case.objects.for_municipality(aoba).filter(pk=case.pk).exists()


def test_a_damaged_attachment_stops_the_transfer_and_keeps_the_case_and_its_file(aoba, transferred_case):
    case = transferred_case
    attachment = Attachment.objects.for_municipality(aoba).get(case=case)
    stored = Path(settings.MEDIA_ROOT) / attachment.storage_name
    stored.write_bytes(b"")
    with pytest.raises(StoredFileMismatch, match="0 bytes"):
        records_dispose(municipality=aoba, today=date(2040, 4, 1))
    assert Case.objects.for_municipality(aoba).filter(pk=case.pk).exists()
    assert stored.exists()
    exported = Path(settings.MADOGUCHI_TRANSFER_DIR) / "082015" / case.receipt_number
    assert [p.name for p in exported.iterdir()] == ["case.json"]  # no partial copy of the file
