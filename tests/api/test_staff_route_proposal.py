"""The staff API's route stamps carry the draft's proposal (承認案 / 却下案) and the 決裁 in one
step, as the back office's buttons do (issue 12, item 9)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.api.support import assert_problem
from tests.api.test_staff_api import bearer, make_staff
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident
from tests.samples import pdf_bytes

from madoguchi.approvals.models import Approval
from madoguchi.cases.models import Case, CaseEvent, CaseStatus
from madoguchi.procedures.schema_export import example_answers
from madoguchi.tenants.models import Department, Role, StaffMembership

REASON = "印鑑登録がありません。"


@pytest.fixture
def case(client, aoba, version_of, now, tokens):
    case = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="route-proposal",
        now=now,
    ).case
    started = client.post(
        f"/api/v1/staff/cases/{case.receipt_number}/actions",
        {"action": "start_review"},
        content_type="application/json",
        **tokens["approver"],
    )
    assert started.status_code == 200, started.content
    return case


@pytest.fixture
def tokens(aoba):
    return {
        role: bearer(make_staff(aoba, f"route-{role}", role, "shimin"))
        for role in (Role.CLERK, Role.REVIEWER, Role.APPROVER)
    }


def stamp(client, case, step, token, language="ja", **body):
    return client.post(
        f"/api/v1/staff/cases/{case.receipt_number}/route/{step}",
        json.dumps({"action": "approve", **body}, ensure_ascii=False),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
        **token,
    )


def status_of(case) -> str:
    return Case.objects.for_municipality(case.municipality).get(pk=case.pk).status


def stamps(case) -> int:
    return Approval.objects.for_municipality(case.municipality).filter(case=case).count()


def test_the_draft_proposes_a_rejection_and_the_last_stamp_takes_it(client, case, tokens):
    drafted = stamp(client, case, "kian", tokens["clerk"], proposal="reject", proposal_message=REASON)
    assert drafted.status_code == 200, drafted.content
    route = drafted.json()
    assert (route["proposal"], route["proposal_message"]) == ("reject", REASON)
    assert route["steps"][0]["approvals"][0]["proposal"] == "reject"
    assert route["steps"][0]["approvals"][0]["proposal_message"] == REASON
    assert route["case_status"] == "in_review"
    assert stamp(client, case, "shinsa", tokens["reviewer"]).status_code == 200

    decided = stamp(client, case, "kessai", tokens["approver"], decide=True)

    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert (body["case_status"], body["complete"]) == ("rejected", True)
    assert body["steps"][2]["approvals"][0]["proposal"] is None  # only the draft proposes
    assert status_of(case) == CaseStatus.REJECTED
    decision = CaseEvent.objects.for_municipality(case.municipality).get(case=case, kind="decided")
    assert (decision.message, decision.public) == (REASON, True)
    # The route read afterwards shows the same.
    read = client.get(f"/api/v1/staff/cases/{case.receipt_number}/route", **tokens["clerk"]).json()
    assert (read["proposal"], read["case_status"]) == ("reject", "rejected")


def test_a_proposal_to_grant_is_decided_in_one_step(client, case, tokens):
    assert stamp(client, case, "kian", tokens["clerk"], proposal="approve").status_code == 200
    assert stamp(client, case, "shinsa", tokens["reviewer"]).status_code == 200

    decided = stamp(client, case, "kessai", tokens["approver"], decide=True, message="確認しました。")

    assert decided.json()["case_status"] == "approved"
    assert status_of(case) == CaseStatus.APPROVED


def test_without_decide_the_last_stamp_only_stamps_and_the_decision_must_be_the_proposal(client, case, tokens):
    stamp(client, case, "kian", tokens["clerk"], proposal="reject", proposal_message=REASON)
    stamp(client, case, "shinsa", tokens["reviewer"])

    stamped = stamp(client, case, "kessai", tokens["approver"])

    assert (stamped.json()["complete"], stamped.json()["case_status"]) == (True, "in_review")
    other = client.post(
        f"/api/v1/staff/cases/{case.receipt_number}/actions",
        {"action": "approve"},
        content_type="application/json",
        **tokens["approver"],
    )
    assert assert_problem(other, 409, "route-refused")["code"] == "decision_differs"


@pytest.mark.parametrize(
    ("step", "body", "status", "kind", "code"),
    [
        ("kian", {"proposal": "reject"}, 422, "message-required", "proposal_reason_required"),
        ("kian", {"proposal": "reject", "proposal_message": "  "}, 422, "message-required", "proposal_reason_required"),
        ("kian", {"proposal_message": REASON}, 422, "invalid-request", "proposal_missing"),
        (
            "kian",
            {"action": "return", "message": "x", "proposal": "approve"},
            422,
            "invalid-request",
            "return_with_outcome",
        ),
        ("kian", {"action": "return", "message": "x", "decide": True}, 422, "invalid-request", "return_with_outcome"),
        ("kian", {"decide": True}, 409, "route-refused", "no_proposal"),
    ],
)
def test_invalid_combinations_are_translated_problems_and_record_nothing(
    client, case, tokens, step, body, status, kind, code
):
    japanese = assert_problem(stamp(client, case, step, tokens["clerk"], **body), status, kind)
    english = assert_problem(stamp(client, case, step, tokens["clerk"], language="en", **body), status, kind)

    assert japanese["code"] == english["code"] == code
    assert any("\u3040" <= ch <= "\u30ff" for ch in japanese["detail"]), japanese
    assert not any("\u3040" <= ch <= "\u30ff" for ch in english["detail"].replace("差戻し", "")), english
    assert stamps(case) == 0


def test_a_proposal_on_a_later_step_is_refused(client, case, tokens):
    stamp(client, case, "kian", tokens["clerk"], proposal="approve")

    response = stamp(client, case, "shinsa", tokens["reviewer"], proposal="reject", proposal_message="x")

    assert assert_problem(response, 422, "invalid-request")["code"] == "proposal_misplaced"
    assert stamps(case) == 1


def test_the_bad_enum_and_too_long_texts_are_400(client, case, tokens):
    assert_problem(stamp(client, case, "kian", tokens["clerk"], proposal="maybe"), 400, "malformed-request")
    too_long = stamp(client, case, "kian", tokens["clerk"], proposal="reject", proposal_message="x" * 4001)
    assert_problem(too_long, 400, "malformed-request")
    assert stamps(case) == 0


def test_deciding_before_the_route_is_complete_rolls_the_stamp_back(client, aoba, case, tokens):
    # Someone who reviews and may decide: their 審査 stamp cannot decide, since the 決裁 is still open.
    user = make_staff(aoba, "route-reviewer-approver", Role.REVIEWER, "shimin")
    StaffMembership.objects.create(
        municipality=aoba,
        user=user,
        department=Department.objects.for_municipality(aoba).get(code="shimin"),
        role=Role.APPROVER,
    )
    stamp(client, case, "kian", tokens["clerk"], proposal="approve")

    early = stamp(client, case, "shinsa", bearer(user), decide=True)

    assert assert_problem(early, 409, "route-refused")["code"] == "route_incomplete"
    assert stamps(case) == 1 and status_of(case) == CaseStatus.IN_REVIEW


def test_a_clerk_cannot_decide_with_the_draft(client, case, tokens):
    response = stamp(client, case, "kian", tokens["clerk"], proposal="approve", decide=True)

    assert_problem(response, 404, "not-found")
    assert stamps(case) == 0


def test_a_delegated_stamp_that_may_not_decide_is_refused_with_decide(client, aoba, version_of, now):
    """専決: a reviewer may stamp the 決裁 under 1,000,000 yen but not take the decision."""
    version = version_of(aoba, "doro-senyo")
    answers = {
        **example_answers(version.definition),
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "construction_cost": 500000,
    }
    case = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version,
        answers=answers,
        files={"plan_drawing": [SimpleUploadedFile("図面.pdf", pdf_bytes(), "application/pdf")]},
        idempotency_key="route-doro",
        now=now,
    ).case
    clerk, reviewer = (bearer(make_staff(aoba, f"doro-{r}", r, "doboku")) for r in (Role.CLERK, Role.REVIEWER))
    other_reviewer = bearer(make_staff(aoba, "doro-reviewer2", Role.REVIEWER, "doboku"))
    client.post(
        f"/api/v1/staff/cases/{case.receipt_number}/actions",
        {"action": "start_review"},
        content_type="application/json",
        **clerk,
    )
    assert stamp(client, case, "kian", clerk, proposal="approve").status_code == 200
    assert stamp(client, case, "shinsa", reviewer).status_code == 200

    refused = stamp(client, case, "kessai", other_reviewer, decide=True)

    assert_problem(refused, 404, "not-found")
    assert stamps(case) == 2
    stamped = stamp(client, case, "kessai", other_reviewer)
    assert (stamped.status_code, stamped.json()["case_status"]) == (200, "in_review")


def test_another_municipality_cannot_propose_or_decide(client, case, tokens, minatogawa):
    other_city = bearer(make_staff(minatogawa, "route-other-city", Role.ADMIN))
    stamp(client, case, "kian", tokens["clerk"], proposal="approve")
    stamp(client, case, "shinsa", tokens["reviewer"])

    for step, body in (("kessai", {"decide": True}), ("kian", {"proposal": "reject", "proposal_message": "x"})):
        assert_problem(stamp(client, case, step, other_city, **body), 404, "not-found")
    assert_problem(client.get(f"/api/v1/staff/cases/{case.receipt_number}/route", **other_city), 404, "not-found")
    assert stamps(case) == 2 and status_of(case) == CaseStatus.IN_REVIEW


def test_the_document_declares_the_proposal_and_the_decision(client, db):
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert components["Proposal"]["enum"] == ["approve", "reject"]
    stamp_in = components["StampIn"]["properties"]
    assert {"proposal", "proposal_message", "decide"} <= set(stamp_in)
    assert {"proposal", "proposal_message", "case_status"} <= set(components["RouteOut"]["properties"])
    assert "proposal" in components["StampOut"]["properties"]
