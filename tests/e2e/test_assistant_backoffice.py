"""The assistant's back-office pages in a real browser: a clerk writes a draft FAQ entry,
a reviewer publishes it, and axe finds no violation on the FAQ list, the entry form (also
with the services' refusals shown next to the fields), the unanswered questions and the
inquiries (also with a refused answer)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.assistant.conftest import EMBEDDER, load_faq
from tests.e2e.conftest import axe_check
from tests.e2e.test_backoffice import sign_in
from tests.notifications.conftest import smtp_down  # noqa: F401 - fixture

from madoguchi.assistant.answering import assistant_ask, inquiry_create
from madoguchi.notifications.delivery import notifications_send_due


@pytest.fixture
def faq_site(site, municipalities, settings):
    settings.MADOGUCHI_ASSISTANT_EMBEDDER = EMBEDDER
    load_faq(municipalities[0])
    assistant_ask(municipality=municipalities[0], question="宇宙飛行士になるにはどうすればいいですか")
    inquiry_create(municipality=municipalities[0], question="ペットの火葬について知りたい")
    return site


def test_a_clerk_drafts_and_a_reviewer_publishes_an_faq_entry(browser, faq_site):
    context, clerk = sign_in(browser, faq_site, "aoba-clerk")
    clerk.get_by_role("link", name="アシスタント").click()
    expect(clerk.get_by_test_id("faq-list")).to_contain_text("moving-001")
    axe_check(clerk)
    clerk.get_by_role("link", name="新しい項目").click()
    clerk.locator("#f-external_id").fill("childcare-050")
    clerk.locator("#f-category").select_option("childcare")
    clerk.locator("#f-department").select_option("kosodate")
    clerk.locator("#f-q-ja").fill("学童保育の申込みはいつからですか。")
    axe_check(clerk)
    # Refused first: the id is taken and the Japanese answer is missing; English is half written.
    clerk.locator("#f-external_id").fill("moving-001")
    clerk.locator("summary", has_text="English").click()
    clerk.locator("#f-q-en").fill("When can I apply for after-school care?")
    clerk.locator("form.bo-faq-form button[type=submit]").click()
    summary = clerk.get_by_test_id("error-summary")
    expect(summary).to_contain_text("ID: このIDの項目はすでにあります。")
    expect(summary).to_contain_text("回答 (日本語): この項目は必須です。")
    expect(summary).to_contain_text("回答 (English): この項目は必須です。")
    expect(clerk.locator("#f-a-ja-error")).to_have_text("この項目は必須です。")
    expect(clerk.locator("#f-a-ja")).to_have_attribute("aria-invalid", "true")
    expect(clerk.locator("#f-q-ja")).to_have_value("学童保育の申込みはいつからですか。")  # nothing typed is lost
    axe_check(clerk)
    link = summary.get_by_role("link", name="回答 (日本語): この項目は必須です。")
    expect(link).to_have_attribute("href", "#f-a-ja")
    clerk.locator("#f-a-ja").fill("毎年1月に翌年度の申込みを受け付けます。")
    clerk.locator("#f-external_id").fill("childcare-050")
    clerk.locator("#f-q-en").fill("")
    clerk.locator("form.bo-faq-form button[type=submit]").click()
    expect(clerk.get_by_test_id("faq-status")).to_have_text("下書き")
    clerk.goto("/staff/assistant/unanswered/")
    expect(clerk.get_by_test_id("question-group")).to_contain_text("宇宙飛行士")
    axe_check(clerk)
    clerk.locator("#f-id-1").fill("childcare-050")  # taken a moment ago: refused next to the field
    clerk.get_by_role("button", name="下書きの項目を作る").click()
    expect(clerk.locator("#f-id-1-error")).to_have_text("このIDの項目はすでにあります。")
    expect(clerk.get_by_test_id("error-summary")).to_contain_text("新しい項目のID: このIDの項目はすでにあります。")
    axe_check(clerk)
    clerk.goto("/staff/assistant/inquiries/")
    expect(clerk.get_by_test_id("inquiries")).to_contain_text("ペットの火葬")
    axe_check(clerk)
    clerk.get_by_test_id("inquiries").get_by_role("link").first.click()
    axe_check(clerk)
    clerk.get_by_role("button", name="回答を記録する").click()  # nothing written: refused
    expect(clerk.locator("#f-answer-error")).to_have_text("この項目は必須です。")
    axe_check(clerk)
    context.close()

    context, reviewer = sign_in(browser, faq_site, "aoba-reviewer")
    reviewer.goto("/staff/assistant/entries/childcare-050/")
    reviewer.get_by_role("button", name="公開する").click()
    expect(reviewer.get_by_test_id("faq-status")).to_have_text("公開")
    axe_check(reviewer)
    context.close()


def test_an_administrator_labels_the_categories_and_answers_by_email(
    browser,
    faq_site,
    municipalities,
    smtp_down,  # noqa: F811 - the fixture imported above
    settings,
):
    inquiry = inquiry_create(
        municipality=municipalities[0], question="粗大ごみを出したい", email="resident@example.jp", language="en"
    )
    settings.MADOGUCHI_NOTIFY_MAX_ATTEMPTS = 1
    assert notifications_send_due().failed == 1  # the acknowledgement could not be delivered
    context, admin = sign_in(browser, faq_site, "aoba-admin")
    admin.goto("/staff/notifications/")
    expect(admin.locator("main")).to_contain_text("お問い合わせの受付")
    axe_check(admin)
    admin.goto("/staff/assistant/categories/")
    expect(admin.get_by_role("heading", name="tax")).to_be_visible()
    axe_check(admin)
    tax = admin.locator("section", has=admin.get_by_role("heading", name="tax"))
    tax.get_by_label("日本語").fill("")
    tax.get_by_role("button", name="tax の表示名を保存").click()
    expect(admin.get_by_test_id("error-summary")).to_contain_text("日本語: この項目は必須です。")
    axe_check(admin)
    tax = admin.locator("section", has=admin.get_by_role("heading", name="tax"))
    tax.get_by_label("日本語").fill("税・保険料")
    tax.get_by_label("Tiếng Việt").fill("Thuế")
    tax.get_by_role("button", name="tax の表示名を保存").click()
    expect(admin.get_by_role("status").or_(admin.locator(".messages"))).to_contain_text("表示名を保存しました。")
    admin.goto(f"/staff/assistant/inquiries/{inquiry.public_id}/")
    expect(admin.get_by_test_id("inquiry-reference")).to_have_text(inquiry.reference)
    expect(admin.locator("#f-answer-hint")).to_contain_text("回答を登録すると、住民の方にメールで送られます")
    axe_check(admin)
    admin.locator("#f-answer").fill("Please call the environment office.")
    admin.get_by_role("button", name="回答を記録する").click()
    expect(admin.get_by_test_id("inquiry-email")).to_have_text("入力あり（回答の送信手配とともに削除しました）")
    axe_check(admin)
    context.close()
