"""Back-office case work (職員): the queue, a case's page and the actions taken on it.

The views only read the request, call one selector or service and render. Who may see a
case, which actions a status allows and what each action records live in
``cases.selectors`` (staff part) and ``cases.workflow``. A case or attachment outside the
staff member's municipality or departments is "not found", exactly like one that does not
exist, and so is an action their roles do not allow.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.approvals.selectors import post_reviews_for_case, route_status
from madoguchi.backoffice.auth import staff_view
from madoguchi.cases import reading, workflow
from madoguchi.cases.actions import case_action_perform, case_available_actions, staff_action_get
from madoguchi.cases.errors import InvalidAssignee, MessageRequired
from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import (
    QueueFilters,
    case_answer_versions,
    case_assignable_staff,
    case_attachments,
    case_correction_rounds,
    case_due_state,
    case_get_for_staff,
    case_queue,
    case_timeline,
    queue_procedures,
)
from madoguchi.core.errors import DomainError, NotFound
from madoguchi.payments.selectors import payment_display
from madoguchi.procedures.answers import answers_diff, display_answers
from madoguchi.procedures.definition import translated
from madoguchi.procedures.fees import fee_summary
from madoguchi.signatures.documents.kinds import document_title
from madoguchi.signatures.documents.selectors import case_documents, documents_enabled
from madoguchi.signatures.documents.services import issuable_kinds
from madoguchi.signatures.organisation import organisation_stamp_signatures
from madoguchi.signatures.selectors import signature_summary

MAX_PARAM_LENGTH = 100

STATUS_FILTERS = [("", gettext_lazy("All")), ("open", gettext_lazy("Open")), *CaseStatus.choices]
ASSIGNEE_FILTERS = [("", gettext_lazy("Anyone")), ("me", gettext_lazy("Me")), ("none", gettext_lazy("Unassigned"))]
DUE_FILTERS = [("", gettext_lazy("Any")), ("overdue", gettext_lazy("Overdue")), ("soon", gettext_lazy("Due soon"))]


def _error(request, status: int, title: str, message: str, *, case=None):
    context = {"error_title": title, "message": message, "case": case}
    return render(request, "backoffice/error.html", context, status=status)


def _not_found(request):
    return _error(
        request,
        404,
        _("Not found"),
        _("There is no such application or file, or it is not handled by your departments."),
    )


def staff_page(view):
    """Verified staff only (never cached, see staff_view); "not found" and "not allowed" answer alike (404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (Http404, NotFound):
            return _not_found(request)

    return staff_view(wrapper)


def _param(source, name: str) -> str:
    return source.get(name, "")[:MAX_PARAM_LENGTH]


@staff_page
@require_GET
def queue(request):
    filters = QueueFilters(
        procedure=_param(request.GET, "procedure"),
        status=_param(request.GET, "status"),
        assignee=_param(request.GET, "assignee"),
        due=_param(request.GET, "due"),
        query=_param(request.GET, "q"),
    )
    cursor = _param(request.GET, "cursor")
    today = timezone.localdate()
    page = case_queue(staff=request.staff, filters=filters, cursor=cursor, today=today)
    params = request.GET.copy()
    params.pop("cursor", None)
    next_url = ""
    if page.next_cursor:
        params["cursor"] = page.next_cursor
        next_url = f"?{params.urlencode()}"
        params.pop("cursor")
    context = {
        "filters": filters,
        "rows": _queue_rows(page.cases, today),
        "procedures": queue_procedures(staff=request.staff),
        "status_filters": STATUS_FILTERS,
        "assignee_filters": ASSIGNEE_FILTERS,
        "due_filters": DUE_FILTERS,
        "is_later_page": bool(cursor),
        "first_url": f"?{params.urlencode()}",
        "next_url": next_url,
    }
    return render(request, "backoffice/queue.html", context)


def _queue_rows(cases, today) -> list[dict]:
    """Rows of the queue table, with links and dates made here: a page has 50 of each, and the
    template's {% url %} and |date cost more than the database does for the whole page."""
    link = reverse("backoffice:case", args=["RECEIPT"])
    return [
        {
            "case": case,
            "url": link.replace("RECEIPT", case.receipt_number),
            "due": case_due_state(case=case, today=today),
            "due_date": case.due_date.isoformat() if case.due_date else "",
            "submitted": timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M"),
        }
        for case in cases
    ]


@staff_page
@require_GET
def case_detail(request, receipt_number: str):
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    return _render_case(request, case)


def _render_case(
    request,
    case,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    route_error: dict | None = None,
    status: int = 200,
):
    """Render the case page. Showing it displays personal data, so every rendering is audited."""
    staff = request.staff
    reading.case_view(staff=staff, case=case)
    language = get_language()
    definition = case.procedure_version.definition
    actions = case_available_actions(staff=staff, case=case)
    route = route_status(case=case)
    earlier = case_answer_versions(staff=staff, case=case)
    versions = [
        {"version": version, "sections": display_answers(definition, version.answers, language)} for version in earlier
    ]
    events = case_timeline(staff=staff, case=case)
    corrections = [
        {"round": item, "changes": answers_diff(definition, item.before, item.after, language)}
        for item in case_correction_rounds(case=case, versions=earlier, events=events)
    ]
    context = {
        "case": case,
        "title": translated(definition["title"], language),
        "sections": display_answers(definition, case.answers, language),
        "fee": fee_summary(definition, case.answers, language),
        "payment": payment_display(case=case),
        "versions": versions,
        "attachments": case_attachments(staff=staff, case=case),
        "events": events,
        "corrections": corrections,
        "actions": actions,
        "assignable": case_assignable_staff(staff=staff, case=case) if "assign" in actions else [],
        "due": case_due_state(case=case, today=timezone.localdate()),
        "route": route,
        "route_steps": route_step_items(staff=staff, case=case, route=route),
        "route_error": route_error,
        "post_reviews": post_reviews_for_case(staff=staff, case=case),
        "stamp_signatures": organisation_stamp_signatures(case=case),
        # 承認 and 却下 are the 決裁 itself: offered only once the route is complete.
        "decision_waits_for_route": route.has_route and not route.complete,
        "errors": errors or {},
        "values": values or {},
        "signature_mode": definition.get("signature", "none"),
        "signature": signature_summary(case),
        "documents": case_documents(case=case),
        "reissuable": [
            {"kind": kind, "title": document_title(definition, kind, language)}
            for kind in (issuable_kinds(case=case) if _may_issue_documents(staff, case) else [])
        ],
    }
    return render(request, "backoffice/case_detail.html", context, status=status)


def route_step_items(*, staff, case, route) -> list[dict]:
    """The route's steps with, for the signed-in staff member, the stamp they may give and the
    words of its button: what the stage approves (承認案 / 却下案), and on the last step, the
    decision taken with it."""
    first = min((step.position for step in route.steps), default=0)
    may_decide = staff.can("decide", case.department_id)
    items = []
    for step in route.steps:
        mine = next((a.capacity for a in step.may_act if a.user_id == staff.user_id), None)
        proposing = step.position == first and not route.proposal
        decides = step.kind == "decide" and bool(route.proposal) and may_decide
        items.append(
            {
                "state": step,
                "mine": mine,
                "proposing": proposing,
                "decides": decides,
                "button": route_button_label(proposal=route.proposal, proposing=proposing, decides=decides),
                "capacity": "" if mine in (None, "regular") else mine,
            }
        )
    return items


def route_button_label(*, proposal: str, proposing: bool, decides: bool) -> str:
    if proposing:
        return _("Submit the draft (起案)")
    if decides:
        return (
            _("Approve the proposal to grant and decide")
            if proposal == "approve"
            else _("Approve the proposal to reject and decide")
        )
    if proposal == "approve":
        return _("Approve the proposal to grant")
    if proposal == "reject":
        return _("Approve the proposal to reject")
    return _("Approve this step")


def _may_issue_documents(staff, case) -> bool:
    return staff.can("issue_document", case.department_id) and documents_enabled(municipality=case.municipality)


@staff_page
@require_GET
def attachment(request, receipt_number: str, attachment_id: int):
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    disposition = "attachment" if request.GET.get("download") else "inline"
    opened = reading.attachment_open(
        staff=request.staff, case=case, attachment_id=attachment_id, disposition=disposition
    )
    response = FileResponse(
        opened.file,
        as_attachment=opened.as_attachment,
        filename=opened.attachment.name,
        content_type=opened.attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _assignee_id(staff, value: str) -> int | None:
    if value == "me":
        return staff.user_id
    if value == "none":
        return None
    if value.isdigit():
        return int(value)
    raise InvalidAssignee


@staff_page
@require_POST
def case_action(request, receipt_number: str, action: str):
    definition = staff_action_get(action)
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    message = request.POST.get("message", "")[: workflow.MAX_MESSAGE_LENGTH]
    try:
        assignee_id = (
            _assignee_id(request.staff, _param(request.POST, "assignee")) if definition.takes_assignee else None
        )
        case_action_perform(staff=request.staff, case=case, action=action, message=message, assignee_id=assignee_id)
    except (MessageRequired, InvalidAssignee) as error:
        field = "assign" if isinstance(error, InvalidAssignee) else action
        return _render_case(request, case, errors={field: error.message}, values={action: message}, status=400)
    except DomainError as error:
        if error.status == 404:
            raise
        return _error(request, error.status, _("This action is not possible now"), str(error), case=case)
    messages.success(request, definition.done)
    return redirect("backoffice:case", receipt_number=case.receipt_number)
