"""Resident pages: answer a correction request (補正) — the form, then a confirmation.

The whole form is shown on one page under the municipality's request, filled with the
current answers in the resident's own notation, with a free-text reply; attached files can be
kept or replaced. "Next" checks the answers and keeps them pending in the session
(``cases.corrections``); the confirmation page shows what changed and the reply, and only
"send" stores the correction. The case keeps its receipt number; earlier answers are kept
by ``case_correct`` as a new version.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from madoguchi.cases.corrections import (
    correction_check,
    correction_pending_get,
    correction_pending_save,
    correction_send,
)
from madoguchi.cases.drafts import draft_pending_files
from madoguchi.cases.errors import IllegalTransition
from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import case_current_uploads, case_public_events
from madoguchi.cases.workflow import MAX_MESSAGE_LENGTH
from madoguchi.portal.forms import error_summary, field_contexts, raw_answers_from_post
from madoguchi.portal.resident_view import resident_page
from madoguchi.portal.views.status import session_case
from madoguchi.procedures.answers import AnswersInvalid, answers_diff
from madoguchi.procedures.definition import translated
from madoguchi.procedures.notation import notation_entered, notation_for_form


def _whole_form(definition: dict) -> dict:
    """All fields as one step, so conditions between fields work on one page."""
    return {"id": "correction", "fields": [f for step in definition["steps"] for f in step["fields"]]}


def _current_files(answers: dict, field_ids: set[str]) -> dict[str, list[dict]]:
    return {fid: items for fid, items in answers.items() if fid in field_ids and isinstance(items, list)}


def _case_awaiting_correction(request):
    case = session_case(request)
    if case is None or case.status != CaseStatus.CORRECTION_REQUESTED:
        raise Http404("Nothing to correct")
    return case


def _common(case, language: str) -> dict:
    definition = case.procedure_version.definition
    return {
        "case": case,
        "municipality": case.municipality,
        "title": translated(definition["title"], language),
        "notices": [e for e in case_public_events(case=case) if e.kind == "correction_requested"][-1:],
    }


@resident_page
@require_http_methods(["GET", "POST"])
def correction(request):
    case = _case_awaiting_correction(request)
    language = get_language()
    definition = case.procedure_version.definition
    form = _whole_form(definition)
    file_ids = {f["id"] for f in form["fields"] if f["type"] == "file"}
    pending = correction_pending_get(request.session, case=case)
    if pending is not None:
        values, reply, shown_files = pending.raw, pending.reply, _current_files(pending.values, file_ids)
    else:
        values, reply = notation_for_form(case.answers, case.answers_entered), ""
        shown_files = _current_files(case.answers, file_ids)
    errors = []
    if request.method == "POST":
        raw = raw_answers_from_post(form, request.POST)
        reply = request.POST.get("reply", "")[:MAX_MESSAGE_LENGTH]
        files = {}
        for fid in file_ids:
            uploads = request.FILES.getlist(fid)
            if not uploads and request.POST.get(f"{fid}.keep") == "1":
                uploads = (
                    draft_pending_files(pending.draft, fid).get(fid, [])
                    if pending is not None
                    else case_current_uploads(case=case, field_id=fid)
                )
            files[fid] = uploads
        try:
            clean = correction_check(case=case, answers=raw, files=files)
        except AnswersInvalid as exc:
            errors, values = exc.errors, {**values, **raw}
        except IllegalTransition:
            raise Http404("Nothing to correct") from None
        else:
            correction_pending_save(request.session, case=case, raw=raw, clean=clean, reply=reply)
            return redirect("portal:correction_confirm")
    return render(
        request,
        "portal/correction.html",
        {
            **_common(case, language),
            "fields": field_contexts(
                definition, form, values=values, earlier={}, errors=errors, files=shown_files, language=language
            ),
            "reply": reply,
            "errors": error_summary(errors, definition, language),
            "has_files": bool(file_ids),
        },
        status=400 if errors else 200,
    )


@resident_page
@require_http_methods(["GET", "POST"])
def correction_confirm(request):
    case = _case_awaiting_correction(request)
    pending = correction_pending_get(request.session, case=case)
    if pending is None:
        return redirect("portal:correction")
    if request.method == "POST":
        try:
            correction_send(request.session, case=case)
        except (AnswersInvalid, IllegalTransition):
            # The case or the procedure changed under the pending answers: check them again.
            return redirect("portal:correction")
        messages.success(request, _("Your correction has been received."))
        return redirect("portal:status")
    language = get_language()
    definition = case.procedure_version.definition
    entered = notation_entered(
        definition, pending.raw, pending.values, today=timezone.localdate(), language=case.language
    )
    changes = answers_diff(
        definition,
        case.answers,
        pending.values,
        language,
        entered_before=case.answers_entered,
        entered_after=entered,
    )
    return render(
        request,
        "portal/correction_confirm.html",
        {**_common(case, language), "changes": changes, "reply": pending.reply},
    )
