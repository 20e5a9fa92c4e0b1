"""The rough edges of the form (issue 12, item 7), as a resident meets them in a browser.

変更 on the confirmation page, messages that name the field and say why a date is wrong, Back
after sending, the status page that already knows the receipt number, the English pages, and
a step counter that counts the same steps as the step bar. Every page is checked with axe-core.
"""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from tests.e2e.conftest import axe_check
from tests.e2e.resident import (
    AOBA,
    answers,
    choose,
    days_ago,
    fill_address,
    fill_dog_registration,
    fill_name,
    next_step,
    procedure_yaml,
    read_receipt,
    reiwa_kanji,
    start_application,
    submit_confirmation,
    switch_language,
    today_jst,
)
from tests.samples import ADDRESS, NAME

INKAN_APPLICANT = f"/{AOBA}/procedures/inkan-certificate/apply/applicant/"


def heisei_or_reiwa(d: date) -> str:
    """``d`` in 和暦 (an oracle independent of jp.wareki), for the dates these tests use."""
    if d >= date(2019, 5, 1):
        return reiwa_kanji(d)
    year = d.year - 1988
    return f"平成{'元' if year == 1 else year}年{d.month}月{d.day}日"


def test_change_on_the_confirmation_page_returns_to_it_after_the_changed_step(page, tmp_path):
    definition = procedure_yaml("inu-toroku")
    fill_dog_registration(page, tmp_path)

    page.locator('.answers a[href*="/apply/owner/"]').click()
    expect(page.locator("#f-phone")).to_have_value("029-200-1234")
    axe_check(page)
    page.locator("#f-phone").fill("029-200-9999")
    next_step(page)

    # Straight back, not through the dog and vaccination steps.
    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))
    shown = answers(page)
    assert shown[definition["steps"][0]["fields"][2]["label"]["ja"]] == "029-200-9999"
    assert shown[definition["steps"][1]["fields"][0]["label"]["ja"]] == "ポチ"


def test_change_that_shows_a_new_field_asks_for_it_then_returns(page, tmp_path):
    fill_dog_registration(page, tmp_path)

    page.locator('.answers a[href*="/apply/dog/"]').click()
    choose(page, "microchip", "yes")
    page.locator("#f-microchip_number").fill("392141000123456")
    next_step(page)

    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))
    assert "392141000123456" in answers(page).values()


def test_required_messages_name_the_field_and_mark_only_the_failing_parts(page):
    page.goto(INKAN_APPLICANT)
    page.locator("#f-applicant_name-given").fill("花子")
    page.locator("#f-applicant_name-given_kana").fill("ハナコ")
    next_step(page)

    expect(page.locator("#f-applicant_name-family-error")).to_contain_text("氏名（姓）を入力してください")
    expect(page.locator("#f-birth_date-error")).to_contain_text("生年月日を入力してください")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("氏名（姓）を入力してください")
    expect(summary).not_to_contain_text("この項目は必須です")
    expect(page.locator("#f-applicant_name-family")).to_have_attribute("aria-invalid", "true")
    for optional in ("#f-applicant_name-given", "#f-applicant_name-given_kana", "#f-registration_number"):
        expect(page.locator(optional)).not_to_have_attribute("aria-invalid", "true")

    # An empty address marks its required parts, never 方書 (building), which is optional.
    expect(page.locator("#f-address-error")).to_contain_text("住所（住民登録地）を入力してください")
    expect(page.locator("#f-address-city")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-address-building")).not_to_have_attribute("aria-invalid", "true")
    axe_check(page)


def test_required_messages_in_english(page):
    page.goto(INKAN_APPLICANT)
    switch_language(page, "en")
    page.locator("#f-applicant_name-given").fill("Hanako")
    next_step(page)

    expect(page.locator("#f-applicant_name-family-error")).to_contain_text("Enter the family name in “Name”")
    expect(page.locator("#f-birth_date-error")).to_contain_text("Enter date of birth.")
    axe_check(page)


def test_date_errors_say_why_in_the_calendar_the_resident_typed(page):
    page.goto(INKAN_APPLICANT)
    page.locator("#f-birth_date").fill("令和7年2月30日")
    next_step(page)
    expect(page.locator("#f-birth_date-error")).to_contain_text("2月30日はありません")

    page.locator("#f-birth_date").fill("平成31年5月1日")
    next_step(page)
    expect(page.locator("#f-birth_date-error")).to_contain_text("令和元年5月1日")

    # birth_date must be at least 15 years ago: the limit comes back in 和暦, as it was typed.
    today = today_jst()
    latest = date(today.year - 15, today.month, 28 if (today.month, today.day) == (2, 29) else today.day)
    page.locator("#f-birth_date").fill(reiwa_kanji(days_ago(1)))
    next_step(page)
    error = page.locator("#f-birth_date-error")
    expect(error).to_contain_text(heisei_or_reiwa(latest))
    expect(error).not_to_contain_text(latest.isoformat())

    # Typed in the western calendar, the limit is western too (and still not ISO).
    page.locator("#f-birth_date").fill(days_ago(1).isoformat())
    next_step(page)
    expect(error).to_contain_text(f"{latest.year}年{latest.month}月{latest.day}日")
    axe_check(page)


def test_back_after_submitting_says_it_was_sent_and_the_status_page_knows_the_receipt(page, tmp_path):
    fill_dog_registration(page, tmp_path)
    submit_confirmation(page)
    receipt_number, _access_code = read_receipt(page)

    page.go_back()
    sent = page.get_by_test_id("already-sent")
    expect(sent).to_contain_text("この申請は送信済みです")
    expect(page.get_by_test_id("sent-receipt-number")).to_have_text(receipt_number)
    axe_check(page)
    page.go_back()  # the last form step: the same, not an empty form
    expect(page.get_by_test_id("sent-receipt-number")).to_have_text(receipt_number)

    page.goto(f"/{AOBA}/procedures/inu-toroku/apply/done/")
    page.locator('main a[href="/status/"]').click()
    expect(page).to_have_url(re.compile(r"/status/$"))  # nothing of the application in the URL
    expect(page.locator("#receipt_number")).to_have_value(receipt_number)
    expect(page.locator("#access_code")).to_have_value("")
    expect(page.locator("#access_code")).to_be_focused()
    axe_check(page)

    # A new application of the same procedure can still be started from the sent page.
    page.goto(f"/{AOBA}/procedures/inu-toroku/apply/vaccination/")
    page.get_by_test_id("apply-again").click()
    expect(page.locator("form.application-form #f-owner_name-family")).to_have_value("")


def test_english_pages_show_romaji_prefectures_yen_and_readable_dates(page):
    page.goto(f"/{AOBA}/procedures/inkan-certificate/")
    switch_language(page, "en")
    expect(page.locator(".facts")).to_contain_text("¥300")
    expect(page.locator(".facts")).not_to_contain_text("yen")
    axe_check(page)

    start_application(page, "inu-shibo", "en")
    prefecture = page.locator("#f-address-prefecture")
    expect(prefecture.locator('option[value="茨城県"]')).to_have_text("Ibaraki")
    expect(prefecture.locator('option[value="東京都"]')).to_have_text("Tokyo")
    fill_name(page, "owner_name", {**NAME, "family": "Yamada", "given": "Hanako"})
    fill_address(page, "address", {**ADDRESS, "city": "Aoba", "town": "Chuo", "block": "1-2-3", "building": ""})
    page.locator("#f-phone").fill("029-200-1234")
    next_step(page)
    died = days_ago(3)
    page.locator("#f-dog_name").fill("Pochi")
    page.locator("#f-breed").fill("Shiba")
    page.locator("#f-date_of_death").fill(died.isoformat())
    choose(page, "tag_return", "return")
    page.locator("#f-consent").check()
    next_step(page)

    shown = answers(page)
    definition = procedure_yaml("inu-shibo")
    address = shown[definition["steps"][0]["fields"][1]["label"]["en"]]
    assert "Ibaraki, Aoba, Chuo, 1-2-3" in address
    assert "茨城県" not in address
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]  # fmt: skip
    died_label = next(f["label"]["en"] for f in definition["steps"][1]["fields"] if f["id"] == "date_of_death")
    assert shown[died_label].startswith(f"{died.day} {months[died.month - 1]} {died.year}")
    axe_check(page)


def test_step_counter_counts_the_steps_of_the_step_bar(page):
    start_application(page, "inkan-certificate", "ja")
    bar = page.locator("nav.steps li")
    count = bar.count()
    assert count == len(procedure_yaml("inkan-certificate")["steps"]) + 1  # the steps and 確認
    expect(page.locator("h1 .step-count")).to_contain_text(f"全{count}ステップ中1ステップ目")
    expect(bar.nth(0)).to_have_attribute("aria-current", "step")
