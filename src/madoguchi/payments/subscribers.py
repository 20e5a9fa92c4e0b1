"""How payments reacts to cases and documents. Registered in :class:`~madoguchi.payments.apps.PaymentsConfig`.

* A submission: its fee is computed from the answers, noted in the submission's audit entry
  and, if anything is due, opened as a :class:`Payment` in the same transaction.
* A document being composed: the approved decision document (the certificate) is held back
  while the fee is unpaid and, once paid, says how it was paid; a 納付書 gets the amount, the
  breakdown and the payment number. Only a 納付書 the resident was given is ever mentioned.
"""

from __future__ import annotations

from madoguchi.cases.events import CaseSubmitted, SubmissionChecking
from madoguchi.payments.models import PaymentMethod, PaymentState
from madoguchi.payments.services import payment_of, payment_open
from madoguchi.procedures.fees import fee_compute
from madoguchi.signatures.documents.events import DocumentIssuing
from madoguchi.signatures.documents.services import DocumentHeld, DocumentNotAvailable
from madoguchi.signatures.models import DocumentKind

EVIDENCE_KEY = "fee"
# How the decision document says the fee was paid: never a 納付書 the resident did not get.
PAID_BY = {
    PaymentMethod.COUNTER: "窓口で納付済み",
    PaymentMethod.SLIP: "納付書により納付済み",
    PaymentMethod.POSTAL_ORDER: "定額小為替により納付済み",
    PaymentMethod.ONLINE: "オンライン決済により納付済み",
}
PAYMENT_PLACE = "金融機関又は市役所の窓口"


def fee_noted_in_submission(event: SubmissionChecking) -> None:
    fee = fee_compute(event.procedure_version.definition, event.clean.values)
    if fee.payable:
        event.evidence[EVIDENCE_KEY] = fee
        event.audit[EVIDENCE_KEY] = {"amount": fee.total, "method": fee.method}


def payment_opened(event: CaseSubmitted) -> None:
    fee = event.checking.evidence.get(EVIDENCE_KEY)
    if fee is not None:
        payment_open(case=event.case, fee=fee, now=event.now)


def certificate_held_until_paid(event: DocumentIssuing) -> None:
    if event.kind not in (DocumentKind.APPROVED, DocumentKind.PAYMENT_SLIP):
        return
    payment = payment_of(case=event.case)
    if event.kind == DocumentKind.PAYMENT_SLIP:
        if payment is None or payment.method != PaymentMethod.SLIP:
            raise DocumentNotAvailable(event.kind)
        fee = fee_compute(event.case.procedure_version.definition, event.case.answers)
        event.particulars.extend(
            [
                ("納付番号", payment.payment_number),
                ("納付金額", f"{payment.amount:,}円"),
                ("内訳", f"手数料 {fee.unit_amount:,}円 × {fee.quantity}"),
                ("納付場所", f"{event.case.municipality.name}の{PAYMENT_PLACE}"),
            ]
        )
        return
    if payment is None:
        return
    if payment.state != PaymentState.PAID:
        raise DocumentHeld(f"fee {payment.state}")
    event.particulars.append(("手数料", f"{payment.amount:,}円（{PAID_BY[payment.method]}）"))
