"""Password links (staff.passwords): single use, expiring (time injected into Django's token
generator), refused for deactivated accounts, audited without token or password, and sent
over a real SMTP connection."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from tests.backoffice.casework import staff, user
from tests.platform_admin.support import operator_make

from madoguchi.audit.models import AuditEntry, PlatformAuditEntry
from madoguchi.staff import passwords
from madoguchi.staff.passwords import TOKEN_GENERATORS, LinkPurpose, LinkState
from madoguchi.staff.services import StaffAdminError, staff_create, staff_set_active
from madoguchi.tenants.models import Role

NEW_PASSWORD = "kyou-kara-atarashii-2026"
LINK = re.compile(r"https?://[^\s/]+(/staff/password/(set|reset)/[^\s]+/)")


def events(municipality, prefix="staff.password"):
    return list(AuditEntry.objects.for_municipality(municipality).filter(event__startswith=prefix).order_by("sequence"))


def new_staff(email="tanaka@example.lg.jp"):
    return staff_create(
        admin=staff("aoba-admin"),
        username="aoba-tanaka",
        last_name="田中",
        first_name="花子",
        email=email,
        role=Role.CLERK,
        department_id=None,
    )


def token_of(url: str) -> tuple[str, str, str]:
    purpose, uidb64, token = url.rstrip("/").split("/")[-3:]
    return purpose, uidb64, token


@pytest.fixture
def clock(monkeypatch):
    """Move the token generators' clock (Django reads it through ``_now()``)."""

    def move(delta: timedelta) -> None:
        for generator in TOKEN_GENERATORS.values():
            now = generator._now
            monkeypatch.setattr(generator, "_now", lambda now=now: now() + delta)

    return move


# --- tokens -----------------------------------------------------------------------------------


def test_a_set_link_works_for_a_day_and_then_expires(aoba, clock, settings):
    settings.MADOGUCHI_PASSWORD_SET_TIMEOUT = 24 * 3600
    member = new_staff()
    purpose, uidb64, token = token_of(passwords.password_link_url(user=member, purpose=LinkPurpose.SET))
    clock(timedelta(hours=23, minutes=59))
    assert passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=token).state is LinkState.VALID
    clock(timedelta(minutes=2))
    assert passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=token).state is LinkState.EXPIRED


def test_a_reset_link_expires_after_password_reset_timeout(aoba, clock, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3600
    url = passwords.password_link_url(user=user("aoba-clerk"), purpose=LinkPurpose.RESET)
    clock(timedelta(minutes=61))
    purpose, uidb64, token = token_of(url)
    assert passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=token).state is LinkState.EXPIRED


def test_a_link_works_once(aoba):
    member = new_staff()
    purpose, uidb64, token = token_of(passwords.password_link_url(user=member, purpose=LinkPurpose.SET))
    passwords.staff_password_set(purpose=LinkPurpose.SET, user_id=member.pk, token=token, password=NEW_PASSWORD)
    assert user("aoba-tanaka").check_password(NEW_PASSWORD)
    assert passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=token).state is LinkState.USED
    with pytest.raises(passwords.PasswordLinkRefused) as refused:
        passwords.staff_password_set(
            purpose=LinkPurpose.SET, user_id=member.pk, token=token, password="another-2026-pw"
        )
    assert refused.value.state is LinkState.USED
    assert user("aoba-tanaka").check_password(NEW_PASSWORD)


def test_a_sign_in_since_the_link_was_made_ends_it(aoba):
    clerk = user("aoba-clerk")
    purpose, uidb64, token = token_of(passwords.password_link_url(user=clerk, purpose=LinkPurpose.RESET))
    from django.contrib.auth.models import update_last_login

    update_last_login(None, clerk)
    assert passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=token).state is LinkState.USED


def test_a_set_link_is_not_a_reset_link(aoba):
    clerk = user("aoba-clerk")
    _purpose, uidb64, token = token_of(passwords.password_link_url(user=clerk, purpose=LinkPurpose.SET))
    assert passwords.password_link_check(purpose="reset", uidb64=uidb64, token=token).state is LinkState.USED


def test_a_deactivated_accounts_link_fails(aoba):
    member = new_staff()
    purpose, uidb64, token = token_of(passwords.password_link_url(user=member, purpose=LinkPurpose.SET))
    staff_set_active(admin=staff("aoba-admin"), user_id=member.pk, active=False)
    assert passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=token).state is LinkState.INACTIVE
    with pytest.raises(passwords.PasswordLinkRefused) as refused:
        passwords.staff_password_set(purpose=LinkPurpose.SET, user_id=member.pk, token=token, password=NEW_PASSWORD)
    assert refused.value.state is LinkState.INACTIVE
    assert not user("aoba-tanaka").has_usable_password()


@pytest.mark.parametrize(
    ("purpose", "uidb64", "token"),
    [("set", "bm9wZQ", "abc-123"), ("set", "!!!", "abc-123"), ("other", "MQ", "abc-123"), ("set", "MQ", "nonsense")],
)
def test_made_up_links_are_unknown_or_used(aoba, purpose, uidb64, token):
    state = passwords.password_link_check(purpose=purpose, uidb64=uidb64, token=token).state
    assert state in (LinkState.UNKNOWN, LinkState.USED)


def test_setting_a_password_is_audited_without_secrets_and_lifts_a_lockout(aoba, client):
    for attempt in range(5):
        client.post("/staff/login/", {"username": "aoba-clerk", "password": f"wrong-{attempt}"})
    clerk = user("aoba-clerk")
    url = passwords.password_link_url(user=clerk, purpose=LinkPurpose.RESET)
    _purpose, _uidb64, token = token_of(url)
    passwords.staff_password_set(purpose=LinkPurpose.RESET, user_id=clerk.pk, token=token, password=NEW_PASSWORD)
    (entry,) = events(aoba, "staff.password.set")
    assert (entry.actor, entry.object_type, entry.object_id) == ("staff:aoba-clerk", "staff", "aoba-clerk")
    assert entry.payload == {"purpose": "reset"}
    assert token not in str(entry.payload) and NEW_PASSWORD not in str(entry.payload)
    response = Client().post("/staff/login/", {"username": "aoba-clerk", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == "/staff/login/verify/"  # still asks for TOTP


# --- sending --------------------------------------------------------------------------------


def test_the_administrator_sends_a_set_link_by_e_mail_in_both_languages(aoba, mailoutbox):
    member = new_staff()
    passwords.staff_password_link_send(admin=staff("aoba-admin"), user_id=member.pk)
    (mail,) = mailoutbox
    assert mail.to == ["tanaka@example.lg.jp"]
    assert "パスワード" in mail.subject and "password" in mail.subject
    assert "aoba-tanaka" in mail.body and "認証アプリ" in mail.body and "authenticator app" in mail.body
    (path, purpose) = LINK.search(mail.body).groups()
    assert purpose == "set"
    (sent,) = events(aoba, "staff.password_link")
    assert (sent.event, sent.actor, sent.object_id) == ("staff.password_link.sent", "staff:aoba-admin", "aoba-tanaka")
    assert sent.payload == {"purpose": "set"}
    assert token_of(path)[2] not in str(sent.payload)


def test_the_administrator_cannot_send_a_link_to_another_municipalitys_staff(aoba, mailoutbox):
    from madoguchi.staff.selectors import StaffNotFound

    with pytest.raises(StaffNotFound):
        passwords.staff_password_link_send(admin=staff("aoba-admin"), user_id=user("minatogawa-clerk").pk)
    assert not mailoutbox


def test_no_link_for_a_deactivated_staff_member_or_one_without_an_address(aoba, mailoutbox):
    member = new_staff(email="")
    with pytest.raises(StaffAdminError) as refused:
        passwords.staff_password_link_send(admin=staff("aoba-admin"), user_id=member.pk)
    assert refused.value.message == passwords.LINK_NO_EMAIL
    staff_set_active(admin=staff("aoba-admin"), user_id=member.pk, active=False)
    with pytest.raises(StaffAdminError) as refused:
        passwords.staff_password_link_send(admin=staff("aoba-admin"), user_id=member.pk)
    assert refused.value.message == passwords.LINK_INACTIVE
    assert not mailoutbox


def test_a_reset_request_for_an_unknown_account_sends_and_records_nothing(aoba, mailoutbox):
    before = AuditEntry.objects.for_municipality(aoba).count()
    assert passwords.staff_password_reset_request(identifier="nobody-here") == 0
    assert passwords.staff_password_reset_request(identifier="nobody@example.jp") == 0
    assert not mailoutbox
    assert AuditEntry.objects.for_municipality(aoba).count() == before


def test_a_reset_request_by_e_mail_address_ignores_case_and_skips_non_staff(
    aoba, mailoutbox, django_capture_on_commit_callbacks
):
    clerk = user("aoba-clerk")
    clerk.email = "Clerk@Aoba.example.lg.jp"
    clerk.save()
    get_user_model().objects.create_user("outsider", email="clerk@aoba.example.lg.jp", password="x" * 20)
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued when the request commits
        assert passwords.staff_password_reset_request(identifier="clerk@AOBA.example.lg.jp") == 1
    (mail,) = mailoutbox
    assert mail.to == ["Clerk@Aoba.example.lg.jp"] and "aoba-clerk" in mail.body
    requested, sent = events(aoba)
    assert (requested.event, requested.actor, requested.payload) == (
        "staff.password.reset_requested",
        "anonymous",
        {"email_on_file": True},
    )
    assert (sent.event, sent.actor, sent.payload) == ("staff.password_link.sent", "system", {"purpose": "reset"})


def test_an_operators_reset_goes_to_the_platform_chain(aoba, mailoutbox, django_capture_on_commit_callbacks):
    operator = operator_make()
    with django_capture_on_commit_callbacks(execute=True):
        assert passwords.staff_password_reset_request(identifier=operator.username) == 1
    assert mailoutbox[0].to == [operator.email]
    assert [e.event for e in PlatformAuditEntry.objects.order_by("sequence")] == [
        "staff.password.reset_requested",
        "staff.password_link.sent",
    ]


def test_a_refused_send_is_audited_and_told_to_the_administrator(aoba, smtp_down, mailoutbox):
    member = new_staff()
    with pytest.raises(StaffAdminError) as refused:
        passwords.staff_password_link_send(admin=staff("aoba-admin"), user_id=member.pk)
    assert refused.value.message == passwords.LINK_NOT_SENT
    (failed,) = events(aoba, "staff.password_link")
    assert failed.event == "staff.password_link.failed"
    assert failed.payload == {"purpose": "set", "error": "ConnectionRefusedError"}


def test_a_set_link_goes_over_smtp_and_sets_the_password(aoba, smtp_server, client):
    """End to end with a real SMTP server: the administrator adds a staff member, the e-mail
    arrives with a link, the link sets the password, and the sign-in then asks for enrolment."""
    member = new_staff()
    passwords.staff_password_link_send(admin=staff("aoba-admin"), user_id=member.pk)
    (message,) = smtp_server.messages
    assert smtp_server.envelope_recipients == [["tanaka@example.lg.jp"]]
    assert message["From"] == "madoguchi@city.example.jp"
    body = message.get_content()
    path = LINK.search(body).group(1)

    response = client.get(path)
    assert response.status_code == 302 and response.url.endswith("/new/")
    response = client.post(response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == "/staff/login/"
    response = client.post("/staff/login/", {"username": "aoba-tanaka", "password": NEW_PASSWORD})
    assert response.url == "/staff/login/enrol/"
    assert client.get(path).status_code == 400  # used
