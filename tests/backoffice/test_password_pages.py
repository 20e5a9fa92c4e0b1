"""The staff password pages: "forgot your password" (the same answer for every account,
rate-limited), opening a set-password or reset link (the token leaves the address bar), the
clear refusals of used, expired and deactivated links, and the administrator's resend."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from tests.backoffice.casework import user

from madoguchi.audit.models import AuditEntry
from madoguchi.staff.passwords import TOKEN_GENERATORS

FORGOT = "/staff/password/forgot/"
SENT = "/staff/password/forgot/sent/"
LOGIN = "/staff/login/"
NEW_PASSWORD = "kyou-kara-atarashii-2026"
LINK = re.compile(r"https?://[^\s/]+(/staff/password/(?:set|reset)/[^\s]+/)")


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def clerk_email(municipalities):
    clerk = user("aoba-clerk")
    clerk.email = "clerk@aoba.example.lg.jp"
    clerk.save(update_fields=["email"])
    return clerk.email


@pytest.fixture
def forgot(client, django_capture_on_commit_callbacks):
    """POST the forgot form and run what it queued (the e-mail job) as the commit would."""

    def post(identifier: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(FORGOT, {"identifier": identifier})

    return post


def link_in(mail) -> str:
    return LINK.search(mail.body).group(1)


def open_link(client, path: str):
    """Open a link from an e-mail; return the response of the page it lands on."""
    response = client.get(path)
    if response.status_code == 302:
        return client.get(response.url)
    return response


def test_the_sign_in_page_links_to_forgot_password(client, municipalities):
    page = client.get(LOGIN).content.decode()
    assert 'href="/staff/password/forgot/"' in page


def test_the_forgot_page_asks_for_a_user_name_or_e_mail(client, municipalities):
    response = client.get(FORGOT)
    assert response.status_code == 200
    assert 'name="identifier"' in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_known_and_an_unknown_account_get_the_same_answer(client, clerk_email, forgot, mailoutbox):
    known = forgot("aoba-clerk")
    unknown = forgot("nobody-at-all")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url) == (302, SENT)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [clerk_email]
    page = client.get(SENT).content.decode()
    assert "If an account with this user name or e-mail address exists" in page
    assert "for 1 hour" in page


def test_an_empty_answer_is_an_error_next_to_the_field(client, municipalities):
    response = client.post(FORGOT, {"identifier": "  "})
    assert response.status_code == 400
    assert 'id="id_identifier_error"' in response.content.decode()


def test_a_deactivated_account_gets_no_link_and_the_same_answer(client, clerk_email, forgot, mailoutbox):
    clerk = user("aoba-clerk")
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert forgot("aoba-clerk").url == SENT
    assert not mailoutbox


def test_forgot_requests_are_limited_per_client_address(client, clerk_email, forgot, settings, mailoutbox):
    settings.MADOGUCHI_PASSWORD_RESET_RATE = "2/h"
    assert forgot("someone-1").url == SENT
    assert forgot("someone-2").url == SENT
    response = forgot("aoba-clerk")
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert not mailoutbox


def test_links_for_one_account_are_limited_without_changing_the_answer(
    client, clerk_email, forgot, mailoutbox, settings
):
    settings.MADOGUCHI_PASSWORD_RESET_ACCOUNT_RATE = "2/h"
    for _ in range(3):
        assert forgot("aoba-clerk").url == SENT
    assert len(mailoutbox) == 2


def test_a_reset_link_sets_a_new_password_and_the_sign_in_still_asks_for_totp(
    client, aoba, clerk_email, forgot, mailoutbox
):
    forgot("aoba-clerk")
    path = link_in(mailoutbox[0])
    token = path.rstrip("/").split("/")[-1]
    response = client.get(path)
    assert response.status_code == 302 and response.url.endswith("/new/") and token not in response.url
    form = client.get(response.url)
    assert form.status_code == 200 and "aoba-clerk" in form.content.decode()
    response = client.post(response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == LOGIN
    assert "Your password is set." in client.get(LOGIN).content.decode()
    assert user("aoba-clerk").check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session  # setting a password signs nobody in
    assert token not in str(dict(client.session))

    response = Client().post(LOGIN, {"username": "aoba-clerk", "password": NEW_PASSWORD})
    assert response.url == "/staff/login/verify/"
    events = list(
        AuditEntry.objects.for_municipality(aoba)
        .filter(event__startswith="staff.password")
        .values_list("event", flat=True)
    )
    assert events == ["staff.password.reset_requested", "staff.password_link.sent", "staff.password.set"]


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("short", "short", "This password is too short."),
        ("aoba-clerk-2026", "aoba-clerk-2026", "The password is too similar to the username."),
        (NEW_PASSWORD, "something-else-2026", "The two passwords do not match."),
        ("", "", "This item is required."),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_next_to_the_field(
    client, clerk_email, forgot, mailoutbox, first, second, message
):
    forgot("aoba-clerk")
    form_url = client.get(link_in(mailoutbox[0])).url
    response = client.post(form_url, {"new_password1": first, "new_password2": second})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'class="error-summary"' in page
    assert not user("aoba-clerk").check_password(first or "x")


def test_a_used_link_is_refused_with_a_clear_message(client, clerk_email, forgot, mailoutbox):
    forgot("aoba-clerk")
    path = link_in(mailoutbox[0])
    form_url = client.get(path).url
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(path)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This link has already been used" in page and 'data-state="used"' in page


def test_a_link_opened_in_two_tabs_sets_the_password_once(client, clerk_email, forgot, mailoutbox):
    forgot("aoba-clerk")
    path = link_in(mailoutbox[0])
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    first_form, second_form = client.get(path).url, other.get(path).url
    client.post(first_form, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    response = other.post(
        second_form, {"new_password1": "a-different-one-2026", "new_password2": "a-different-one-2026"}
    )
    assert response.status_code == 400 and "already been used" in response.content.decode()
    assert user("aoba-clerk").check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused_with_a_clear_message(client, clerk_email, forgot, mailoutbox, monkeypatch):
    forgot("aoba-clerk")
    path = link_in(mailoutbox[0])
    generator = TOKEN_GENERATORS["reset"]
    now = generator._now
    monkeypatch.setattr(generator, "_now", lambda: now() + timedelta(hours=1, minutes=1))
    response = client.get(path)
    assert response.status_code == 400
    assert "This link has expired." in response.content.decode()


def test_a_link_expiring_while_the_form_is_open_is_refused_on_submit(
    client, clerk_email, forgot, mailoutbox, monkeypatch
):
    forgot("aoba-clerk")
    form_url = client.get(link_in(mailoutbox[0])).url
    generator = TOKEN_GENERATORS["reset"]
    now = generator._now
    monkeypatch.setattr(generator, "_now", lambda: now() + timedelta(hours=2))
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 400 and "This link has expired." in response.content.decode()
    assert not user("aoba-clerk").check_password(NEW_PASSWORD)


def test_a_deactivated_accounts_link_is_refused_with_a_clear_message(client, clerk_email, forgot, mailoutbox):
    forgot("aoba-clerk")
    clerk = user("aoba-clerk")
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    response = client.get(link_in(mailoutbox[0]))
    assert response.status_code == 400
    assert "This account is deactivated" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/staff/password/reset/MQ/abc-0123456789abcdef/",
        "/staff/password/reset/%21%21/abc-123/",
        "/staff/password/unknown/MQ/abc-123/",
        "/staff/password/reset/MQ/new/",  # the form without having opened a link
    ],
)
def test_a_broken_link_is_a_clear_400_never_a_500(client, municipalities, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "This link" in response.content.decode()


def test_password_pages_are_japanese_by_default(municipalities):
    page = Client().get(FORGOT).content.decode()
    assert "パスワード" in page


# --- the administrator's side -------------------------------------------------------------


def test_the_staff_page_shows_whether_a_password_is_set_and_resends_a_link(client, aoba, login_staff, mailoutbox):
    login_staff(client, "aoba-admin")
    client.post(
        "/staff/admin/staff/new/",
        {
            "username": "aoba-tanaka",
            "last_name": "田中",
            "first_name": "花子",
            "email": "tanaka@example.lg.jp",
            "role": "clerk",
            "department": "",
        },
    )
    member = user("aoba-tanaka")
    page = client.get(f"/staff/admin/staff/{member.pk}/").content.decode()
    assert "Not set yet" in page and 'data-testid="send-password-link"' in page
    response = client.post(f"/staff/admin/staff/{member.pk}/password-link/")
    assert response.status_code == 302
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["tanaka@example.lg.jp"]
    page = client.get(response.url).content.decode()
    assert "A link to set a password was sent" in page
    assert link_in(mailoutbox[1]) not in page


def test_an_administrator_sees_a_failed_send_and_can_retry(client, aoba, login_staff, settings, mailoutbox):
    from tests.notifications.support import free_port, use_smtp

    login_staff(client, "aoba-admin")
    use_smtp(settings, free_port())  # nobody listens: connection refused
    response = client.post(
        "/staff/admin/staff/new/",
        {
            "username": "aoba-tanaka",
            "last_name": "田中",
            "first_name": "花子",
            "email": "tanaka@example.lg.jp",
            "role": "clerk",
            "department": "",
        },
    )
    member = user("aoba-tanaka")
    page = client.get(response.url).content.decode()
    assert "aoba-tanaka was added, but: The e-mail could not be sent" in page
    response = client.post(f"/staff/admin/staff/{member.pk}/password-link/")
    assert response.status_code == 400
    assert "The e-mail could not be sent" in response.content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert client.post(f"/staff/admin/staff/{member.pk}/password-link/").status_code == 302
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("username", ["aoba-clerk", "aoba-approver"])
def test_only_administrators_send_password_links(client, aoba, login_staff, username, mailoutbox):
    login_staff(client, username)
    assert client.post(f"/staff/admin/staff/{user('aoba-reviewer').pk}/password-link/").status_code == 404
    assert not mailoutbox


def test_an_administrator_cannot_send_a_link_to_another_municipalitys_staff(client, aoba, login_staff, mailoutbox):
    login_staff(client, "aoba-admin")
    assert client.post(f"/staff/admin/staff/{user('minatogawa-clerk').pk}/password-link/").status_code == 404
    assert not mailoutbox
