"""The staff API, ``/api/v1/staff/``: the back office's case work for other systems.

Authenticated with a bearer token (``Authorization: Bearer mdg_…``) that acts as one staff
member: the same municipality, departments and roles as in the back office, and the same
services, so a rule cannot hold on the pages and not here. A case outside the token's
municipality or departments is 404, exactly like an unknown one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import get_language
from ninja import Router, Schema
from ninja.security import HttpBearer

from madoguchi.approvals.selectors import route_status
from madoguchi.approvals.services import step_approve, step_return
from madoguchi.cases import workflow
from madoguchi.cases.actions import case_action_perform
from madoguchi.cases.models import CaseStatus
from madoguchi.cases.selectors import QueueFilters, case_get_for_staff, case_queue, case_timeline
from madoguchi.procedures.definition import translated
from madoguchi.signatures.selectors import signature_summary
from madoguchi.staff.tokens import staff_token_authenticate


class StaffToken(HttpBearer):
    def authenticate(self, request, token):
        staff = staff_token_authenticate(token)
        if staff is not None:
            request.staff = staff
        return staff


router = Router(auth=StaffToken(), tags=["staff"])


class CaseSummaryOut(Schema):
    receipt_number: str
    procedure: str
    procedure_title: str
    status: str
    status_label: str
    department: str | None
    assignee: str | None
    submitted_at: datetime
    due_date: date | None


class CaseListOut(Schema):
    results: list[CaseSummaryOut]
    next_cursor: str | None


class EventOut(Schema):
    kind: str
    actor: str
    message: str
    public: bool
    created_at: datetime


class SignatureFactOut(Schema):
    fact: str
    certificate: str
    answers: str
    matches: bool | None


class ResidentSignatureOut(Schema):
    verified_at: datetime
    verifier: str
    certificate_serial: str
    certificate_issuer: str
    revocation: dict[str, Any]
    answers_version: int
    facts: list[SignatureFactOut]
    differs_from_answers: bool


class CaseDetailOut(CaseSummaryOut):
    answers: dict[str, Any]
    answers_version: int
    procedure_version: int
    language: str
    events: list[EventOut]
    signature: ResidentSignatureOut | None = None


class ActionIn(Schema):
    action: Literal[
        "start_review", "assign", "comment", "request_correction", "approve", "reject", "complete", "withdraw"
    ]
    message: str = ""
    assignee_id: int | None = None


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


@router.get("/cases", response=CaseListOut)
def staff_case_list(
    request, status: str = "", procedure: str = "", assignee: str = "", due: str = "", q: str = "", cursor: str = ""
):
    """List the token holder's cases, newest first; follow ``next_cursor`` for the next page."""
    filters = QueueFilters(procedure=procedure, status=status, assignee=assignee, due=due, query=q)
    page = case_queue(staff=request.staff, filters=filters, cursor=cursor, today=timezone.localdate())
    return {"results": [_summary(c) for c in page.cases], "next_cursor": page.next_cursor}


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


def _detail(request, case) -> dict:
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
            for e in case_timeline(staff=request.staff, case=case)
        ],
        "signature": _signature(case),
    }


@router.get("/cases/{receipt_number}", response=CaseDetailOut)
def staff_case_detail(request, receipt_number: str):
    """Return a case with its answers and history (the read is audited)."""
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    workflow.case_view(staff=request.staff, case=case)
    return _detail(request, case)


@router.post("/cases/{receipt_number}/actions", response=CaseDetailOut)
def staff_case_action(request, receipt_number: str, body: ActionIn):
    """Perform an action on a case, as on the back-office page (409 if its status does not allow it)."""
    staff = request.staff
    case = case_get_for_staff(staff=staff, receipt_number=receipt_number)
    case_action_perform(
        staff=staff, case=case, action=body.action, message=body.message, assignee_id=body.assignee_id
    )
    return _detail(request, case_get_for_staff(staff=staff, receipt_number=receipt_number))


class StampOut(Schema):
    user: str
    decision: str
    capacity: str
    comment: str
    created_at: datetime
    post_review_required: bool
    post_reviewed_by: str | None


class RouteStepOut(Schema):
    step_id: str
    kind: str
    role: str
    department: str
    status: str
    actionable: bool
    may_act: list[str]
    approvals: list[StampOut]


class RouteOut(Schema):
    has_route: bool
    started: bool
    complete: bool
    generation: int
    steps: list[RouteStepOut]


class StampIn(Schema):
    action: Literal["approve", "return"]
    message: str = ""
    department: str | None = None


def _stamp(approval) -> dict:
    return {
        "user": approval.user.get_username(),
        "decision": approval.decision,
        "capacity": approval.capacity,
        "comment": approval.comment,
        "created_at": approval.created_at,
        "post_review_required": approval.post_review_required,
        "post_reviewed_by": approval.post_reviewed_by.get_username() if approval.post_reviewed_by_id else None,
    }


def _route(case) -> dict:
    status = route_status(case=case)
    return {
        "has_route": status.has_route,
        "started": status.started,
        "complete": status.complete,
        "generation": status.generation,
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


@router.get("/cases/{receipt_number}/route", response=RouteOut)
def staff_case_route(request, receipt_number: str):
    """Return where the case's approval route (電子決裁) stands and who may act on it now."""
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    return _route(case)


@router.post("/cases/{receipt_number}/route/{step_id}", response=RouteOut)
def staff_case_stamp(request, receipt_number: str, step_id: str, body: StampIn):
    """Approve a step of the route, or return the case from it (差戻し, ``message`` = reason).

    For a 合議 step, ``department`` picks the consulted department. 409 when the step is not
    open yet or already done; 404 when the token holder may not act on it.
    """
    staff = request.staff
    case = case_get_for_staff(staff=staff, receipt_number=receipt_number)
    if body.action == "approve":
        step_approve(staff=staff, case=case, step_id=step_id, comment=body.message, department=body.department)
    else:
        step_return(staff=staff, case=case, step_id=step_id, reason=body.message, department=body.department)
    return _route(case_get_for_staff(staff=staff, receipt_number=receipt_number))
