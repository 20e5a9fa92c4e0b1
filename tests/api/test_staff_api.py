"""The staff API (issue #3): token auth, scoped to the token's municipality, departments and roles."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.models import Case, CaseStatus
from madoguchi.staff.tokens import staff_token_create
from madoguchi.tenants.models import Department, Role, StaffMembership


def make_staff(municipality, username, role, department_code=None):
    user = get_user_model().objects.create_user(username, password="a-long-password-123")
    department = (
        Department.objects.for_municipality(municipality).get(code=department_code) if department_code else None
    )
    StaffMembership.objects.create(municipality=municipality, user=user, department=department, role=role)
    return user


def bearer(user):
    _token, plain = staff_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


@pytest.fixture
def case(aoba, version_of, now):
    return case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="s1",
        now=now,
    ).case


@pytest.fixture
def approver(aoba):
    return bearer(make_staff(aoba, "api-approver", Role.APPROVER, "shimin"))


def test_the_case_list_needs_a_token(client, case):
    response = client.get("/api/v1/staff/cases")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_forged_token_is_refused(client, case, approver):
    assert client.get("/api/v1/staff/cases", HTTP_AUTHORIZATION="Bearer mdg_abc_def").status_code == 401


def test_staff_list_and_read_their_cases_and_the_read_is_audited(client, case, approver):
    listed = client.get("/api/v1/staff/cases", **approver).json()
    assert [c["receipt_number"] for c in listed["results"]] == [case.receipt_number]
    detail = client.get(f"/api/v1/staff/cases/{case.receipt_number}", **approver).json()
    assert detail["answers"]["phone"] == "029-200-1234"
    assert AuditEntry.objects.for_municipality(case.municipality).filter(object_id=case.receipt_number, event="backoffice.case.viewed").exists()


def test_actions_follow_the_status_machine_and_the_approval_route(client, aoba, case, approver):
    url = f"/api/v1/staff/cases/{case.receipt_number}/actions"
    route = f"/api/v1/staff/cases/{case.receipt_number}/route"
    assert client.post(url, {"action": "approve"}, content_type="application/json", **approver).status_code == 409
    assert client.post(url, {"action": "start_review"}, content_type="application/json", **approver).status_code == 200
    waiting = client.post(url, {"action": "approve"}, content_type="application/json", **approver)
    assert (waiting.status_code, waiting.json()["code"]) == (409, "route_incomplete")
    status = client.get(route, **approver).json()
    assert [s["step_id"] for s in status["steps"]] == ["kian", "shinsa", "kessai"]
    assert status["started"] and not status["complete"]
    # 起案 by a clerk, 審査 by a reviewer, 決裁 by the approver: each through the API.
    clerk = bearer(make_staff(aoba, "api-clerk", Role.CLERK, "shimin"))
    reviewer = bearer(make_staff(aoba, "api-reviewer", Role.REVIEWER, "shimin"))
    early = client.post(f"{route}/shinsa", {"action": "approve"}, content_type="application/json", **reviewer)
    assert (early.status_code, early.json()["code"]) == (409, "out_of_order")
    no_reason = client.post(f"{route}/kian", {"action": "return"}, content_type="application/json", **clerk)
    assert no_reason.status_code == 422
    for token, step in ((clerk, "kian"), (reviewer, "shinsa"), (approver, "kessai")):
        stamped = client.post(f"{route}/{step}", {"action": "approve"}, content_type="application/json", **token)
        assert stamped.status_code == 200, stamped.content
    assert client.get(route, **approver).json()["complete"] is True
    rejected = client.post(url, {"action": "reject"}, content_type="application/json", **approver)
    assert rejected.status_code == 422
    approved = client.post(url, {"action": "approve"}, content_type="application/json", **approver)
    assert approved.json()["status"] == CaseStatus.APPROVED
    assert "step_approved" in [e["kind"] for e in approved.json()["events"]]


def test_a_clerk_token_cannot_decide(client, case, aoba):
    clerk = bearer(make_staff(aoba, "api-clerk", Role.CLERK, "shimin"))
    url = f"/api/v1/staff/cases/{case.receipt_number}/actions"
    client.post(url, {"action": "start_review"}, content_type="application/json", **clerk)
    assert client.post(url, {"action": "approve"}, content_type="application/json", **clerk).status_code == 404


def test_another_municipality_or_department_sees_nothing(client, case, minatogawa, aoba):
    other_city = bearer(make_staff(minatogawa, "api-other-city", Role.ADMIN))
    other_department = bearer(make_staff(aoba, "api-kankyo", Role.APPROVER, "kankyo"))
    for headers in (other_city, other_department):
        assert client.get("/api/v1/staff/cases", **headers).json()["results"] == []
        assert client.get(f"/api/v1/staff/cases/{case.receipt_number}", **headers).status_code == 404
        action = client.post(
            f"/api/v1/staff/cases/{case.receipt_number}/actions",
            {"action": "comment", "message": "x"},
            content_type="application/json",
            **headers,
        )
        assert action.status_code == 404
        assert client.get(f"/api/v1/staff/cases/{case.receipt_number}/route", **headers).status_code == 404
        stamp = client.post(
            f"/api/v1/staff/cases/{case.receipt_number}/route/kian",
            {"action": "approve"},
            content_type="application/json",
            **headers,
        )
        assert stamp.status_code == 404
    assert Case.objects.for_municipality(case.municipality).get(pk=case.pk).status == CaseStatus.SUBMITTED


def test_a_revoked_token_is_refused(client, case, aoba, capsys):
    user = make_staff(aoba, "api-revoked", Role.CLERK, "shimin")
    call_command("staff_token", "create", "--user", user.username, "--name", "連携")
    plain = capsys.readouterr().out.strip()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert client.get("/api/v1/staff/cases", **headers).status_code == 200
    call_command("staff_token", "revoke", "--prefix", plain.split("_")[1])
    assert client.get("/api/v1/staff/cases", **headers).status_code == 401


def test_the_staff_api_is_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/staff/cases" in paths
    assert "/api/v1/staff/cases/{receipt_number}/actions" in paths


def test_the_case_list_costs_the_same_queries_for_one_case_and_for_many(
    client, aoba, version_of, approver, now, django_assert_max_num_queries
):
    def add(number):
        for index in range(number):
            case_submit_as_resident(
                municipality=aoba,
                procedure_version=version_of(aoba, "inkan-certificate"),
                answers=INKAN,
                idempotency_key=f"many-{number}-{index}",
                now=now,
            )

    add(1)
    with CaptureQueriesContext(connection) as one:
        first = client.get("/api/v1/staff/cases", **approver).json()["results"]
    assert first[0]["procedure"] == "inkan-certificate" and first[0]["procedure_title"]
    add(20)
    with django_assert_max_num_queries(len(one)):
        assert len(client.get("/api/v1/staff/cases", **approver).json()["results"]) == 21
