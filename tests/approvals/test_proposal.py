"""The draft's proposal (承認案 / 却下案) and the decision in one step at the route's end (issue 12, item 9)."""

import pytest

from madoguchi.approvals.errors import (
    DecisionDiffersFromProposal,
    NoProposalToDecide,
    ProposalMisplaced,
    ProposalReasonRequired,
    RouteIncomplete,
)
from madoguchi.approvals.models import Approval
from madoguchi.approvals.selectors import route_status
from madoguchi.approvals.services import step_approve, step_decide
from madoguchi.audit.models import AuditEntry
from madoguchi.cases.models import CaseEvent, CaseStatus
from madoguchi.cases.workflow import case_decide


def _draft_and_review(case, shimin, now, proposal, message=""):
    step_approve(staff=shimin["clerk"], case=case, step_id="kian", now=now, proposal=proposal, proposal_message=message)
    step_approve(staff=shimin["reviewer"], case=case, step_id="shinsa", now=now)


def test_the_draft_records_its_proposal_for_the_route(inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now, proposal="approve")
    status = route_status(case=inkan_case, now=now)
    assert status.proposal == "approve"


def test_a_proposal_to_reject_needs_the_reason_for_the_applicant(inkan_case, shimin, now):
    with pytest.raises(ProposalReasonRequired):
        step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now, proposal="reject")


def test_only_the_first_step_proposes(inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now, proposal="approve")
    with pytest.raises(ProposalMisplaced):
        step_approve(
            staff=shimin["reviewer"],
            case=inkan_case,
            step_id="shinsa",
            now=now,
            proposal="reject",
            proposal_message="x",
        )


def test_the_last_stamp_takes_the_proposed_rejection_in_one_step(inkan_case, shimin, now):
    _draft_and_review(inkan_case, shimin, now, "reject", "印鑑の登録がありません。")
    _approval, decided = step_decide(staff=shimin["approver"], case=inkan_case, step_id="kessai", now=now)
    assert decided is not None and decided.status == CaseStatus.REJECTED
    inkan_case.refresh_from_db()
    assert inkan_case.status == CaseStatus.REJECTED
    decision = CaseEvent.objects.for_municipality(inkan_case.municipality).get(case=inkan_case, kind="decided")
    assert decision.message == "印鑑の登録がありません。" and decision.public
    events = list(
        AuditEntry.objects.for_municipality(inkan_case.municipality)
        .order_by("sequence")
        .values_list("event", flat=True)
    )
    assert events.index("cases.case.rejected") > len(events) - 1 - events[::-1].index("approvals.step.approved")


def test_the_last_stamp_takes_the_proposed_approval_in_one_step(inkan_case, shimin, now):
    _draft_and_review(inkan_case, shimin, now, "approve")
    _approval, decided = step_decide(staff=shimin["approver"], case=inkan_case, step_id="kessai", now=now)
    assert decided.status == CaseStatus.APPROVED


def test_without_a_proposal_the_last_stamp_only_stamps(inkan_case, shimin, now):
    _draft_and_review(inkan_case, shimin, now, "")
    _approval, decided = step_decide(staff=shimin["approver"], case=inkan_case, step_id="kessai", now=now)
    assert decided is None
    inkan_case.refresh_from_db()
    assert inkan_case.status == CaseStatus.IN_REVIEW


def test_a_decision_other_than_the_proposed_one_is_refused(inkan_case, shimin, now):
    _draft_and_review(inkan_case, shimin, now, "reject", "理由")
    step_approve(staff=shimin["approver"], case=inkan_case, step_id="kessai", now=now)
    with pytest.raises(DecisionDiffersFromProposal):
        case_decide(staff=shimin["approver"], case=inkan_case, approve=True, now=now)
    case_decide(staff=shimin["approver"], case=inkan_case, approve=False, reason="理由", now=now)


def test_deciding_before_the_route_is_complete_is_still_refused(inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now, proposal="approve")
    with pytest.raises(RouteIncomplete):
        case_decide(staff=shimin["approver"], case=inkan_case, approve=True, now=now)


def test_a_required_decision_without_a_proposal_refuses_the_stamp_too(inkan_case, shimin, now):
    _draft_and_review(inkan_case, shimin, now, "")
    with pytest.raises(NoProposalToDecide):
        step_decide(staff=shimin["approver"], case=inkan_case, step_id="kessai", now=now, required=True)
    assert Approval.objects.for_municipality(inkan_case.municipality).filter(case=inkan_case).count() == 2
    assert route_status(case=inkan_case, now=now).complete is False


def test_a_required_decision_on_an_earlier_step_refuses_the_stamp_too(inkan_case, shimin, make_staff, now):
    reviews_and_decides = make_staff("shimin-dual", ("shimin", "reviewer"), ("shimin", "approver"))
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", now=now, proposal="approve")
    with pytest.raises(RouteIncomplete):
        step_decide(staff=reviews_and_decides, case=inkan_case, step_id="shinsa", now=now, required=True)
    assert Approval.objects.for_municipality(inkan_case.municipality).filter(case=inkan_case).count() == 1
