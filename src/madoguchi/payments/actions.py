"""Staff record a payment as a case action: ``payment_paid``, ``payment_failed``, ``payment_refunded``.

Registered in :data:`cases.actions.STAFF_ACTIONS` from :class:`~payments.apps.PaymentsConfig`,
so the case page and the staff API (``staffPerformCaseAction``) record a payment through the
same :func:`~cases.actions.case_action_perform` and :func:`~payments.services.payment_record`
(permission ``record_payment``, audited). An action is offered only while the payment may make
that move; asked for anyway, the service refuses with PaymentStateNotAllowed (409).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from madoguchi.cases.actions import StaffAction, staff_action_register
from madoguchi.cases.models import Case
from madoguchi.payments.models import Payment, PaymentState
from madoguchi.payments.services import STAFF_RECORDS, TRANSITIONS, payment_record

S = PaymentState
DONE = {
    S.PAID: _("The fee was recorded as paid."),
    S.FAILED: _("The payment was recorded as failed."),
    S.REFUNDED: _("The fee was recorded as refunded."),
}


def payment_action_name(to: str) -> str:
    return f"payment_{to}"


def _available(to: str):
    def available(case: Case) -> bool:
        # The case's own accessor, cached on the instance: the three payment actions of one
        # page (or one API answer) read the payment row once, not once each.
        try:
            payment = case.payment
        except Payment.DoesNotExist:
            return False
        return to in TRANSITIONS[payment.state]

    return available


def _perform(to: str):
    def perform(*, staff, case, message, assignee_id, now):
        return payment_record(staff=staff, case=case, to=to, now=now)

    return perform


def payment_actions_register() -> None:
    for to in sorted(STAFF_RECORDS, key=list(DONE).index):
        staff_action_register(
            StaffAction(
                name=payment_action_name(to),
                permission="record_payment",
                transition=None,
                perform=_perform(to),
                done=DONE[to],
                available=_available(to),
            )
        )
