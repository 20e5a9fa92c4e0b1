"""The assistant page in a real browser (issue 4): without JavaScript a search-and-answer
form, with JavaScript a chat; axe finds no WCAG 2.1 A/AA violation either way."""

from __future__ import annotations

import pytest
from tests.assistant.conftest import EMBEDDER, load_faq

from madoguchi.assistant.models import Feedback, Inquiry, QuestionLog

from .conftest import axe_check


@pytest.fixture
def faq_site(site, municipalities, settings):
    settings.MADOGUCHI_ASSISTANT_EMBEDDER = EMBEDDER
    load_faq(municipalities[0])
    return site


def axe_check_as_served(page, url: str) -> None:
    """Run axe on ``url`` as a browser without JavaScript gets it: the chat script is blocked.

    (axe itself needs JavaScript, so it runs in a JS-enabled tab that loads no page script.)
    """
    page.route("**/portal/assistant.js", lambda route: route.abort())
    page.goto(url)
    assert page.locator("#chat").is_hidden()
    axe_check(page)


def test_assistant_page_without_javascript(page_without_js, page, faq_site, aoba):
    axe_check_as_served(page, "/082015/assistant/")
    page = page_without_js
    page.goto("/082015/assistant/")
    page.fill("#q", "住民票の写しはどこで取れますか")
    page.click("#assistant-form button[type=submit]")
    answer = page.locator("article.answer")
    assert "住民票の写し" in answer.locator("h2").inner_text()
    assert answer.locator(".answer__source a").get_attribute("href").startswith("https://www.city.aoba.example.jp/")
    assert answer.get_by_role("link", name="オンラインで申請する").is_visible()
    page.get_by_role("button", name="役に立った").click()
    assert "ご意見ありがとうございました" in page.locator("[role=status]").inner_text()
    assert QuestionLog.objects.for_municipality(aoba).get().feedback == Feedback.HELPFUL


def test_assistant_hands_over_without_javascript(page_without_js, page, faq_site, aoba):
    url = "/082015/assistant/?q=" + "宇宙旅行の補助金はありますか"
    axe_check_as_served(page, url)
    page = page_without_js
    page.goto(url)
    handoff = page.locator("section.handoff")
    assert "お問い合わせ先" in handoff.inner_text()
    assert page.locator("article.answer").count() == 0  # not sure: no answer shown
    assert "入力しない場合、メールは一切送られません。" in handoff.inner_text()
    page.fill("#inquiry-email", "resident@example.jp")
    page.get_by_role("button", name="送信する").click()
    sent = page.locator(".panel--success")
    inquiry = Inquiry.objects.for_municipality(aoba).get()
    assert inquiry.email == "resident@example.jp"
    assert "質問を市役所に送りました" in sent.inner_text()
    assert sent.get_by_test_id("inquiry-reference").inner_text() == inquiry.reference


def test_the_chat_asks_before_it_hands_over_and_shows_the_reference(page, faq_site, aoba):
    page.goto("/082015/assistant/")
    page.wait_for_function("() => !document.getElementById('chat').hidden")
    page.fill("#q", "宇宙旅行の補助金はありますか")
    page.press("#q", "Enter")
    handoff = page.locator(".chat__answer .handoff").first
    handoff.wait_for()
    assert page.locator(".chat__answer .answer__body").count() == 0  # not sure: no answer shown
    assert "確かな回答が見つかりませんでした" in handoff.inner_text()
    handoff.get_by_role("button", name="質問を市役所に送る").click()
    form = handoff.locator("form.inquiry-form")
    form.wait_for()
    assert not Inquiry.objects.for_municipality(aoba).exists()  # the first click only asks
    assert form.get_by_label("質問").input_value() == "宇宙旅行の補助金はありますか"
    assert "入力しない場合、メールは一切送られません。" in form.inner_text()
    axe_check(page)
    form.get_by_label("メールアドレス（任意）").fill("not-an-address")
    form.get_by_role("button", name="送信する").click()
    form.get_by_role("alert").wait_for()
    assert not Inquiry.objects.for_municipality(aoba).exists()
    form.get_by_label("メールアドレス（任意）").fill("resident@example.jp")
    form.get_by_role("button", name="送信する").click()
    sent = handoff.get_by_test_id("inquiry-sent")
    sent.wait_for()
    inquiry = Inquiry.objects.for_municipality(aoba).get()
    assert sent.get_by_test_id("inquiry-reference").inner_text() == inquiry.reference
    assert "受付のお知らせをメールでお送りしました。" in sent.inner_text()
    assert "ご意見ありがとうございました" not in handoff.inner_text()
    assert inquiry.email == "resident@example.jp"
    axe_check(page)


def test_assistant_chat_with_javascript(page, faq_site):
    page.goto("/082015/assistant/")
    page.wait_for_function("() => !document.getElementById('chat').hidden")  # the chat script ran
    page.select_option("#lang", "en")
    page.fill("#q", "Which day is burnable garbage collected?")
    page.press("#q", "Enter")
    answer = page.locator(".chat__answer").first
    answer.locator(".answer__body").wait_for()
    assert "Burnable garbage" in answer.inner_text()
    assert page.url.endswith("/082015/assistant/")  # no page load: the API answered
    axe_check(page)
    answer.get_by_role("button", name="Helpful", exact=True).click()
    answer.get_by_text("Thank you for your feedback.").wait_for()
    axe_check(page)


def test_widget_page_shows_the_snippet(page, faq_site):
    page.goto("/082015/assistant/widget/")
    assert "widget.js" in page.locator("pre.snippet").inner_text()
    axe_check(page)
