"""Paying a case's fee: open at submission, move through its states, give the 納付書.

A case whose procedure charges a fee (``procedures.fees``) gets one :class:`Payment` in its
submit's transaction, with the amount and method fixed then. Its state moves only through
:func:`payment_transition` — locked, checked against :data:`TRANSITIONS`, audited as
``payments.payment.<state>`` — so the history of every yen is in the audit chain:

* unpaid → pending: the resident took the 納付書 (or an online payment was started);
* unpaid / pending / failed → paid: staff saw the money (at the counter, on the bank's
  report, the 定額小為替 in the post), or a provider confirmed it;
* pending → failed, paid → refunded.

The certificate (the approved decision document) is held back while the fee is unpaid
(:mod:`payments.subscribers`); the move to paid issues it if the case was already approved.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from madoguchi.audit.services import audit_log
from madoguchi.cases.models import Case
from madoguchi.payments.errors import NoPaymentSlip, PaymentStateNotAllowed
from madoguchi.payments.models import Payment, PaymentMethod, PaymentState
from madoguchi.procedures.fees import Fee
from madoguchi.signatures.documents.services import (
    document_issue,
    documents_schedule_on_decision,
    issuable_kinds,
)
from madoguchi.signatures.models import DocumentKind, IssuedDocument
from madoguchi.tenants.access import ActionNotAllowed, StaffContext

S = PaymentState
# If you add a state to PaymentState, add where it may go here.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.UNPAID: frozenset({S.PENDING, S.PAID}),
    S.PENDING: frozenset({S.PAID, S.FAILED}),
    S.FAILED: frozenset({S.PENDING, S.PAID}),
    S.PAID: frozenset({S.REFUNDED}),
    S.REFUNDED: frozenset(),
}
# What staff record by hand on the case page; the rest is the resident's or a provider's doing.
STAFF_RECORDS = frozenset({S.PAID, S.FAILED, S.REFUNDED})


def payment_number_for(receipt_number: str) -> str:
    """Return the 納付番号 of a receipt number: its digits and a Luhn check digit (a typo is caught)."""
    digits = "".join(ch for ch in receipt_number if ch.isdigit())
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"{digits}{(10 - total % 10) % 10}"


def payment_open(*, case: Case, fee: Fee, now: datetime) -> Payment | None:
    """Record what ``case`` must pay; call in the submit's transaction. None if nothing is due."""
    if not fee.payable:
        return None
    return Payment.objects.for_municipality(case.municipality).create(
        municipality=case.municipality,
        case=case,
        amount=fee.total,
        method=fee.method,
        payment_number=payment_number_for(case.receipt_number),
        created_at=now,
        updated_at=now,
    )


def payment_of(*, case: Case) -> Payment | None:
    """Return ``case``'s payment, or None when it has nothing to pay."""
    return Payment.objects.for_municipality(case.municipality).filter(case_id=case.pk).first()


def payment_transition(
    *, case: Case, to: str, actor: str, now: datetime | None = None, note: str = "", method: str = ""
) -> Payment:
    """Move ``case``'s payment to ``to``; raise PaymentStateNotAllowed if that is not a move it may make.

    ``method``: how it was paid, when that differs from the method fixed at submission (a
    provider's confirmation makes it ``online``); the audit entry records the new one.
    """
    now = now or timezone.now()
    with transaction.atomic():
        payment = (
            Payment.objects.for_municipality(case.municipality)
            .select_for_update()
            .filter(case_id=case.pk)
            .first()
        )
        if payment is None:
            raise PaymentStateNotAllowed("", to)
        previous = payment.state
        if to not in TRANSITIONS[previous]:
            raise PaymentStateNotAllowed(previous, to)
        payment.state = to
        payment.updated_at = now
        if to == S.PAID:
            payment.paid_at = now
        if method:
            payment.method = method
        payment.save(update_fields=["state", "updated_at", "paid_at", "method"])
        payload = {"from": previous, "to": to, "amount": payment.amount, "method": payment.method}
        if note:
            payload["note"] = note
        audit_log(
            municipality=case.municipality,
            event=f"payments.payment.{to}",
            actor=actor,
            object_type="case",
            object_id=case.receipt_number,
            payload=payload,
        )
        if to == S.PAID and _certificate_waiting(case):
            # Held back while unpaid (subscribers.certificate_held_until_paid): issue it now.
            documents_schedule_on_decision(case=case, status="approved", actor=actor)
    return payment


def _certificate_waiting(case: Case) -> bool:
    if DocumentKind.APPROVED not in issuable_kinds(case=case):
        return False
    issued = IssuedDocument.objects.for_municipality(case.municipality).filter(
        case_id=case.pk, kind=DocumentKind.APPROVED, superseded=False
    )
    return not issued.exists()


def payment_record(*, staff: StaffContext, case: Case, to: str, now: datetime | None = None) -> Payment:
    """Record by hand that ``case``'s fee was paid, failed or refunded (staff, on the case page).

    Raise ActionNotAllowed for a case outside the staff member's reach or roles and
    PaymentStateNotAllowed for a move the payment cannot make.
    """
    if case.municipality_id != staff.municipality.pk:
        raise ActionNotAllowed("record_payment")
    staff.require("record_payment", case.department_id)
    if to not in STAFF_RECORDS:
        raise PaymentStateNotAllowed("", to)
    return payment_transition(case=case, to=to, actor=staff.actor_label, now=now)


def payment_slip_request(*, case: Case, now: datetime | None = None) -> IssuedDocument:
    """Return ``case``'s 納付書, issuing it the first time (the payment is then under way).

    Raise NoPaymentSlip when the case does not pay by 納付書 or is already paid, and what
    :func:`~madoguchi.signatures.documents.services.document_issue` raises.
    """
    payment = payment_of(case=case)
    if payment is None or payment.method != PaymentMethod.SLIP or payment.state not in {S.UNPAID, S.PENDING, S.FAILED}:
        raise NoPaymentSlip
    current = (
        IssuedDocument.objects.for_municipality(case.municipality)
        .filter(case_id=case.pk, kind=DocumentKind.PAYMENT_SLIP, superseded=False)
        .first()
    )
    if current is not None:
        return current
    document = document_issue(case=case, kind=DocumentKind.PAYMENT_SLIP, actor="resident", now=now)
    if payment.state == S.UNPAID:
        payment_transition(case=case, to=S.PENDING, actor="resident", now=now, note="payment slip issued")
    return document
