"""The municipality administrator's staff pages (/staff/admin/staff/): list, create, roles,
deactivate, authenticator reset; only for a 管理者 of all departments, 404 for anyone else."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.audit.models import AuditEntry
from madoguchi.demo.tenants import DEMO_PASSWORD
from madoguchi.tenants.models import Department, Role, StaffMembership

from .casework import user

STAFF = "/staff/admin/staff/"
NEW = "/staff/admin/staff/new/"
AUDIT = "/staff/admin/audit/"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def new_staff(**overrides):
    return {
        "username": "aoba-tanaka",
        "last_name": "田中",
        "first_name": "花子",
        "email": "tanaka@example.lg.jp",
        "role": Role.CLERK,
        "department": "",
        **overrides,
    }


def events(municipality, event):
    return list(AuditEntry.objects.for_municipality(municipality).filter(event=event).order_by("sequence"))


def detail(member) -> str:
    return f"{STAFF}{member.pk}/"


def test_an_administrator_sees_the_staff_list_with_roles(client, aoba, login_staff):
    login_staff(client, "aoba-admin")
    response = client.get(STAFF)
    assert response.status_code == 200
    page = response.content.decode()
    for username in ("aoba-admin", "aoba-clerk", "aoba-reviewer", "aoba-approver"):
        assert username in page
    assert "minatogawa" not in page
    assert "Citizen Services Division" in page and "All departments" in page
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("username", ["aoba-clerk", "aoba-reviewer", "aoba-approver"])
def test_staff_who_are_not_administrators_find_no_admin_page(client, aoba, login_staff, username):
    login_staff(client, username)
    clerk = user("aoba-clerk")
    gets = [STAFF, NEW, detail(clerk), AUDIT, f"{AUDIT}export.csv"]
    posts = [
        NEW,
        f"{detail(clerk)}deactivate/",
        f"{detail(clerk)}reset-totp/",
        f"{detail(clerk)}roles/",
        f"{AUDIT}verify/",
    ]
    for path in gets:
        assert client.get(path).status_code == 404, path
    for path in posts:
        assert client.post(path, new_staff()).status_code == 404, path
    assert "/staff/admin/" not in client.get("/staff/").content.decode()
    assert user("aoba-clerk").is_active
    assert not AuditEntry.objects.for_municipality(aoba).filter(event__startswith="tenants.staff").exists()


def test_the_header_links_to_administration_for_administrators_only(client, aoba, login_staff):
    login_staff(client, "aoba-admin")
    assert 'data-testid="admin-link"' in client.get("/staff/").content.decode()


def test_an_administrator_creates_a_staff_member_without_a_password(client, aoba, login_staff, mailoutbox):
    login_staff(client, "aoba-admin")
    zeimu = Department.objects.for_municipality(aoba).get(code="zeimu")
    response = client.post(NEW, new_staff(department=str(zeimu.pk)))
    member = get_user_model().objects.get(username="aoba-tanaka")
    assert response.status_code == 302 and response.url == detail(member)
    page = client.get(response.url).content.decode()
    assert "aoba-tanaka was added. A link to choose their password was sent to tanaka@example.lg.jp" in page
    assert "Taxation Division" in page
    (created,) = events(aoba, "tenants.staff.created")
    assert created.actor == "staff:aoba-admin"
    assert not member.has_usable_password()
    (mail,) = mailoutbox
    assert mail.to == ["tanaka@example.lg.jp"]
    assert "/staff/password/set/" in mail.body
    assert "/staff/password/set/" not in page  # the administrator never sees the link

    newcomer = type(client)()
    response = newcomer.post("/staff/login/", {"username": "aoba-tanaka", "password": ""})
    assert response.status_code == 400  # no password works until the staff member sets one


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "aoba-clerk"}, "username", "This user name is already in use."),
        ({"username": "田中 花子"}, "username", "Use only letters, digits"),
        ({"email": "not-an-address"}, "email", "Enter an e-mail address"),
        ({"last_name": ""}, "last_name", "This item is required."),
        ({"department": "999999"}, "department", "Choose a department from the list."),
    ],
)
def test_staff_creation_errors_are_shown_next_to_the_field(client, aoba, login_staff, overrides, field, message):
    login_staff(client, "aoba-admin")
    before = get_user_model().objects.count()
    response = client.post(NEW, new_staff(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert message in page
    assert 'class="error-summary"' in page
    assert get_user_model().objects.count() == before


def test_a_department_of_another_municipality_is_not_a_choice(client, aoba, minatogawa, login_staff):
    login_staff(client, "aoba-admin")
    foreign = Department.objects.for_municipality(minatogawa).get(code="zeimu")
    response = client.post(NEW, new_staff(department=str(foreign.pk)))
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="aoba-tanaka").exists()


def test_an_administrator_adds_and_removes_a_role(client, aoba, login_staff):
    login_staff(client, "aoba-admin")
    clerk = user("aoba-clerk")
    kankyo = Department.objects.for_municipality(aoba).get(code="kankyo")
    response = client.post(f"{detail(clerk)}roles/", {"role": Role.REVIEWER, "department": str(kankyo.pk)})
    assert response.status_code == 302
    added = StaffMembership.objects.for_municipality(aoba).get(user=clerk, role=Role.REVIEWER, department=kankyo)
    assert "The role was added." in client.get(detail(clerk)).content.decode()
    response = client.post(f"{detail(clerk)}roles/{added.pk}/remove/")
    assert response.status_code == 302
    assert not StaffMembership.objects.for_municipality(aoba).filter(pk=added.pk).exists()
    assert [e.event for e in events(aoba, "tenants.staff.role_added")] == ["tenants.staff.role_added"]
    assert len(events(aoba, "tenants.staff.role_removed")) == 1


def test_adding_a_role_held_already_shows_an_error(client, aoba, login_staff):
    login_staff(client, "aoba-admin")
    clerk = user("aoba-clerk")
    shimin = Department.objects.for_municipality(aoba).get(code="shimin")
    response = client.post(f"{detail(clerk)}roles/", {"role": Role.CLERK, "department": str(shimin.pk)})
    assert response.status_code == 400
    assert "already has this role" in response.content.decode()


def test_an_administrator_cannot_remove_their_own_last_admin_role_or_deactivate_themselves(client, aoba, login_staff):
    login_staff(client, "aoba-admin")
    me = user("aoba-admin")
    client.post(f"{detail(me)}roles/", {"role": Role.CLERK, "department": ""})
    own = StaffMembership.objects.for_municipality(aoba).get(user=me, role=Role.ADMIN)
    response = client.post(f"{detail(me)}roles/{own.pk}/remove/")
    assert response.status_code == 400
    assert "You cannot remove your own last administrator role" in response.content.decode()
    response = client.post(f"{detail(me)}deactivate/")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.content.decode()
    me.refresh_from_db()
    assert me.is_active
    assert client.get(STAFF).status_code == 200


def test_a_deactivated_staff_member_is_signed_out_and_cannot_sign_in(client, aoba, login_staff):
    clerk_client = type(client)()
    login_staff(clerk_client, "aoba-clerk")
    login_staff(client, "aoba-admin")
    response = client.post(f"{detail(user('aoba-clerk'))}deactivate/")
    assert response.status_code == 302
    assert "Deactivated" in client.get(STAFF).content.decode()
    assert clerk_client.get("/staff/").status_code == 302  # the open session ends
    refused = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/staff/login/", {"username": "aoba-clerk", "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 400 and "not correct" in refused.content.decode()
    assert len(events(aoba, "tenants.staff.deactivated")) == 1
    response = client.post(f"{detail(user('aoba-clerk'))}reactivate/")
    assert response.status_code == 302 and user("aoba-clerk").is_active


def test_an_authenticator_reset_makes_the_staff_member_enrol_again(client, aoba, login_staff):
    clerk_client = type(client)()
    login_staff(clerk_client, "aoba-clerk")
    login_staff(client, "aoba-admin")
    response = client.post(f"{detail(user('aoba-clerk'))}reset-totp/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="aoba-clerk").exists()
    assert clerk_client.get("/staff/").status_code == 302  # the session verified by the old device ends
    again = type(client)().post("/staff/login/", {"username": "aoba-clerk", "password": DEMO_PASSWORD})
    assert again.url == "/staff/login/enrol/"
    assert len(events(aoba, "tenants.staff.totp_reset")) == 1


def test_admin_forms_need_a_csrf_token(aoba):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("aoba-admin"))
    response = client.post(f"{detail(user('aoba-clerk'))}deactivate/")
    assert response.status_code == 403
    assert user("aoba-clerk").is_active


def test_admin_pages_are_in_japanese_by_default(client, aoba, login_staff):
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE")
    login_staff(client, "aoba-admin")
    page = client.get(STAFF).content.decode()
    assert "職員" in page
    assert "Staff and their roles" not in page
