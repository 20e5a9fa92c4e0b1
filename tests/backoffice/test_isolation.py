"""Every back-office URL answers 404 for a case outside the staff member's municipality or
departments — the same answer as for a case that does not exist — and sends anyone not
signed in with both factors to the sign-in page. The municipality administrator's URLs
(/staff/admin/) answer 404 for another municipality's staff and for staff who are not
administrators."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.backoffice.casework import submit_jido_teate, submit_sodai_gomi, user

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.actions import STAFF_ACTIONS
from madoguchi.cases.models import Attachment, Case, CaseStatus
from madoguchi.tenants.models import StaffMembership

ACTIONS = sorted(STAFF_ACTIONS.ids())
FORM = {"message": "テスト", "assignee": "me"}


def requests_for(case, attachment):
    """Return (method, path) of every back-office URL about ``case``."""
    base = f"/staff/cases/{case.receipt_number}/"
    return [
        ("get", base),
        ("get", f"{base}attachments/{attachment.pk}/"),
        ("get", f"{base}attachments/{attachment.pk}/?download=1"),
        *[("post", f"{base}actions/{action}/") for action in ACTIONS],
        *[("post", f"{base}route/{step}/{action}/") for step in ("kian", "kessai") for action in ("approve", "return")],
    ]


def send(client, method, path):
    return client.post(path, FORM) if method == "post" else client.get(path)


def unchanged(case):
    stored = Case.objects.for_municipality(case.municipality).get(pk=case.pk)
    events = AuditEntry.objects.for_municipality(case.municipality).filter(object_id=case.receipt_number)
    return stored.status == CaseStatus.SUBMITTED and list(events.values_list("event", flat=True)) == [
        "cases.case.submitted"
    ]


def normalized(page: bytes, receipt_number: str) -> str:
    """Return the page without what differs by request: CSRF tokens and the path it echoes."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.decode())
    return page.replace(receipt_number, "RECEIPT")


@pytest.fixture
def aoba_case(aoba, version_of, now):
    case = submit_jido_teate(aoba, version_of, now=now)
    return case, Attachment.objects.for_municipality(aoba).get(case=case)


def test_staff_of_another_municipality_find_nothing_at_any_url(client, aoba_case, login_staff):
    login_staff(client, "minatogawa-admin")
    case, attachment = aoba_case
    for method, path in requests_for(case, attachment):
        assert send(client, method, path).status_code == 404, (method, path)
    assert unchanged(case)


def test_another_municipalitys_case_looks_exactly_like_a_missing_one(client, aoba_case, login_staff):
    login_staff(client, "minatogawa-admin")
    case, _attachment = aoba_case
    missing = "082023-2026-999999"
    for suffix in ("", "actions/start_review/"):
        method = "post" if suffix else "get"
        foreign = send(client, method, f"/staff/cases/{case.receipt_number}/{suffix}")
        absent = send(client, method, f"/staff/cases/{missing}/{suffix}")
        assert foreign.status_code == absent.status_code == 404
        assert normalized(foreign.content, case.receipt_number) == normalized(absent.content, missing)


def test_a_clerk_finds_nothing_of_a_department_they_do_not_serve(client, aoba, version_of, now, login_staff):
    login_staff(client, "aoba-clerk")  # 市民課 and 子育て支援課, not 環境課
    case = submit_sodai_gomi(aoba, version_of, now=now, photo=None)
    from tests.samples import png_bytes

    with_photo = submit_sodai_gomi(aoba, version_of, now=now, photo=png_bytes())
    attachment = Attachment.objects.for_municipality(aoba).get(case=with_photo)
    for method, path in requests_for(with_photo, attachment):
        assert send(client, method, path).status_code == 404, (method, path)
    assert client.get(f"/staff/cases/{case.receipt_number}/").status_code == 404
    assert unchanged(case) and unchanged(with_photo)


def test_the_same_urls_work_for_staff_of_the_case(client, aoba_case, login_staff):
    login_staff(client, "aoba-clerk")
    case, attachment = aoba_case
    base = f"/staff/cases/{case.receipt_number}/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}attachments/{attachment.pk}/").status_code == 200
    assert client.post(f"{base}actions/comment/", FORM).status_code == 302


@pytest.mark.parametrize("verified", [False, True])
def test_without_both_factors_every_url_sends_to_the_sign_in_page(aoba_case, verified):
    case, attachment = aoba_case
    client = Client()
    if not verified:  # a password alone is not enough
        client.force_login(user("aoba-admin"))
    for method, path in [("get", "/staff/"), *requests_for(case, attachment)]:
        response = send(client, method, path)
        assert response.status_code == 302, (method, path)
        # A GET comes back to the page after signing in; a POST's URL cannot be reloaded.
        expected = f"/staff/login/?next={path}".replace("?download=1", "%3Fdownload%3D1")
        assert response["Location"] == (expected if method == "get" else "/staff/login/"), (method, path)
    assert unchanged(case)


def test_staff_of_another_municipality_cannot_review_a_deputy_decision_afterwards(
    client, aoba, version_of, login_staff
):
    """後閲 URLs carry an approval id: one of another municipality is "not found" as well."""
    from django.utils import timezone
    from tests.backoffice.casework import staff, submit_inkan

    from madoguchi.approvals.absences import absence_register
    from madoguchi.approvals.services import step_approve
    from madoguchi.cases.workflow import case_start_review

    now = timezone.now()
    case = case_start_review(staff=staff("aoba-clerk"), case=submit_inkan(aoba, version_of, now=now), now=now)
    today = timezone.localdate(now)
    absence_register(
        staff=staff("aoba-admin"), user=user("aoba-approver"), start=today, end=today, deputy=user("aoba-admin")
    )
    for username, step in (("aoba-clerk", "kian"), ("aoba-reviewer", "shinsa")):
        step_approve(staff=staff(username), case=case, step_id=step)
    deputy_decision = step_approve(staff=staff("aoba-admin"), case=case, step_id="kessai")
    assert deputy_decision.post_review_required
    login_staff(client, "minatogawa-approver")
    assert client.post(f"/staff/approvals/{deputy_decision.pk}/post-review/").status_code == 404
    deputy_decision.refresh_from_db()
    assert deputy_decision.post_reviewed_at is None

# --- municipality administrator pages (/staff/admin/) -----------------------------------


def admin_requests_for(member, membership):
    """Return (method, path) of every administrator URL about the staff member ``member``."""
    base = f"/staff/admin/staff/{member.pk}/"
    return [
        ("get", base),
        ("post", f"{base}roles/"),
        ("post", f"{base}roles/{membership.pk}/remove/"),
        ("post", f"{base}deactivate/"),
        ("post", f"{base}reactivate/"),
        ("post", f"{base}reset-totp/"),
    ]


ADMIN_PAGES = [
    ("get", "/staff/admin/staff/"),
    ("get", "/staff/admin/staff/new/"),
    ("post", "/staff/admin/staff/new/"),
    ("get", "/staff/admin/audit/"),
    ("get", "/staff/admin/audit/export.csv"),
    ("post", "/staff/admin/audit/verify/"),
]


def _aoba_clerk_with_role(aoba):
    member = user("aoba-clerk")
    return member, StaffMembership.objects.for_municipality(aoba).filter(user=member).first()


def test_administrators_of_another_municipality_find_no_staff_member_at_any_url(client, aoba, login_staff):
    member, membership = _aoba_clerk_with_role(aoba)
    login_staff(client, "minatogawa-admin")
    for method, path in admin_requests_for(member, membership):
        response = client.post(path, {"role": "clerk", "department": ""}) if method == "post" else client.get(path)
        assert response.status_code == 404, (method, path)
    member.refresh_from_db()
    assert member.is_active
    assert TOTPDevice.objects.filter(user=member).exists()
    assert StaffMembership.objects.for_municipality(aoba).filter(pk=membership.pk).exists()
    assert not AuditEntry.objects.for_municipality(aoba).filter(event__startswith="tenants.staff").exists()


def test_another_municipalitys_staff_member_looks_exactly_like_a_missing_one(client, aoba, login_staff):
    member, _membership = _aoba_clerk_with_role(aoba)
    login_staff(client, "minatogawa-admin")
    foreign = client.get(f"/staff/admin/staff/{member.pk}/")
    absent = client.get("/staff/admin/staff/999999/")
    assert foreign.status_code == absent.status_code == 404
    foreign_page = normalized(foreign.content, f"/staff/admin/staff/{member.pk}/")
    assert foreign_page == normalized(absent.content, "/staff/admin/staff/999999/")


def test_staff_who_are_not_administrators_find_no_administrator_url(client, aoba, login_staff):
    member, membership = _aoba_clerk_with_role(aoba)
    login_staff(client, "aoba-approver")
    for method, path in [*ADMIN_PAGES, *admin_requests_for(member, membership)]:
        assert send(client, method, path).status_code == 404, (method, path)
    assert not AuditEntry.objects.for_municipality(aoba).filter(event__startswith="tenants.staff").exists()


@pytest.mark.parametrize("verified", [False, True])
def test_without_both_factors_every_administrator_url_sends_to_the_sign_in_page(aoba, verified):
    member, membership = _aoba_clerk_with_role(aoba)
    client = Client()
    if not verified:
        client.force_login(user("aoba-admin"))
    for method, path in [*ADMIN_PAGES, *admin_requests_for(member, membership)]:
        response = send(client, method, path)
        assert response.status_code == 302, (method, path)
        assert response["Location"].startswith("/staff/login/"), (method, path)
