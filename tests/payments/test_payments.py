"""Paying the fee (issue 12, item 3): the payment's states, the certificate held until paid, the 納付書."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from tests.api.support import identity_copy as photo_id_upload
from tests.backoffice.casework import INKAN, complete_route, staff, submit
from tests.signatures.conftest import pdftotext

from madoguchi.audit.models import AuditEntry
from madoguchi.cases import workflow
from madoguchi.payments.errors import NoPaymentSlip, PaymentStateNotAllowed
from madoguchi.payments.models import PaymentState
from madoguchi.payments.services import (
    payment_number_for,
    payment_of,
    payment_record,
    payment_slip_request,
    payment_transition,
)
from madoguchi.procedures.schema_export import example_answers
from madoguchi.signatures.documents.services import DocumentHeld, document_reissue
from madoguchi.signatures.models import DocumentKind, IssuedDocument
from madoguchi.tenants.access import ActionNotAllowed

S = PaymentState
POSTAL_SLIP = {**INKAN, "delivery_method": "postal", "payment_method": "slip"}


def _inkan(aoba, version_of, now, **answers):
    return submit(aoba, version_of(aoba, "inkan-certificate"), now=now, answers={**INKAN, **answers})


def _documents(case, kind):
    return list(IssuedDocument.objects.for_municipality(case.municipality).filter(case_id=case.pk, kind=kind))


def _events(case, prefix):
    return list(
        AuditEntry.objects.for_municipality(case.municipality)
        .filter(object_id=case.receipt_number, event__startswith=prefix)
        .order_by("sequence")
        .values_list("event", "payload")
    )


def _approve(case, now):
    case = workflow.case_start_review(staff=staff("aoba-clerk"), case=case, now=now)
    complete_route(case, now=now)
    return workflow.case_decide(staff=staff("aoba-approver"), case=case, approve=True, reason="", now=now)


def _text(document, tmp_path) -> str:
    with default_storage.open(document.storage_name, "rb") as handle:
        return pdftotext(handle.read(), tmp_path)


def test_two_seal_certificates_open_a_600_yen_payment_at_the_counter(aoba, version_of, now):
    case = _inkan(aoba, version_of, now, copies="2")

    payment = payment_of(case=case)
    assert (payment.amount, payment.method, payment.state) == (600, "counter", S.UNPAID)
    assert payment.payment_number == payment_number_for(case.receipt_number)
    [(_event, payload)] = _events(case, "cases.case.submitted")
    assert payload["fee"] == {"amount": 600, "method": "counter"}


def test_an_exempt_application_has_nothing_to_pay(aoba, version_of, now):
    version = version_of(aoba, "juminhyo-copy")
    answers = example_answers(version.definition)
    # Unsigned, so with the copy of photo ID the procedure then asks for (unsigned_requires).
    exempt = submit(aoba, version, now=now, answers={**answers, "purpose": "pension"}, files=identity_copy())
    charged = submit(aoba, version, now=now, answers={**answers, "purpose": "employment"}, files=identity_copy())

    assert payment_of(case=exempt) is None
    assert payment_of(case=charged).amount == 300 * int(answers["copies"])


def identity_copy() -> dict:
    return {"identity_document": [photo_id_upload()]}


def _luhn_valid(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    return sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)) % 10 == 0


def test_the_payment_number_carries_a_check_digit_that_catches_a_typo():
    number = payment_number_for("082015-2026-000123")

    assert number[:-1] == "0820152026000123"
    assert _luhn_valid(number)
    mistyped = number[:-3] + str((int(number[-3]) + 1) % 10) + number[-2:]
    assert not _luhn_valid(mistyped)


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([S.PAID], S.PAID),
        ([S.PENDING, S.PAID], S.PAID),
        ([S.PENDING, S.FAILED, S.PENDING, S.PAID, S.REFUNDED], S.REFUNDED),
    ],
)
def test_each_allowed_move_is_made_and_audited(aoba, version_of, now, path, final):
    case = _inkan(aoba, version_of, now)

    for state in path:
        payment_transition(case=case, to=state, actor="test", now=now)

    assert payment_of(case=case).state == final
    events = _events(case, "payments.payment.")
    assert [event for event, _payload in events] == [f"payments.payment.{state}" for state in path]
    assert events[0][1] == {"from": "unpaid", "to": path[0], "amount": 300, "method": "counter"}


@pytest.mark.parametrize(
    ("path", "refused"),
    [([], S.REFUNDED), ([], S.FAILED), ([S.PAID], S.PENDING), ([S.PAID, S.REFUNDED], S.PAID)],
)
def test_a_move_the_state_does_not_allow_is_refused_and_leaves_no_entry(aoba, version_of, now, path, refused):
    case = _inkan(aoba, version_of, now)
    for state in path:
        payment_transition(case=case, to=state, actor="test", now=now)

    with pytest.raises(PaymentStateNotAllowed):
        payment_transition(case=case, to=refused, actor="test", now=now)

    assert len(_events(case, "payments.payment.")) == len(path)


def test_the_certificate_is_not_issued_before_payment_and_is_once_staff_mark_it_paid(
    aoba, version_of, now, documents_configured, django_capture_on_commit_callbacks, tmp_path
):
    case = _inkan(aoba, version_of, now, copies="2")

    with django_capture_on_commit_callbacks(execute=True):
        case = _approve(case, now)
    assert _documents(case, DocumentKind.APPROVED) == []
    with pytest.raises(DocumentHeld):
        document_reissue(staff=staff("aoba-clerk"), case=case, kind=DocumentKind.APPROVED, now=now)

    with django_capture_on_commit_callbacks(execute=True):
        payment_record(staff=staff("aoba-clerk"), case=case, to=S.PAID, now=now)

    [document] = _documents(case, DocumentKind.APPROVED)
    text = "".join(_text(document, tmp_path).split())
    assert "手数料600円（窓口で納付済み）" in text
    assert "納付書" not in text  # the resident paid at the counter and never had one
    [(_event, payload)] = _events(case, "payments.payment.paid")
    assert payload["from"] == "unpaid"


def test_a_staff_member_of_another_municipality_cannot_record_a_payment(aoba, version_of, now):
    case = _inkan(aoba, version_of, now)

    with pytest.raises(ActionNotAllowed):
        payment_record(staff=staff("minatogawa-clerk"), case=case, to=S.PAID, now=now)

    assert payment_of(case=case).state == S.UNPAID


def test_the_payment_slip_shows_the_amount_and_the_payment_number(
    aoba, version_of, now, documents_configured, tmp_path
):
    case = _inkan(aoba, version_of, now, **{**POSTAL_SLIP, "copies": "2"})

    slip = payment_slip_request(case=case, now=now)

    text = _text(slip, tmp_path)
    payment = payment_of(case=case)
    assert "納付書" in text
    assert payment.payment_number in text
    assert "600円" in text and "300円 × 2" in text
    assert payment.state == S.PENDING
    assert payment_slip_request(case=case, now=now) == slip  # asked again, the same slip


def test_a_case_paid_at_the_counter_has_no_payment_slip(aoba, version_of, now, documents_configured):
    case = _inkan(aoba, version_of, now)

    with pytest.raises(NoPaymentSlip):
        payment_slip_request(case=case, now=now)

    assert _documents(case, DocumentKind.PAYMENT_SLIP) == []


def test_a_postal_order_payment_is_paid_when_staff_receive_it_and_the_notice_says_so(
    aoba, version_of, now, documents_configured, django_capture_on_commit_callbacks, tmp_path
):
    case = _inkan(aoba, version_of, now, delivery_method="postal", payment_method="postal_order")
    assert payment_of(case=case).method == "postal_order"

    with django_capture_on_commit_callbacks(execute=True):
        payment_record(staff=staff("aoba-clerk"), case=case, to=S.PAID, now=now)
        case = _approve(case, now)

    [document] = _documents(case, DocumentKind.APPROVED)
    text = "".join(_text(document, tmp_path).split())
    assert "定額小為替により納付済み" in text and "納付書" not in text
