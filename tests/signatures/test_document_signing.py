"""PAdES signatures on issued documents, checked by pyHanko's validator and by poppler's pdfsig."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from asn1crypto import crl as asn1_crl
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from tests.signatures.conftest import END, flip_byte_in_signed_range, pdfsig

from madoguchi.signatures import pki
from madoguchi.signatures.documents import verification
from madoguchi.signatures.documents.signing import asn1_certificate, outside_event_loop, sign_document


def _status(data: bytes, context: ValidationContext):
    embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    # The browser tests leave Playwright's event loop running in this thread; pyHanko's sync API needs none.
    return outside_event_loop(validate_pdf_signature, embedded, signer_validation_context=context)


def test_pyhanko_validates_the_signature_with_hard_fail_revocation_checking(signed_pdf, document_pki):
    status = _status(signed_pdf, document_pki.hard_fail_context())

    assert status.bottom_line
    assert status.trusted and not status.revoked
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == "青葉市長"


def test_a_signed_document_is_authentic_and_names_the_municipality(signed_pdf, documents_configured):
    result = verification.verify_pdf(signed_pdf, validation_context=documents_configured.hard_fail_context())

    assert result.verdict == verification.AUTHENTIC
    assert result.municipality_code == "082015"
    assert result.signed_at is not None


def test_pdfsig_validates_the_signature_and_trusts_the_organisation_root(signed_pdf, nss_trusting_org_root, tmp_path):
    report = pdfsig(signed_pdf, tmp_path, nss_trusting_org_root)

    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report
    assert "Total document signed" in report


def test_one_flipped_byte_in_the_signed_range_is_a_modified_document_for_both_validators(
    signed_pdf, documents_configured, nss_trusting_org_root, tmp_path
):
    changed = flip_byte_in_signed_range(signed_pdf)

    result = verification.verify_pdf(changed, validation_context=documents_configured.hard_fail_context())
    assert result.verdict == verification.MODIFIED
    assert not _status(changed, documents_configured.hard_fail_context()).intact
    assert "Signature Validation: Digest Mismatch." in pdfsig(changed, tmp_path, nss_trusting_org_root)


def test_an_incremental_update_after_signing_is_a_modified_document(signed_pdf, documents_configured):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    writer.root["/OpenAction"] = generic.NameObject("/Changed")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)

    result = verification.verify_pdf(output.getvalue(), validation_context=documents_configured.hard_fail_context())

    assert result.verdict == verification.MODIFIED


def test_a_document_signed_under_another_ca_is_signed_by_someone_else(
    unsigned_pdf, document_pki, documents_configured, nss_trusting_org_root, tmp_path
):
    other = document_pki.signatures(document_pki.other)
    other = type(other)(code="082015", organisation_keys=(
        type(other.organisation_keys[0])(document_pki.other.certificate, (document_pki.other_root.certificate,),
                                         document_pki.other.key),
    ))  # fmt: skip
    signed = sign_document(unsigned_pdf, signatures=other, reason="test", location="test").content

    result = verification.verify_pdf(signed, validation_context=documents_configured.hard_fail_context())

    assert result.verdict == verification.UNTRUSTED
    assert "Certificate issuer isn't Trusted." in pdfsig(signed, tmp_path, nss_trusting_org_root)


def test_a_revoked_signer_certificate_is_not_trusted_under_hard_fail(signed_pdf, document_pki, documents_configured):
    crl = pki.issue_crl(
        document_pki.root,
        revoked=[(document_pki.aoba_a.certificate, datetime(2026, 1, 2, tzinfo=UTC))],
        this_update=datetime.now(UTC),
        next_update=END,
        number=2,
    )
    context = ValidationContext(
        trust_roots=[asn1_certificate(document_pki.root.certificate)],
        crls=[asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )

    result = verification.verify_pdf(signed_pdf, validation_context=context)

    assert result.verdict == verification.UNTRUSTED
    assert result.revoked


def test_a_pdf_without_a_signature_is_unsigned(unsigned_pdf, documents_configured):
    assert verification.verify_pdf(unsigned_pdf).verdict == verification.UNSIGNED


@pytest.mark.parametrize("data", [b"", b"hello", b"%PDF-1.7\n garbage without structure"])
def test_something_that_is_not_a_pdf_is_not_a_pdf(data, documents_configured):
    assert verification.verify_pdf(data).verdict == verification.NOT_PDF


def test_a_configured_timestamp_server_timestamps_the_signature(
    unsigned_pdf, document_pki, documents_configured, timestamp_server
):
    signatures = document_pki.signatures(document_pki.aoba_a, timestamp_url=timestamp_server["url"])
    before = len(timestamp_server["requests"])

    signed = sign_document(unsigned_pdf, signatures=signatures, reason="test", location="青葉市")

    assert signed.timestamped
    assert len(timestamp_server["requests"]) > before  # pyHanko also asks once to size the signature
    status = _status(signed.content, document_pki.hard_fail_context())
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    result = verification.verify_pdf(signed.content, validation_context=document_pki.hard_fail_context())
    assert result.verdict == verification.AUTHENTIC and result.timestamped
