"""What staff do in the back office, as Playwright steps.

The back office is Japanese only, so its buttons are found by their Japanese names: the names
of the route's buttons (承認案, 起案する …) are part of what the tests check (issue 12, item 9).
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from tests.backoffice.conftest import demo_device, totp_code
from tests.e2e.conftest import _new_page, axe_check

from madoguchi.demo.tenants import DEMO_PASSWORD


def sign_in(browser, site, username, *, axe: bool = False):
    """Sign ``username`` in with password and TOTP in a browser of their own; return (context, page).

    ``axe``: check the sign-in pages and the queue with axe-core.
    """
    context, page = _new_page(browser, site)
    page.goto("/staff/login/")
    if axe:
        axe_check(page)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible()
    if axe:
        axe_check(page)
    page.locator("#id_code").fill(totp_code(demo_device(username)))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    if axe:
        axe_check(page)
    return context, page


def request_correction(page: Page, message: str) -> None:
    """Ask the applicant for a correction (補正) from the case page."""
    form = page.locator("form[action$='/actions/request_correction/']")
    form.locator("textarea").fill(message)
    form.locator("button").click()
    expect(page.locator("main")).to_contain_text(message)


def draft_approval(page: Page, message: str, *, department: str = "shimin") -> None:
    """起案 with the proposal 承認案 on the case page."""
    draft = page.get_by_test_id("route-approve-kian")
    draft.get_by_role("radio", name="承認案").check()
    draft.locator("textarea[name=message]").fill(message)
    draft.get_by_role("button", name="起案する").click()
    expect(page.get_by_test_id(f"route-step-kian-{department}").get_by_test_id("route-status")).to_have_text("承認")


def review_approval(page: Page, *, department: str = "shimin") -> None:
    """審査: approve the 承認案."""
    page.get_by_test_id("route-approve-shinsa").get_by_role("button", name="承認案を承認する").click()
    expect(page.get_by_test_id(f"route-step-shinsa-{department}").get_by_test_id("route-status")).to_have_text("承認")


def decide_approval(page: Page) -> None:
    """決裁: the last stamp approves the 承認案 and decides the case, without a second form."""
    page.get_by_test_id("route-approve-kessai").get_by_role("button", name="承認案を承認して決裁する").click()
    expect(page.get_by_test_id("route-complete")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("承認")
