"""The approval route on the case page and the approvals page (電子決裁 in the browser's
terms): stamps in order, 差戻し with a reason, 合議 by consulted departments, 代決 from an
absence with 後閲, and no decision before the route is complete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.backoffice.casework import log_in_verified, staff, submit_inkan, submit_jido_teate, user

from madoguchi.approvals.models import Absence, Approval, Capacity
from madoguchi.audit.verification import audit_verify
from madoguchi.cases import workflow
from madoguchi.cases.models import Case, CaseEvent, CaseStatus

S = CaseStatus


def as_staff(username: str) -> Client:
    client = Client()
    log_in_verified(client, user(username))
    return client


def page(case) -> str:
    return f"/staff/cases/{case.receipt_number}/"


def stamp(client, case, step: str, action: str = "approve", *, message: str = "", department: str = ""):
    return client.post(f"{page(case)}route/{step}/{action}/", {"message": message, "department": department})


def reload(case) -> Case:
    return Case.objects.for_municipality(case.municipality).get(pk=case.pk)


@pytest.fixture
def case(aoba, version_of):
    now = timezone.now()
    case = submit_inkan(aoba, version_of, now=now)
    return workflow.case_start_review(staff=staff("aoba-clerk"), case=case, now=now)


def test_the_case_page_shows_the_route_and_holds_back_the_decision(case):
    approver = as_staff("aoba-approver")
    html = approver.get(page(case)).content.decode()
    for step in ("kian", "shinsa", "kessai"):
        assert f'data-testid="route-step-{step}-shimin"' in html
    assert 'data-testid="decision-waits"' in html
    assert "/actions/approve/" not in html and "/actions/reject/" not in html
    # Posting the decision anyway is refused, and nothing changes.
    response = approver.post(f"{page(case)}actions/approve/", {"message": ""})
    assert response.status_code == 409
    assert reload(case).status == S.IN_REVIEW


def test_three_stamps_in_order_then_the_decision(case):
    clerk, reviewer, approver = as_staff("aoba-clerk"), as_staff("aoba-reviewer"), as_staff("aoba-approver")
    assert stamp(reviewer, case, "shinsa").status_code == 409  # 起案 first
    assert stamp(clerk, case, "kian", message="添付確認済み").status_code == 302
    assert stamp(clerk, case, "shinsa").status_code == 404  # a clerk holds no 審査 role
    assert stamp(reviewer, case, "shinsa").status_code == 302
    assert stamp(approver, case, "kessai").status_code == 302
    html = approver.get(page(case)).content.decode()
    assert 'data-testid="route-complete"' in html and 'data-testid="decision-waits"' not in html
    assert approver.post(f"{page(case)}actions/approve/", {"message": ""}).status_code == 302
    case = reload(case)
    assert case.status == S.APPROVED
    kinds = [e.kind for e in CaseEvent.objects.for_municipality(case.municipality).filter(case=case)]
    assert kinds.count(CaseEvent.Kind.STEP_APPROVED) == 3 and kinds[-1] == CaseEvent.Kind.DECIDED
    assert "添付確認済み" in approver.get(page(case)).content.decode()
    assert audit_verify(municipality=case.municipality) is None


def test_one_person_cannot_stamp_twice(case, aoba):
    admin = as_staff("aoba-admin")
    # The administrator may stand in nowhere here: no capacity on any step, so "not found".
    assert stamp(admin, case, "kian").status_code == 404


def test_a_return_needs_a_reason_and_restarts_the_route(case):
    clerk, reviewer = as_staff("aoba-clerk"), as_staff("aoba-reviewer")
    stamp(clerk, case, "kian")
    response = stamp(reviewer, case, "shinsa", "return", message="  ")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert stamp(reviewer, case, "shinsa", "return", message="金額の根拠が不明です").status_code == 302
    html = clerk.get(page(case)).content.decode()
    assert "金額の根拠が不明です" in html  # in the earlier rounds and on the timeline
    # The route starts again from 起案, and the clerk may stamp it again.
    assert stamp(clerk, case, "kian").status_code == 302


def test_consulted_departments_see_the_case_and_agree_after_the_review(aoba, version_of):
    now = timezone.now()
    case = workflow.case_start_review(
        staff=staff("aoba-clerk"), case=submit_jido_teate(aoba, version_of, now=now), now=now
    )
    zeimu = as_staff("aoba-zeimu")
    html = zeimu.get(page(case)).content.decode()
    assert 'data-testid="route-step-aigi-zeimu"' in html
    assert f"{page(case)}route/aigi/approve/" not in html  # 審査 is not done yet
    assert stamp(zeimu, case, "aigi", department="zeimu").status_code == 409
    stamp(as_staff("aoba-clerk"), case, "kian")
    stamp(as_staff("aoba-reviewer"), case, "shinsa")
    assert f"{page(case)}route/aigi/approve/" in zeimu.get(page(case)).content.decode()
    assert stamp(zeimu, case, "aigi", department="zeimu").status_code == 302
    assert stamp(as_staff("aoba-hoken"), case, "aigi", department="hoken").status_code == 302
    assert stamp(as_staff("aoba-approver"), case, "kessai").status_code == 302
    assert "/actions/approve/" in as_staff("aoba-approver").get(page(case)).content.decode()


def test_a_department_not_on_the_route_does_not_see_the_case(case):
    assert as_staff("aoba-zeimu").get(page(case)).status_code == 404


def test_the_approvals_page_lists_what_waits_for_my_stamp(case):
    reviewer = as_staff("aoba-reviewer")
    assert case.receipt_number not in reviewer.get("/staff/approvals/").content.decode()
    stamp(as_staff("aoba-clerk"), case, "kian")
    html = reviewer.get("/staff/approvals/").content.decode()
    assert case.receipt_number in html and 'data-testid="awaiting"' in html


def test_a_deputy_decides_for_an_absent_approver_who_reviews_it_afterwards(case, aoba):
    admin = as_staff("aoba-admin")
    today = timezone.localdate()
    response = admin.post(
        "/staff/approvals/absences/",
        {
            "user": str(user("aoba-approver").pk),
            "start": today.isoformat(),
            "end": today.isoformat(),
            "deputy": str(user("aoba-admin").pk),
        },
    )
    assert response.status_code == 302
    stamp(as_staff("aoba-clerk"), case, "kian")
    stamp(as_staff("aoba-reviewer"), case, "shinsa")
    assert stamp(admin, case, "kessai").status_code == 302
    approval = Approval.objects.for_municipality(aoba).get(step__step_id="kessai")
    assert approval.capacity == Capacity.DEPUTY and approval.post_review_required
    approver = as_staff("aoba-approver")
    assert case.receipt_number in approver.get("/staff/approvals/").content.decode()
    assert approver.post(f"/staff/approvals/{approval.pk}/post-review/", {"message": "確認しました"}).status_code == 302
    approval.refresh_from_db()
    assert approval.post_reviewed_by == user("aoba-approver")
    assert approver.post(f"/staff/approvals/{approval.pk}/post-review/").status_code == 302  # told "already done"
    assert as_staff("aoba-clerk").post(f"/staff/approvals/{approval.pk}/post-review/").status_code == 404


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"start": "", "end": "2030-01-01"}, "start"),
        ({"start": "2030-01-02", "end": "2030-01-01"}, "end"),
        ({"start": "2020-01-01", "end": "2020-01-02"}, "end"),
        ({"start": "2030-01-01", "end": "2030-01-01", "deputy": "999999"}, "deputy"),
        ({"start": "2030-01-01", "end": "2030-01-01", "user": "not-a-number"}, "user"),
    ],
)
def test_bad_absences_are_refused_with_a_message(aoba, form, field):
    response = as_staff("aoba-clerk").post("/staff/approvals/absences/", form)
    assert response.status_code == 400
    assert f'href="#f-absence-{field}"' in response.content.decode()
    assert not Absence.objects.for_municipality(aoba).exists()


def test_only_an_administrator_registers_the_absence_of_someone_else(aoba):
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    form = {"user": str(user("aoba-approver").pk), "start": day, "end": day}
    assert as_staff("aoba-clerk").post("/staff/approvals/absences/", form).status_code == 400
    assert as_staff("aoba-admin").post("/staff/approvals/absences/", form).status_code == 302
    assert Absence.objects.for_municipality(aoba).get().user == user("aoba-approver")


def test_the_draft_proposes_a_rejection_and_the_last_stamp_decides_it_in_one_step(case):
    """Issue 12, item 9: buttons say what the stage approves, and no extra click at the end."""
    clerk, reviewer, approver = as_staff("aoba-clerk"), as_staff("aoba-reviewer"), as_staff("aoba-approver")
    html = clerk.get(page(case)).content.decode()
    assert "起案する" in html and 'name="proposal"' in html
    missing = clerk.post(f"{page(case)}route/kian/approve/", {"proposing": "1", "message": ""})
    assert missing.status_code == 400
    no_reason = clerk.post(f"{page(case)}route/kian/approve/", {"proposing": "1", "proposal": "reject"})
    assert no_reason.status_code == 400
    assert "却下の理由を入力してください" in no_reason.content.decode()
    clerk.post(
        f"{page(case)}route/kian/approve/",
        {"proposing": "1", "proposal": "reject", "proposal_message": "登録された印鑑がありません。"},
    )
    html = reviewer.get(page(case)).content.decode()
    assert "却下案を承認する" in html and "この段階を承認する" not in html
    stamp(reviewer, case, "shinsa")
    html = approver.get(page(case)).content.decode()
    assert "却下案を承認して決裁する" in html
    response = approver.post(f"{page(case)}route/kessai/approve/", {"decide": "1", "message": ""})
    assert response.status_code == 302
    assert reload(case).status == S.REJECTED
    decision = CaseEvent.objects.for_municipality(case.municipality).get(case=case, kind="decided")
    assert decision.message == "登録された印鑑がありません。"
