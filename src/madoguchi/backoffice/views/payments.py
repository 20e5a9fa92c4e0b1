"""Back-office view of a case's fee: staff record that it was paid, failed or refunded (audited).

The fee and the payment are shown on the case page (``cases._render_case``), whose buttons post
to the case actions (``payment_paid`` …, :mod:`madoguchi.payments.actions`); this older address
performs the same action through the same :func:`~madoguchi.cases.actions.case_action_perform`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.backoffice.views.cases import staff_page
from madoguchi.cases.actions import case_action_perform
from madoguchi.cases.selectors import case_get_for_staff
from madoguchi.payments.actions import payment_action_name
from madoguchi.payments.errors import PaymentStateNotAllowed
from madoguchi.payments.models import PaymentState
from madoguchi.payments.services import STAFF_RECORDS


@staff_page
@require_POST
def case_payment(request, receipt_number: str, to: str):
    if to not in STAFF_RECORDS:
        raise Http404("Unknown payment state")
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    try:
        case_action_perform(staff=request.staff, case=case, action=payment_action_name(to))
    except PaymentStateNotAllowed as error:
        context = {"error_title": _("The payment was not changed"), "message": error.message, "case": case}
        return render(request, "backoffice/error.html", context, status=409)
    messages.success(request, _("The payment is now: %(state)s") % {"state": PaymentState(to).label})
    return redirect("backoffice:case", receipt_number=case.receipt_number)
