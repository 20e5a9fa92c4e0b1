"""The fee and the payment on the resident's status page and the staff case page (issue 12, item 3)."""

from __future__ import annotations

import pytest
from tests.backoffice.casework import INKAN
from tests.resident_signing import case_submit_as_resident

from madoguchi.audit.models import AuditEntry
from madoguchi.payments.models import PaymentState
from madoguchi.payments.services import payment_of
from madoguchi.signatures.models import DocumentKind, IssuedDocument

POSTAL_SLIP = {**INKAN, "copies": "2", "delivery_method": "postal", "payment_method": "slip"}


def _submit(aoba, version_of, now, answers, key):
    return case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=answers,
        idempotency_key=key,
        now=now,
    )


def _look_up(client, result):
    return client.post(
        "/status/", {"receipt_number": result.case.receipt_number, "access_code": result.access_code}, follow=True
    )


def test_the_status_page_offers_the_payment_slip_and_the_download_is_the_pdf(
    client, aoba, version_of, now, documents_configured
):
    result = _submit(aoba, version_of, now, POSTAL_SLIP, "slip-1")

    page = _look_up(client, result).content.decode()
    assert "合計 600円" in page and "未納" in page
    assert payment_of(case=result.case).payment_number in page
    response = client.post("/status/documents/payment-slip/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert payment_of(case=result.case).state == PaymentState.PENDING
    assert IssuedDocument.objects.for_municipality(aoba).filter(kind=DocumentKind.PAYMENT_SLIP).count() == 1


def test_a_resident_paying_at_the_counter_is_offered_no_slip(client, aoba, version_of, now, documents_configured):
    result = _submit(aoba, version_of, now, INKAN, "counter-1")

    page = _look_up(client, result).content.decode()
    assert 'data-testid="payment-slip"' not in page
    response = client.post("/status/documents/payment-slip/", follow=True)

    assert "この申請には納付書がありません。" in response.content.decode()
    assert not IssuedDocument.objects.for_municipality(aoba).filter(kind=DocumentKind.PAYMENT_SLIP).exists()


def test_the_slip_needs_a_looked_up_application(client, aoba, version_of, now, documents_configured):
    _submit(aoba, version_of, now, POSTAL_SLIP, "slip-2")

    assert client.post("/status/documents/payment-slip/").status_code == 404


def test_staff_record_the_fee_as_paid_on_the_case_page_and_it_is_audited(client, aoba, version_of, now, login_staff):
    case = _submit(aoba, version_of, now, INKAN, "counter-2").case
    login_staff(client, "aoba-clerk")

    page = client.get(f"/staff/cases/{case.receipt_number}/").content.decode()
    assert 'data-testid="payment-paid"' in page and "未納" in page
    response = client.post(f"/staff/cases/{case.receipt_number}/payment/paid/", follow=True)

    assert response.status_code == 200
    assert "納付済み" in response.content.decode()
    assert payment_of(case=case).state == PaymentState.PAID
    entry = AuditEntry.objects.for_municipality(aoba).filter(event="payments.payment.paid").get()
    assert (entry.actor, entry.object_id) == ("staff:aoba-clerk", case.receipt_number)


def test_refunding_an_unpaid_fee_is_refused_with_a_message(client, aoba, version_of, now, login_staff):
    case = _submit(aoba, version_of, now, INKAN, "counter-3").case
    login_staff(client, "aoba-clerk")

    response = client.post(f"/staff/cases/{case.receipt_number}/payment/refunded/")

    assert response.status_code == 409
    assert "現在の状態では、支払状況をこのように変更できません。" in response.content.decode()
    assert payment_of(case=case).state == PaymentState.UNPAID


@pytest.mark.parametrize("to", ["paid", "pending"])
def test_another_municipalitys_staff_cannot_touch_the_payment(client, aoba, version_of, now, login_staff, to):
    case = _submit(aoba, version_of, now, INKAN, f"counter-x-{to}").case
    login_staff(client, "minatogawa-clerk")

    response = client.post(f"/staff/cases/{case.receipt_number}/payment/{to}/")

    assert response.status_code == 404
    assert payment_of(case=case).state == PaymentState.UNPAID
