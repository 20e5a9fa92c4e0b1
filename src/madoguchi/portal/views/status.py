"""Resident page: look up an application by receipt number and access code."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import case_get_for_resident
from madoguchi.portal.views.errors import rate_limited
from madoguchi.procedures.answers import display_answers
from madoguchi.procedures.definition import translated


def status_lookup(request):
    context: dict = {"receipt_number": "", "error": ""}
    status = 200
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
            language = get_language()
            definition = case.procedure_version.definition
            context.update(
                {
                    "case": case,
                    "status_label": CaseStatus(case.status).label,
                    "title": translated(definition["title"], language),
                    "municipality": case.municipality,
                    "sections": display_answers(definition, case.answers, language),
                }
            )
    return render(request, "portal/status.html", context, status=status)
