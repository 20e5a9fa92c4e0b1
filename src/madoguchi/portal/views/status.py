"""Resident pages: look up an application by receipt number and access code, and answer a
correction request (補正) on it.

A successful look-up remembers the receipt number in the resident's session, so the status
page can be shown again (e.g. after a correction) and the correction form is reachable only
by someone who knew the access code.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import case_get_for_resident, case_get_for_session, case_public_events
from madoguchi.portal.views.errors import rate_limited
from madoguchi.procedures.answers import display_answers
from madoguchi.procedures.definition import translated
from madoguchi.signatures.documents.selectors import documents_enabled, resident_documents

SESSION_CASE_KEY = "madoguchi.resident_case"


def status_lookup(request):
    context: dict = {"receipt_number": "", "error": ""}
    status = 200
    case = None
    if request.method == "POST" and request.POST.get("forget"):
        request.session.pop(SESSION_CASE_KEY, None)
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
            request.session[SESSION_CASE_KEY] = case.receipt_number
    else:
        case = case_get_for_session(receipt_number=request.session.get(SESSION_CASE_KEY))
    if case is not None:
        language = get_language()
        definition = case.procedure_version.definition
        context.update(
            {
                "case": case,
                "status_label": CaseStatus(case.status).label,
                "title": translated(definition["title"], language),
                "municipality": case.municipality,
                "sections": display_answers(definition, case.answers, language),
                "notices": case_public_events(case=case),
                "can_correct": case.status == CaseStatus.CORRECTION_REQUESTED,
                "documents": resident_documents(case=case, language=language),
                "documents_enabled": documents_enabled(municipality=case.municipality),
            }
        )
    return render(request, "portal/status.html", context, status=status)
