"""A resident applies end to end in a real browser, in Japanese and in English.

Each application goes through every form step, the 確認画面, submission, the receipt page
and the status lookup, the way a resident does it: by clicking, typing and choosing files.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect
from tests.e2e.resident import (
    answers,
    choose,
    days_ago,
    fill_address,
    fill_dog_registration,
    fill_name,
    look_up_status,
    next_step,
    procedure_yaml,
    read_receipt,
    reiwa_kanji,
    reiwa_letter,
    start_application,
    submit_confirmation,
    switch_language,
)
from tests.samples import NAME, pdf_bytes, png_bytes

from madoguchi.cases.models import CaseStatus

LANGUAGES = ["ja", "en"]


def open_portal_in(page: Page, language: str) -> None:
    """Open the start page and, for English, switch with the header's language button."""
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    if language != "ja":
        switch_language(page, language)


def label(definition: dict, field_id: str, language: str) -> str:
    for step in definition["steps"]:
        for field in step["fields"]:
            if field["id"] == field_id:
                return field["label"][language]
    raise KeyError(field_id)


def assert_shows_name(text: str, name: str, kana: str) -> None:
    """The display format (brackets, order) is the engine's; the answer's parts must all be there."""
    assert name in text
    assert kana in text


def assert_status_shows_received(page: Page, receipt_number: str, access_code: str, language: str) -> None:
    look_up_status(page, receipt_number, access_code)
    with translation.override(language):
        received = str(CaseStatus.SUBMITTED.label)
    expect(page.get_by_test_id("status")).to_have_text(received)
    expect(page.locator("main")).to_contain_text(receipt_number)


@pytest.mark.parametrize("language", LANGUAGES)
def test_child_allowance_with_attached_insurance_card(page, tmp_path, language):
    definition = procedure_yaml("jido-teate")
    card = tmp_path / "hokensho.png"
    card.write_bytes(png_bytes(32, 20))
    open_portal_in(page, language)

    start_application(page, "jido-teate", language)
    fill_name(page, "applicant_name")
    page.locator("#f-applicant_birth_date").fill("1990-05-01")
    fill_address(page, "address")
    page.locator("#f-phone").fill("029-200-1234")
    page.locator("#f-email").fill("hanako@example.jp")
    choose(page, "employment_type", "company_employee")
    next_step(page)

    expect(page).to_have_url(re.compile(r"/apply/children/$"))
    fill_name(page, "child_name", {**NAME, "given": "太郎", "given_kana": "タロウ"})
    page.locator("#f-child_birth_date").fill(reiwa_kanji(days_ago(400)))
    choose(page, "child_lives_with_applicant", "yes")
    next_step(page)

    choose(page, "payment_account", "public_account")
    next_step(page)

    page.locator("#f-health_insurance_copy").set_input_files(card)
    page.locator("#f-consent").check()
    next_step(page)

    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))
    shown = answers(page)
    assert_shows_name(shown[label(definition, "applicant_name", language)], "山田 花子", "ヤマダ ハナコ")
    assert_shows_name(shown[label(definition, "child_name", language)], "山田 太郎", "ヤマダ タロウ")
    assert shown[label(definition, "health_insurance_copy", language)].startswith("hokensho.png (")
    assert (
        shown[label(definition, "payment_account", language)]
        == definition["steps"][2]["fields"][0]["choices"][0]["label"][language]
    )
    submit_confirmation(page)

    receipt_number, access_code = read_receipt(page)
    expect(page.locator("main")).to_contain_text(definition["title"][language])
    assert_status_shows_received(page, receipt_number, access_code, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dog_registration_with_japanese_era_date_and_microchip(page, tmp_path, language):
    definition = procedure_yaml("inu-toroku")
    certificate = tmp_path / "chushazumisho.pdf"
    certificate.write_bytes(pdf_bytes("Rabies vaccination"))
    vaccinated_on = days_ago(30)
    typed_date = reiwa_kanji(vaccinated_on) if language == "ja" else reiwa_letter(vaccinated_on)
    open_portal_in(page, language)

    start_application(page, "inu-toroku", language)
    fill_name(page, "owner_name")
    fill_address(page, "address")
    page.locator("#f-phone").fill("0292001234")
    next_step(page)

    page.locator("#f-dog_name").fill("ポチ")
    page.locator("#f-breed").fill("柴犬")
    page.locator("#f-coat_color").fill("赤")
    choose(page, "sex", "male")
    microchip_number = page.locator("#field-microchip_number")
    expect(microchip_number).to_be_hidden()
    choose(page, "microchip", "yes")
    expect(microchip_number).to_be_visible()
    page.locator("#f-microchip_number").fill("392141000123456")
    next_step(page)

    page.locator("#f-rabies_vaccination_date").fill(typed_date)
    page.locator("#f-vaccination_certificate").set_input_files(certificate)
    page.locator("#f-consent").check()
    next_step(page)

    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))
    shown = answers(page)
    vaccination = shown[label(definition, "rabies_vaccination_date", language)]
    if language == "ja":
        assert reiwa_kanji(vaccinated_on) in vaccination
        assert f"{vaccinated_on.year}年{vaccinated_on.month}月{vaccinated_on.day}日" in vaccination
    else:
        assert reiwa_letter(vaccinated_on) in vaccination
        # Day, month name, year: never a bare ISO date for English readers.
        months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"]  # fmt: skip
        assert f"{vaccinated_on.day} {months[vaccinated_on.month - 1]} {vaccinated_on.year}" in vaccination
    assert shown[label(definition, "microchip_number", language)] == "392141000123456"
    assert shown[label(definition, "dog_name", language)] == "ポチ"
    assert shown[label(definition, "vaccination_certificate", language)].startswith("chushazumisho.pdf (")
    submit_confirmation(page)

    receipt_number, access_code = read_receipt(page)
    assert_status_shows_received(page, receipt_number, access_code, language)
    expect(page.locator("main")).to_contain_text(definition["title"][language])


def test_language_switch_changes_page_language_and_procedure_title(page):
    definition = procedure_yaml("inu-toroku")
    page.goto("/082015/procedures/inu-toroku/")
    expect(page.locator("h1")).to_have_text(definition["title"]["ja"])

    switch_language(page, "en")
    expect(page).to_have_url(re.compile(r"/082015/procedures/inu-toroku/$"))
    expect(page.locator("h1")).to_have_text(definition["title"]["en"])
    expect(page.locator(".language-switch button[aria-current=true]")).to_have_attribute("value", "en")

    switch_language(page, "ja")
    expect(page.locator("h1")).to_have_text(definition["title"]["ja"])


def test_changing_a_step_from_confirmation_keeps_the_attached_file(page, tmp_path):
    definition = procedure_yaml("inu-toroku")
    fill_dog_registration(page, tmp_path)

    page.locator('.answers a[href*="/apply/vaccination/"]').click()
    expect(page.locator(".attached")).to_contain_text("chushazumisho.png")
    expect(page.locator("#f-vaccination_certificate-keep")).to_be_checked()
    page.locator("#f-rabies_vaccination_date").fill(reiwa_kanji(days_ago(20)))
    next_step(page)

    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))
    shown = answers(page)
    assert shown[label(definition, "vaccination_certificate", "ja")].startswith("chushazumisho.png (")
    assert reiwa_kanji(days_ago(20)) in shown[label(definition, "rabies_vaccination_date", "ja")]


def test_completion_page_shows_procedure_title_in_the_language_switched_to(page):
    definition = procedure_yaml("inu-shibo")
    start_application(page, "inu-shibo", "ja")
    fill_name(page, "owner_name")
    fill_address(page, "address")
    page.locator("#f-phone").fill("029-200-1234")
    next_step(page)
    page.locator("#f-dog_name").fill("ポチ")
    page.locator("#f-breed").fill("柴犬")
    page.locator("#f-date_of_death").fill(reiwa_kanji(days_ago(3)))
    choose(page, "tag_return", "return")
    page.locator("#f-consent").check()
    next_step(page)
    submit_confirmation(page)
    read_receipt(page)
    expect(page.locator("main")).to_contain_text(definition["title"]["ja"])

    switch_language(page, "en")
    expect(page.get_by_test_id("receipt-number")).to_be_visible()
    expect(page.locator("main")).to_contain_text(definition["title"]["en"], timeout=1000)
