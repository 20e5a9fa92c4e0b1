"""Resident pages: look up an application by receipt number and access code, and answer a
correction request (補正) on it.

A successful look-up opens a resident view (:mod:`madoguchi.portal.resident_view`) holding the
receipt number, so the status page can be shown again (e.g. after a correction) and the
correction form is reachable only by someone who knew the access code — on this browser, until
it is closed, 15 minutes pass without a request, or the resident presses 終了する.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import case_get_for_resident, case_get_for_session, case_public_events
from madoguchi.payments.providers import configured_provider
from madoguchi.payments.selectors import payment_display
from madoguchi.portal.resident_view import (
    CASE,
    DONE,
    idle_limit,
    resident_page,
    resident_view_close,
    resident_view_get,
    resident_view_open,
)
from madoguchi.portal.views.errors import rate_limited
from madoguchi.portal.views.signing import with_form_action
from madoguchi.procedures.answers import display_answers
from madoguchi.procedures.definition import translated
from madoguchi.procedures.fees import fee_summary
from madoguchi.procedures.notation import notation_display
from madoguchi.signatures.documents.selectors import documents_enabled, resident_documents


def session_case(request):
    """Return the case the resident opened on this device, if the view is still open."""
    return case_get_for_session(receipt_number=resident_view_get(request, CASE))


@resident_page
def status_lookup(request):
    context: dict = {"receipt_number": "", "error": "", "idle_minutes": int(idle_limit().total_seconds() // 60)}
    status = 200
    case = None
    if request.method == "POST" and request.POST.get("finish"):
        resident_view_close(request)
        messages.success(request, _("The application is closed on this device."))
        return redirect("portal:status")
    if request.method == "POST":
        if settings.MADOGUCHI_LOOKUP_RATE and is_ratelimited(
            request, group="lookup", key="ip", rate=settings.MADOGUCHI_LOOKUP_RATE, increment=True
        ):
            return rate_limited(request)
        receipt_number = request.POST.get("receipt_number", "")[:40]
        case = case_get_for_resident(
            receipt_number=receipt_number, access_code=request.POST.get("access_code", "")[:40]
        )
        context["receipt_number"] = receipt_number
        if case is None:
            context["error"] = _(
                "No application matches this receipt number and access code. Check both and try again."
            )
            status = 404
        else:
            resident_view_open(request, **{CASE: case.receipt_number})
            # Post/Redirect/Get: the browser's back button and reload never send the access
            # code again, and a closed view stays closed when the resident goes back to it.
            return redirect("portal:status")
    else:
        case = session_case(request)
        if case is None and getattr(request, "resident_view_expired", False):
            context["expired"] = True
        elif case is None and (done := resident_view_get(request, DONE)):
            # Coming from the completion page on this browser: the receipt number is filled in
            # from the open view (never from the URL); the access code is typed by the resident.
            context["receipt_number"] = done["receipt_number"]
            context["prefilled"] = True
    if case is not None:
        language = get_language()
        definition = case.procedure_version.definition
        events = case_public_events(case=case)
        # The resident's own corrections and withdrawal are not messages from the municipality.
        notices = [event for event in events if not event.by_resident]
        context.update(
            {
                "case": case,
                "status_label": CaseStatus(case.status).label,
                "title": translated(definition["title"], language),
                "municipality": case.municipality,
                "sections": notation_display(
                    definition,
                    display_answers(definition, case.answers, language),
                    case.answers,
                    case.answers_entered,
                    language,
                ),
                "fee": fee_summary(definition, case.answers, language),
                "payment": payment_display(case=case),
                "notices": notices,
                "own_messages": [event for event in events if event.by_resident],
                "can_correct": case.status == CaseStatus.CORRECTION_REQUESTED,
                "correction_request": next((e for e in reversed(notices) if e.kind == "correction_requested"), None),
                "documents": resident_documents(case=case, language=language),
                "documents_enabled": documents_enabled(municipality=case.municipality),
            }
        )
    response = render(request, "portal/status.html", context, status=status)
    if (context.get("payment") or {}).get("online_available"):
        # 「オンラインで支払う」 redirects to the provider's page: the CSP form-action must allow it.
        response = with_form_action(response, configured_provider().page_origin)
    return response
