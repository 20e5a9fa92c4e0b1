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

from madoguchi.approvals.errors import RouteIncomplete, SigningFailed
from madoguchi.approvals.selectors import post_reviews_for_case, route_status
from madoguchi.backoffice.auth import staff_view
from madoguchi.cases import workflow
from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import (
    QueueFilters,
    case_answer_versions,
    case_assignable_staff,
    case_attachments,
    case_due_state,
    case_get_for_staff,
    case_queue,
    case_timeline,
    queue_procedures,
)
from madoguchi.core.errors import NotFound
from madoguchi.procedures.answers import display_answers
from madoguchi.procedures.definition import translated
from madoguchi.signatures.documents.kinds import document_title
from madoguchi.signatures.documents.selectors import case_documents, documents_enabled
from madoguchi.signatures.documents.services import issuable_kinds
from madoguchi.signatures.organisation import organisation_stamp_signatures
from madoguchi.signatures.selectors import signature_summary

MAX_PARAM_LENGTH = 100

STATUS_FILTERS = [("", gettext_lazy("All")), ("open", gettext_lazy("Open")), *CaseStatus.choices]
ASSIGNEE_FILTERS = [("", gettext_lazy("Anyone")), ("me", gettext_lazy("Me")), ("none", gettext_lazy("Unassigned"))]
DUE_FILTERS = [("", gettext_lazy("Any")), ("overdue", gettext_lazy("Overdue")), ("soon", gettext_lazy("Due soon"))]

SUCCESS = {
    "assign": gettext_lazy("The assignee was changed."),
    "comment": gettext_lazy("Your comment was added."),
    "start_review": gettext_lazy("The review was started."),
    "request_correction": gettext_lazy("The correction request was sent to the applicant."),
    "approve": gettext_lazy("The application was approved."),
    "reject": gettext_lazy("The application was rejected."),
    "complete": gettext_lazy("The application was marked as completed."),
    "withdraw": gettext_lazy("The withdrawal of the application was recorded."),
}
MESSAGE_REQUIRED = {
    "comment": gettext_lazy("Enter a comment."),
    "request_correction": gettext_lazy("Enter what the applicant needs to correct."),
    "reject": gettext_lazy("Enter the reason for the rejection."),
}
INVALID_ASSIGNEE = gettext_lazy("Choose a staff member of this application's department.")


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
    workflow.case_view(staff=staff, case=case)
    language = get_language()
    definition = case.procedure_version.definition
    actions = workflow.case_available_actions(staff=staff, case=case)
    route = route_status(case=case)
    versions = [
        {"version": version, "sections": display_answers(definition, version.answers, language)}
        for version in case_answer_versions(staff=staff, case=case)
    ]
    context = {
        "case": case,
        "title": translated(definition["title"], language),
        "sections": display_answers(definition, case.answers, language),
        "versions": versions,
        "attachments": case_attachments(staff=staff, case=case),
        "events": case_timeline(staff=staff, case=case),
        "actions": actions,
        "assignable": case_assignable_staff(staff=staff, case=case) if "assign" in actions else [],
        "due": case_due_state(case=case, today=timezone.localdate()),
        "route": route,
        "route_steps": [
            {
                "state": step,
                "mine": next((a.capacity for a in step.may_act if a.user_id == staff.user_id), None),
            }
            for step in route.steps
        ],
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


def _may_issue_documents(staff, case) -> bool:
    return staff.can("issue_document", case.department_id) and documents_enabled(municipality=case.municipality)


@staff_page
@require_GET
def attachment(request, receipt_number: str, attachment_id: int):
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    disposition = "attachment" if request.GET.get("download") else "inline"
    opened = workflow.attachment_open(
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


def _assign(staff, case, data):
    value = data.get("assignee", "")
    if value == "me":
        assignee_id = staff.user_id
    elif value == "none":
        assignee_id = None
    elif value.isdigit():
        assignee_id = int(value)
    else:
        raise workflow.InvalidAssignee(value)
    return workflow.case_assign(staff=staff, case=case, assignee_id=assignee_id)


# If you add an action here, add it to workflow.STAFF_ACTIONS and its form to case_detail.html.
PERFORM = {
    "assign": _assign,
    "comment": lambda staff, case, data: workflow.case_comment(staff=staff, case=case, message=data["message"]),
    "start_review": lambda staff, case, data: workflow.case_start_review(staff=staff, case=case),
    "request_correction": lambda staff, case, data: workflow.case_request_correction(
        staff=staff, case=case, message=data["message"]
    ),
    "approve": lambda staff, case, data: workflow.case_decide(
        staff=staff, case=case, approve=True, reason=data["message"]
    ),
    "reject": lambda staff, case, data: workflow.case_decide(
        staff=staff, case=case, approve=False, reason=data["message"]
    ),
    "complete": lambda staff, case, data: workflow.case_complete(staff=staff, case=case),
    "withdraw": lambda staff, case, data: workflow.case_withdraw(staff=staff, case=case, message=data["message"]),
}


@staff_page
@require_POST
def case_action(request, receipt_number: str, action: str):
    if action not in PERFORM:
        raise Http404("Unknown action")
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    data = {
        "message": request.POST.get("message", "")[: workflow.MAX_MESSAGE_LENGTH],
        "assignee": _param(request.POST, "assignee"),
    }
    try:
        PERFORM[action](request.staff, case, data)
    except workflow.IllegalTransition as exc:
        return _error(
            request,
            409,
            _("This action is not possible now"),
            _(
                "The application is now “%(status)s”, which does not allow this action. "
                "Someone may have changed it in the meantime: open the application again and check its status."
            )
            % {"status": CaseStatus(exc.case_status).label},
            case=case,
        )
    except (RouteIncomplete, SigningFailed) as error:
        return _error(request, 409, _("This action is not possible now"), str(error.message), case=case)
    except workflow.MessageRequired:
        errors = {action: MESSAGE_REQUIRED.get(action, MESSAGE_REQUIRED["comment"])}
        return _render_case(request, case, errors=errors, values={action: data["message"]}, status=400)
    except workflow.InvalidAssignee:
        return _render_case(request, case, errors={"assign": INVALID_ASSIGNEE}, status=400)
    messages.success(request, SUCCESS[action])
    return redirect("backoffice:case", receipt_number=case.receipt_number)
