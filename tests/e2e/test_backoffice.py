"""Staff and resident in real browsers (issue #3): a clerk signs in with TOTP, asks for a
correction, the resident corrects it on the status page (with a reply, in their own notation,
after a confirmation step), staff see what changed, the route is stamped 起案 (proposing 承認)
→ 審査 → 決裁 by three people, the last stamp decides, and the resident sees the decision
(issue 12, items 8 and 9). axe-core checks every page on the way."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from tests.cases.test_submit import INKAN
from tests.e2e.conftest import _new_page, axe_check
from tests.e2e.resident import correct_application
from tests.e2e.staff import decide_approval, draft_approval, request_correction, review_approval, sign_in
from tests.resident_signing import case_submit_as_resident


def test_a_case_goes_from_correction_to_approval_across_staff_and_resident(browser, site, aoba, version_of):
    result = case_submit_as_resident(
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
    request_correction(clerk, "電話番号をご確認ください。")

    resident_context, resident = _new_page(browser, site)
    resident.goto("/status/")
    resident.locator("#receipt_number").fill(receipt)
    resident.locator("#access_code").fill(result.access_code)
    resident.locator("main form button[type=submit]").click()
    expect(resident.locator("main")).to_contain_text("電話番号をご確認ください。")
    request_panel = resident.get_by_test_id("correction-request")
    expect(request_panel).to_contain_text("電話番号をご確認ください。")
    axe_check(resident)
    request_panel.locator("a[href='/status/correct/']").click()
    axe_check(resident)
    expect(resident.locator("#f-birth_date")).to_have_value("昭和55年1月2日")  # as typed, not ISO
    correct_application(
        resident, {"phone": "090-1111-2222", "address-building": "青葉荘（2階）"}, reply="携帯電話の番号に直しました。"
    )
    changes = resident.get_by_test_id("correction-changes")
    expect(changes).to_contain_text("029-200-1234")
    expect(changes).to_contain_text("090-1111-2222")
    expect(changes).to_contain_text("青葉荘（2階）")  # full-width brackets kept
    expect(resident.get_by_test_id("correction-reply")).to_have_text("携帯電話の番号に直しました。")
    axe_check(resident)
    resident.get_by_role("button", name="補正した内容を送信する").click()
    expect(resident).to_have_url(re.compile(r"/status/$"))
    expect(resident.locator("main")).to_contain_text("青葉荘（2階）")

    # The clerk sees what changed, field by field, and the reply; then drafts a 承認案 (起案).
    clerk.reload()
    diff = clerk.get_by_test_id("correction-2")
    expect(diff.get_by_test_id("change-phone")).to_contain_text("029-200-1234")
    expect(diff.get_by_test_id("change-phone")).to_contain_text("090-1111-2222")
    expect(diff.get_by_test_id("correction-reply")).to_have_text("携帯電話の番号に直しました。")
    axe_check(clerk)
    expect(clerk.get_by_test_id("route")).to_be_visible()
    expect(clerk.get_by_test_id("decision-waits")).to_have_count(0)  # a clerk may not decide at all
    draft_approval(clerk, "本人確認書類を確認しました。")
    clerk_context.close()

    # 審査 by the reviewer, who finds the case on the approvals page.
    reviewer_context, reviewer = sign_in(browser, site, "aoba-reviewer")
    reviewer.goto("/staff/approvals/")
    expect(reviewer.get_by_test_id("awaiting")).to_contain_text(receipt)
    axe_check(reviewer)
    reviewer.get_by_test_id("awaiting").get_by_role("link", name=receipt).click()
    axe_check(reviewer)
    review_approval(reviewer)
    reviewer_context.close()

    # 決裁 by the approver: the last stamp takes the proposed decision, without a second form.
    approver_context, approver = sign_in(browser, site, "aoba-approver")
    approver.goto(f"/staff/cases/{receipt}/")
    expect(approver.locator("main")).to_contain_text("090-1111-2222")
    expect(approver.get_by_test_id("decision-waits")).to_be_visible()
    axe_check(approver)
    decide_approval(approver)
    axe_check(approver)
    approver_context.close()

    resident.reload()
    expect(resident.get_by_test_id("status")).to_have_text("承認")
    resident_context.close()


def test_a_proposed_rejection_is_approved_and_decided_in_one_step(browser, site, aoba, version_of):
    """Issue 12, item 9: the 却下案 needs its reason, the buttons say 却下案, and the 決裁 rejects."""
    from tests.backoffice.casework import staff

    from madoguchi.cases.workflow import case_start_review

    result = case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="e2e-reject",
    )
    receipt = result.case.receipt_number
    case_start_review(staff=staff("aoba-clerk"), case=result.case)

    clerk_context, clerk = sign_in(browser, site, "aoba-clerk")
    clerk.goto(f"/staff/cases/{receipt}/")
    draft = clerk.get_by_test_id("route-approve-kian")
    draft.get_by_role("radio", name="却下案").check()
    draft.get_by_role("button", name="起案する").click()
    expect(clerk.locator(".error-summary")).to_contain_text("却下の理由を入力してください")
    axe_check(clerk)
    draft = clerk.get_by_test_id("route-approve-kian")
    expect(draft.get_by_role("radio", name="却下案")).to_be_checked()
    draft.locator("textarea[name=proposal_message]").fill("登録された印鑑がありません。")
    draft.get_by_role("button", name="起案する").click()
    expect(clerk.get_by_test_id("route-step-kian-shimin").get_by_test_id("route-status")).to_have_text("承認")
    clerk_context.close()

    reviewer_context, reviewer = sign_in(browser, site, "aoba-reviewer")
    reviewer.goto(f"/staff/cases/{receipt}/")
    expect(reviewer.get_by_test_id("route-proposal")).to_contain_text("却下案")
    expect(reviewer.get_by_role("button", name="この段階を承認する")).to_have_count(0)
    reviewer.get_by_role("button", name="却下案を承認する").click()
    reviewer_context.close()

    approver_context, approver = sign_in(browser, site, "aoba-approver")
    approver.goto(f"/staff/cases/{receipt}/")
    axe_check(approver)
    approver.get_by_role("button", name="却下案を承認して決裁する").click()
    expect(approver.get_by_test_id("status")).to_have_text("却下")
    expect(approver.locator("main")).to_contain_text("登録された印鑑がありません。")
    approver_context.close()
