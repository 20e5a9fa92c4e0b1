"""Lawful decision documents (issue #12, item 1): the 教示 on a rejection, the 文書番号 of every
decision document, and the statement that the seal is omitted because the PDF is signed."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.storage import default_storage
from tests.backoffice.casework import complete_route, pay_fee, staff, submit_inkan, submit_jido_teate
from tests.conftest import JST
from tests.samples import NAME
from tests.signatures.conftest import pdftotext

from madoguchi.cases import workflow
from madoguchi.signatures.documents.services import UnprintableCharacters, document_issue, document_reissue
from madoguchi.signatures.models import DocumentKind, DocumentNumberCounter, IssuedDocument
from madoguchi.tenants.models import Department

SEAL_OMITTED = "この文書は電子署名を付しているため、公印を省略しています。"


def _decide(case, *, approve: bool, now, approver: str = "aoba-approver"):
    pay_fee(case, now=now)
    case = workflow.case_start_review(staff=staff("aoba-clerk"), case=case, now=now)
    complete_route(case, now=now)
    reason = "" if approve else "印鑑登録がありません。"
    return workflow.case_decide(staff=staff(approver), case=case, approve=approve, reason=reason, now=now)


def _issued(case, *, approve: bool, now) -> IssuedDocument:
    """Decide ``case`` and issue its decision document directly (the job's work, without the queue)."""
    case = _decide(case, approve=approve, now=now)
    kind = DocumentKind.APPROVED if approve else DocumentKind.REJECTED
    return document_issue(case=case, kind=kind, actor="test", now=now)


def _text(document: IssuedDocument, tmp_path) -> str:
    with default_storage.open(document.storage_name, "rb") as handle:
        text = pdftotext(handle.read(), tmp_path)
    return "".join(text.split())  # lines wrap anywhere in a paragraph


@pytest.fixture
def inkan(aoba, version_of, now):
    return lambda **kwargs: submit_inkan(aoba, version_of, now=now, **kwargs)


def test_a_rejection_notice_carries_the_kyoji_naming_the_mayor_the_court_defendant_and_the_time_limits(
    inkan, now, documents_configured, tmp_path
):
    text = _text(_issued(inkan(), approve=False, now=now), tmp_path)

    assert "教示" in text
    # 行政不服審査法82条: that a review may be requested, to whom, within what time.
    assert (
        "この処分があったことを知った日の翌日から起算して3か月以内に、青葉市長に対して審査請求をすることができます"
        in text
    )
    # 行政事件訴訟法46条: the defendant, who represents it, within what time.
    assert "6か月以内に、青葉市を被告として（訴訟において青葉市を代表する者は青葉市長となります。）" in text
    assert "処分の取消しの訴えを提起することができます" in text


def test_an_approval_notice_carries_no_kyoji(inkan, now, documents_configured, tmp_path):
    text = _text(_issued(inkan(), approve=True, now=now), tmp_path)

    assert "決定通知書" in text
    assert "教示" not in text and "審査請求" not in text


def test_every_document_says_the_seal_is_omitted_because_it_is_signed(inkan, now, documents_configured, tmp_path):
    decision = _issued(inkan(), approve=True, now=now)
    receipt = document_issue(case=inkan(), kind=DocumentKind.RECEIPT, actor="test", now=now)

    for document in (decision, receipt):
        assert SEAL_OMITTED in _text(document, tmp_path)


def test_decision_documents_are_numbered_under_their_departments_prefix_and_print_it(
    aoba, minatogawa, version_of, inkan, now, documents_configured, tmp_path
):
    first = _issued(inkan(), approve=True, now=now)
    second = _issued(inkan(), approve=False, now=now)
    other_department = _issued(submit_jido_teate(aoba, version_of, now=now), approve=True, now=now)

    assert [first.document_number, second.document_number] == ["青市民第1号", "青市民第2号"]
    assert other_department.document_number == "青市子第1号"  # 子育て支援課 numbers on its own
    assert first.document_fiscal_year == 2026
    assert "青市民第1号" in _text(first, tmp_path) and "青市民第2号" in _text(second, tmp_path)


def test_another_municipality_numbers_on_its_own(minatogawa, version_of, now, documents_configured):
    case = pay_fee(submit_inkan(minatogawa, version_of, now=now), now=now)
    case = workflow.case_start_review(staff=staff("minatogawa-clerk"), case=case, now=now)
    complete_route(case, now=now)
    case = workflow.case_decide(staff=staff("minatogawa-approver"), case=case, approve=True, reason="", now=now)

    document = document_issue(case=case, kind=DocumentKind.APPROVED, actor="test", now=now)

    assert document.document_number == "港市民第1号"


def test_a_department_without_a_prefix_numbers_under_the_municipalitys(aoba, inkan, now, documents_configured):
    Department.objects.for_municipality(aoba).filter(code="shimin").update(document_prefix="")

    document = _issued(inkan(), approve=True, now=now)

    assert document.document_number == "青市第1号"


def test_a_certificate_of_receipt_has_no_document_number_and_shows_the_receipt_number(
    inkan, now, documents_configured, tmp_path
):
    case = inkan()
    document = document_issue(case=case, kind=DocumentKind.RECEIPT, actor="test", now=now)

    assert (document.document_number, document.document_fiscal_year) == ("", None)
    assert f"受付番号{case.receipt_number}" in _text(document, tmp_path)


def test_a_reissued_decision_document_gets_the_next_number(inkan, now, documents_configured):
    first = _issued(inkan(), approve=True, now=now)

    again = document_reissue(staff=staff("aoba-clerk"), case=first.case, kind=DocumentKind.APPROVED, now=now)

    assert (first.document_number, again.document_number) == ("青市民第1号", "青市民第2号")


def test_a_document_that_cannot_be_made_gives_its_number_back(aoba, inkan, now, documents_configured):
    unprintable = _decide(inkan(name={**NAME, "given": "花\U000f0000"}), approve=True, now=now)
    with pytest.raises(UnprintableCharacters):
        document_issue(case=unprintable, kind=DocumentKind.APPROVED, actor="test", now=now)

    document = _issued(inkan(), approve=True, now=now)

    assert document.document_number == "青市民第1号"
    assert DocumentNumberCounter.objects.for_municipality(aoba).get(prefix="青市民").last == 1


def test_numbering_starts_again_on_the_first_of_april(inkan, now, documents_configured):
    march = datetime(2027, 3, 31, 16, 0, tzinfo=JST)
    april = datetime(2027, 4, 1, 9, 0, tzinfo=JST)
    case = _decide(inkan(), approve=True, now=now)
    document_issue(case=case, kind=DocumentKind.APPROVED, actor="test", now=now)

    in_march = document_issue(case=case, kind=DocumentKind.APPROVED, actor="test", now=march)
    in_april = document_issue(case=case, kind=DocumentKind.APPROVED, actor="test", now=april)

    assert (in_march.document_number, in_march.document_fiscal_year) == ("青市民第2号", 2026)
    assert (in_april.document_number, in_april.document_fiscal_year) == ("青市民第1号", 2027)


def test_the_document_and_the_widget_snippet_point_at_the_public_url(
    aoba, inkan, now, documents_configured, settings, client, tmp_path
):
    settings.MADOGUCHI_PUBLIC_URL = "https://madoguchi.city.example.lg.jp"

    document = document_issue(case=inkan(), kind=DocumentKind.RECEIPT, actor="test", now=now)
    widget = client.get(f"/{aoba.code}/assistant/widget/").content.decode()

    assert "https://madoguchi.city.example.lg.jp/verify/" in _text(document, tmp_path)
    assert 'src="https://madoguchi.city.example.lg.jp/static/portal/widget.js"' in widget.replace("&quot;", '"')
    assert "127.0.0.1" not in widget


def test_the_verification_page_shows_the_document_number_of_an_authentic_decision(
    inkan, now, documents_configured, client
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = _issued(inkan(), approve=True, now=now)
    with default_storage.open(document.storage_name, "rb") as handle:
        upload = SimpleUploadedFile("決定通知書.pdf", handle.read(), "application/pdf")

    page = client.post("/verify/", {"document": upload}).content.decode()

    assert 'data-verdict="authentic"' in page
    assert "<dt>文書番号</dt><dd>青市民第1号</dd>" in page
