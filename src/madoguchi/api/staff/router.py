"""The staff API, ``/api/v1/staff/``: the back office's case work for other systems.

Authenticated with a bearer token (``Authorization: Bearer mdg_…``) that acts as one staff
member: the same municipality, departments and roles as in the back office, and the same
services, so a rule cannot hold on the pages and not here. A case outside the token's
municipality or departments is 404, exactly like an unknown one.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from ninja.security import HttpBearer
from pydantic import Field

from madoguchi.api.app import api
from madoguchi.api.openapi import declare
from madoguchi.api.staff.schemas import (
    ActionIn,
    CaseDetailOut,
    CaseListOut,
    DueEnum,
    QueueStatusEnum,
    RouteOut,
    StampIn,
)
from madoguchi.approvals.errors import ProposalMissing, ReturnTakesNoOutcome
from madoguchi.approvals.selectors import route_status
from madoguchi.approvals.services import step_approve, step_decide, step_return
from madoguchi.cases import reading
from madoguchi.cases.actions import case_action_perform
from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import (
    QUEUE_PAGE_SIZE,
    QueueFilters,
    case_answer_versions,
    case_correction_rounds,
    case_get_for_staff,
    case_queue,
    case_timeline,
)
from madoguchi.procedures.answers import answers_diff
from madoguchi.procedures.definition import translated
from madoguchi.signatures.selectors import signature_summary
from madoguchi.staff.tokens import staff_token_authenticate


class StaffToken(HttpBearer):
    """A staff member's bearer token (madoguchi staff_token create)."""

    def authenticate(self, request, token):
        staff = staff_token_authenticate(token)
        if staff is not None:
            request.staff = staff
        return staff


router = Router(auth=StaffToken(), tags=["staff"])
READ_PROBLEMS = [400, 401, 404]
ACT_PROBLEMS = [400, 401, 404, 409, 422, 503]


def _summary(case) -> dict:
    # case_queue annotates the slug and title and defers the definition (one query per row otherwise).
    if hasattr(case, "procedure_slug"):
        slug, title = case.procedure_slug, case.procedure_title
    else:
        slug, title = case.procedure_version.definition["slug"], case.procedure_version.definition["title"]
    return {
        "receipt_number": case.receipt_number,
        "procedure": slug,
        "procedure_title": translated(title, get_language()),
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "department": case.department.code if case.department_id else None,
        "assignee": case.assignee.get_username() if case.assignee_id else None,
        "submitted_at": case.submitted_at,
        "due_date": case.due_date,
    }


class QueueQuery(Schema):
    status: QueueStatusEnum | None = None
    procedure: str = Field("", max_length=60, description="A procedure's slug.")
    assignee: str = Field("", max_length=20, description='A user id, "me" or "none".')
    due: DueEnum | None = None
    q: str = Field("", max_length=200, description="Receipt number, or the applicant's name or フリガナ.")
    cursor: str = Field("", max_length=200, description="next_cursor of the previous page.")
    limit: int = Field(QUEUE_PAGE_SIZE, ge=1, le=100, description="Cases per page.")


@router.get(
    "/cases",
    operation_id="staffListCases",
    summary="List the token holder's cases",
    **declare({200: CaseListOut}, READ_PROBLEMS[:2], headers={200: ["Link"]}),
)
def staff_case_list(request, query: Query[QueueQuery]):
    """List the token holder's cases, newest first; follow ``next_cursor`` (or the Link header) for the next page."""
    filters = QueueFilters(
        procedure=query.procedure,
        status=query.status.value if query.status else "",
        assignee=query.assignee,
        due=query.due.value if query.due else "",
        query=query.q,
    )
    page = case_queue(
        staff=request.staff, filters=filters, cursor=query.cursor, today=timezone.localdate(), size=query.limit
    )
    body = {"results": [_summary(c) for c in page.cases], "next_cursor": page.next_cursor}
    response = api.create_response(request, body, status=200)
    if page.next_cursor:
        params = request.GET.copy()
        params["cursor"] = page.next_cursor
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{params.urlencode()}>; rel="next"'
    return response


def _signature(case) -> dict | None:
    summary = signature_summary(case)
    if summary is None:
        return None
    signature = summary.signature
    return {
        "verified_at": signature.verified_at,
        "verifier": signature.verifier,
        "certificate_serial": signature.certificate_serial,
        "certificate_issuer": signature.certificate_issuer,
        "revocation": signature.revocation,
        "answers_version": signature.answers_version,
        "facts": [
            {"fact": row.label, "certificate": row.certificate, "answers": row.typed, "matches": row.matches}
            for row in summary.rows
        ],
        "differs_from_answers": summary.has_mismatch,
    }


def _corrections(request, case, events) -> list[dict]:
    """The applicant's corrections as the back office shows them: the reply and what changed."""
    definition, language = case.procedure_version.definition, get_language()
    versions = case_answer_versions(staff=request.staff, case=case)
    return [
        {
            "version": item.event.data["version"],
            "created_at": item.event.created_at,
            "reply": item.event.message,
            "changes": [
                {"field": change["id"], "label": change["label"], "before": change["before"], "after": change["after"]}
                for change in answers_diff(definition, item.before, item.after, language)
            ],
        }
        for item in case_correction_rounds(case=case, versions=versions, events=events)
    ]


def _detail(request, case) -> dict:
    events = case_timeline(staff=request.staff, case=case)
    return {
        **_summary(case),
        "answers": case.answers,
        "answers_version": case.answers_version,
        "procedure_version": case.procedure_version.number,
        "language": case.language,
        "events": [
            {
                "kind": e.kind,
                "actor": e.actor_label,
                "message": e.message,
                "public": e.public,
                "created_at": e.created_at,
            }
            for e in events
        ],
        "signature": _signature(case),
        "corrections": _corrections(request, case, events),
    }


@router.get(
    "/cases/{receipt_number}",
    operation_id="staffGetCase",
    summary="Get a case with answers and history",
    **declare({200: CaseDetailOut}, READ_PROBLEMS),
)
def staff_case_detail(request, receipt_number: str):
    """Return a case with its answers and history (the read is audited)."""
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    reading.case_view(staff=request.staff, case=case)
    return _detail(request, case)


@router.post(
    "/cases/{receipt_number}/actions",
    operation_id="staffPerformCaseAction",
    summary="Perform an action on a case",
    **declare({200: CaseDetailOut}, ACT_PROBLEMS),
)
def staff_case_action(request, receipt_number: str, body: ActionIn):
    """Perform an action on a case, as on the back-office page.

    404 when the token holder may not take it (told apart from nothing), 409 when the case's
    status does not allow it, 422 when a message or a valid assignee is missing.
    """
    staff = request.staff
    case = case_get_for_staff(staff=staff, receipt_number=receipt_number)
    case_action_perform(
        staff=staff, case=case, action=body.action.value, message=body.message, assignee_id=body.assignee_id
    )
    return _detail(request, case_get_for_staff(staff=staff, receipt_number=receipt_number))


def _stamp(approval) -> dict:
    return {
        "user": approval.user.get_username(),
        "decision": approval.decision,
        "capacity": approval.capacity,
        "comment": approval.comment,
        "created_at": approval.created_at,
        "post_review_required": approval.post_review_required,
        "post_reviewed_by": approval.post_reviewed_by.get_username() if approval.post_reviewed_by_id else None,
        "proposal": approval.proposal or None,
        "proposal_message": approval.proposal_message,
    }


def _route(case) -> dict:
    status = route_status(case=case)
    return {
        "has_route": status.has_route,
        "started": status.started,
        "complete": status.complete,
        "generation": status.generation,
        "proposal": status.proposal or None,
        "proposal_message": status.proposal_message,
        "case_status": case.status,
        "case_status_label": str(CaseStatus(case.status).label),
        "steps": [
            {
                "step_id": step.step_id,
                "kind": step.kind,
                "role": step.role,
                "department": step.department_code,
                "status": step.status,
                "actionable": step.actionable,
                "may_act": [actor.username for actor in step.may_act],
                "approvals": [_stamp(a) for a in step.approvals],
            }
            for step in status.steps
        ],
    }


@router.get(
    "/cases/{receipt_number}/route",
    operation_id="staffGetCaseRoute",
    summary="Get a case's approval route",
    **declare({200: RouteOut}, READ_PROBLEMS),
)
def staff_case_route(request, receipt_number: str):
    """Return where the case's approval route (電子決裁) stands and who may act on it now."""
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    return _route(case)


@router.post(
    "/cases/{receipt_number}/route/{step_id}",
    operation_id="staffStampRouteStep",
    summary="Approve or return a step of the route",
    **declare({200: RouteOut}, ACT_PROBLEMS),
)
def staff_case_stamp(request, receipt_number: str, step_id: str, body: StampIn):
    """Approve a step of the route, or return the case from it (差戻し, ``message`` = reason).

    On the first step (起案), ``proposal`` records what the draft proposes (``reject`` needs
    ``proposal_message``, the reason the applicant is told). On the 決裁 step, ``decide``
    takes that proposed decision with the stamp, as the back office's one-step button does;
    ``case_status`` then says approved or rejected. For a 合議 step, ``department`` picks the
    consulted department. 409 when the step is not open yet or already done, or nothing was
    proposed to decide; 422 for a proposal where none belongs; 404 when the token holder may
    not act on it (or, with ``decide``, may not decide).
    """
    staff = request.staff
    case = case_get_for_staff(staff=staff, receipt_number=receipt_number)
    proposal = body.proposal.value if body.proposal else ""
    if body.action == "return":
        if proposal or body.proposal_message or body.decide:
            raise ReturnTakesNoOutcome
        step_return(staff=staff, case=case, step_id=step_id, reason=body.message, department=body.department)
    else:
        if body.proposal_message and not proposal:
            raise ProposalMissing
        stamp = {
            "staff": staff,
            "case": case,
            "step_id": step_id,
            "comment": body.message,
            "department": body.department,
            "proposal": proposal,
            "proposal_message": body.proposal_message,
        }
        if body.decide:
            step_decide(**stamp, required=True)
        else:
            step_approve(**stamp)
    return _route(case_get_for_staff(staff=staff, receipt_number=receipt_number))
