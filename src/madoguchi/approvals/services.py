"""Moving a case along its approval route (電子決裁).

Every service goes the same way (STYLE.md, "one path per state change"): lock the case
row, check the staff member may act on this step now, write the :class:`Approval` and the
step's new state, publish it (``approvals.events``: the signatures app signs it with the
municipality's key), and append the audit entry — in one transaction. Locking the case row
serialises everything that happens to one case: two approvers pressing the button at the
same moment get one stamp and one "already done", and ``cases.workflow.case_decide`` (which
locks the same row) sees either the complete route or none of the last stamp.

Order and parallelism: the route's steps are done in order; the departments of a 合議 step
in any order, but all of them before the next step. A return (差戻し) needs a reason and
lays out a new generation of the route from its first step: in paper terms, the draft goes
back to the drafter with a note, and every seal must be collected again.

One person, one seal: within a generation, nobody approves two steps (or two departments of
a 合議). A route whose stamps all come from one account would prove nothing.

A case's route is the one in the procedure version it was made under. A procedure
without ``approval_route`` has no route, and :func:`route_is_complete` is always true.
Refusals are the exceptions of :mod:`approvals.errors`; absences (不在登録) are registered
by :mod:`approvals.absences`, and the 後閲 of a deputy's stamp by :mod:`approvals.post_reviews`.
What these writes share (the row lock, the comment, the timeline stamp) is in
:mod:`approvals.writing`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from madoguchi.approvals.errors import (
    ApprovalNotAllowed,
    CaseNotInReview,
    NoProposalToDecide,
    ProposalMisplaced,
    ProposalReasonRequired,
    StepAlreadyDone,
    StepNotFound,
    StepOutOfOrder,
)
from madoguchi.approvals.events import ApprovalRecorded, approval_recorded
from madoguchi.approvals.models import Absence, Approval, ApprovalStep, Capacity, Decision, Proposal, StepStatus
from madoguchi.approvals.routes import RouteStep
from madoguchi.approvals.selectors import (
    actionable,
    case_route,
    case_steps,
    current_generation,
    is_complete,
    route_is_complete,
    route_proposal,
    route_steps_planned,
    staffing_on,
    step_capacity,
)
from madoguchi.approvals.writing import _lock, _text, _timeline
from madoguchi.cases import workflow
from madoguchi.cases.models import Case, CaseEvent, CaseStatus
from madoguchi.tenants.access import StaffContext
from madoguchi.tenants.models import Department

SYSTEM_ACTOR = "system"


def _ensure_generation(case: Case, route: list[RouteStep], now: datetime, actor: str) -> list[ApprovalStep]:
    """Return the current generation's rows, laying out a new generation if there is none
    or the answers changed since it was laid out (approvals are of the answers they saw)."""
    rows_all = case_steps(case)
    rows = current_generation(rows_all)
    if rows and rows[0].answers_version == case.answers_version:
        return rows
    generation = rows[0].generation + 1 if rows else 1
    for row in rows:
        if row.status == StepStatus.PENDING:
            row.status = StepStatus.SKIPPED
            row.save(update_fields=["status"])
    return _lay_out(case, route, generation, now, actor, reason="answers_changed" if rows else "started")


def _lay_out(
    case: Case, route: list[RouteStep], generation: int, now: datetime, actor: str, *, reason: str
) -> list[ApprovalStep]:
    planned = route_steps_planned(case=case, route=route, generation=generation, now=now)
    rows = ApprovalStep.objects.for_municipality(case.municipality).bulk_create(planned)
    case.log_action(
        "approvals.route.started",
        actor=actor,
        payload={
            "generation": generation,
            "reason": reason,
            "steps": [f"{row.step_id}@{row.department.code}" for row in rows],
        },
    )
    return rows


def route_start(*, case: Case, now: datetime | None = None, staff: StaffContext | None = None) -> list[ApprovalStep]:
    """Lay out ``case``'s route when review starts, and return its current steps.

    Idempotent: a route already laid out for the case's current answers is returned as it
    is. After a correction (補正) changed the answers, a new generation is laid out, since
    the earlier approvals were of the old answers. A case without a route returns [].
    Raise RouteInvalid if the route names a department the municipality does not have.
    """
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case, case.municipality)
        route = case_route(case)
        if route is None:
            return []
        if case.status != CaseStatus.IN_REVIEW:
            raise CaseNotInReview
        return _ensure_generation(case, route, now, staff.actor_label if staff else SYSTEM_ACTOR)


def _related(staff: StaffContext, case: Case, route: list[RouteStep], today: date) -> bool:
    """Return whether ``staff`` has anything to do with the case's route (else: not found)."""
    if staff.all_departments or case.department_id in staff.department_ids:
        return True
    case_department = case.department.code if case.department_id else None
    codes = {code for step in route for code in step.department_codes(case_department)}
    if (
        Department.objects.for_municipality(case.municipality)
        .filter(code__in=codes, pk__in=staff.department_ids)
        .exists()
    ):
        return True
    # A deputy named in today's absence registration may come from another department.
    return (
        Absence.objects.for_municipality(case.municipality)
        .filter(deputy_id=staff.user_id, start__lte=today, end__gte=today)
        .exists()
    )


def _prepare(
    staff: StaffContext, case: Case, step_id: str, department: str | None, now: datetime, *, approving: bool
) -> tuple[Case, list[ApprovalStep], ApprovalStep, str]:
    """Lock the case and return (case, current rows, the row to act on, capacity), or raise."""
    case = _lock(case, staff.municipality)
    route = case_route(case)
    today = timezone.localdate(now)
    if route is None or not _related(staff, case, route, today):
        raise StepNotFound
    if case.status != CaseStatus.IN_REVIEW:
        raise CaseNotInReview
    rows = _ensure_generation(case, route, now, staff.actor_label)
    targets = [
        row for row in rows if row.step_id == step_id and (department is None or row.department.code == department)
    ]
    if not targets:
        raise StepNotFound
    if all(row.status != StepStatus.PENDING for row in targets):
        raise StepAlreadyDone
    open_rows = [row for row in actionable(rows) if row in targets]
    if not open_rows:
        raise StepOutOfOrder
    staffing = staffing_on(
        municipality=case.municipality, day=today, department_ids={row.department_id for row in open_rows}
    )
    for row in open_rows:
        capacity = step_capacity(
            grants=staff.grants, user_id=staff.user_id, step=row, answers=case.answers, staffing=staffing
        )
        if capacity is not None:
            break
    else:
        raise ApprovalNotAllowed("role")
    if approving:
        stamped = Approval.objects.for_municipality(case.municipality).filter(
            step__in=[r.pk for r in rows], user_id=staff.user_id, decision=Decision.APPROVE
        )
        if stamped.exists():
            raise ApprovalNotAllowed("one_seal_per_route")
    return case, rows, row, capacity


def step_approve(
    *,
    staff: StaffContext,
    case: Case,
    step_id: str,
    comment: str = "",
    now: datetime | None = None,
    department: str | None = None,
    proposal: str = "",
    proposal_message: str = "",
) -> Approval:
    """Approve step ``step_id`` of ``case``'s route as ``staff``, and return the approval.

    The capacity is the first that applies: the step's own role, 専決 under the step's
    delegation rule, or 代決 while every holder of the step's role is absent — which then
    needs 後閲 (:func:`approvals.post_reviews.post_review`). For a 合議 step, ``department`` (a code) picks the
    consulted department to approve for; by default the first one ``staff`` may act for.

    The first step (起案) may record the ``proposal`` ("approve" or "reject") that the rest
    of the route approves and the 決裁 then takes, with ``proposal_message`` for the resident
    (required for a rejection: it is the reason they are given). Raise ProposalMisplaced for a
    proposal on a later step.
    """
    now = now or timezone.now()
    if proposal and proposal not in Proposal.values:
        raise ProposalMisplaced
    with transaction.atomic():
        case, rows, row, capacity = _prepare(staff, case, step_id, department, now, approving=True)
        text = _text(comment)
        message = _text(proposal_message) if proposal else ""
        if proposal and row.position != min(r.position for r in rows):
            raise ProposalMisplaced
        if proposal == Proposal.REJECT and not message:
            raise ProposalReasonRequired
        approval = Approval.objects.for_municipality(case.municipality).create(
            municipality=case.municipality,
            case=case,
            step=row,
            user_id=staff.user_id,
            capacity=capacity,
            decision=Decision.APPROVE,
            comment=text,
            proposal=proposal,
            proposal_message=message,
            created_at=now,
            post_review_required=capacity == Capacity.DEPUTY,
        )
        row.status = StepStatus.APPROVED
        row.save(update_fields=["status"])
        approval_recorded.publish(ApprovalRecorded(approval=approval, kind="approval"))
        case.log_action(
            "approvals.step.approved",
            actor=staff.actor_label,
            payload={
                "step": row.step_id,
                "department": row.department.code,
                "generation": row.generation,
                "capacity": capacity,
                "approval": approval.pk,
                "has_comment": bool(text),
                "route_complete": is_complete(rows, case),
                "proposal": proposal,
            },
        )
        _timeline(case, CaseEvent.Kind.STEP_APPROVED, staff, row, now, text=text, capacity=capacity)
    return approval


def step_decide(
    *,
    staff: StaffContext,
    case: Case,
    step_id: str,
    comment: str = "",
    now: datetime | None = None,
    department: str | None = None,
    proposal: str = "",
    proposal_message: str = "",
    required: bool = False,
) -> tuple[Approval, Case | None]:
    """Stamp the route's last step and, when that completes the route, take the 決裁 at once.

    The decision is the outcome the draft proposed (承認案 → 承認, 却下案 → 却下 with the
    draft's reason), so the decider does not have to choose it again on a second form. It is
    taken only when ``staff`` may decide cases of the department (a 専決 stamp by a reviewer
    leaves the decision to an approver) and the draft recorded a proposal. Both happen in one
    transaction: if the decision is refused, the stamp is not recorded either. Return the
    approval and the decided case (None when only the stamp was recorded).

    ``proposal`` and ``proposal_message`` are :func:`step_approve`'s, for a route whose only
    step is the 決裁. With ``required`` (a caller that asked for the decision, like the staff
    API), a stamp that cannot decide is refused instead of recorded alone: NoProposalToDecide,
    or what :func:`cases.workflow.case_decide` refuses (the route not complete, a staff member
    who may not decide).
    """
    now = now or timezone.now()
    with transaction.atomic():
        approval = step_approve(
            staff=staff,
            case=case,
            step_id=step_id,
            comment=comment,
            now=now,
            department=department,
            proposal=proposal,
            proposal_message=proposal_message,
        )
        decided = None
        proposed = route_proposal(case)
        if proposed is None:
            if required:
                raise NoProposalToDecide
        elif required or (staff.can("decide", case.department_id) and route_is_complete(case)):
            # case_decide re-checks the route (case_changing) and the role under the same row lock.
            decided = workflow.case_decide(
                staff=staff,
                case=case,
                approve=proposed.proposal == Proposal.APPROVE,
                reason=proposed.proposal_message,
                now=now,
            )
    return approval, decided


def step_return(
    *,
    staff: StaffContext,
    case: Case,
    step_id: str,
    reason: str,
    now: datetime | None = None,
    department: str | None = None,
) -> Approval:
    """Return the case from step ``step_id`` (差戻し) with ``reason``, and restart its route.

    Only someone who may act on the step now may return it. The step is marked returned,
    the steps not reached are skipped, and a new generation of the route is laid out from
    its first step; the earlier approvals stay on record but no longer count.
    """
    now = now or timezone.now()
    with transaction.atomic():
        case, rows, row, capacity = _prepare(staff, case, step_id, department, now, approving=False)
        text = _text(reason, required=True)
        approval = Approval.objects.for_municipality(case.municipality).create(
            municipality=case.municipality,
            case=case,
            step=row,
            user_id=staff.user_id,
            capacity=capacity,
            decision=Decision.RETURN,
            comment=text,
            created_at=now,
            post_review_required=capacity == Capacity.DEPUTY,
        )
        row.status = StepStatus.RETURNED
        row.save(update_fields=["status"])
        approval_recorded.publish(ApprovalRecorded(approval=approval, kind="approval"))
        ApprovalStep.objects.for_municipality(case.municipality).filter(
            pk__in=[r.pk for r in rows], status=StepStatus.PENDING
        ).update(status=StepStatus.SKIPPED)
        case.log_action(
            "approvals.step.returned",
            actor=staff.actor_label,
            payload={
                "step": row.step_id,
                "department": row.department.code,
                "generation": row.generation,
                "capacity": capacity,
                "approval": approval.pk,
            },
        )
        _timeline(case, CaseEvent.Kind.STEP_RETURNED, staff, row, now, text=text, capacity=capacity)
        _lay_out(case, case_route(case), row.generation + 1, now, staff.actor_label, reason="returned")
    return approval
