"""Back-office pages of the assistant (窓口アシスタント): the FAQ the assistant answers from,
the questions it could not answer (grouped, to become new entries) and residents' inquiries.

Who may do what (``tenants.access.ACTION_ROLES``): every staff member of the municipality
may read; staff of an entry's department write it (``faq_edit``); reviewers, approvers and
administrators publish it (``faq_publish``) — an answer residents will rely on is looked at
by a second pair of eyes. An entry without a department is the administrators'. Inquiries
carry a resident's words and perhaps an e-mail address: each opening is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from madoguchi.assistant import answering, selectors, services
from madoguchi.assistant.content import answer_text_from_html
from madoguchi.assistant.models import LANGUAGES, Category, EntryStatus, FaqEntry, FaqTranslation, InquiryStatus
from madoguchi.audit.services import audit_log
from madoguchi.backoffice.views.cases import staff_page
from madoguchi.procedures.selectors import procedure_list
from madoguchi.tenants.access import ActionNotAllowed
from madoguchi.tenants.models import Department

MAX_QUESTION = 500
MAX_ANSWER = 8000
REQUIRED_JA = gettext_lazy("Enter the question and the answer in Japanese (日本語).")
ID_INVALID = gettext_lazy("Use 1 to 64 letters, digits, “.”, “_” or “-” for the id, starting with a letter or digit.")
ID_TAKEN = gettext_lazy("An entry with this id already exists.")
URL_INVALID = gettext_lazy("Enter a web address starting with https:// or http://.")
HALF_TRANSLATED = gettext_lazy("Enter both the question and the answer, or leave both empty.")


def _departments(staff, action: str) -> list[Department]:
    return [d for d in Department.objects.for_municipality(staff.municipality) if staff.can(action, d.pk)]


def _may(staff, action: str, entry: FaqEntry | None) -> bool:
    department_id = entry.department_id if entry is not None else None
    if department_id is None:
        return staff.all_departments and staff.can(action, None)
    return staff.can(action, department_id)


@staff_page
@require_http_methods(["GET"])
def faq_list(request):
    staff = request.staff
    status = request.GET.get("status", "")[:16]
    category = request.GET.get("category", "")[:32]
    query = request.GET.get("q", "")[:100].strip()
    entries = selectors.faq_entry_list(
        municipality=staff.municipality,
        status=status if status in EntryStatus.values else "",
        category=category if category in Category.values else "",
        query=query,
    )[:200]
    rows = []
    for entry in entries:
        translations = {t.language: t for t in entry.translations.all()}
        ja = translations.get("ja")
        rows.append({"entry": entry, "question": ja.question if ja else "", "languages": sorted(translations)})
    context = {
        "rows": rows,
        "status": status,
        "category": category,
        "query": query,
        "statuses": EntryStatus.choices,
        "categories": Category.choices,
        "may_create": bool(_departments(staff, "faq_edit")) or _may(staff, "faq_edit", None),
    }
    return render(request, "backoffice/assistant/faq_list.html", context)


def _form_values(post) -> dict:
    values = {
        "external_id": post.get("external_id", "").strip()[:64],
        "category": post.get("category", "")[:32],
        "department": post.get("department", "")[:40],
        "source_url": post.get("source_url", "").strip()[:500],
        "procedure_slug": post.get("procedure_slug", "")[:80],
        "translations": {},
    }
    for language in LANGUAGES:
        question = post.get(f"q-{language}", "").strip()[:MAX_QUESTION]
        answer = post.get(f"a-{language}", "").strip()[:MAX_ANSWER]
        values["translations"][language] = {"question": question, "answer": answer}
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


def _check(values: dict, *, creating: bool, staff) -> dict:
    """Return {field: message} for what a staff member can fix, in their language."""
    errors = {}
    if creating:
        if not services.EXTERNAL_ID_RE.match(values["external_id"]):
            errors["external_id"] = ID_INVALID
        elif selectors.faq_entry_exists(municipality=staff.municipality, external_id=values["external_id"]):
            errors["external_id"] = ID_TAKEN
    ja = values["translations"]["ja"]
    if not ja["question"] or not ja["answer"]:
        errors["q-ja"] = REQUIRED_JA
    for language, text in values["translations"].items():
        if language != "ja" and bool(text["question"]) != bool(text["answer"]):
            errors[f"q-{language}"] = HALF_TRANSLATED
    if values["source_url"] and not services.URL_RE.match(values["source_url"]):
        errors["source_url"] = URL_INVALID
    return errors


def _translations_in(values: dict) -> dict[str, services.TranslationIn]:
    return {
        language: services.TranslationIn(question=text["question"], answer=text["answer"])
        for language, text in values["translations"].items()
        if text["question"] and text["answer"]
    }


def _render_form(request, *, entry: FaqEntry | None, values: dict, errors: dict, status: int = 200):
    staff = request.staff
    context = {
        "entry": entry,
        "values": values,
        "errors": errors,
        "languages": [(code, name, values["translations"][code]) for code, name in LANGUAGES.items()],
        "categories": Category.choices,
        "departments": _departments(staff, "faq_edit"),
        "procedures": procedure_list(municipality=staff.municipality),
        "versions": list(selectors.faq_versions(entry=entry).order_by("-number")[:20]) if entry else [],
        "may_edit": entry is None or _may(staff, "faq_edit", entry),
        "may_publish": entry is not None and _may(staff, "faq_publish", entry),
    }
    return render(request, "backoffice/assistant/faq_form.html", context, status=status)


def _save(request, entry: FaqEntry | None):
    staff = request.staff
    values = _form_values(request.POST)
    if entry is not None:
        values["external_id"] = entry.external_id
    errors = _check(values, creating=entry is None, staff=staff)
    departments = {d.code: d for d in _departments(staff, "faq_edit")}
    department = departments.get(values["department"])
    if values["department"] and department is None:
        errors["department"] = _("Choose one of your departments.")
    if not values["department"] and not _may(staff, "faq_edit", None):
        errors["department"] = _("Choose the department responsible for this answer.")
    if values["category"] not in Category.values:
        errors["category"] = _("Choose a category.")
    if not errors:
        try:
            if entry is None:
                entry = services.faq_entry_create(
                    municipality=staff.municipality,
                    external_id=values["external_id"],
                    category=values["category"],
                    department=department,
                    source_url=values["source_url"],
                    procedure_slug=values["procedure_slug"],
                    translations=_translations_in(values),
                    actor=staff.actor_label,
                )
                messages.success(request, _("The entry was saved as a draft."))
            else:
                changed = services.faq_entry_update(
                    entry=entry,
                    actor=staff.actor_label,
                    category=values["category"],
                    department=department,
                    source_url=values["source_url"],
                    procedure_slug=values["procedure_slug"],
                    translations=_translations_in(values),
                    replace_translations=True,
                )
                messages.success(request, _("A new version was saved.") if changed else _("Nothing was changed."))
        except services.FaqInvalid as error:
            errors["form"] = "; ".join(error.errors)
        else:
            return redirect("backoffice:faq_edit", external_id=entry.external_id)
    return _render_form(request, entry=entry, values=values, errors=errors, status=400)


def _entry(request, external_id: str) -> FaqEntry:
    return selectors.faq_entry_get(municipality=request.staff.municipality, external_id=external_id[:64])


@staff_page
@require_http_methods(["GET", "POST"])
def faq_create(request):
    if not (_departments(request.staff, "faq_edit") or _may(request.staff, "faq_edit", None)):
        raise ActionNotAllowed("faq_edit")
    if request.method == "POST":
        return _save(request, None)
    values = _form_values({})
    values["category"] = request.GET.get("category", "")[:32]
    return _render_form(request, entry=None, values=values, errors={})


@staff_page
@require_http_methods(["GET", "POST"])
def faq_edit(request, external_id: str):
    entry = _entry(request, external_id)
    if request.method == "POST":
        if not _may(request.staff, "faq_edit", entry):
            raise ActionNotAllowed("faq_edit")
        return _save(request, entry)
    return _render_form(request, entry=entry, values=_entry_values(entry), errors={})


@staff_page
@require_POST
def faq_status(request, external_id: str, action: str):
    entry = _entry(request, external_id)
    if action not in {"publish", "unpublish"} or not _may(request.staff, "faq_publish", entry):
        raise Http404
    if action == "publish":
        services.faq_entry_publish(entry=entry, actor=request.staff.actor_label)
        messages.success(request, _("The entry is published: the assistant answers with it now."))
    else:
        services.faq_entry_unpublish(entry=entry, actor=request.staff.actor_label)
        messages.success(request, _("The entry was withdrawn: the assistant no longer answers with it."))
    return redirect("backoffice:faq_edit", external_id=entry.external_id)


@staff_page
@require_http_methods(["GET"])
def unanswered(request):
    staff = request.staff
    groups = selectors.unanswered_groups(municipality=staff.municipality)[:50]
    context = {
        "groups": groups,
        "categories": Category.choices,
        "departments": _departments(staff, "faq_edit"),
        "languages": LANGUAGES,
    }
    return render(request, "backoffice/assistant/unanswered.html", context)


@staff_page
@require_POST
def draft_from_group(request):
    staff = request.staff
    departments = {d.code: d for d in _departments(staff, "faq_edit")}
    department = departments.get(request.POST.get("department", ""))
    external_id = request.POST.get("external_id", "").strip()[:64]
    category = request.POST.get("category", "")
    problem = None
    if department is None:
        problem = _("Choose one of your departments.")
    elif not services.EXTERNAL_ID_RE.match(external_id):
        problem = ID_INVALID
    elif selectors.faq_entry_exists(municipality=staff.municipality, external_id=external_id):
        problem = ID_TAKEN
    elif category not in Category.values:
        problem = _("Choose a category.")
    if problem is None:
        try:
            entry = answering.faq_draft_from_questions(
                municipality=staff.municipality,
                question_ids=request.POST.getlist("question")[:500],
                external_id=external_id,
                category=category,
                department=department,
                actor=staff.actor_label,
            )
        except services.FaqInvalid:
            problem = _("These questions were already taken up, or no longer exist.")
        else:
            messages.success(request, _("A draft entry was made from the questions. Write the answer, then publish."))
            return redirect("backoffice:faq_edit", external_id=entry.external_id)
    messages.error(request, problem)
    return redirect("backoffice:assistant_unanswered")


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
    inquiry = selectors.inquiry_get(municipality=staff.municipality, public_id=public_id[:64])
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer", "").strip()[:MAX_ANSWER]
        if not answer:
            error = _("Enter the answer.")
        elif inquiry.status == InquiryStatus.ANSWERED:
            error = _("This inquiry has already been answered.")
        else:
            answering.inquiry_answer(inquiry=inquiry, answer=answer, actor=staff.actor_label)
            messages.success(request, _("The answer was recorded."))
            return redirect("backoffice:assistant_inquiry", public_id=str(inquiry.public_id))
    with transaction.atomic():  # a resident's words and address: reading them is audited
        audit_log(
            municipality=staff.municipality,
            event="assistant.inquiry.viewed",
            actor=staff.actor_label,
            object_type="assistant.inquiry",
            object_id=str(inquiry.public_id),
        )
    context = {"inquiry": inquiry, "error": error, "languages": LANGUAGES}
    return render(request, "backoffice/assistant/inquiry.html", context, status=400 if error else 200)
