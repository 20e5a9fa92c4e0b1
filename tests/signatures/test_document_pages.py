"""The pages around issued documents: the resident's status page, the staff case page, /verify/."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.backoffice.casework import submit
from tests.cases.test_submit import INKAN
from tests.samples import pdf_bytes
from tests.signatures.conftest import flip_byte_in_signed_range

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.access import access_code_from_salt
from madoguchi.signatures.documents.services import document_receipt_request
from madoguchi.signatures.models import DocumentKind, IssuedDocument


@pytest.fixture
def case(aoba, version_of, now):
    return submit(aoba, version_of(aoba, "inkan-certificate"), now=now, answers=INKAN)


@pytest.fixture
def document(case, now, documents_configured):
    return document_receipt_request(case=case, now=now)


def _resident(client, case):
    """Open ``case`` on the status page the way a resident does: receipt number and access code."""
    response = client.post(
        reverse("portal:status"),
        {"receipt_number": case.receipt_number, "access_code": access_code_from_salt(case.access_salt)},
    )
    assert response.status_code == 302
    return client


def test_the_status_page_lists_the_documents_with_a_download_link(client, case, document):
    response = _resident(client, case).get(reverse("portal:status"))

    assert response.status_code == 200
    assert reverse("portal:document", args=[document.pk]) in response.content.decode()


def test_the_resident_downloads_a_document_as_an_attachment(client, case, document):
    response = _resident(client, case).get(reverse("portal:document", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_document_download_needs_the_case_in_the_session(client, document):
    assert client.get(reverse("portal:document", args=[document.pk])).status_code == 404


def test_a_resident_cannot_download_another_cases_document(client, aoba, version_of, now, document):
    other = submit(aoba, version_of(aoba, "inkan-certificate"), now=now, answers=INKAN)

    response = _resident(client, other).get(reverse("portal:document", args=[document.pk]))

    assert response.status_code == 404


def test_a_resident_requests_a_certificate_of_receipt_on_the_status_page(client, case, documents_configured):
    response = _resident(client, case).post(reverse("portal:receipt_certificate"), follow=True)

    assert response.status_code == 200
    [document] = IssuedDocument.objects.for_municipality(case.municipality).filter(case_id=case.pk)
    assert document.kind == DocumentKind.RECEIPT
    assert "受理証明書をダウンロードできます" in response.content.decode()


def test_a_certificate_of_receipt_request_without_a_key_says_so(client, case, settings):
    settings.MADOGUCHI_SIGNATURES_FILE = None

    response = _resident(client, case).post(reverse("portal:receipt_certificate"), follow=True)

    assert "電子署名付きの文書をまだオンラインで発行していません" in response.content.decode()


def test_staff_download_a_document_and_the_download_is_audited(client, login_staff, case, document):
    login_staff(client, "aoba-clerk")

    response = client.get(reverse("backoffice:case_document", args=[case.receipt_number, document.pk]))

    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    events = AuditEntry.objects.for_municipality(case.municipality).filter(event="backoffice.document.downloaded")
    assert events.count() == 1


def test_the_case_page_lists_documents_and_offers_a_reissue(client, login_staff, case, document):
    login_staff(client, "aoba-clerk")

    page = client.get(reverse("backoffice:case", args=[case.receipt_number])).content.decode()

    assert reverse("backoffice:case_document", args=[case.receipt_number, document.pk]) in page
    assert reverse("backoffice:case_document_reissue", args=[case.receipt_number, "receipt"]) in page


def test_staff_reissue_a_document_as_a_new_version(client, login_staff, case, document):
    login_staff(client, "aoba-clerk")

    response = client.post(reverse("backoffice:case_document_reissue", args=[case.receipt_number, "receipt"]))

    assert response.status_code == 302
    versions = IssuedDocument.objects.for_municipality(case.municipality).filter(case_id=case.pk)
    assert sorted(versions.values_list("version", "superseded")) == [(1, True), (2, False)]


def test_reissuing_a_decision_document_without_that_decision_is_refused(client, login_staff, case, document):
    login_staff(client, "aoba-clerk")

    response = client.post(reverse("backoffice:case_document_reissue", args=[case.receipt_number, "approved"]))

    assert response.status_code == 409


@pytest.mark.parametrize("method", ["download", "reissue"])
def test_staff_of_another_municipality_get_not_found(client, login_staff, case, document, method):
    login_staff(client, "minatogawa-admin")

    if method == "download":
        response = client.get(reverse("backoffice:case_document", args=[case.receipt_number, document.pk]))
    else:
        response = client.post(reverse("backoffice:case_document_reissue", args=[case.receipt_number, "receipt"]))

    assert response.status_code == 404
    assert IssuedDocument.objects.for_municipality(case.municipality).count() == 1


def _upload(client, data: bytes, name: str = "document.pdf"):
    return client.post(reverse("portal:verify"), {"document": SimpleUploadedFile(name, data, "application/pdf")})


def test_the_verification_page_shows_who_issued_an_authentic_document(client, case, document):
    with default_storage.open(document.storage_name, "rb") as handle:
        data = handle.read()

    response = _upload(client, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="authentic"' in page
    assert "真正で、改変されていません" in page
    assert case.receipt_number in page and "青葉市" in page and "受理証明書" in page


def test_the_verification_page_shows_a_modified_document(client, document, signed_pdf):
    response = _upload(client, flip_byte_in_signed_range(signed_pdf))

    assert response.status_code == 200
    assert 'data-verdict="modified"' in response.content.decode()


def test_the_verification_page_shows_an_unsigned_pdf(client, documents_configured):
    response = _upload(client, pdf_bytes())

    assert 'data-verdict="unsigned"' in response.content.decode()


def test_the_verification_page_refuses_a_file_that_is_not_a_pdf(client, documents_configured):
    response = _upload(client, b"\x89PNG\r\n\x1a\n not a pdf", name="photo.png")

    assert response.status_code == 400
    assert "PDFではありません" in response.content.decode()


def test_the_verification_page_refuses_a_file_over_the_size_limit(client, settings, documents_configured):
    settings.MADOGUCHI_MAX_UPLOAD_BYTES = 1024

    response = _upload(client, b"%PDF-1.7\n" + b"0" * 2048)

    assert response.status_code == 413


def test_the_applicant_verifies_their_documents_with_receipt_number_and_access_code(client, case, document):
    response = client.post(
        reverse("portal:verify"),
        {"receipt_number": case.receipt_number, "access_code": access_code_from_salt(case.access_salt)},
    )

    assert response.status_code == 200
    assert 'data-verdict="authentic"' in response.content.decode()


def test_a_wrong_access_code_on_the_verification_page_is_not_found(client, case, document):
    response = client.post(reverse("portal:verify"), {"receipt_number": case.receipt_number, "access_code": "WRONG"})

    assert response.status_code == 404


def test_the_verification_page_is_rate_limited(client, settings, documents_configured):
    settings.MADOGUCHI_LOOKUP_RATE = "2/m"

    statuses = [_upload(client, pdf_bytes()).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_without_a_signing_key_no_page_offers_to_issue_a_document(client, login_staff, case, settings):
    settings.MADOGUCHI_SIGNATURES_FILE = None
    login_staff(client, "aoba-clerk")

    status_page = _resident(client, case).get(reverse("portal:status")).content.decode()
    case_page = client.get(reverse("backoffice:case", args=[case.receipt_number])).content.decode()

    assert reverse("portal:receipt_certificate") not in status_page
    assert "/reissue/" not in case_page


def test_the_api_lists_an_applications_documents_and_serves_them_with_the_access_code(client, case, document):
    code = access_code_from_salt(case.access_salt)

    status = client.get(f"/api/v1/applications/{case.receipt_number}", HTTP_X_ACCESS_CODE=code).json()

    [listed] = status["documents"]
    assert (listed["kind"], listed["version"], listed["sha256"]) == ("receipt", 1, document.sha256)
    response = client.get(listed["url"], HTTP_X_ACCESS_CODE=code)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client.get(listed["url"], HTTP_X_ACCESS_CODE="WRONG").status_code == 404


def test_the_api_does_not_serve_another_applications_document(client, aoba, version_of, now, document):
    other = submit(aoba, version_of(aoba, "inkan-certificate"), now=now, answers=INKAN)

    response = client.get(
        f"/api/v1/applications/{other.receipt_number}/documents/{document.pk}",
        HTTP_X_ACCESS_CODE=access_code_from_salt(other.access_salt),
    )

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
