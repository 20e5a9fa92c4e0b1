"""Staff passwords by link in a real browser: a new staff member sets their password from the
e-mail the administrator's page sent and is then asked to set up an authenticator; a clerk who
forgot their password asks for a link from the sign-in page. axe-core checks every new page,
with and without errors, and the pages work without JavaScript."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect
from tests.e2e.conftest import _new_page, axe_check
from tests.e2e.test_backoffice import sign_in

from madoguchi.demo.tenants import DEMO_PASSWORD

NEW_PASSWORD = "kyou-kara-atarashii-2026"
LINK = re.compile(r"https?://[^\s/]+(/staff/password/(?:set|reset)/[^\s]+/)")


def link_in_last_mail() -> str:
    return LINK.search(mail.outbox[-1].body).group(1)


def test_a_new_staff_member_sets_their_password_from_the_e_mail_and_enrols(browser, site, aoba):
    admin_context, admin = sign_in(browser, site, "aoba-admin")
    admin.goto("/staff/admin/staff/new/")
    axe_check(admin)
    admin.locator("#id_username").fill("aoba-suzuki")
    admin.locator("#id_last_name").fill("鈴木")
    admin.locator("#id_first_name").fill("一郎")
    admin.locator("#id_email").fill("suzuki@example.lg.jp")
    admin.locator("#id_role").select_option("clerk")
    admin.locator("main form button[type=submit]").click()
    expect(admin).to_have_url(re.compile(r"/staff/admin/staff/\d+/$"))
    expect(admin.get_by_test_id("password-state")).to_contain_text("未設定")
    axe_check(admin)
    admin.get_by_test_id("send-password-link").click()  # a second link, e.g. the first one expired
    expect(admin.locator(".bo-messages")).to_contain_text("パスワード設定用のリンク")
    axe_check(admin)
    admin_context.close()
    assert [m.to for m in mail.outbox] == [["suzuki@example.lg.jp"], ["suzuki@example.lg.jp"]]

    context, page = _new_page(browser, site)
    page.goto(link_in_last_mail())
    expect(page).to_have_url(re.compile(r"/staff/password/set/[^/]+/new/$"))
    expect(page.locator("h1")).to_have_text("パスワードの設定")
    expect(page.get_by_test_id("username")).to_have_text("aoba-suzuki")
    axe_check(page)
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("short")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/login/$"))
    expect(page.get_by_test_id("password-set")).to_be_visible()
    axe_check(page)
    page.locator("#id_username").fill("aoba-suzuki")
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/login/enrol/$"))  # a password never skips the second factor
    context.close()

    context, page = _new_page(browser, site)
    page.goto(link_in_last_mail())  # the same link again: used
    expect(page.get_by_test_id("link-error")).to_have_attribute("data-state", "used")
    axe_check(page)
    context.close()


def test_a_clerk_who_forgot_their_password_gets_a_link_from_the_sign_in_page(browser, site, aoba):
    get_user_model().objects.filter(username="aoba-clerk").update(email="clerk@aoba.example.lg.jp")
    context, page = _new_page(browser, site)
    page.goto("/staff/login/")
    axe_check(page)
    page.get_by_test_id("forgot-link").click()
    expect(page.locator("h1")).to_have_text("パスワードをお忘れの方")
    axe_check(page)
    page.locator("main form button[type=submit]").click()  # empty: an error next to the field
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)
    page.locator("#id_identifier").fill("clerk@aoba.example.lg.jp")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("forgot-sent")).to_be_visible()
    axe_check(page)

    page.goto(link_in_last_mail())
    expect(page.locator("h1")).to_have_text("新しいパスワードの設定")
    axe_check(page)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill("something-else-2026")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_contain_text("一致しません")
    axe_check(page)
    context.close()


def test_the_password_pages_work_without_javascript(browser, site, aoba):
    get_user_model().objects.filter(username="aoba-clerk").update(email="clerk@aoba.example.lg.jp")
    context, page = _new_page(browser, site, java_script_enabled=False)
    page.goto("/staff/login/")
    page.get_by_test_id("forgot-link").click()
    page.locator("#id_identifier").fill("aoba-clerk")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("forgot-sent")).to_be_visible()

    page.goto(link_in_last_mail())
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("password-set")).to_be_visible()
    page.locator("#id_username").fill("aoba-clerk")
    page.locator("#id_password").fill(DEMO_PASSWORD)  # the old password no longer works
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/login/verify/$"))  # still the second factor
    context.close()
