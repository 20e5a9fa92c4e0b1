"""Staff and resident in real browsers (issue #3): a clerk signs in with TOTP, asks for a
correction, the resident corrects it on the status page, the route is stamped 起案 → 審査 →
決裁 by three people, the approver approves, and the resident sees the decision. axe-core
checks the queue, the case page with its route and the approvals page."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from tests.backoffice.conftest import demo_device, totp_code
from tests.cases.test_submit import INKAN
from tests.e2e.conftest import _new_page, axe_check

from madoguchi.cases.services import case_submit
from madoguchi.demo.tenants import DEMO_PASSWORD


def sign_in(browser, site, username):
    context, page = _new_page(browser, site)
    page.goto("/staff/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator("#id_code").fill(totp_code(demo_device(username)))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    return context, page


def test_a_case_goes_from_correction_to_approval_across_staff_and_resident(browser, site, aoba, version_of):
    result = case_submit(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="e2e-bo",
    )
    receipt = result.case.receipt_number

    clerk_context, clerk = sign_in(browser, site, "aoba-clerk")
    expect(clerk.get_by_test_id("queue")).to_contain_text(receipt)
    axe_check(clerk)
    clerk.get_by_role("link", name=receipt).click()
    expect(clerk.locator("h1")).to_contain_text(receipt)
    axe_check(clerk)
    clerk.locator("form[action$='/actions/request_correction/'] textarea").fill("電話番号をご確認ください。")
    clerk.locator("form[action$='/actions/request_correction/'] button").click()
    expect(clerk.locator("main")).to_contain_text("電話番号をご確認ください。")

    resident_context, resident = _new_page(browser, site)
    resident.goto("/status/")
    resident.locator("#receipt_number").fill(receipt)
    resident.locator("#access_code").fill(result.access_code)
    resident.locator("main form button[type=submit]").click()
    expect(resident.locator("main")).to_contain_text("電話番号をご確認ください。")
    resident.locator("a[href='/status/correct/']").click()
    axe_check(resident)
    resident.locator("#f-phone").fill("090-1111-2222")
    resident.locator("form.application-form button[type=submit]").click()
    expect(resident).to_have_url(re.compile(r"/status/$"))

    # 起案 by the clerk, who sees the corrected answers and the route in order.
    clerk.reload()
    expect(clerk.get_by_test_id("route")).to_be_visible()
    expect(clerk.get_by_test_id("decision-waits")).to_have_count(0)  # a clerk may not decide at all
    clerk.locator("form[action$='/route/kian/approve/'] textarea").fill("本人確認書類を確認しました。")
    clerk.locator("form[action$='/route/kian/approve/'] button").click()
    expect(clerk.get_by_test_id("route-step-kian-shimin").get_by_test_id("route-status")).to_have_text("承認")
    clerk_context.close()

    # 審査 by the reviewer, who finds the case on the approvals page.
    reviewer_context, reviewer = sign_in(browser, site, "aoba-reviewer")
    reviewer.goto("/staff/approvals/")
    expect(reviewer.get_by_test_id("awaiting")).to_contain_text(receipt)
    axe_check(reviewer)
    reviewer.get_by_test_id("awaiting").get_by_role("link", name=receipt).click()
    axe_check(reviewer)
    reviewer.locator("form[action$='/route/shinsa/approve/'] button").click()
    expect(reviewer.get_by_test_id("route-step-shinsa-shimin").get_by_test_id("route-status")).to_have_text("承認")
    reviewer_context.close()

    # 決裁 by the approver, and only then the decision.
    approver_context, approver = sign_in(browser, site, "aoba-approver")
    approver.goto(f"/staff/cases/{receipt}/")
    expect(approver.locator("main")).to_contain_text("090-1111-2222")
    expect(approver.get_by_test_id("decision-waits")).to_be_visible()
    approver.locator("form[action$='/route/kessai/approve/'] button").click()
    expect(approver.get_by_test_id("route-complete")).to_be_visible()
    axe_check(approver)
    approver.locator("form[action$='/actions/approve/'] button").click()
    expect(approver.locator("main")).to_contain_text("承認")
    approver_context.close()

    resident.reload()
    expect(resident.get_by_test_id("status")).to_have_text("承認")
    resident_context.close()
