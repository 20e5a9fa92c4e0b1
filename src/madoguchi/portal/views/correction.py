"""Resident page: correct an application after a correction request (補正).

The whole form is shown on one page, filled with the current answers; attached files can
be kept or replaced. The case keeps its receipt number; earlier answers are kept by
``case_correct`` as a new version.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from madoguchi.cases.errors import IllegalTransition
from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import case_current_uploads, case_public_events
from madoguchi.cases.workflow import case_correct
from madoguchi.portal.forms import error_summary, field_contexts, raw_answers_from_post
from madoguchi.portal.resident_view import resident_page
from madoguchi.portal.views.status import session_case
from madoguchi.procedures.answers import AnswersInvalid
from madoguchi.procedures.definition import translated


def _whole_form(definition: dict) -> dict:
    """All fields as one step, so conditions between fields work on one page."""
    return {"id": "correction", "fields": [f for step in definition["steps"] for f in step["fields"]]}


def _current_files(case, field_ids: set[str]) -> dict[str, list[dict]]:
    return {fid: items for fid, items in case.answers.items() if fid in field_ids and isinstance(items, list)}


@resident_page
def correction(request):
    case = session_case(request)
    if case is None or case.status != CaseStatus.CORRECTION_REQUESTED:
        raise Http404("Nothing to correct")
    language = get_language()
    definition = case.procedure_version.definition
    form = _whole_form(definition)
    file_ids = {f["id"] for f in form["fields"] if f["type"] == "file"}
    values, errors = case.answers, []
    if request.method == "POST":
        raw = raw_answers_from_post(form, request.POST)
        files = {}
        for fid in file_ids:
            uploads = request.FILES.getlist(fid)
            files[fid] = uploads or (case_current_uploads(case=case, field_id=fid) if request.POST.get(f"{fid}.keep") == "1" else [])
        try:
            case_correct(case=case, answers=raw, files=files)
        except AnswersInvalid as exc:
            errors, values = exc.errors, {**case.answers, **raw}
        except IllegalTransition:
            raise Http404("Nothing to correct") from None
        else:
            messages.success(request, _("Your correction has been received."))
            return redirect("portal:status")
    return render(
        request,
        "portal/correction.html",
        {
            "case": case,
            "municipality": case.municipality,
            "title": translated(definition["title"], language),
            "notices": [e for e in case_public_events(case=case) if e.kind == "correction_requested"][-1:],
            "fields": field_contexts(
                definition,
                form,
                values=values,
                earlier={},
                errors=errors,
                files=_current_files(case, file_ids),
                language=language,
            ),
            "errors": error_summary(errors, definition, language),
            "has_files": bool(file_ids),
        },
        status=400 if errors else 200,
    )
