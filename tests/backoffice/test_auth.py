"""Staff sign-in: password, second factor (TOTP or recovery code), enrolment, lockout,
idle timeout, log-out and the audit trail of all of it."""

from __future__ import annotations

import re
import time
from base64 import b32encode
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.backoffice.auth import staff_view
from madoguchi.backoffice.middleware import LAST_SEEN_KEY
from madoguchi.demo.tenants import DEMO_PASSWORD
from madoguchi.tenants.models import Role, StaffMembership

from .conftest import demo_device, totp_code


@pytest.fixture(autouse=True)
def _english_pages(client):
    """These tests read messages in English; the pages are Japanese unless the browser asks."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


LOGIN = "/staff/login/"
VERIFY = "/staff/login/verify/"
ENROL = "/staff/login/enrol/"
LOGOUT = "/staff/logout/"
QUEUE = "/staff/"
WRONG_LOGIN = "The user name or password is not correct."


def password_step(client, username, password=DEMO_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def recovery_codes_for(username: str, count: int = 2) -> list[str]:
    user = get_user_model().objects.get(username=username)
    device = StaticDevice.objects.create(user=user, name="recovery")
    tokens = [StaticToken.random_token() for _ in range(count)]
    for token in tokens:
        device.token_set.create(token=token)
    return tokens


def events(municipality, event):
    return list(AuditEntry.objects.for_municipality(municipality).filter(event=event).order_by("sequence"))


# --- password step ----------------------------------------------------------------------


def test_login_page_renders_a_password_form(client, municipalities):
    response = client.get(LOGIN)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="username"' in page and 'type="password"' in page
    assert 'autocomplete="current-password"' in page


def test_the_password_step_alone_does_not_log_in(client, municipalities):
    response = password_step(client, "aoba-clerk")
    assert response.status_code == 302
    assert response.url == VERIFY
    assert not logged_in(client)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_a_wrong_password_gets_the_generic_error(client, municipalities):
    response = password_step(client, "aoba-clerk", "not-the-password")
    assert response.status_code == 400
    assert WRONG_LOGIN in response.content.decode()
    assert not logged_in(client)


@pytest.mark.parametrize("username", ["nobody-at-all", "resident"])
def test_unknown_and_non_staff_users_get_the_same_error_as_a_wrong_password(client, municipalities, username):
    get_user_model().objects.create_user(username="resident", password=DEMO_PASSWORD)
    response = password_step(client, username)
    assert response.status_code == 400
    assert WRONG_LOGIN in response.content.decode()
    assert client.get(VERIFY).url == LOGIN


def test_a_user_with_roles_in_two_municipalities_cannot_sign_in(client, aoba, minatogawa, staff_member):
    user = staff_member("two-cities", aoba)
    StaffMembership.objects.for_municipality(minatogawa).create(municipality=minatogawa, user=user, role=Role.CLERK)
    response = password_step(client, "two-cities")
    assert response.status_code == 400
    assert WRONG_LOGIN in response.content.decode()


def test_an_inactive_staff_member_cannot_sign_in(client, municipalities):
    get_user_model().objects.filter(username="aoba-clerk").update(is_active=False)
    response = password_step(client, "aoba-clerk")
    assert response.status_code == 400


# --- second factor ----------------------------------------------------------------------


def test_a_wrong_totp_code_is_refused(client, municipalities):
    password_step(client, "aoba-clerk")
    response = client.post(VERIFY, {"code": wrong_code(totp_code(demo_device("aoba-clerk")))})
    assert response.status_code == 400
    assert "The code is not correct." in response.content.decode()
    assert not logged_in(client)


def test_a_code_right_after_a_wrong_one_is_throttled(client, municipalities):
    password_step(client, "aoba-clerk")
    device = demo_device("aoba-clerk")
    client.post(VERIFY, {"code": wrong_code(totp_code(device))})
    # Three wrong codes in a row: the device refuses to check codes for 4 seconds.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=3, throttling_failure_timestamp=timezone.now()
    )
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 400
    assert re.search(r"Too many wrong codes\. Wait [34] seconds", response.content.decode())
    assert not logged_in(client)


def test_the_right_code_works_once_the_throttle_delay_has_passed(client, municipalities):
    password_step(client, "aoba-clerk")
    device = demo_device("aoba-clerk")
    client.post(VERIFY, {"code": wrong_code(totp_code(device))})
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 302
    assert logged_in(client)


def test_a_correct_code_logs_in_and_reaches_the_back_office(client, municipalities, login_staff):
    response = login_staff(client, "aoba-clerk")
    assert response.url == QUEUE
    assert logged_in(client)
    assert client.session.get("otp_device_id")
    response = client.get(QUEUE)
    assert not (response.status_code == 302 and response.url.startswith(LOGIN))


def test_the_session_key_changes_on_login(client, municipalities, login_staff):
    client.get(LOGIN)
    password_step(client, "aoba-clerk")
    before = client.session.session_key
    client.post(VERIFY, {"code": totp_code(demo_device("aoba-clerk"))})
    assert logged_in(client)
    assert client.session.session_key != before


def test_verify_without_the_password_step_goes_back_to_login(client, municipalities):
    assert client.get(VERIFY).url == LOGIN
    response = client.post(VERIFY, {"code": totp_code(demo_device("aoba-clerk"))})
    assert response.url == LOGIN
    assert not logged_in(client)


def test_a_pending_sign_in_expires(client, municipalities):
    password_step(client, "aoba-clerk")
    session = client.session
    session["madoguchi.staff.pending"]["started"] = time.time() - 11 * 60
    session.save()
    assert client.get(VERIFY).url == LOGIN


def test_a_recovery_code_works_once_only(client, municipalities):
    code, _other = recovery_codes_for("aoba-clerk")
    password_step(client, "aoba-clerk")
    response = client.post(VERIFY, {"code": f"{code[:4]}-{code[4:].upper()}"})
    assert response.status_code == 302
    assert logged_in(client)
    client.post(LOGOUT)
    password_step(client, "aoba-clerk")
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert not logged_in(client)


def test_login_goes_to_a_local_next(client, municipalities, login_staff):
    response = login_staff(client, "aoba-clerk", next_url="/staff/cases/082015-2026-000001/")
    assert response.url == "/staff/cases/082015-2026-000001/"


@pytest.mark.parametrize("target", ["https://evil.example/staff/", "//evil.example/", "javascript:alert(1)"])
def test_login_ignores_a_next_on_another_site(client, municipalities, login_staff, target):
    response = login_staff(client, "aoba-clerk", next_url=target)
    assert response.url == QUEUE


def test_staff_view_sends_anonymous_users_to_login_with_an_encoded_next():
    request = RequestFactory().get("/staff/cases/?status=open&q=a b")
    request.user = AnonymousUser()
    response = staff_view(lambda request: HttpResponse("ok"))(request)
    assert response.status_code == 302
    assert response.url == "/staff/login/?next=/staff/cases/%3Fstatus%3Dopen%26q%3Da%2520b"


def test_staff_view_sends_a_post_back_to_the_local_referring_page():
    request = RequestFactory().post(
        "/staff/cases/X/actions/approve/", headers={"referer": "http://testserver/staff/cases/X/"}
    )
    request.user = AnonymousUser()
    response = staff_view(lambda request: HttpResponse("ok"))(request)
    assert response.url == "/staff/login/?next=/staff/cases/X/"
    request = RequestFactory().post("/staff/cases/X/actions/approve/", headers={"referer": "https://evil.example/"})
    request.user = AnonymousUser()
    assert staff_view(lambda request: HttpResponse("ok"))(request).url == "/staff/login/"


def test_a_signed_in_staff_member_on_the_login_page_goes_to_the_queue(client, municipalities, login_staff):
    login_staff(client, "aoba-clerk")
    assert client.get(LOGIN).url == QUEUE


def test_prefecture_staff_sign_in_and_see_no_cases(client, municipalities, login_staff):
    response = login_staff(client, "ibaraki-pref")
    assert response.url == LOGIN
    page = client.get(LOGIN).content.decode()
    assert "ibaraki-pref" in page
    assert client.get(QUEUE).url.startswith(LOGIN)


# --- enrolment --------------------------------------------------------------------------


def test_a_user_without_an_authenticator_is_sent_to_enrolment(client, aoba, staff_member):
    staff_member("aoba-newcomer", aoba)
    response = password_step(client, "aoba-newcomer")
    assert response.url == ENROL
    assert client.get(VERIFY).url == ENROL


def test_enrolment_shows_an_svg_qr_code_and_the_secret(client, aoba, staff_member):
    user = staff_member("aoba-newcomer", aoba)
    password_step(client, "aoba-newcomer")
    response = client.get(ENROL)
    assert response.status_code == 200
    page = response.content.decode()
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert "style=" not in svg and "<script" not in svg
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert secret.replace(" ", "") == b32encode(device.bin_key).decode()
    assert not logged_in(client)


def test_reloading_the_enrolment_page_keeps_the_key(client, aoba, staff_member):
    user = staff_member("aoba-newcomer", aoba)
    password_step(client, "aoba-newcomer")
    client.get(ENROL)
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrolment_confirms_with_a_valid_code_and_shows_ten_recovery_codes(client, aoba, staff_member):
    user = staff_member("aoba-newcomer", aoba)
    password_step(client, "aoba-newcomer")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": totp_code(device)})
    assert response.status_code == 200
    page = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", page)
    assert len(codes) == 10
    assert "no-store" in response.headers["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert logged_in(client)
    assert StaticToken.objects.filter(device__user=user).count() == 10
    (entry,) = events(aoba, "backoffice.staff.totp_enrolled")
    assert entry.actor == "staff:aoba-newcomer"
    # The codes work as a second factor (once).
    client.post(LOGOUT)
    password_step(client, "aoba-newcomer")
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302


def test_enrolment_refuses_a_wrong_code(client, aoba, staff_member):
    user = staff_member("aoba-newcomer", aoba)
    password_step(client, "aoba-newcomer")
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": wrong_code(totp_code(device))})
    assert response.status_code == 400
    assert "The code is not correct." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not logged_in(client)


def test_enrolment_needs_the_password_step(client, aoba, staff_member):
    staff_member("aoba-newcomer", aoba)
    assert client.get(ENROL).url == LOGIN


# --- lockout ----------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account(client, municipalities):
    for attempt in range(4):
        assert password_step(client, "aoba-clerk", f"wrong-{attempt}").status_code == 400
    response = password_step(client, "aoba-clerk", "wrong-4")
    assert response.status_code == 429
    response = password_step(client, "aoba-clerk")
    assert response.status_code == 429
    page = response.content.decode()
    assert "30" in page and "Account locked" in page
    assert client.get(VERIFY).url == LOGIN
    assert not logged_in(client)


def test_the_lockout_is_per_user_name(client, municipalities):
    for attempt in range(5):
        password_step(client, "aoba-clerk", f"wrong-{attempt}")
    assert password_step(client, "aoba-reviewer").url == VERIFY


# --- idle timeout and log-out -----------------------------------------------------------


def test_an_idle_session_is_logged_out_and_sent_to_login(client, municipalities, login_staff):
    login_staff(client, "aoba-clerk")
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert not logged_in(client)
    page = client.get(LOGIN).content.decode()
    assert "without activity" in page


def test_an_idle_logout_is_in_the_audit_chain(client, aoba, login_staff):
    login_staff(client, "aoba-clerk")
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 45 * 60
    session.save()
    client.get(QUEUE)
    (entry,) = events(aoba, "backoffice.staff.logged_out_idle")
    assert entry.actor == "staff:aoba-clerk"
    assert entry.payload == {"idle_minutes": 45}
    assert not events(aoba, "backoffice.staff.logged_out")
    assert audit_verify(municipality=aoba) is None


def test_logout_by_post_ends_the_session(client, municipalities, login_staff):
    login_staff(client, "aoba-clerk")
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == LOGIN
    assert not logged_in(client)
    assert client.get(QUEUE).url.startswith(LOGIN)
    assert "You have logged out." in client.get(LOGIN).content.decode()


def test_logout_by_get_is_not_allowed(client, municipalities, login_staff):
    login_staff(client, "aoba-clerk")
    assert client.get(LOGOUT).status_code == 405
    assert logged_in(client)


# --- audit ------------------------------------------------------------------------------


def test_sign_ins_failures_and_log_outs_are_in_the_audit_chain(client, aoba, minatogawa, login_staff):
    password_step(client, "aoba-clerk", "wrong")
    password_step(client, "aoba-clerk")
    client.post(VERIFY, {"code": wrong_code(totp_code(demo_device("aoba-clerk")))})
    TOTPDevice.objects.filter(user__username="aoba-clerk").update(throttling_failure_count=0)
    login_staff(client, "aoba-clerk")
    client.post(LOGOUT)

    failed = events(aoba, "backoffice.staff.login_failed")
    assert [e.payload["step"] for e in failed] == ["password", "second_factor"]
    (logged_in_entry,) = events(aoba, "backoffice.staff.logged_in")
    assert logged_in_entry.actor == "staff:aoba-clerk"
    assert logged_in_entry.payload == {"method": "totp"}
    assert len(events(aoba, "backoffice.staff.logged_out")) == 1
    assert audit_verify(municipality=aoba) is None
    assert not AuditEntry.objects.for_municipality(minatogawa).exists()


def test_failures_for_unknown_users_are_not_audited(client, aoba, minatogawa):
    password_step(client, "nobody-at-all", "wrong")
    assert not AuditEntry.objects.for_municipality(aoba).exists()
    assert not AuditEntry.objects.for_municipality(minatogawa).exists()


def test_a_recovery_code_sign_in_records_how_many_codes_are_left(client, aoba):
    code, _other = recovery_codes_for("aoba-clerk")
    password_step(client, "aoba-clerk")
    client.post(VERIFY, {"code": code})
    (entry,) = events(aoba, "backoffice.staff.logged_in")
    assert entry.payload == {"method": "recovery_code", "recovery_codes_left": 1}
