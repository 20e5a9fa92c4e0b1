"""Approval services: every transition and every route shape (起案 → 審査 → 決裁, 合議, 代決 with 後閲,
専決, 差戻し), the completion check ``case_decide`` relies on, audit entries and tenancy."""

from datetime import date, timedelta

import pytest
from tests.approvals.conftest import user_of
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident

from madoguchi.approvals.absences import absence_register
from madoguchi.approvals.errors import (
    AbsenceInvalid,
    AlreadyPostReviewed,
    ApprovalNotAllowed,
    CaseNotInReview,
    ReasonRequired,
    StaffNotFound,
    StepAlreadyDone,
    StepNotFound,
    StepOutOfOrder,
)
from madoguchi.approvals.models import Approval, ApprovalStep, Capacity, Decision, StepStatus
from madoguchi.approvals.post_reviews import post_review
from madoguchi.approvals.selectors import pending_post_reviews, route_is_complete
from madoguchi.approvals.services import (
    route_start,
    step_approve,
    step_return,
)
from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases.models import CaseStatus
from madoguchi.cases.workflow import case_correct, case_request_correction, case_start_review
from madoguchi.procedures.services import procedure_load_definition

TODAY = date(2026, 6, 15)


def steps(case, generation=None):
    rows = ApprovalStep.objects.for_municipality(case.municipality).filter(case=case)
    if generation is not None:
        rows = rows.filter(generation=generation)
    return [(r.generation, r.step_id, r.department.code, r.status) for r in rows.select_related("department")]


def approve_chain(case, people, now, *, upto="kessai"):
    """Approve 起案 and 審査 (and 決裁 unless ``upto`` says otherwise) with the usual roles."""
    for step_id, who in (("kian", "clerk"), ("shinsa", "reviewer"), ("kessai", "approver")):
        step_approve(staff=people[who], case=case, step_id=step_id, comment="", now=now)
        if step_id == upto:
            return


def audit_events(municipality):
    entries = AuditEntry.objects.for_municipality(municipality).filter(event__startswith="approvals.")
    return list(entries.order_by("sequence").values_list("event", "actor"))


# --- route_start -----------------------------------------------------------------------------


def test_route_start_lays_out_one_pending_step_per_route_step(inkan_case):
    assert steps(inkan_case) == [
        (1, "kian", "shimin", "pending"),
        (1, "shinsa", "shimin", "pending"),
        (1, "kessai", "shimin", "pending"),
    ]


def test_route_start_is_idempotent(inkan_case, now):
    before = list(ApprovalStep.objects.for_municipality(inkan_case.municipality).values_list("pk", flat=True))
    route_start(case=inkan_case, now=now)
    after = list(ApprovalStep.objects.for_municipality(inkan_case.municipality).values_list("pk", flat=True))
    assert before == after
    assert [e for e, _a in audit_events(inkan_case.municipality)] == ["approvals.route.started"]


def test_a_consultation_step_is_laid_out_once_per_consulted_department(jido_case):
    assert [(s, d) for _g, s, d, _st in steps(jido_case)] == [
        ("kian", "kosodate"),
        ("shinsa", "kosodate"),
        ("aigi", "zeimu"),
        ("aigi", "hoken"),
        ("kessai", "kosodate"),
    ]


def test_the_route_cannot_start_before_review(aoba, version_of, now, shimin):
    case = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="not-yet",
        now=now,
    ).case
    with pytest.raises(CaseNotInReview):
        route_start(case=case, now=now)
    with pytest.raises(CaseNotInReview):
        step_approve(staff=shimin["clerk"], case=case, step_id="kian", comment="", now=now)


def test_the_first_approval_lays_out_a_route_that_was_not_started(aoba, version_of, now, admin, shimin):
    case = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="lazy",
        now=now,
    ).case
    case = case_start_review(staff=admin, case=case, now=now)
    step_approve(staff=shimin["clerk"], case=case, step_id="kian", comment="", now=now)
    assert [st for _g, _s, _d, st in steps(case)] == ["approved", "pending", "pending"]


# --- sequential steps ------------------------------------------------------------------------


def test_a_three_step_route_is_approved_in_order_and_completes_with_the_last_step(inkan_case, shimin, now):
    completed = []
    for step_id, who in (("kian", "clerk"), ("shinsa", "reviewer"), ("kessai", "approver")):
        assert not route_is_complete(inkan_case)
        step_approve(staff=shimin[who], case=inkan_case, step_id=step_id, comment=f"{step_id} ok", now=now)
        completed.append(route_is_complete(inkan_case))
    assert completed == [False, False, True]
    records = Approval.objects.for_municipality(inkan_case.municipality).filter(case=inkan_case).order_by("id")
    assert [(a.step.step_id, a.user_id, a.capacity, a.decision, a.comment, a.created_at) for a in records] == [
        ("kian", shimin["clerk"].user_id, Capacity.REGULAR, Decision.APPROVE, "kian ok", now),
        ("shinsa", shimin["reviewer"].user_id, Capacity.REGULAR, Decision.APPROVE, "shinsa ok", now),
        ("kessai", shimin["approver"].user_id, Capacity.REGULAR, Decision.APPROVE, "kessai ok", now),
    ]
    assert not any(a.post_review_required for a in records)


def test_a_step_cannot_be_approved_before_the_previous_one(inkan_case, shimin, now):
    with pytest.raises(StepOutOfOrder):
        step_approve(staff=shimin["approver"], case=inkan_case, step_id="kessai", comment="", now=now)
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="", now=now)
    with pytest.raises(StepOutOfOrder):
        step_approve(staff=shimin["approver"], case=inkan_case, step_id="kessai", comment="", now=now)
    assert Approval.objects.for_municipality(inkan_case.municipality).count() == 1


def test_an_approved_step_cannot_be_approved_again(inkan_case, shimin, make_staff, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="", now=now)
    other_clerk = make_staff("shimin-tanto2", ("shimin", "clerk"))
    with pytest.raises(StepAlreadyDone):
        step_approve(staff=other_clerk, case=inkan_case, step_id="kian", comment="", now=now)


def test_a_staff_member_without_the_steps_role_is_refused(inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="", now=now)
    with pytest.raises(ApprovalNotAllowed) as excinfo:
        step_approve(staff=shimin["clerk"], case=inkan_case, step_id="shinsa", comment="", now=now)
    assert excinfo.value.code == "role"


def test_the_steps_role_in_an_unrelated_department_does_not_find_the_step(inkan_case, shimin, make_staff, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="", now=now)
    zeimu_reviewer = make_staff("zeimu-shinsa", ("zeimu", "reviewer"))
    with pytest.raises(StepNotFound):
        step_approve(staff=zeimu_reviewer, case=inkan_case, step_id="shinsa", comment="", now=now)


def test_a_role_held_for_all_departments_may_act_on_any_departments_step(inkan_case, shimin, make_staff, now):
    deputy_mayor = make_staff("fukushicho", (None, "approver"))
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    approval = step_approve(staff=deputy_mayor, case=inkan_case, step_id="kessai", comment="", now=now)
    assert approval.capacity == Capacity.REGULAR
    assert route_is_complete(inkan_case)


def test_one_person_cannot_approve_two_steps_of_a_route(inkan_case, make_staff, now):
    both = make_staff("shimin-kakaricho", ("shimin", "clerk"), ("shimin", "reviewer"))
    step_approve(staff=both, case=inkan_case, step_id="kian", comment="", now=now)
    with pytest.raises(ApprovalNotAllowed) as excinfo:
        step_approve(staff=both, case=inkan_case, step_id="shinsa", comment="", now=now)
    assert excinfo.value.code == "one_seal_per_route"


def test_an_unknown_step_is_not_found(inkan_case, shimin, now):
    with pytest.raises(StepNotFound):
        step_approve(staff=shimin["clerk"], case=inkan_case, step_id="nonexistent", comment="", now=now)


# --- 合議 ------------------------------------------------------------------------------------


def test_a_consultation_needs_every_consulted_department(jido_case, kosodate, now):
    approve_chain(jido_case, kosodate, now, upto="shinsa")
    step_approve(staff=kosodate["zeimu"], case=jido_case, step_id="aigi", comment="所得確認済み", now=now)
    with pytest.raises(StepOutOfOrder):
        step_approve(staff=kosodate["approver"], case=jido_case, step_id="kessai", comment="", now=now)
    step_approve(staff=kosodate["hoken"], case=jido_case, step_id="aigi", comment="", now=now)
    step_approve(staff=kosodate["approver"], case=jido_case, step_id="kessai", comment="", now=now)
    assert route_is_complete(jido_case)


def test_consulted_departments_may_agree_in_any_order(jido_case, kosodate, now):
    approve_chain(jido_case, kosodate, now, upto="shinsa")
    step_approve(staff=kosodate["hoken"], case=jido_case, step_id="aigi", comment="", now=now)
    step_approve(staff=kosodate["zeimu"], case=jido_case, step_id="aigi", comment="", now=now)
    assert [(s, d, st) for _g, s, d, st in steps(jido_case) if s == "aigi"] == [
        ("aigi", "zeimu", "approved"),
        ("aigi", "hoken", "approved"),
    ]


def test_a_consultation_cannot_start_before_the_review(jido_case, kosodate, now):
    step_approve(staff=kosodate["clerk"], case=jido_case, step_id="kian", comment="", now=now)
    with pytest.raises(StepOutOfOrder):
        step_approve(staff=kosodate["zeimu"], case=jido_case, step_id="aigi", comment="", now=now)


def test_a_reviewer_of_the_cases_own_department_cannot_agree_for_a_consulted_one(jido_case, kosodate, make_staff, now):
    approve_chain(jido_case, kosodate, now, upto="shinsa")
    another = make_staff("kosodate-shinsa2", ("kosodate", "reviewer"))
    with pytest.raises(ApprovalNotAllowed):
        step_approve(staff=another, case=jido_case, step_id="aigi", comment="", now=now)


def test_an_all_departments_reviewer_agrees_for_one_department_only(jido_case, kosodate, make_staff, now):
    approve_chain(jido_case, kosodate, now, upto="shinsa")
    general = make_staff("somu-shinsa", (None, "reviewer"))
    approval = step_approve(staff=general, case=jido_case, step_id="aigi", comment="", now=now, department="hoken")
    assert approval.step.department.code == "hoken"
    with pytest.raises(ApprovalNotAllowed) as excinfo:
        step_approve(staff=general, case=jido_case, step_id="aigi", comment="", now=now, department="zeimu")
    assert excinfo.value.code == "one_seal_per_route"


# --- 代決 and 後閲 -----------------------------------------------------------------------------


def test_an_absent_approver_is_stood_in_for_by_a_reviewer_as_deputy(inkan_case, shimin, away, now):
    away("shimin")
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    approval = step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="代決", now=now)
    assert approval.capacity == Capacity.DEPUTY
    assert approval.post_review_required
    assert approval.post_reviewed_at is None
    assert route_is_complete(inkan_case)


def test_the_absent_approver_reviews_a_deputy_decision_afterwards(inkan_case, shimin, away, now):
    away("shimin")
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    approval = step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)
    assert pending_post_reviews(staff=shimin["approver"]) == [approval]
    later = now + timedelta(days=1)
    reviewed = post_review(staff=shimin["approver"], approval_id=approval.pk, comment="確認しました", now=later)
    assert (reviewed.post_reviewed_by_id, reviewed.post_reviewed_at) == (shimin["approver"].user_id, later)
    assert reviewed.post_review_comment == "確認しました"
    assert pending_post_reviews(staff=shimin["approver"]) == []
    with pytest.raises(AlreadyPostReviewed):
        post_review(staff=shimin["approver"], approval_id=approval.pk, comment="", now=later)


def test_only_a_holder_of_the_stood_in_role_may_review_afterwards(inkan_case, shimin, away, now):
    away("shimin")
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    approval = step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)
    for who in ("reviewer2", "reviewer"):
        with pytest.raises(StepNotFound):
            post_review(staff=shimin[who], approval_id=approval.pk, comment="", now=now)


def test_a_regular_approval_needs_no_review_afterwards(inkan_case, shimin, now):
    approve_chain(inkan_case, shimin, now)
    approval = Approval.objects.for_municipality(inkan_case.municipality).get(step__step_id="kessai")
    with pytest.raises(StepNotFound):
        post_review(staff=shimin["approver"], approval_id=approval.pk, comment="", now=now)


def test_no_deputy_decision_while_an_approver_is_present(inkan_case, shimin, now):
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    with pytest.raises(ApprovalNotAllowed):
        step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)


def test_no_deputy_decision_while_one_of_several_approvers_is_present(inkan_case, shimin, make_staff, now):
    make_staff("fukushicho", (None, "approver"))  # present; so are the demo approvers
    absence_register(staff=shimin["approver"], user=user_of(shimin["approver"]), start=TODAY, end=TODAY, now=now)
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    with pytest.raises(ApprovalNotAllowed):
        step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)


def test_an_absence_that_does_not_cover_today_allows_no_deputy(inkan_case, shimin, now):
    tomorrow = TODAY + timedelta(days=1)
    absence_register(staff=shimin["approver"], user=user_of(shimin["approver"]), start=tomorrow, end=tomorrow, now=now)
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    with pytest.raises(ApprovalNotAllowed):
        step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)


def test_a_named_deputy_is_the_only_one_who_may_stand_in(inkan_case, shimin, make_staff, away, now):
    deputy = make_staff("zeimu-kacho", ("zeimu", "approver"))  # another department's approver, named
    away("shimin", deputy=user_of(deputy))
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    with pytest.raises(ApprovalNotAllowed):
        step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)
    approval = step_approve(staff=deputy, case=inkan_case, step_id="kessai", comment="", now=now)
    assert approval.capacity == Capacity.DEPUTY


def test_staff_register_their_own_absence_and_only_an_administrator_anyones(shimin, admin, now):
    with pytest.raises(ApprovalNotAllowed):
        absence_register(staff=shimin["reviewer"], user=user_of(shimin["approver"]), start=TODAY, end=TODAY, now=now)
    absence = absence_register(staff=admin, user=user_of(shimin["approver"]), start=TODAY, end=TODAY, now=now)
    assert (absence.user_id, absence.created_by_id) == (shimin["approver"].user_id, admin.user_id)


def test_an_absence_must_end_after_it_starts_and_not_in_the_past(shimin, now):
    approver = shimin["approver"]
    with pytest.raises(AbsenceInvalid):
        absence_register(staff=approver, user=user_of(approver), start=TODAY, end=TODAY - timedelta(1), now=now)
    with pytest.raises(AbsenceInvalid):
        absence_register(
            staff=approver, user=user_of(approver), start=TODAY - timedelta(5), end=TODAY - timedelta(1), now=now
        )
    with pytest.raises(AbsenceInvalid):
        absence_register(
            staff=approver, user=user_of(approver), start=TODAY, end=TODAY, deputy=user_of(approver), now=now
        )


# --- 専決 ------------------------------------------------------------------------------------


def test_below_the_threshold_a_reviewer_decides_as_delegated(doro_case, doboku, now):
    case = doro_case(999_999)
    approve_chain(case, doboku, now, upto="shinsa")
    approval = step_approve(staff=doboku["reviewer2"], case=case, step_id="kessai", comment="専決", now=now)
    assert approval.capacity == Capacity.DELEGATED
    assert not approval.post_review_required
    assert route_is_complete(case)


def test_at_the_threshold_a_reviewer_may_not_decide(doro_case, doboku, now):
    case = doro_case(1_000_000)
    approve_chain(case, doboku, now, upto="shinsa")
    with pytest.raises(ApprovalNotAllowed):
        step_approve(staff=doboku["reviewer2"], case=case, step_id="kessai", comment="", now=now)
    approval = step_approve(staff=doboku["approver"], case=case, step_id="kessai", comment="", now=now)
    assert approval.capacity == Capacity.REGULAR


def test_an_unknown_amount_is_never_decided_under_delegation(doro_case, doboku, now):
    case = doro_case(None)
    approve_chain(case, doboku, now, upto="shinsa")
    with pytest.raises(ApprovalNotAllowed):
        step_approve(staff=doboku["reviewer2"], case=case, step_id="kessai", comment="", now=now)


def test_the_approver_still_decides_below_the_threshold_in_their_own_right(doro_case, doboku, now):
    case = doro_case(10_000)
    approve_chain(case, doboku, now)
    approval = Approval.objects.for_municipality(case.municipality).get(case=case, step__step_id="kessai")
    assert approval.capacity == Capacity.REGULAR


def test_delegation_comes_before_deputy_when_the_approver_is_absent(doro_case, doboku, away, now):
    away("doboku")
    case = doro_case(50_000)
    approve_chain(case, doboku, now, upto="shinsa")
    approval = step_approve(staff=doboku["reviewer2"], case=case, step_id="kessai", comment="", now=now)
    assert (approval.capacity, approval.post_review_required) == (Capacity.DELEGATED, False)


# --- 差戻し ----------------------------------------------------------------------------------


def test_a_return_needs_a_reason(inkan_case, shimin, now):
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    with pytest.raises(ReasonRequired):
        step_return(staff=shimin["approver"], case=inkan_case, step_id="kessai", reason="  ", now=now)
    assert Approval.objects.for_municipality(inkan_case.municipality).filter(decision=Decision.RETURN).count() == 0
    assert {g for g, *_ in steps(inkan_case)} == {1}


def test_a_return_records_the_reason_and_restarts_the_route_from_its_first_step(inkan_case, shimin, now):
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    returned = step_return(
        staff=shimin["approver"], case=inkan_case, step_id="kessai", reason="使用目的を確認してください", now=now
    )
    assert (returned.decision, returned.comment, returned.capacity) == (
        Decision.RETURN,
        "使用目的を確認してください",
        Capacity.REGULAR,
    )
    assert steps(inkan_case, 1) == [
        (1, "kian", "shimin", StepStatus.APPROVED),
        (1, "shinsa", "shimin", StepStatus.APPROVED),
        (1, "kessai", "shimin", StepStatus.RETURNED),
    ]
    assert [st for *_rest, st in steps(inkan_case, 2)] == ["pending"] * 3
    assert not route_is_complete(inkan_case)
    with pytest.raises(StepOutOfOrder):
        step_approve(staff=shimin["approver"], case=inkan_case, step_id="kessai", comment="", now=now)
    approve_chain(inkan_case, shimin, now)  # the same people approve the new round
    assert route_is_complete(inkan_case)


def test_a_return_skips_the_steps_not_reached(inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="", now=now)
    step_return(staff=shimin["reviewer"], case=inkan_case, step_id="shinsa", reason="添付不足", now=now)
    assert [st for *_rest, st in steps(inkan_case, 1)] == ["approved", "returned", "skipped"]


def test_only_someone_who_may_act_on_the_step_may_return_it(inkan_case, shimin, now):
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="", now=now)
    with pytest.raises(ApprovalNotAllowed):
        step_return(staff=shimin["approver"], case=inkan_case, step_id="shinsa", reason="x", now=now)
    with pytest.raises(StepOutOfOrder):
        step_return(staff=shimin["approver"], case=inkan_case, step_id="kessai", reason="x", now=now)


def test_a_consulted_department_may_return_the_case(jido_case, kosodate, now):
    approve_chain(jido_case, kosodate, now, upto="shinsa")
    step_approve(staff=kosodate["zeimu"], case=jido_case, step_id="aigi", comment="", now=now)
    step_return(staff=kosodate["hoken"], case=jido_case, step_id="aigi", reason="保険資格が確認できません", now=now)
    assert [(s, d, st) for _g, s, d, st in steps(jido_case, 1)][2:] == [
        ("aigi", "zeimu", "approved"),
        ("aigi", "hoken", "returned"),
        ("kessai", "kosodate", "skipped"),
    ]


# --- completion --------------------------------------------------------------------------------


@pytest.fixture
def routeless_case(aoba, version_of, now, in_review):
    version = version_of(aoba, "inkan-certificate")
    definition = {k: v for k, v in version.definition.items() if k != "approval_route"}
    procedure_load_definition(municipality=aoba, definition=definition)
    result = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="routeless",
        now=now,
    )
    return in_review(result.case)


def test_a_procedure_without_a_route_is_always_complete(routeless_case, now):
    assert route_start(case=routeless_case, now=now) == []
    assert route_is_complete(routeless_case)


def test_a_route_is_not_complete_before_it_starts(aoba, version_of, now):
    case = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="unstarted",
        now=now,
    ).case
    assert not route_is_complete(case)


def test_a_correction_of_the_answers_reopens_a_completed_route(inkan_case, shimin, admin, now):
    approve_chain(inkan_case, shimin, now)
    case = case_request_correction(staff=admin, case=inkan_case, message="電話番号をご確認ください。", now=now)
    case = case_correct(case=case, answers={**INKAN, "phone": "090-1111-2222"}, now=now)
    assert case.status == CaseStatus.IN_REVIEW
    assert not route_is_complete(case)
    route_start(case=case, now=now)
    assert [st for *_rest, st in steps(case, 2)] == ["pending"] * 3


# --- audit and tenancy -------------------------------------------------------------------------


def test_every_approval_action_leaves_an_audit_entry_with_its_actor(inkan_case, shimin, away, now):
    absence_register(staff=shimin["approver"], user=user_of(shimin["approver"]), start=TODAY, end=TODAY, now=now)
    away("shimin")  # the other approvers
    step_approve(staff=shimin["clerk"], case=inkan_case, step_id="kian", comment="", now=now)
    step_return(staff=shimin["reviewer"], case=inkan_case, step_id="shinsa", reason="再確認", now=now)
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    approval = step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)
    post_review(staff=shimin["approver"], approval_id=approval.pk, comment="", now=now)
    events = audit_events(inkan_case.municipality)
    assert events[1] == ("approvals.absence.registered", "staff:shimin-kacho")
    assert [e for e in events if e[0] != "approvals.absence.registered"] == [
        ("approvals.route.started", "staff:kanri"),  # laid out by case_start_review, as its actor
        ("approvals.step.approved", "staff:shimin-tanto"),
        ("approvals.step.returned", "staff:shimin-shinsa"),
        ("approvals.route.started", "staff:shimin-shinsa"),
        ("approvals.step.approved", "staff:shimin-tanto"),
        ("approvals.step.approved", "staff:shimin-shinsa"),
        ("approvals.step.approved", "staff:shimin-shinsa2"),
        ("approvals.step.post_reviewed", "staff:shimin-kacho"),
    ]
    last_approval = (
        AuditEntry.objects.for_municipality(inkan_case.municipality)
        .filter(event="approvals.step.approved")
        .order_by("-sequence")
        .first()
    )
    assert last_approval.object_id == inkan_case.receipt_number
    assert last_approval.payload["capacity"] == "deputy"
    assert last_approval.payload["route_complete"] is True
    assert audit_verify(municipality=inkan_case.municipality) is None


def test_staff_of_another_municipality_find_no_step_to_act_on(inkan_case, shimin, make_staff, minatogawa, away, now):
    outsider = make_staff("minatogawa-kacho", (None, "approver"), (None, "clerk"), municipality=minatogawa)
    with pytest.raises(StepNotFound):
        step_approve(staff=outsider, case=inkan_case, step_id="kian", comment="", now=now)
    with pytest.raises(StepNotFound):
        step_return(staff=outsider, case=inkan_case, step_id="kian", reason="x", now=now)
    away("shimin")
    approve_chain(inkan_case, shimin, now, upto="shinsa")
    approval = step_approve(staff=shimin["reviewer2"], case=inkan_case, step_id="kessai", comment="", now=now)
    with pytest.raises(StepNotFound):
        post_review(staff=outsider, approval_id=approval.pk, comment="", now=now)
    assert pending_post_reviews(staff=outsider) == []


def test_absences_cannot_be_registered_across_municipalities(shimin, make_staff, minatogawa, now):
    outsider = make_staff("minatogawa-kanri", (None, "admin"), municipality=minatogawa)
    with pytest.raises(StaffNotFound):
        absence_register(staff=outsider, user=user_of(shimin["approver"]), start=TODAY, end=TODAY, now=now)
    with pytest.raises(StaffNotFound):
        absence_register(
            staff=shimin["approver"],
            user=user_of(shimin["approver"]),
            start=TODAY,
            end=TODAY,
            deputy=user_of(outsider),
            now=now,
        )
