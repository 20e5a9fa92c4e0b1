"""Back-office view of a case's fee: staff record that it was paid, failed or refunded (audited).

The fee and the payment are shown on the case page (``cases._render_case``); this view only
records a move and returns there.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.backoffice.views.cases import staff_page
from madoguchi.cases.selectors import case_get_for_staff
from madoguchi.payments.errors import PaymentStateNotAllowed
from madoguchi.payments.models import PaymentState
from madoguchi.payments.services import STAFF_RECORDS, payment_record


@staff_page
@require_POST
def case_payment(request, receipt_number: str, to: str):
    if to not in STAFF_RECORDS:
        raise Http404("Unknown payment state")
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    try:
        payment_record(staff=request.staff, case=case, to=to)
    except PaymentStateNotAllowed as error:
        context = {"error_title": _("The payment was not changed"), "message": error.message, "case": case}
        return render(request, "backoffice/error.html", context, status=409)
    messages.success(request, _("The payment is now: %(state)s") % {"state": PaymentState(to).label})
    return redirect("backoffice:case", receipt_number=case.receipt_number)
