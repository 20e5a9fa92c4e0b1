"""A real full disk (a 1 MiB tmpfs filled to the last byte): refused with 503, nothing stored,
nothing acknowledged; once space is freed the same request succeeds with intact files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from tests.api.support import (
    PROBLEM_CONTENT_TYPE,
    PROBLEM_TYPE,
    agent_answers,
    pdf_upload,
    post_with_id,
)
from tests.backoffice.casework import submit_inkan
from tests.samples import NAME, pdf_bytes

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.models import Attachment, Case
from madoguchi.signatures.documents.services import document_issue
from madoguchi.signatures.models import DocumentKind, IssuedDocument
from madoguchi.storage.atomic import write_file_atomic
from madoguchi.storage.errors import StorageUnavailable

CONTENT = pdf_bytes("委任状 full disk")
KEY = "full-disk-0001"


def counts(municipality) -> tuple[int, int, int]:
    return (
        Case.objects.for_municipality(municipality).count(),
        Attachment.objects.for_municipality(municipality).count(),
        AuditEntry.objects.for_municipality(municipality).count(),
    )


def test_a_submission_on_a_full_disk_is_refused_with_503_and_stores_nothing(client, aoba, small_disk):
    before = counts(aoba)
    small_disk.fill()
    response = post_with_id(
        client, agent_answers(), {"power_of_attorney": pdf_upload(content=CONTENT)}, key=KEY, HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response["Retry-After"] == "120"
    problem = response.json()
    assert problem["type"] == PROBLEM_TYPE + "storage-unavailable"
    assert problem["title"].startswith("現在、ファイルを安全に保存できません")
    assert counts(aoba) == before
    assert small_disk.files() == []  # no partial file, no temporary file


def test_the_same_submission_succeeds_once_the_disk_is_freed_and_its_file_matches(client, aoba, small_disk):
    small_disk.fill()
    upload = {"power_of_attorney": pdf_upload(content=CONTENT)}
    assert post_with_id(client, agent_answers(), upload, key=KEY).status_code == 503
    small_disk.free()
    response = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload(content=CONTENT)}, key=KEY)
    assert response.status_code == 201
    case = Case.objects.for_municipality(aoba).get(receipt_number=response.json()["receipt_number"])
    (attachment,) = Attachment.objects.for_municipality(aoba).filter(case=case, field_id="power_of_attorney")
    stored = (small_disk.root / attachment.storage_name).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == attachment.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert len(stored) == attachment.size
    stored_names = Attachment.objects.for_municipality(aoba).filter(case=case).values_list("storage_name", flat=True)
    assert sorted(small_disk.files()) == sorted(stored_names)  # the copy of photo ID besides


def test_an_empty_file_left_under_the_content_address_is_replaced_when_the_disk_is_freed(client, aoba, small_disk):
    # What a failed write used to leave behind: the name taken, no bytes.
    sha = hashlib.sha256(CONTENT).hexdigest()
    name = Path(f"attachments/082015/{sha[:2]}/{sha}")
    (small_disk.root / name).parent.mkdir(parents=True)
    (small_disk.root / name).write_bytes(b"")
    small_disk.fill()
    assert (
        post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload(content=CONTENT)}, key=KEY).status_code
        == 503
    )
    assert (small_disk.root / name).read_bytes() == b""  # not made worse, not reused
    small_disk.free()
    assert (
        post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload(content=CONTENT)}, key=KEY).status_code
        == 201
    )
    assert (small_disk.root / name).read_bytes() == CONTENT


PORTAL = "/082015/procedures/juminhyo-copy/apply"
REQUESTER = {
    "requester_name.family": NAME["family"],
    "requester_name.given": NAME["given"],
    "requester_name.family_kana": NAME["family_kana"],
    "requester_name.given_kana": NAME["given_kana"],
    "relationship": "agent",
}


def test_a_portal_step_with_a_file_on_a_full_disk_shows_the_friendly_503_page(client, municipalities, small_disk):
    small_disk.fill()
    upload = SimpleUploadedFile("委任状.pdf", CONTENT, "application/pdf")
    response = client.post(f"{PORTAL}/requester/", {**REQUESTER, "power_of_attorney": upload})
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    page = response.content.decode()
    assert "一時的にご利用いただけません" in page
    assert "申請や変更は行われていません" in page
    assert f'href="{PORTAL}/requester/"' in page
    assert small_disk.files() == []
    small_disk.free()
    upload = SimpleUploadedFile("委任状.pdf", CONTENT, "application/pdf")
    assert client.post(f"{PORTAL}/requester/", {**REQUESTER, "power_of_attorney": upload}).status_code == 302
    (draft_file,) = small_disk.files()
    assert (small_disk.root / draft_file).read_bytes() == CONTENT


def test_an_issued_document_on_a_full_disk_raises_and_records_nothing(
    aoba, version_of, now, documents_configured, small_disk
):
    case = submit_inkan(aoba, version_of, now=now)
    small_disk.fill()
    with pytest.raises(StorageUnavailable):
        document_issue(case=case, kind=DocumentKind.RECEIPT, actor="resident", now=now)
    with scopes_disabled():
        assert not IssuedDocument.objects.filter(case_id=case.pk).exists()
    assert not any(name.startswith("documents/") for name in small_disk.files())
    small_disk.free()
    document = document_issue(case=case, kind=DocumentKind.RECEIPT, actor="resident", now=now)
    assert hashlib.sha256((small_disk.root / document.storage_name).read_bytes()).hexdigest() == document.sha256


def test_an_atomic_write_on_a_full_disk_keeps_the_old_file_whole(small_disk):
    target = small_disk.root / "crl" / "residents.crl"
    write_file_atomic(target, b"old CRL" * 100)
    small_disk.fill()
    with pytest.raises(StorageUnavailable, match="No space left"):
        write_file_atomic(target, b"new CRL" * 1000)
    assert target.read_bytes() == b"old CRL" * 100
    assert small_disk.files() == ["crl/residents.crl"]
