"""The platform operator reaches /admin/ only with password and TOTP, through the staff
sign-in (lockout, enrolment, audit), and the staff idle timeout covers /admin/ too."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.backoffice.conftest import totp_code
from tests.platform_admin.support import OPERATOR_PASSWORD, operator_sign_in

from madoguchi.audit.chain import PLATFORM
from madoguchi.audit.models import PlatformAuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.backoffice.middleware import LAST_SEEN_KEY

ADMIN = "/admin/"
LOGIN = "/staff/login/"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def platform_events(event: str) -> list[PlatformAuditEntry]:
    return list(PlatformAuditEntry.objects.filter(event=event).order_by("sequence"))


def test_the_admin_login_page_sends_the_operator_to_the_staff_sign_in_with_next(client, municipalities):
    response = client.get("/admin/login/?next=/admin/tenants/municipality/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/admin/tenants/municipality/"


def test_an_anonymous_visitor_of_an_admin_page_ends_up_at_the_staff_sign_in(client, municipalities):
    response = client.get("/admin/tenants/department/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN + "?next=")
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_password_and_totp_bring_the_operator_to_the_admin(client, operator):
    response = operator_sign_in(client, operator)
    assert response.url == ADMIN
    page = client.get(ADMIN)
    assert page.status_code == 200 and "Madoguchi platform administration" in page.content.decode()


def test_the_operator_lands_on_the_admin_page_they_asked_for(client, operator):
    response = operator_sign_in(client, operator, next_url="/admin/tenants/department/")
    assert response.url == "/admin/tenants/department/"


def test_a_next_outside_the_admin_takes_the_operator_to_the_admin_index(client, operator):
    assert operator_sign_in(client, operator, next_url="/staff/").url == ADMIN


def test_the_password_alone_does_not_open_the_admin(client, operator):
    client.post(LOGIN, {"username": operator.username, "password": OPERATOR_PASSWORD})
    response = client.get("/admin/tenants/department/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_a_session_without_a_verified_device_is_refused_even_for_a_superuser(client, operator):
    client.force_login(operator)  # logged in, but no second factor in this session
    response = client.get(ADMIN)
    assert response.status_code == 302 and response.url.startswith("/admin/login/")


def test_an_operator_without_an_authenticator_enrols_one_first(client, municipalities):
    user = get_user_model().objects.create_superuser("new-operator", "", OPERATOR_PASSWORD)
    response = client.post(LOGIN, {"username": "new-operator", "password": OPERATOR_PASSWORD, "next": ADMIN})
    assert response.url == "/staff/login/enrol/"
    client.get("/staff/login/enrol/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post("/staff/login/enrol/", {"code": totp_code(device)})
    assert page.status_code == 200 and page.context["continue_url"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_signed_in_municipality_staff_find_no_admin(client, login_staff):
    login_staff(client, "aoba-admin")
    assert client.get(ADMIN).status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_an_operator_sent_to_a_back_office_page_is_taken_to_the_admin_not_in_circles(client, operator):
    operator_sign_in(client, operator)
    response = client.get("/staff/", follow=True)
    assert response.redirect_chain[-1][0] == ADMIN
    assert response.status_code == 200


def test_five_wrong_passwords_lock_the_operator_out_like_staff(client, operator):
    for attempt in range(5):
        client.post(LOGIN, {"username": operator.username, "password": f"wrong-{attempt}"})
    response = client.post(LOGIN, {"username": operator.username, "password": OPERATOR_PASSWORD})
    assert response.status_code == 429


def test_operator_sign_ins_and_failures_go_to_the_platform_chain(client, operator):
    client.post(LOGIN, {"username": operator.username, "password": "wrong"})
    operator_sign_in(client, operator)
    (failed,) = platform_events("backoffice.staff.login_failed")
    (signed_in,) = platform_events("backoffice.staff.logged_in")
    assert failed.actor == signed_in.actor == "platform:operator"
    assert signed_in.payload == {"method": "totp"}
    assert audit_verify(municipality=PLATFORM) is None


def test_an_idle_admin_session_is_logged_out_and_audited(client, operator_client):
    session = operator_client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = operator_client.get("/admin/tenants/department/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    (entry,) = platform_events("backoffice.staff.logged_out_idle")
    assert entry.payload == {"idle_minutes": 31}
    assert "without activity" in operator_client.get(LOGIN).content.decode()


def test_activity_in_the_admin_keeps_the_session_alive(client, operator_client):
    session = operator_client.session
    session[LAST_SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert operator_client.get(ADMIN).status_code == 200
    assert time.time() - operator_client.session[LAST_SEEN_KEY] < 60


def test_the_admins_log_out_ends_the_session_and_is_audited(client, operator_client):
    assert operator_client.get("/admin/logout/").status_code == 405
    response = operator_client.post("/admin/logout/")
    assert response.status_code == 302 and response.url == LOGIN
    assert "_auth_user_id" not in operator_client.session
    assert platform_events("backoffice.staff.logged_out")
