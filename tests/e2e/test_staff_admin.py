"""The municipality administrator in a real browser: signs in with TOTP, adds a staff member
with a role and no password (the person gets a link by e-mail), and finds the change in the
audit log. axe-core checks every administrator page, also with form errors shown."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from tests.e2e.conftest import axe_check
from tests.e2e.test_backoffice import sign_in


def test_an_administrator_adds_a_staff_member_and_sees_it_in_the_audit_log(browser, site, aoba):
    context, page = sign_in(browser, site, "aoba-admin")
    page.get_by_test_id("admin-link").click()
    expect(page.locator("h1")).to_have_text("職員")
    expect(page.get_by_test_id("staff-list")).to_contain_text("aoba-clerk")
    axe_check(page)

    page.get_by_role("link", name="職員の追加").first.click()
    expect(page.locator("h1")).to_have_text("職員の追加")
    axe_check(page)
    page.locator("#id_username").fill("aoba-clerk")  # taken: an error next to the field
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check(page)

    page.locator("#id_username").fill("aoba-tanaka")
    page.locator("#id_last_name").fill("田中")
    page.locator("#id_first_name").fill("花子")
    page.locator("#id_email").fill("tanaka@example.lg.jp")
    expect(page.locator("input[type=password]")).to_have_count(0)  # nobody chooses a password for someone else
    page.locator("#id_role").select_option("clerk")
    page.locator("#id_department").select_option(label="税務課")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/admin/staff/\d+/$"))
    expect(page.get_by_test_id("roles")).to_contain_text("税務課")
    expect(page.locator(".bo-messages")).to_contain_text("tanaka@example.lg.jp")
    expect(page.get_by_test_id("password-state")).to_contain_text("未設定")
    axe_check(page)

    page.get_by_role("link", name="監査ログ").first.click()
    expect(page.get_by_test_id("audit-entries")).to_contain_text("tenants.staff.created")
    expect(page.get_by_test_id("audit-entries")).to_contain_text("aoba-tanaka")
    axe_check(page)
    page.locator("form[action$='/admin/audit/verify/'] button").click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("番までの改ざんがないことを確認しました")
    axe_check(page)
    context.close()
