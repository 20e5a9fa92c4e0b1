"""How approvals reacts to cases: the route is laid out when review starts, and no 決裁 is
taken before the route is complete. Registered in :class:`~madoguchi.approvals.apps.ApprovalsConfig`."""

from __future__ import annotations

from django.db.models import Q

from madoguchi.approvals.errors import DecisionDiffersFromProposal, RouteIncomplete
from madoguchi.approvals.models import Proposal
from madoguchi.approvals.selectors import route_is_complete, route_proposal
from madoguchi.approvals.services import route_start
from madoguchi.cases.events import CaseChanging, CaseStatusChanged
from madoguchi.cases.models import CaseStatus
from madoguchi.tenants.access import StaffContext

# Actions that begin the review (and so the route): starting it, or taking a new case on.
REVIEW_STARTS = frozenset({"start_review", "assign"})


def decision_waits_for_route(event: CaseChanging) -> None:
    """Refuse the decision (承認 or 却下, both the 決裁) while the route is not complete, and
    one that is not the outcome the route's draft (起案) proposed and everyone approved."""
    if event.action != "decide":
        return
    if not route_is_complete(event.case):
        raise RouteIncomplete
    proposed = route_proposal(event.case)
    if proposed is not None:
        expected = CaseStatus.APPROVED if proposed.proposal == Proposal.APPROVE else CaseStatus.REJECTED
        if event.to != expected:
            raise DecisionDiffersFromProposal


def route_on_review_start(event: CaseStatusChanged) -> None:
    if event.action in REVIEW_STARTS and event.status == CaseStatus.IN_REVIEW:
        route_start(case=event.case, staff=event.staff, now=event.now)


def consulted_departments(staff: StaffContext) -> Q | None:
    """Cases whose approval route consults one of the staff member's departments (合議)."""
    if not staff.department_ids:
        return None
    return Q(approval_steps__department_id__in=staff.department_ids)
