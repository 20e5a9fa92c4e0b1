"""Resident pages: the application form, step by step, then 確認画面 and completion.

Each step is validated by the procedures engine and kept in a draft; the confirmation
page shows everything once more; only its POST calls ``case_submit``. Pressing submit
twice, or submitting again after "back", gives the same receipt (the draft token is the
idempotency key).
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from madoguchi.cases import drafts
from madoguchi.cases.access import format_access_code
from madoguchi.cases.errors import IdempotencyConflict
from madoguchi.cases.models import Channel
from madoguchi.cases.next_steps import case_next_steps
from madoguchi.cases.selectors import case_get_for_session
from madoguchi.cases.services import case_submit
from madoguchi.notifications.services import resident_address
from madoguchi.observability.metrics import submission_counted
from madoguchi.payments.online import online_payment_offered
from madoguchi.portal.form_device import draft_expired_notice
from madoguchi.portal.forms import error_summary, field_contexts, raw_answers_from_post
from madoguchi.portal.resident_view import DONE, resident_page, resident_view_get, resident_view_open
from madoguchi.portal.views import signing
from madoguchi.portal.views.errors import rate_limited
from madoguchi.procedures.answers import AnswersInvalid, clean_answers, display_answers
from madoguchi.procedures.definition import translated
from madoguchi.procedures.fees import fee_summary
from madoguchi.procedures.notation import notation_display, notation_entered, notation_for_form
from madoguchi.procedures.selectors import procedure_get
from madoguchi.signatures.messages import UNAVAILABLE_REASONS, reason_message
from madoguchi.signatures.verification import SignatureRejected
from madoguchi.tenants.selectors import municipality_get


def _context(request, code: str, slug: str):
    municipality = municipality_get(code=code)
    procedure = procedure_get(municipality=municipality, slug=slug)
    return municipality, procedure, procedure.current_version.definition


CONFIRM = "confirm"
RETURN_TO_CONFIRM = "return=confirm"


def _steps_nav(definition: dict, current: str, draft, language: str) -> list[dict]:
    """The step bar: the form's steps and then the confirmation. The step counter
    (全4ステップ中1ステップ目) counts this same list, so the two cannot disagree."""
    nav = [
        {
            "id": s["id"],
            "title": translated(s["title"], language),
            "current": s["id"] == current,
            "done": s["id"] in draft.completed_steps,
        }
        for s in definition["steps"]
    ]
    nav.append({"id": CONFIRM, "title": _("Confirm"), "current": current == CONFIRM, "done": False})
    return nav


def _returning(request) -> bool:
    """True when the resident came from 変更 on the confirmation page (the form posts back to
    its own URL, so the query string stays with it)."""
    return request.GET.get("return") == "confirm"


def _after_change(request, code: str, slug: str, definition: dict, draft):
    """Where 変更 leads once the changed step is saved: back to the confirmation page, unless
    the change made another step's answers incomplete (a field that now shows, say), which the
    resident then answers first."""
    try:
        clean_answers(
            definition,
            draft.values,
            drafts.draft_pending_files(draft),
            today=timezone.localdate(),
            language=get_language(),
        )
    except AnswersInvalid as exc:
        step_of_field = {f["id"]: s["id"] for s in definition["steps"] for f in s["fields"]}
        failing = {step_of_field.get(e.path.split(".")[0]) for e in exc.errors}
        step_id = next((s["id"] for s in definition["steps"] if s["id"] in failing), None)
        if step_id is not None:
            url = reverse("portal:apply_step", kwargs={"code": code, "slug": slug, "step_id": step_id})
            return redirect(f"{url}?{RETURN_TO_CONFIRM}")
    return redirect("portal:apply_confirm", code=code, slug=slug)


def _already_sent(request, code: str, slug: str):
    """The submitted application, when the resident comes back to the form with Back after
    sending it (the draft is gone, the receipt is still open on this browser)."""
    if request.method != "GET" or request.GET.get("new") == "1":
        return None
    if drafts.draft_get(request.session, municipality_code=code, slug=slug) is not None:
        return None
    done = resident_view_get(request, DONE)
    if not done or done.get("municipality") != code or done.get("slug") != slug:
        return None
    municipality, procedure, definition = _context(request, code, slug)
    return render(
        request,
        "portal/apply_sent.html",
        {
            "municipality": municipality,
            "procedure": procedure,
            "title": translated(definition["title"], get_language()),
            "receipt_number": done["receipt_number"],
            "first_step": definition["steps"][0]["id"],
        },
    )


@resident_page
def apply_step(request, code: str, slug: str, step_id: str):
    municipality, procedure, definition = _context(request, code, slug)
    step_index = next((i for i, s in enumerate(definition["steps"]) if s["id"] == step_id), None)
    if step_index is None:
        raise Http404("Unknown step")
    step = definition["steps"][step_index]
    language = get_language()
    if sent := _already_sent(request, code, slug):
        return sent
    returning = _returning(request)
    draft = drafts.draft_start(request.session, municipality_code=code, slug=slug, version=procedure.current_version)
    step_field_ids = [f["id"] for f in step["fields"]]
    earlier = {k: v for k, v in draft.values.items() if k not in step_field_ids}
    errors = []
    values = notation_for_form(draft.values, draft.entered)
    if request.method == "POST":
        raw = raw_answers_from_post(step, request.POST)
        files = {f["id"]: request.FILES.getlist(f["id"]) for f in step["fields"] if f["type"] == "file"}
        for fid, uploads in list(files.items()):
            if not uploads and request.POST.get(f"{fid}.keep") == "1":
                files[fid] = drafts.draft_pending_files(draft, fid).get(fid, [])
        try:
            clean = clean_answers(
                definition,
                raw,
                files,
                today=timezone.localdate(),
                language=language,
                step_ids={step_id},
                previous=earlier,
            )
        except AnswersInvalid as exc:
            errors = exc.errors
            values = {**values, **raw}
        else:
            drafts.draft_store_step(
                draft,
                step_id=step_id,
                step_field_ids=step_field_ids,
                values=clean.values,
                attachments=clean.attachments,
                entered=notation_entered(definition, raw, clean.values, today=timezone.localdate(), language=language),
            )
            drafts.draft_save(request.session, municipality_code=code, slug=slug, draft=draft)
            if returning and _missing_step(definition, draft) is None:
                return _after_change(request, code, slug, definition, draft)
            if step_index + 1 < len(definition["steps"]):
                next_step = definition["steps"][step_index + 1]["id"]
                return redirect("portal:apply_step", code=code, slug=slug, step_id=next_step)
            return redirect("portal:apply_confirm", code=code, slug=slug)
    previous_step = definition["steps"][step_index - 1]["id"] if step_index else None
    steps_nav = _steps_nav(definition, step_id, draft, language)
    response = render(
        request,
        "portal/apply_step.html",
        {
            "municipality": municipality,
            "procedure": procedure,
            "title": translated(definition["title"], language),
            "step": step,
            "step_title": translated(step["title"], language),
            "step_description": translated(step.get("description"), language),
            "draft_expired": draft_expired_notice(request),
            "draft_idle_minutes": settings.MADOGUCHI_DRAFT_IDLE_MINUTES,
            "step_number": step_index + 1,
            "step_count": len(steps_nav),
            "is_last_step": step_index + 1 == len(definition["steps"]),
            "returning": returning,
            "steps_nav": steps_nav,
            "fields": field_contexts(
                definition, step, values=values, earlier=earlier, errors=errors, files=draft.files, language=language
            ),
            "errors": error_summary(errors, definition, language),
            "previous_step": previous_step,
            "has_files": any(f["type"] == "file" for f in step["fields"]),
        },
        status=400 if errors else 200,
    )
    return response


def _missing_step(definition: dict, draft) -> str | None:
    for step in definition["steps"]:
        if step["id"] not in draft.completed_steps:
            return step["id"]
    return None


def confirm_draft(request, code: str, slug: str):
    """The draft ready for confirmation, or a redirect to the step that still needs answers."""
    if sent := _already_sent(request, code, slug):
        return None, sent
    municipality, procedure, definition = _context(request, code, slug)
    draft = drafts.draft_get(request.session, municipality_code=code, slug=slug)
    if draft is None or draft.version_id != procedure.current_version.pk:
        return None, redirect("portal:apply_step", code=code, slug=slug, step_id=definition["steps"][0]["id"])
    missing = _missing_step(definition, draft)
    if missing:
        return None, redirect("portal:apply_step", code=code, slug=slug, step_id=missing)
    return (municipality, procedure, definition, draft), None




@resident_page
def apply_confirm(request, code: str, slug: str):
    ready, redirection = confirm_draft(request, code, slug)
    if redirection:
        return redirection
    if request.method == "POST":
        return confirm_submit(request, code, slug, ready, lambda: signing.signature_from_post(request))
    return confirm_page(request, code, slug, ready)


def confirm_submit(request, code: str, slug: str, ready, signature_of):
    """Submit the draft with the signature ``signature_of()`` returns; the confirmation page again on a refusal.

    Every way of signing ends here (a file, the demo card, the national authentication app), so
    each signature is verified the same way, by ``case_submit``.
    """
    municipality, procedure, _definition, draft = ready
    if settings.MADOGUCHI_SUBMIT_RATE and is_ratelimited(
        request, group="submit", key="ip", rate=settings.MADOGUCHI_SUBMIT_RATE, increment=True
    ):
        return rate_limited(request)
    errors, signature_error, status = [], "", 200
    language = get_language()
    try:
        result = submission_counted(case_submit)(
            municipality=municipality,
            procedure_version=procedure.current_version,
            # The notation as typed means exactly the draft's clean answers (procedures.notation),
            # so validation gives the same answers and the case keeps how they were written.
            answers={**draft.values, **draft.entered},
            files=drafts.draft_pending_files(draft),
            idempotency_key=f"portal-{draft.token}",
            language=language,
            channel=Channel.PORTAL,
            signature=signature_of(),
        )
    except (AnswersInvalid, IdempotencyConflict) as exc:
        # Answers that passed their step can fail now (a date bound moved past midnight,
        # an earlier answer changed a condition). Send the resident to fix them.
        errors = exc.errors if isinstance(exc, AnswersInvalid) else []
        status = 400 if errors else 200
    except SignatureRejected as exc:
        signature_error = reason_message(exc.reason)
        status = 503 if exc.reason in UNAVAILABLE_REASONS else 422
    else:
        # The access code is shown once, on this browser, while it stays open.
        done = {
            "receipt_number": result.case.receipt_number,
            "access_code": format_access_code(result.access_code),
            "municipality": code,
            "slug": slug,
        }
        resident_view_open(request, **{DONE: done})
        drafts.draft_discard(request.session, municipality_code=code, slug=slug)
        return redirect("portal:apply_done", code=code, slug=slug)
    return confirm_page(request, code, slug, ready, errors=errors, signature_error=signature_error, status=status)


def confirm_page(request, code: str, slug: str, ready, *, errors=(), signature_error="", status: int = 200):
    """The confirmation page (確認画面), with the answers' and the signature's errors if any."""
    municipality, procedure, definition, draft = ready
    language = get_language()
    step_of_field = {f["id"]: s["id"] for s in definition["steps"] for f in s["fields"]}
    summary = error_summary(list(errors), definition, language)
    for item, error in zip(summary, errors, strict=True):
        step_id = step_of_field.get(error.path.split(".")[0], definition["steps"][0]["id"])
        url = reverse("portal:apply_step", kwargs={"code": code, "slug": slug, "step_id": step_id})
        item["href"] = f"{url}?{RETURN_TO_CONFIRM}"
    try:
        signing_context = signing.signing_context(
            municipality=municipality, procedure=procedure, draft=draft, language=language
        )
    except AnswersInvalid:
        signing_context = {}  # the error summary above already sends the resident back to fix them
    response = render(
        request,
        "portal/apply_confirm.html",
        {
            "municipality": municipality,
            "procedure": procedure,
            "title": translated(definition["title"], language),
            "sections": notation_display(
                definition, display_answers(definition, draft.values, language), draft.values, draft.entered, language
            ),
            "steps_nav": _steps_nav(definition, CONFIRM, draft, language),
            "errors": summary,
            "fee": fee_summary(definition, draft.values, language),
            "signature_error": signature_error,
            **signing_context,
        },
        status=status,
    )
    return signing.with_form_action(response, signing_context.get("authapp_origin", ""))


@resident_page
def apply_signing_content(request, code: str, slug: str):
    """The canonical bytes of the draft, to sign with any signing software."""
    ready, redirection = confirm_draft(request, code, slug)
    if redirection:
        return redirection
    content, redirection = draft_signing_content(code, slug, ready)
    if redirection:
        return redirection
    return signing.signing_content_response(content)


def draft_signing_content(code: str, slug: str, ready):
    """(the canonical bytes of the ready draft to sign, None), or (None, back to the confirmation
    page) when its answers no longer pass (a date bound moved, a condition changed)."""
    municipality, procedure, _definition, draft = ready
    try:
        content = signing.signing_content_for_draft(
            municipality=municipality, procedure=procedure, draft=draft, language=get_language()
        )
    except AnswersInvalid:
        return None, redirect("portal:apply_confirm", code=code, slug=slug)
    return content, None


@resident_page
def apply_done(request, code: str, slug: str):
    municipality, procedure, definition = _context(request, code, slug)
    done = resident_view_get(request, DONE)
    if not done or done.get("municipality") != code or done.get("slug") != slug:
        return redirect("portal:procedure", code=code, slug=slug)
    case = case_get_for_session(receipt_number=done["receipt_number"])
    if case is None:  # disposed of since; nothing left to say about it
        return redirect("portal:procedure", code=code, slug=slug)
    emailed = resident_address(case) is not None
    return render(
        request,
        "portal/apply_done.html",
        {
            "municipality": municipality,
            "procedure": procedure,
            "done": done,
            "title": translated(definition["title"], get_language()),
            "next_steps": case_next_steps(case=case, emailed=emailed),
            "fee": fee_summary(definition, case.answers, get_language()),
            "online_payment": online_payment_offered(case=case),
            "emailed": emailed,
        },
    )
