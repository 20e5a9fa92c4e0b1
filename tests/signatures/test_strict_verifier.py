"""The strict verifier (issue #12, item 2): anything after the signed revision is a change unless
it is validation data (DSS) or a document timestamp, and the verdict says what was added. Each
case is built the way a real tool would: pyHanko's incremental writer, its validation-info
embedding and document timestamper, and raw byte appends."""

from __future__ import annotations

import io

import pytest
from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import add_validation_info
from tests.signatures.conftest import END, START

from madoguchi.signatures import pki
from madoguchi.signatures.documents import revisions, verification
from madoguchi.signatures.documents.signing import asn1_certificate, outside_event_loop, sign_document


def _verify(data: bytes, pki_) -> verification.Verification:
    return verification.verify_pdf(data, validation_context=pki_.hard_fail_context())


def _incremental(data: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _first_page_ref(writer):
    return writer.root["/Pages"]["/Kids"].raw_get(0)


def test_the_signed_document_as_issued_is_authentic_with_nothing_added(signed_pdf, documents_configured):
    result = _verify(signed_pdf, documents_configured)

    assert (result.verdict, result.additions) == (verification.AUTHENTIC, ())


def test_bytes_appended_after_the_signature_are_a_change(signed_pdf, documents_configured):
    result = _verify(signed_pdf + b"\n% appended after signing\n", documents_configured)

    assert result.verdict == verification.MODIFIED
    assert result.changes == (revisions.APPENDED,)


def test_appended_bytes_that_end_like_a_pdf_are_still_a_change(signed_pdf, documents_configured):
    result = _verify(signed_pdf + b"1 0 obj\n(forged)\nendobj\n%%EOF\n", documents_configured)

    assert result.verdict == verification.MODIFIED
    assert revisions.APPENDED in result.changes


def test_trailing_line_ends_alone_change_nothing(signed_pdf, documents_configured):
    assert _verify(signed_pdf + b"\r\n\n", documents_configured).verdict == verification.AUTHENTIC


def test_an_incremental_update_of_the_metadata_only_is_a_change(signed_pdf, documents_configured):
    def retitle(writer):
        info = writer.trailer["/Info"]
        info[pdf_name("/Title")] = generic.TextStringObject("改ざんされた題名")
        writer.update_container(info)

    result = _verify(_incremental(signed_pdf, retitle), documents_configured)

    assert result.verdict == verification.MODIFIED
    assert result.changes == (revisions.METADATA,)


def test_an_added_page_is_a_change(signed_pdf, documents_configured):
    def add_page(writer):
        page = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Page"),
                pdf_name("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
                pdf_name("/Resources"): generic.DictionaryObject(),
            }
        )
        writer.insert_page(page)

    result = _verify(_incremental(signed_pdf, add_page), documents_configured)

    assert result.verdict == verification.MODIFIED
    assert revisions.PAGES in result.changes


def test_an_added_annotation_is_a_change(signed_pdf, documents_configured):
    def annotate(writer):
        note = writer.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Annot"),
                    pdf_name("/Subtype"): pdf_name("/FreeText"),
                    pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (100, 700, 400, 740)]),
                    pdf_name("/Contents"): generic.TextStringObject("承認"),
                    pdf_name("/DA"): generic.pdf_string("/Helv 12 Tf 0 g"),
                }
            )
        )
        writer.register_annotation(_first_page_ref(writer), note)

    result = _verify(_incremental(signed_pdf, annotate), documents_configured)

    assert result.verdict == verification.MODIFIED
    assert result.changes[0] == revisions.ANNOTATION  # (and the modification date pyHanko's writer sets)


def _with_validation_info(data: bytes, pki_) -> bytes:
    embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    output = outside_event_loop(add_validation_info, embedded, pki_.hard_fail_context())
    return output.getvalue()


def test_validation_data_added_for_long_term_validation_is_permitted_and_named(signed_pdf, documents_configured):
    result = _verify(_with_validation_info(signed_pdf, documents_configured), documents_configured)

    assert result.verdict == verification.AUTHENTIC, result
    assert result.additions == (revisions.DSS,)
    assert result.changes == ()


def _stamper(pki_) -> DummyTimeStamper:
    key = pki_.tsa.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return DummyTimeStamper(
        tsa_cert=asn1_certificate(pki_.tsa.certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key),
        certs_to_embed=[asn1_certificate(pki_.root.certificate)],
    )


def test_a_document_timestamp_is_permitted_and_named(signed_pdf, documents_configured):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    output = outside_event_loop(
        PdfTimeStamper(_stamper(documents_configured)).timestamp_pdf, writer, "sha256", output=io.BytesIO()
    )

    result = _verify(output.getvalue(), documents_configured)

    assert result.verdict == verification.AUTHENTIC, result
    assert revisions.TIMESTAMP in result.additions and result.changes == ()


def test_a_change_after_permitted_validation_data_is_still_a_change(signed_pdf, documents_configured):
    with_dss = _with_validation_info(signed_pdf, documents_configured)

    result = _verify(with_dss + b"\n% and then this\n", documents_configured)

    assert result.verdict == verification.MODIFIED
    assert result.changes == (revisions.APPENDED,) and result.permitted_additions == (revisions.DSS,)


def test_the_signer_is_named_by_the_certificates_organisation_office_and_name(
    unsigned_pdf, document_pki, documents_configured
):
    certificate = pki.issue_organisation_certificate(
        issuer=document_pki.root, not_before=START, not_after=END,
        common_name="青葉市長", organisation="青葉市", unit="市民課",
    )  # fmt: skip
    signed = sign_document(
        unsigned_pdf, signatures=document_pki.signatures(certificate), reason="test", location="青葉市"
    ).content

    result = _verify(signed, documents_configured)

    assert (result.signer_organisation, result.signer_unit, result.signer_name) == ("青葉市", "市民課", "青葉市長")
    assert "市民課" in result.signer and "青葉市長" in result.signer  # the whole DN, shown on request


@pytest.mark.parametrize("tail", [b"", b"\n"])
def test_trailing_bytes_looks_only_after_the_last_end_of_file_marker(tail):
    assert not revisions.trailing_bytes(b"%PDF-1.7\n...%%EOF" + tail)
    assert revisions.trailing_bytes(b"%PDF-1.7\n...%%EOF\nx" + tail)


def _upload(client, data: bytes, **headers):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(
        reverse("portal:verify"), {"document": SimpleUploadedFile("通知書.pdf", data, "application/pdf")}, **headers
    )


def test_the_page_says_a_document_with_appended_bytes_was_changed_and_what_was_added(
    client, db, signed_pdf, documents_configured
):
    page = _upload(client, signed_pdf + b"\n% appended\n").content.decode()

    assert 'data-verdict="modified"' in page
    assert "署名後に改変されています" in page and "署名後に変更されていません" not in page
    assert "署名の後に追加されたもの：" in page
    assert "署名された文書の末尾より後ろに付け加えられたデータ" in page


def test_the_page_names_validation_data_as_a_permitted_addition_of_an_authentic_document(
    client, db, signed_pdf, documents_configured
):
    page = _upload(client, _with_validation_info(signed_pdf, documents_configured)).content.decode()

    assert 'data-verdict="authentic"' in page
    assert "長期検証用の検証情報（証明書、失効リスト）" in page
    assert 'data-testid="changes"' not in page


def test_the_page_shows_the_signer_by_name_and_the_distinguished_name_on_request(
    client, db, signed_pdf, documents_configured
):
    page = _upload(client, signed_pdf).content.decode()

    assert '<span data-testid="signer">青葉市 青葉市長</span>' in page
    assert "<summary>証明書の主体者（識別名）</summary>" in page
    assert "Common Name: 青葉市長" in page  # the DN, inside the <details>


def test_the_page_in_english_names_the_changes_in_english(client, db, signed_pdf, documents_configured):
    page = _upload(client, signed_pdf + b"\n% appended\n", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Modified after signing" in page
    assert "Data appended after the end of the signed document" in page


def test_the_api_lists_what_was_added_and_whether_it_is_permitted(client, db, signed_pdf, documents_configured):
    with_dss = _with_validation_info(signed_pdf, documents_configured)

    body = client.post("/api/v1/verifications", with_dss + b"\n% appended\n", content_type="application/pdf").json()

    assert body["verdict"] == "modified"
    assert [(a["kind"], a["permitted"]) for a in body["additions"]] == [("appended", False), ("dss", True)]
    assert (body["signer_organisation"], body["signer_name"]) == ("青葉市", "青葉市長")


def _timestamped(signed_pdf: bytes, pki_) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    return outside_event_loop(
        PdfTimeStamper(_stamper(pki_)).timestamp_pdf, writer, "sha256", output=io.BytesIO()
    ).getvalue()


def test_a_broken_document_timestamp_is_not_a_permitted_addition(signed_pdf, documents_configured):
    from asn1crypto import cms

    data = bytearray(_timestamped(signed_pdf, documents_configured))
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    token = bytes.fromhex(data[start : data.index(b">", start)].decode())
    length = len(cms.ContentInfo.load(token).dump())  # the token, without the zeros that pad it
    position = start + 2 * (length - 8)  # inside the TSA's signature value, at the token's end
    data[position] = ord("0") if data[position] != ord("0") else ord("1")

    result = _verify(bytes(data), documents_configured)

    assert result.verdict == verification.MODIFIED
    assert revisions.OTHER in result.changes


def test_a_second_signature_after_the_municipalitys_is_a_change(signed_pdf, document_pki, documents_configured):
    from pyhanko.sign import fields, signers

    from madoguchi.signatures.documents.signing import _signer

    entry = document_pki.signatures(document_pki.minatogawa).signing_key
    metadata = signers.PdfSignatureMetadata(field_name="Approval", subfilter=fields.SigSeedSubFilter.PADES)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    stamped = outside_event_loop(signers.sign_pdf, writer, metadata, signer=_signer(entry)).getvalue()

    result = _verify(stamped, documents_configured)

    assert result.verdict == verification.MODIFIED
    assert revisions.SIGNATURE in result.changes
