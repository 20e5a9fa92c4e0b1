"""Back-office pages of the assistant (窓口アシスタント): the FAQ the assistant answers from,
the questions it could not answer (grouped, to become new entries) and residents' inquiries.

Doors only: each page parses the form, calls one service of ``assistant.authoring`` (who
may write what, then the entry services) or ``assistant.answering`` and shows what it
refuses next to the field it concerns. Every rule, limit and audit entry is in those
services (``assistant.validation`` holds the rules and limits); reading an inquiry is
audited by ``answering.inquiry_read``.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.assistant import answering, authoring, categories, selectors
from madoguchi.assistant.content import answer_text_from_html
from madoguchi.assistant.models import LANGUAGES, EntryStatus, FaqEntry, FaqTranslation, InquiryStatus
from madoguchi.assistant.validation import (
    MAX_ANSWER_LENGTH,
    MAX_QUESTION_LENGTH,
    FaqFieldError,
    FaqInvalid,
    InquiryAlreadyAnswered,
    InquiryInvalid,
    TranslationIn,
)
from madoguchi.backoffice.views.cases import staff_page
from madoguchi.procedures.selectors import procedure_list
from madoguchi.tenants.access import ActionNotAllowed

# The form's fields by the services' field names, with the label the error summary shows.
FIELD_LABELS = {
    "external_id": gettext_lazy("Id"),
    "category": gettext_lazy("Category"),
    "department": gettext_lazy("Responsible department"),
    "source_url": gettext_lazy("Source page (URL)"),
    "procedure_slug": gettext_lazy("Online application offered with the answer"),
}
TRANSLATION_PARTS = {"question": ("q", gettext_lazy("Question")), "answer": ("a", gettext_lazy("Answer"))}


def _form_errors(errors: list[FaqFieldError], fields: dict[str, tuple[str, str]]) -> tuple[dict, list[dict]]:
    """Return the service's errors by form field id (shown next to the field) and as the summary.

    ``fields`` maps a service field name to (form field id, label); an error of a field the
    form does not have is shown in the summary only.
    """
    by_field: dict[str, str] = {}
    summary = []
    for error in errors:
        target = fields.get(error.field)
        if target is None:
            summary.append({"id": "", "label": "", "message": error.message})
        elif target[0] not in by_field:  # one message per field: the first problem to fix
            by_field[target[0]] = error.message
            summary.append({"id": target[0], "label": target[1], "message": error.message})
    return by_field, summary


def _entry_fields() -> dict[str, tuple[str, str]]:
    fields = {name: (name, str(label)) for name, label in FIELD_LABELS.items()}
    for code, name in LANGUAGES.items():
        for part, (prefix, label) in TRANSLATION_PARTS.items():
            fields[f"{code}.{part}"] = (f"{prefix}-{code}", f"{label} ({name})")
    fields["ja"] = fields["ja.question"]
    return fields


def _categories(staff, *, none: bool = False) -> list[tuple[str, str]]:
    """Return the municipality's categories (key, label in the staff member's language)."""
    language = "en" if (get_language() or "ja").startswith("en") else "ja"
    choices = categories.category_choices(municipality=staff.municipality, language=language)
    return [("", _("No category")), *choices] if none else choices


@staff_page
@require_http_methods(["GET"])
def faq_list(request):
    staff = request.staff
    status = request.GET.get("status", "")[:16]
    category = request.GET.get("category", "")[:64]
    query = request.GET.get("q", "")[:100].strip()
    choices = _categories(staff)
    labels = dict(choices)
    entries = selectors.faq_entry_list(
        municipality=staff.municipality,
        status=status if status in EntryStatus.values else "",
        category=category if category in labels else "",
        query=query,
    )[:200]
    rows = []
    for entry in entries:
        translations = {t.language: t for t in entry.translations.all()}
        ja = translations.get("ja")
        rows.append(
            {
                "entry": entry,
                "question": ja.question if ja else "",
                "category": labels.get(entry.category, entry.category),
                "languages": sorted(translations),
            }
        )
    context = {
        "rows": rows,
        "status": status,
        "category": category,
        "query": query,
        "statuses": EntryStatus.choices,
        "categories": choices,
        "may_create": authoring.faq_may_create(staff=staff),
    }
    return render(request, "backoffice/assistant/faq_list.html", context)


def _form_values(post) -> dict:
    values = {
        "external_id": post.get("external_id", "").strip(),
        "category": post.get("category", ""),
        "department": post.get("department", ""),
        "source_url": post.get("source_url", "").strip(),
        "procedure_slug": post.get("procedure_slug", ""),
        "translations": {},
    }
    for language in LANGUAGES:
        values["translations"][language] = {
            "question": post.get(f"q-{language}", ""),
            "answer": post.get(f"a-{language}", ""),
        }
    return values


def _entry_values(entry: FaqEntry) -> dict:
    translations = {
        t.language: t for t in FaqTranslation.objects.for_municipality(entry.municipality).filter(entry=entry)
    }
    return {
        "external_id": entry.external_id,
        "category": entry.category,
        "department": entry.department.code if entry.department_id else "",
        "source_url": entry.source_url,
        "procedure_slug": entry.procedure_slug,
        "translations": {
            language: {
                "question": translations[language].question if language in translations else "",
                "answer": answer_text_from_html(translations[language].answer_html) if language in translations else "",
            }
            for language in LANGUAGES
        },
    }


def _translations_in(values: dict) -> dict[str, TranslationIn]:
    """Return the languages written: Japanese always, another only if one of its boxes is filled
    (emptying both boxes removes a language)."""
    return {
        language: TranslationIn(question=text["question"], answer=text["answer"])
        for language, text in values["translations"].items()
        if language == "ja" or text["question"].strip() or text["answer"].strip()
    }


def _render_form(request, *, entry: FaqEntry | None, values: dict, refusal: FaqInvalid | None = None):
    staff = request.staff
    errors, summary = _form_errors(refusal.errors, _entry_fields()) if refusal else ({}, [])
    context = {
        "entry": entry,
        "values": values,
        "errors": errors,
        "error_summary": summary,
        "languages": [
            {
                "code": code,
                "name": name,
                "text": values["translations"][code],
                "q_error": errors.get(f"q-{code}", ""),
                "a_error": errors.get(f"a-{code}", ""),
            }
            for code, name in LANGUAGES.items()
        ],
        "categories": _categories(staff, none=True),
        "departments": authoring.faq_departments_writable(staff=staff),
        "procedures": procedure_list(municipality=staff.municipality),
        "versions": list(selectors.faq_versions(entry=entry).order_by("-number")[:20]) if entry else [],
        "may_edit": entry is None or authoring.faq_may(staff=staff, action="faq_edit", entry=entry),
        "may_publish": entry is not None and authoring.faq_may(staff=staff, action="faq_publish", entry=entry),
        "max_question": MAX_QUESTION_LENGTH,
        "max_answer": MAX_ANSWER_LENGTH,
    }
    return render(request, "backoffice/assistant/faq_form.html", context, status=400 if refusal else 200)


def _entry(request, external_id: str) -> FaqEntry:
    return selectors.faq_entry_get(municipality=request.staff.municipality, external_id=external_id[:64])


@staff_page
@require_http_methods(["GET", "POST"])
def faq_create(request):
    if request.method == "POST":
        values = _form_values(request.POST)
        try:
            entry = authoring.faq_entry_create_by_staff(
                staff=request.staff,
                external_id=values["external_id"],
                category=values["category"],
                department=values["department"],
                source_url=values["source_url"],
                procedure_slug=values["procedure_slug"],
                translations=_translations_in(values),
            )
        except FaqInvalid as refusal:
            return _render_form(request, entry=None, values=values, refusal=refusal)
        messages.success(request, _("The entry was saved as a draft."))
        return redirect("backoffice:faq_edit", external_id=entry.external_id)
    if not authoring.faq_may_create(staff=request.staff):
        raise ActionNotAllowed("faq_edit")
    values = _form_values({})
    values["category"] = request.GET.get("category", "")[:64]
    return _render_form(request, entry=None, values=values)


@staff_page
@require_http_methods(["GET", "POST"])
def faq_edit(request, external_id: str):
    entry = _entry(request, external_id)
    if request.method == "POST":
        values = _form_values(request.POST)
        values["external_id"] = entry.external_id
        try:
            changed = authoring.faq_entry_update_by_staff(
                staff=request.staff,
                entry=entry,
                category=values["category"],
                department=values["department"],
                source_url=values["source_url"],
                procedure_slug=values["procedure_slug"],
                translations=_translations_in(values),
            )
        except FaqInvalid as refusal:
            return _render_form(request, entry=entry, values=values, refusal=refusal)
        messages.success(request, _("A new version was saved.") if changed else _("Nothing was changed."))
        return redirect("backoffice:faq_edit", external_id=entry.external_id)
    return _render_form(request, entry=entry, values=_entry_values(entry))


@staff_page
@require_POST
def faq_status(request, external_id: str, action: str):
    entry = _entry(request, external_id)
    if action not in {"publish", "unpublish"}:
        raise ActionNotAllowed("faq_publish")
    publish = action == "publish"
    authoring.faq_entry_publish_by_staff(staff=request.staff, entry=entry, publish=publish)
    if publish:
        messages.success(request, _("The entry is published: the assistant answers with it now."))
    else:
        messages.success(request, _("The entry was withdrawn: the assistant no longer answers with it."))
    return redirect("backoffice:faq_edit", external_id=entry.external_id)


def _render_unanswered(request, *, draft: dict | None = None):
    staff = request.staff
    groups = selectors.unanswered_groups(municipality=staff.municipality)[:50]
    context = {
        "groups": groups,
        "categories": _categories(staff, none=True),
        "departments": authoring.faq_departments_writable(staff=staff),
        "languages": LANGUAGES,
        "draft": None,
        "error_summary": [],
    }
    if draft is not None:
        # The refused form is the one of the group the posted questions belong to, if still listed.
        posted = set(draft["question_ids"])
        index = next((n for n, group in enumerate(groups, 1) if posted & set(group.question_ids)), 0)
        fields = {
            "external_id": (f"id-{index}", str(gettext_lazy("Id of the new entry"))),
            "category": (f"category-{index}", str(FIELD_LABELS["category"])),
            "department": (f"department-{index}", str(FIELD_LABELS["department"])),
        }
        _by_id, summary = _form_errors(draft["refusal"].errors, fields if index else {})
        errors = {error.field: error.message for error in reversed(draft["refusal"].errors)}  # the first per field
        context.update(draft={**draft, "index": index, "errors": errors}, error_summary=summary)
    return render(request, "backoffice/assistant/unanswered.html", context, status=400 if draft else 200)


@staff_page
@require_http_methods(["GET"])
def unanswered(request):
    return _render_unanswered(request)


@staff_page
@require_POST
def draft_from_group(request):
    draft = {
        "question_ids": request.POST.getlist("question")[:500],
        "external_id": request.POST.get("external_id", "").strip(),
        "category": request.POST.get("category", ""),
        "department": request.POST.get("department", ""),
    }
    try:
        entry = authoring.faq_draft_by_staff(
            staff=request.staff,
            question_ids=draft["question_ids"],
            external_id=draft["external_id"],
            category=draft["category"],
            department=draft["department"],
        )
    except FaqInvalid as refusal:
        return _render_unanswered(request, draft={**draft, "refusal": refusal})
    messages.success(request, _("A draft entry was made from the questions. Write the answer, then publish."))
    return redirect("backoffice:faq_edit", external_id=entry.external_id)


@staff_page
@require_http_methods(["GET"])
def inquiries(request):
    status = request.GET.get("status", InquiryStatus.OPEN)[:16]
    rows = selectors.inquiry_list(
        municipality=request.staff.municipality, status=status if status in InquiryStatus.values else ""
    )[:200]
    context = {"rows": rows, "status": status, "statuses": InquiryStatus.choices, "languages": LANGUAGES}
    return render(request, "backoffice/assistant/inquiries.html", context)


@staff_page
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, public_id: str):
    staff = request.staff
    errors: dict[str, str] = {}
    status = 200
    answer = ""
    if request.method == "POST":
        answer = request.POST.get("answer", "")
        inquiry = selectors.inquiry_get(municipality=staff.municipality, public_id=public_id[:64])
        try:
            answering.inquiry_answer(inquiry=inquiry, answer=answer, actor=staff.actor_label)
        except InquiryInvalid as refusal:
            errors, status = {error.field: error.message for error in refusal.errors}, 400
        except InquiryAlreadyAnswered as refusal:
            errors, status = {"form": str(refusal.message)}, 409
        else:
            messages.success(request, _("The answer was recorded."))
            return redirect("backoffice:assistant_inquiry", public_id=str(inquiry.public_id))
    # Shown again after a refusal too: every showing of the resident's words is audited.
    inquiry = answering.inquiry_read(municipality=staff.municipality, public_id=public_id[:64], actor=staff.actor_label)
    context = {
        "inquiry": inquiry,
        "errors": errors,
        "answer": answer,
        "max_answer": MAX_ANSWER_LENGTH,
        "languages": LANGUAGES,
    }
    return render(request, "backoffice/assistant/inquiry.html", context, status=status)
