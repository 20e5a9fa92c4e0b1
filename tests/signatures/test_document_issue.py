"""Issuing documents (signatures.documents.services): on a decision, on request, on re-issue."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.core.files.storage import default_storage
from tests.backoffice.casework import INKAN, complete_route, pay_fee, staff, submit_inkan
from tests.cases.test_retention import CLOSED, closed_case
from tests.samples import NAME
from tests.signatures.conftest import pdftotext

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases import workflow
from madoguchi.cases.models import CaseStatus
from madoguchi.cases.retention import records_dispose
from madoguchi.signatures.documents import verification
from madoguchi.signatures.documents.kinds import document_text
from madoguchi.signatures.documents.services import (
    DocumentNotAvailable,
    UnprintableCharacters,
    document_issue,
    document_receipt_request,
    document_reissue,
)
from madoguchi.signatures.documents.signing import certificate_sha256
from madoguchi.signatures.models import DocumentKind, IssuedDocument
from madoguchi.tenants.access import ActionNotAllowed
from madoguchi.tenants.models import Municipality


def _documents(case):
    return list(IssuedDocument.objects.for_municipality(case.municipality).filter(case_id=case.pk).order_by("id"))


def _read(document) -> bytes:
    with default_storage.open(document.storage_name, "rb") as handle:
        return handle.read()


def _decide(case, *, approve: bool, now, reason: str = ""):
    pay_fee(case, now=now)
    case = workflow.case_start_review(staff=staff("aoba-clerk"), case=case, now=now)
    complete_route(case, now=now)
    return workflow.case_decide(staff=staff("aoba-approver"), case=case, approve=approve, reason=reason, now=now)


@pytest.fixture
def case(aoba, version_of, now):
    return submit_inkan(aoba, version_of, now=now)


def test_an_approval_issues_its_signed_decision_document_after_commit(
    case, now, documents_configured, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        _decide(case, approve=True, now=now)

    [document] = _documents(case)
    assert (document.kind, document.version, document.title) == (DocumentKind.APPROVED, 1, "決定通知書")
    data = _read(document)
    assert document.sha256 == verification.verify_pdf(data).sha256
    assert document.signer_certificate_sha256 == certificate_sha256(documents_configured.aoba_a.certificate)
    text = pdftotext(data, tmp_path)
    assert f"{NAME['family']} {NAME['given']} 様" in text
    assert "青葉市長" in text and case.receipt_number in text and "令和8年6月15日" in text
    entry = AuditEntry.objects.for_municipality(case.municipality).filter(event="signatures.document.issued").get()
    assert entry.actor == "staff:aoba-approver"
    assert entry.payload["sha256"] == document.sha256
    assert audit_verify(municipality=case.municipality) is None  # the chain is intact


def test_a_rejection_issues_a_rejection_notice_stating_the_reason(
    case, now, documents_configured, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        _decide(case, approve=False, now=now, reason="添付書類が不足しています。")

    [document] = _documents(case)
    assert (document.kind, document.title) == (DocumentKind.REJECTED, "却下通知書")
    text = pdftotext(_read(document), tmp_path)
    assert "却下通知書" in text and "添付書類が不足しています。" in text


def test_without_a_signing_key_a_decision_stands_and_issues_nothing(
    case, now, settings, django_capture_on_commit_callbacks, caplog
):
    settings.MADOGUCHI_SIGNATURES_FILE = None

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        decided = _decide(case, approve=True, now=now)

    assert decided.status == CaseStatus.APPROVED
    assert _documents(case) == []
    assert "No approved document issued" in caplog.text


def test_a_decision_stands_when_its_document_cannot_be_drawn(
    aoba, version_of, now, documents_configured, django_capture_on_commit_callbacks, caplog
):
    case = submit_inkan(aoba, version_of, now=now, name={**NAME, "given": "花\U000f0000"})

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        decided = _decide(case, approve=True, now=now)

    assert decided.status == CaseStatus.APPROVED
    assert _documents(case) == []
    assert "U+F0000" in caplog.text


def test_a_name_the_font_cannot_draw_refuses_issuance_naming_the_character(aoba, version_of, now, documents_configured):
    case = submit_inkan(aoba, version_of, now=now, name={**NAME, "given": "花\U000f0000"})

    with pytest.raises(UnprintableCharacters) as refused:
        document_issue(case=case, kind=DocumentKind.RECEIPT, actor="test", now=now)

    assert "U+F0000" in str(refused.value)
    assert _documents(case) == []


def test_a_decision_document_needs_that_decision(case, now, documents_configured):
    with pytest.raises(DocumentNotAvailable):
        document_issue(case=case, kind=DocumentKind.APPROVED, actor="test", now=now)


def test_a_resident_asking_twice_for_a_certificate_of_receipt_gets_the_same_document(
    case, now, documents_configured, tmp_path
):
    first = document_receipt_request(case=case, now=now)
    again = document_receipt_request(case=case, now=now)

    assert first.pk == again.pk and first.kind == DocumentKind.RECEIPT and first.issued_by == "resident"
    assert "受理証明書" in pdftotext(_read(first), tmp_path)


def test_a_reissue_is_a_new_version_and_supersedes_the_earlier_one(case, now, documents_configured):
    first = document_receipt_request(case=case, now=now)

    second = document_reissue(staff=staff("aoba-clerk"), case=case, kind=DocumentKind.RECEIPT, now=now)

    first.refresh_from_db()
    assert (second.version, second.superseded, first.superseded) == (2, False, True)
    assert second.issued_by == "staff:aoba-clerk"
    events = AuditEntry.objects.for_municipality(case.municipality).filter(event="signatures.document.issued")
    assert [e.payload["version"] for e in events.order_by("sequence")] == [1, 2]


def test_staff_of_another_municipality_cannot_reissue(case, now, documents_configured):
    with pytest.raises(ActionNotAllowed):
        document_reissue(staff=staff("minatogawa-admin"), case=case, kind=DocumentKind.RECEIPT, now=now)


def test_after_a_key_rotation_old_documents_stay_authentic_and_new_ones_use_the_new_key(
    case, now, documents_configured, rotate_aoba_key
):
    old = document_issue(case=case, kind=DocumentKind.RECEIPT, actor="test", now=now)

    rotate_aoba_key()
    new = document_issue(case=case, kind=DocumentKind.RECEIPT, actor="test", now=now)

    assert new.signer_certificate_sha256 == certificate_sha256(documents_configured.aoba_b.certificate)
    assert old.signer_certificate_sha256 == certificate_sha256(documents_configured.aoba_a.certificate)
    context = documents_configured.hard_fail_context()
    for document in (old, new):
        result = verification.verify_pdf(_read(document), validation_context=context)
        assert (result.verdict, result.municipality_code) == (verification.AUTHENTIC, "082015")


@pytest.mark.parametrize(
    ("slug", "title"),
    [("doro-senyo", "道路占用許可書"), ("jido-teate", "児童手当認定通知書"), ("zei-shomei", "交付決定通知書"),
     ("inkan-certificate", "決定通知書")],
)  # fmt: skip
def test_a_procedure_names_its_decision_document_in_its_catalog(aoba, version_of, slug, title):
    text = document_text(version_of(aoba, slug).definition, DocumentKind.APPROVED, values={"procedure": "X"})

    assert text.title == title
    assert "{" not in text.body


def test_issued_documents_are_scoped_to_their_municipality(case, now, documents_configured):
    document_receipt_request(case=case, now=now)

    assert IssuedDocument.objects.for_municipality(Municipality.objects.get(code="082023")).count() == 0


def test_disposing_of_a_case_removes_its_issued_documents(
    aoba, version_of, documents_configured, django_capture_on_commit_callbacks
):
    admin = staff("aoba-admin")
    case = closed_case(aoba, version_of(aoba, "inkan-certificate"), admin, "dispose-1", INKAN)
    document = document_issue(case=case, kind=DocumentKind.RECEIPT, actor="test", now=CLOSED)
    assert default_storage.exists(document.storage_name)

    with django_capture_on_commit_callbacks(execute=True):
        report = records_dispose(municipality=aoba, today=date(2060, 4, 1))

    assert case.receipt_number in report.disposed
    assert not default_storage.exists(document.storage_name)
    assert _documents(case) == []
