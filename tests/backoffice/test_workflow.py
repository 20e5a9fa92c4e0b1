"""The staff actions on a case (cases.workflow): who may take them, from which status, and
what each leaves behind — a CaseEvent on the timeline and an entry in the audit chain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.backoffice.casework import (
    INKAN,
    complete_route,
    staff,
    submit_inkan,
    submit_jido_teate,
    submit_sodai_gomi,
    user,
)
from tests.samples import pdf_bytes

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases import reading, workflow
from madoguchi.cases.actions import case_available_actions
from madoguchi.cases.errors import IllegalTransition, InvalidAssignee, MessageRequired
from madoguchi.cases.models import AnswerVersion, Case, CaseEvent, CaseStatus
from madoguchi.core.errors import NotFound
from madoguchi.tenants.access import ActionNotAllowed
from madoguchi.tenants.models import Role

S = CaseStatus


@pytest.fixture
def clerk(aoba):
    return staff("aoba-clerk")


@pytest.fixture
def approver(aoba):
    return staff("aoba-approver")


@pytest.fixture
def case(aoba, version_of, now):
    return submit_inkan(aoba, version_of, now=now)


def audit_events(case) -> list[str]:
    return list(
        AuditEntry.objects.for_municipality(case.municipality)
        .filter(object_id=case.receipt_number)
        .exclude(event="cases.case.submitted")
        .order_by("sequence")
        .values_list("event", flat=True)
    )


def events(case) -> list[CaseEvent]:
    return list(CaseEvent.objects.for_municipality(case.municipality).filter(case=case))


def reload(case) -> Case:
    return Case.objects.for_municipality(case.municipality).get(pk=case.pk)


def case_in(status, *, case, clerk, approver, now):
    """Bring ``case`` to ``status`` through the services."""
    if status == S.SUBMITTED:
        return case
    if status == S.CORRECTION_REQUESTED:
        return workflow.case_request_correction(staff=clerk, case=case, message="住所を確認してください。", now=now)
    if status == S.WITHDRAWN:
        return workflow.case_withdraw(staff=clerk, case=case, now=now)
    case = workflow.case_start_review(staff=clerk, case=case, now=now)
    if status == S.IN_REVIEW:
        return case
    complete_route(case, now=now)
    case = workflow.case_decide(staff=approver, case=case, approve=status != S.REJECTED, reason="要件外", now=now)
    if status in {S.APPROVED, S.REJECTED}:
        return case
    return workflow.case_complete(staff=clerk, case=case, now=now)


PERFORM = {
    "start_review": lambda staff, case, now: workflow.case_start_review(staff=staff, case=case, now=now),
    "request_correction": lambda staff, case, now: workflow.case_request_correction(
        staff=staff, case=case, message="添付書類を追加してください。", now=now
    ),
    "decide": lambda staff, case, now: workflow.case_decide(staff=staff, case=case, approve=True, now=now),
    "complete": lambda staff, case, now: workflow.case_complete(staff=staff, case=case, now=now),
    "withdraw": lambda staff, case, now: workflow.case_withdraw(staff=staff, case=case, now=now),
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", sorted(PERFORM))
def test_each_transition_is_allowed_exactly_from_its_statuses(action, status, case, clerk, approver, now):
    case = case_in(status, case=case, clerk=clerk, approver=approver, now=now)
    if action == "decide" and status == S.IN_REVIEW:
        complete_route(case, now=now)
    if status in workflow.TRANSITIONS[action]["from"]:
        changed = PERFORM[action](approver, case, now)
        assert changed.status in workflow.TRANSITIONS[action]["to"]
        assert reload(case).status == changed.status
    else:
        with pytest.raises(IllegalTransition) as raised:
            PERFORM[action](approver, case, now)
        assert raised.value.case_status == status
        assert reload(case).status == status


def test_case_start_review_records_the_change_on_the_timeline_and_in_the_audit_log(case, clerk, now):
    workflow.case_start_review(staff=clerk, case=case, now=now)
    [event] = events(case)
    assert (event.kind, event.public, event.actor_label) == (CaseEvent.Kind.STATUS_CHANGED, False, "aoba-clerk")
    assert event.data == {"from": "submitted", "to": "in_review"}
    # The 印鑑登録証明書 route is laid out in the same transaction, by the same staff member.
    assert audit_events(case) == ["cases.case.in_review", "approvals.route.started"]
    entries = AuditEntry.objects.for_municipality(case.municipality).order_by("-sequence")[:2]
    assert {entry.actor for entry in entries} == {"staff:aoba-clerk"}


def test_case_decide_on_a_submitted_case_is_an_illegal_transition(case, approver, now):
    with pytest.raises(IllegalTransition):
        workflow.case_decide(staff=approver, case=case, approve=True, now=now)
    assert reload(case).status == S.SUBMITTED
    assert events(case) == [] and audit_events(case) == []


def test_case_decide_by_a_clerk_is_not_allowed(case, clerk, now):
    workflow.case_start_review(staff=clerk, case=case, now=now)
    with pytest.raises(ActionNotAllowed):
        workflow.case_decide(staff=clerk, case=case, approve=True, now=now)
    assert reload(case).status == S.IN_REVIEW


def test_case_decide_reject_without_a_reason_raises_message_required(case, clerk, approver, now):
    workflow.case_start_review(staff=clerk, case=case, now=now)
    complete_route(case, now=now)
    with pytest.raises(MessageRequired):
        workflow.case_decide(staff=approver, case=case, approve=False, reason="   ", now=now)
    assert reload(case).status == S.IN_REVIEW
    assert "cases.case.rejected" not in audit_events(case)


@pytest.mark.parametrize(("approve", "status"), [(True, S.APPROVED), (False, S.REJECTED)])
def test_case_decide_records_a_public_decision(case, clerk, approver, now, approve, status):
    workflow.case_start_review(staff=clerk, case=case, now=now)
    complete_route(case, now=now)
    decided = workflow.case_decide(
        staff=approver, case=case, approve=approve, reason=" 所得制限を超えています。 ", now=now
    )
    assert decided.status == status and decided.closed_at is None
    event = events(case)[-1]
    assert (event.kind, event.public, event.message) == (CaseEvent.Kind.DECIDED, True, "所得制限を超えています。")
    assert event.actor_label == "aoba-approver"
    assert audit_events(case)[-1] == f"cases.case.{status}"


def test_an_admin_may_decide_in_every_department(aoba, version_of, now):
    admin = staff("aoba-admin")
    case = submit_sodai_gomi(aoba, version_of, now=now)
    workflow.case_start_review(staff=admin, case=case, now=now)
    assert workflow.case_decide(staff=admin, case=case, approve=True, now=now).status == S.APPROVED


def test_case_request_correction_needs_a_message_shown_to_the_resident(case, clerk, now):
    with pytest.raises(MessageRequired):
        workflow.case_request_correction(staff=clerk, case=case, message="", now=now)
    workflow.case_request_correction(staff=clerk, case=case, message="生年月日を確認してください。", now=now)
    [event] = events(case)
    assert (event.kind, event.public) == (CaseEvent.Kind.CORRECTION_REQUESTED, True)
    assert event.message == "生年月日を確認してください。"
    assert reload(case).status == S.CORRECTION_REQUESTED
    assert audit_events(case) == ["cases.case.correction_requested"]


def test_a_correction_keeps_the_receipt_number_and_every_earlier_answer(case, clerk, now):
    receipt = case.receipt_number
    workflow.case_request_correction(staff=clerk, case=case, message="電話番号を確認してください。", now=now)
    corrected = workflow.case_correct(case=reload(case), answers={**INKAN, "phone": "029-200-9999"}, now=now)
    assert corrected.receipt_number == receipt
    assert corrected.status == S.IN_REVIEW
    assert corrected.answers_version == 2
    assert reload(case).answers["phone"] == "029-200-9999"
    [version] = AnswerVersion.objects.for_municipality(case.municipality).filter(case=case)
    assert (version.number, version.created_by) == (1, "resident")
    assert version.answers["phone"] == "029-200-1234"
    event = events(case)[-1]
    assert (event.kind, event.public, event.actor_label) == (CaseEvent.Kind.CORRECTED, True, "resident")
    assert event.data == {"from": "correction_requested", "to": "in_review", "version": 2, "changed": ["phone"]}
    assert audit_events(case) == ["cases.case.correction_requested", "cases.case.corrected"]


def test_case_correct_without_a_correction_request_is_an_illegal_transition(case, now):
    with pytest.raises(IllegalTransition):
        workflow.case_correct(case=case, answers=INKAN, now=now)
    assert AnswerVersion.objects.for_municipality(case.municipality).count() == 0


@pytest.mark.parametrize("approve", [True, False])
def test_case_complete_after_a_decision_closes_the_case(case, clerk, approver, now, approve):
    workflow.case_start_review(staff=clerk, case=case, now=now)
    complete_route(case, now=now)
    workflow.case_decide(staff=approver, case=case, approve=approve, reason="理由", now=now)
    later = now + timedelta(days=2)
    completed = workflow.case_complete(staff=clerk, case=case, now=later)
    assert completed.status == S.COMPLETED
    assert reload(case).closed_at == later
    assert audit_events(case)[-1] == "cases.case.completed"


def test_case_complete_before_a_decision_is_an_illegal_transition(case, clerk, now):
    workflow.case_start_review(staff=clerk, case=case, now=now)
    with pytest.raises(IllegalTransition):
        workflow.case_complete(staff=clerk, case=case, now=now)


def test_case_withdraw_closes_the_case_and_sets_closed_at(case, clerk, now):
    withdrawn = workflow.case_withdraw(staff=clerk, case=case, message="電話で取下げの申出", now=now)
    assert withdrawn.status == S.WITHDRAWN
    assert reload(case).closed_at == now
    [event] = events(case)
    assert (event.public, event.message) == (True, "電話で取下げの申出")
    assert audit_events(case) == ["cases.case.withdrawn"]


def test_case_assign_to_oneself_starts_the_review(case, clerk, now):
    workflow.case_assign(staff=clerk, case=case, assignee_id=clerk.user_id, now=now)
    case = reload(case)
    assert case.assignee_id == clerk.user_id
    assert case.status == S.IN_REVIEW
    [event] = events(case)
    assert event.kind == CaseEvent.Kind.ASSIGNED
    assert event.data == {"assignee": "aoba-clerk", "from": "submitted", "to": "in_review"}
    assert audit_events(case) == ["cases.case.assigned", "approvals.route.started"]


def test_case_assign_to_a_colleague_and_back_to_nobody(aoba, case, clerk, now):
    reviewer = user("aoba-reviewer")
    workflow.case_start_review(staff=clerk, case=case, now=now)
    workflow.case_assign(staff=clerk, case=case, assignee_id=reviewer.pk, now=now)
    assert reload(case).assignee == reviewer
    workflow.case_assign(staff=clerk, case=case, assignee_id=None, now=now)
    assert reload(case).assignee is None
    assert [e.data for e in events(case)[1:]] == [{"assignee": "aoba-reviewer"}, {"assignee": ""}]
    assert audit_events(case) == [
        "cases.case.in_review",
        "approvals.route.started",
        "cases.case.assigned",
        "cases.case.assigned",
    ]


@pytest.mark.parametrize("who", ["other department", "other municipality", "unknown user"])
def test_case_assign_to_someone_who_is_not_staff_of_the_department_is_refused(
    aoba, case, clerk, now, staff_member, who
):
    if who == "other department":
        assignee_id = staff_member("aoba-kankyo", aoba, department="kankyo").pk
    elif who == "other municipality":
        assignee_id = user("minatogawa-admin").pk
    else:
        assignee_id = 999_999
    with pytest.raises(InvalidAssignee):
        workflow.case_assign(staff=clerk, case=case, assignee_id=assignee_id, now=now)
    assert reload(case).assignee is None and events(case) == []


def test_case_comment_is_internal_and_needs_a_message(case, clerk, now):
    with pytest.raises(MessageRequired):
        workflow.case_comment(staff=clerk, case=case, message=" \n ", now=now)
    event = workflow.case_comment(staff=clerk, case=case, message="本人確認済み", now=now)
    assert (event.kind, event.public, event.message) == (CaseEvent.Kind.COMMENTED, False, "本人確認済み")
    assert reload(case).status == S.SUBMITTED
    assert audit_events(case) == ["cases.case.commented"]


ALL_ACTIONS = {
    **PERFORM,
    "assign": lambda staff, case, now: workflow.case_assign(staff=staff, case=case, assignee_id=None, now=now),
    "comment": lambda staff, case, now: workflow.case_comment(staff=staff, case=case, message="メモ", now=now),
}


@pytest.mark.parametrize("action", sorted(ALL_ACTIONS))
def test_staff_of_other_departments_may_not_act_on_a_case(aoba, version_of, clerk, now, action):
    kankyo_case = submit_sodai_gomi(aoba, version_of, now=now)
    with pytest.raises(ActionNotAllowed):
        ALL_ACTIONS[action](clerk, kankyo_case, now)
    assert events(kankyo_case) == [] and audit_events(kankyo_case) == []


@pytest.mark.parametrize("action", sorted(ALL_ACTIONS))
def test_staff_of_another_municipality_may_not_act_on_a_case(minatogawa, case, now, action):
    other = staff("minatogawa-admin")
    with pytest.raises(ActionNotAllowed):
        ALL_ACTIONS[action](other, case, now)
    assert events(case) == [] and audit_events(case) == []


def test_the_audit_chain_stays_intact_through_a_whole_case(aoba, case, clerk, approver, now):
    workflow.case_assign(staff=clerk, case=case, assignee_id=clerk.user_id, now=now)
    workflow.case_request_correction(staff=clerk, case=case, message="補正してください", now=now)
    workflow.case_correct(case=reload(case), answers=INKAN, now=now)
    workflow.case_comment(staff=clerk, case=case, message="確認", now=now)
    complete_route(case, now=now)
    workflow.case_decide(staff=approver, case=case, approve=True, now=now)
    workflow.case_complete(staff=clerk, case=case, now=now)
    assert audit_events(case) == [
        "cases.case.assigned",
        "approvals.route.started",
        "cases.case.correction_requested",
        "cases.case.corrected",
        "cases.case.commented",
        # The correction changed the answers, so the first stamp lays out a fresh generation.
        "approvals.route.started",
        "approvals.step.approved",
        "approvals.step.approved",
        "approvals.step.approved",
        "cases.case.approved",
        "cases.case.completed",
    ]
    assert len(events(case)) == 9
    assert audit_verify(municipality=aoba) is None


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (Role.CLERK, S.SUBMITTED, ["assign", "comment", "start_review", "request_correction", "withdraw"]),
        (Role.CLERK, S.IN_REVIEW, ["assign", "comment", "request_correction", "withdraw"]),
        (Role.APPROVER, S.IN_REVIEW, ["assign", "comment", "request_correction", "approve", "reject", "withdraw"]),
        (Role.CLERK, S.APPROVED, ["assign", "comment", "complete"]),
        (Role.CLERK, S.COMPLETED, ["assign", "comment"]),
    ],
)
def test_case_available_actions_follow_roles_and_status(aoba, case, clerk, approver, now, role, status, expected):
    case = case_in(status, case=case, clerk=clerk, approver=approver, now=now)
    available = case_available_actions(staff=staff(f"aoba-{role}"), case=case)
    # The fee's actions (payments.actions) follow the payment, not the status: tests/payments.
    assert [name for name in available if not name.startswith("payment_")] == expected


def test_case_available_actions_are_none_on_a_case_of_another_department(aoba, version_of, clerk, now):
    kankyo_case = submit_sodai_gomi(aoba, version_of, now=now)
    assert case_available_actions(staff=clerk, case=kankyo_case) == []


def test_case_view_is_audited(case, clerk):
    reading.case_view(staff=clerk, case=case)
    assert audit_events(case) == ["backoffice.case.viewed"]


def test_case_view_of_a_case_of_another_department_is_not_allowed(aoba, version_of, clerk, now):
    kankyo_case = submit_sodai_gomi(aoba, version_of, now=now)
    with pytest.raises(ActionNotAllowed):
        reading.case_view(staff=clerk, case=kankyo_case)
    assert audit_events(kankyo_case) == []


@pytest.mark.parametrize(
    ("disposition", "event", "as_attachment"),
    [("inline", "backoffice.attachment.viewed", False), ("attachment", "backoffice.attachment.downloaded", True)],
)
def test_attachment_open_returns_the_file_and_audits(aoba, version_of, clerk, now, disposition, event, as_attachment):
    content = pdf_bytes("jido teate")
    case = submit_jido_teate(aoba, version_of, now=now, content=content)
    [attachment] = case.attachments.model.objects.for_municipality(aoba).filter(case=case)
    opened = reading.attachment_open(staff=clerk, case=case, attachment_id=attachment.pk, disposition=disposition)
    with opened.file:
        assert opened.file.read() == content
    assert opened.attachment == attachment and opened.as_attachment is as_attachment
    assert audit_events(case) == [event]
    entry = AuditEntry.objects.for_municipality(aoba).order_by("-sequence").first()
    assert entry.payload == {"attachment": attachment.pk, "sha256": attachment.sha256}


def test_attachment_open_of_another_cases_attachment_is_not_found(aoba, version_of, clerk, case, now):
    other = submit_jido_teate(aoba, version_of, now=now)
    [attachment] = other.attachments.model.objects.for_municipality(aoba).filter(case=other)
    with pytest.raises(NotFound):
        reading.attachment_open(staff=clerk, case=case, attachment_id=attachment.pk, disposition="inline")
    assert audit_events(case) == [] and audit_events(other) == []


def test_attachment_open_by_staff_of_another_municipality_is_not_found(aoba, minatogawa, version_of, now):
    case = submit_jido_teate(aoba, version_of, now=now)
    [attachment] = case.attachments.model.objects.for_municipality(aoba).filter(case=case)
    other = staff("minatogawa-admin")
    with pytest.raises(NotFound):
        reading.attachment_open(staff=other, case=case, attachment_id=attachment.pk, disposition="attachment")
    assert audit_events(case) == []
