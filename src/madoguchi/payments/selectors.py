"""Reads of payments for the pages: a case's payment as a screen shows it."""

from __future__ import annotations

from madoguchi.cases.models import Case
from madoguchi.payments.models import PaymentMethod, PaymentState
from madoguchi.payments.online import online_payment_offered
from madoguchi.payments.services import STAFF_RECORDS, TRANSITIONS, payment_of


def payment_display(*, case: Case) -> dict | None:
    """Return ``case``'s payment for a page (state, number, what may happen next), or None."""
    payment = payment_of(case=case)
    if payment is None:
        return None
    open_states = {PaymentState.UNPAID, PaymentState.PENDING, PaymentState.FAILED}
    return {
        "payment": payment,
        "state": payment.state,
        "state_label": PaymentState(payment.state).label,
        "number": payment.payment_number if payment.method == PaymentMethod.SLIP else "",
        "slip_available": payment.method == PaymentMethod.SLIP and payment.state in open_states,
        # 「オンラインで支払う」: the procedure lists ``online`` and the deployment has a provider.
        "online_available": online_payment_offered(case=case),
        "method_label": PaymentMethod(payment.method).label,
        # What staff may record by hand from here, in the order the buttons are shown.
        "staff_moves": [
            s
            for s in (PaymentState.PAID, PaymentState.FAILED, PaymentState.REFUNDED)
            if s in STAFF_RECORDS and s in TRANSITIONS[payment.state]
        ],
    }
