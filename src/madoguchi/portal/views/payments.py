"""Resident pages of online payment: start it from the status page, come back from the provider.

The button 「オンラインで支払う」 on the status page posts here; the resident pays on the
provider's page and is sent back to :func:`payment_return` (or :func:`payment_cancel`). The
return page only reads our own state: the provider's signed webhook (``payments.online``)
decides whether the fee is paid, never the address the browser comes back to, which anyone can
type. Like the status page, these pages need the application the resident opened on this device.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from madoguchi.payments.errors import NothingToPay, OnlinePaymentNotOffered
from madoguchi.payments.models import PaymentState
from madoguchi.payments.online import payment_online_begin
from madoguchi.payments.providers import ProviderUnavailable
from madoguchi.payments.selectors import payment_display
from madoguchi.portal.resident_view import resident_page
from madoguchi.portal.views.errors import not_found, rate_limited
from madoguchi.portal.views.status import session_case
from madoguchi.procedures.definition import translated
from madoguchi.procedures.fees import yen_text


@require_POST
@resident_page
def payment_online(request):
    """Create the payment at the provider and send the resident to its page (303)."""
    case = session_case(request)
    if case is None:
        return not_found(request)
    if settings.MADOGUCHI_LOOKUP_RATE and is_ratelimited(
        request, group="payments", key="ip", rate=settings.MADOGUCHI_LOOKUP_RATE, increment=True
    ):
        return rate_limited(request)
    try:
        checkout = payment_online_begin(
            case=case,
            success_url=request.build_absolute_uri(reverse("portal:payment_return")),
            cancel_url=request.build_absolute_uri(reverse("portal:payment_cancel")),
            now=timezone.now(),
        )
    except (OnlinePaymentNotOffered, NothingToPay, ProviderUnavailable) as error:
        messages.error(request, error.message)
        return redirect("portal:status")
    response = HttpResponseRedirect(checkout.url)
    response.status_code = 303  # See Other: the provider's page is fetched with GET
    return response


@require_GET
@resident_page
def payment_return(request):
    """Where the provider sends the resident after paying: what we know, not what the URL says."""
    case = session_case(request)
    context: dict = {"case": case}
    if case is not None:
        payment = payment_display(case=case)
        context.update(
            {
                "municipality": case.municipality,  # the page's header names the city
                "title": translated(case.procedure_version.definition["title"], get_language()),
                "paid": payment is not None and payment["state"] == PaymentState.PAID,
                "amount": yen_text(payment["payment"].amount, get_language()) if payment else "",
            }
        )
    return render(request, "portal/payment_return.html", context)


@require_GET
@resident_page
def payment_cancel(request):
    """The resident left the provider's page without paying: back to the status page, told so."""
    if session_case(request) is not None:
        messages.info(request, _("The online payment was cancelled. You have not been charged."))
    return redirect("portal:status")
