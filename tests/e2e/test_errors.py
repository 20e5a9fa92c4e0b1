"""Mistakes and old browsers: the error summary, errors next to fields, and the form without JavaScript.

The error summary follows the GOV.UK / Digital Agency pattern: it is focused when the page
loads, announces itself (role=alert) and links to every field in error; each field in error
carries aria-invalid and its message next to it. Everything works without portal.js: the
conditional fields are then all shown, each with a note saying when to answer it, and the
server drops the answers whose condition does not hold.
"""

from __future__ import annotations

import re

from django.utils import translation
from playwright.sync_api import expect
from tests.e2e.resident import (
    AOBA,
    answers,
    choose,
    days_ago,
    fill_address,
    fill_name,
    look_up_status,
    next_step,
    procedure_yaml,
    read_receipt,
    reiwa_kanji,
    submit_confirmation,
)
from tests.samples import ADDRESS, png_bytes

from madoguchi.cases.models import CaseStatus

APPLICANT_STEP = f"/{AOBA}/procedures/jido-teate/apply/applicant/"


def test_step_with_errors_shows_focused_summary_and_marks_fields(page):
    page.goto(APPLICANT_STEP)
    page.locator("#f-applicant_birth_date").fill("令和99年13月1日")
    page.locator("#f-email").fill("not-an-email")
    fill_address(page, "address", {**ADDRESS, "postal_code": "12"})
    next_step(page)

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    links = summary.locator("a")
    targets = [link.get_attribute("href").rsplit("#", 1)[1] for link in links.all()]
    assert set(targets) >= {
        "f-applicant_name",
        "f-applicant_birth_date",
        "f-address-postal_code",
        "f-phone",
        "f-email",
        "f-employment_type",
    }
    for target in targets:
        expect(page.locator(f"#{target}")).to_have_count(1)

    for field_id in ("applicant_birth_date", "email", "phone", "address-postal_code"):
        control = page.locator(f"#f-{field_id}")
        expect(control).to_have_attribute("aria-invalid", "true")
        error = page.locator(f"#f-{field_id}-error")
        expect(error).to_be_visible()
        expect(control).to_have_attribute("aria-describedby", re.compile(rf"(^|\s)f-{field_id}-error(\s|$)"))
    # Only the parts that must be filled in are marked: 名 and its フリガナ are optional.
    for part in ("family", "family_kana"):
        expect(page.locator(f"#f-applicant_name-{part}")).to_have_attribute("aria-invalid", "true")
    for part in ("given", "given_kana"):
        expect(page.locator(f"#f-applicant_name-{part}")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-applicant_name-error")).to_be_visible()
    expect(page.locator("#f-employment_type-error")).to_be_visible()


def test_error_summary_link_moves_focus_to_its_field(page):
    page.goto(APPLICANT_STEP)
    next_step(page)
    expect(page.locator(".error-summary")).to_be_focused()

    page.locator('.error-summary a[href$="#f-applicant_birth_date"]').click()
    expect(page.locator("#f-applicant_birth_date")).to_be_focused()
    page.locator('.error-summary a[href$="#f-applicant_name"]').click()
    expect(page.locator("#f-applicant_name-family")).to_be_focused()
    page.locator('.error-summary a[href$="#f-employment_type"]').click()
    expect(page.locator("#f-employment_type-company_employee")).to_be_focused()
    expect(page.locator("#f-employment_type legend")).to_be_in_viewport()


def test_answers_typed_before_an_error_are_kept(page):
    page.goto(APPLICANT_STEP)
    fill_name(page, "applicant_name")
    page.locator("#f-phone").fill("029-200-1234")
    next_step(page)

    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-applicant_name-family")).to_have_value("山田")
    expect(page.locator("#f-phone")).to_have_value("029-200-1234")
    expect(page.locator("#f-applicant_name-family")).not_to_have_attribute("aria-invalid", "true")


def test_application_without_javascript_ignores_answers_whose_condition_is_false(page_without_js, tmp_path):
    page = page_without_js
    definition = procedure_yaml("jido-teate")
    card = tmp_path / "hokensho.png"
    card.write_bytes(png_bytes())
    page.goto(APPLICANT_STEP)

    next_step(page)
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-applicant_name-family")).to_have_attribute("aria-invalid", "true")

    office = page.locator("#field-public_office_name")
    expect(office).to_be_visible()
    expect(office.locator(".field__condition")).to_be_visible()
    fill_name(page, "applicant_name")
    page.locator("#f-applicant_birth_date").fill("平成2年5月1日")
    fill_address(page, "address")
    page.locator("#f-phone").fill("029-200-1234")
    choose(page, "employment_type", "company_employee")
    page.locator("#f-public_office_name").fill("青葉県庁")
    next_step(page)

    expect(page).to_have_url(re.compile(r"/apply/children/$"))
    expect(page.locator("#field-child_address .field__condition")).to_be_visible()
    fill_name(page, "child_name")
    page.locator("#f-child_birth_date").fill(reiwa_kanji(days_ago(100)))
    choose(page, "child_lives_with_applicant", "yes")
    page.locator("#f-child_address-city").fill("港川市")
    next_step(page)

    expect(page.locator("#field-bank_name .field__condition")).to_be_visible()
    choose(page, "payment_account", "public_account")
    page.locator("#f-bank_name").fill("青葉銀行")
    next_step(page)

    page.locator("#f-health_insurance_copy").set_input_files(card)
    page.locator("#f-consent").check()
    next_step(page)

    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))
    shown = answers(page)
    labels = {f["id"]: f["label"]["ja"] for step in definition["steps"] for f in step["fields"]}
    assert "平成2年5月1日" in shown[labels["applicant_birth_date"]]
    for ignored in ("public_office_name", "child_address", "bank_name"):
        assert labels[ignored] not in shown
    expect(page.locator("main")).not_to_contain_text("青葉県庁")
    expect(page.locator("main")).not_to_contain_text("青葉銀行")
    submit_confirmation(page)

    receipt_number, access_code = read_receipt(page)
    look_up_status(page, receipt_number, access_code)
    with translation.override("ja"):
        expect(page.get_by_test_id("status")).to_have_text(str(CaseStatus.SUBMITTED.label))
    expect(page.locator("main")).not_to_contain_text("青葉県庁")


def test_status_lookup_with_unknown_code_shows_focused_error_on_both_fields(page):
    look_up_status(page, "082015-2026-000001", "AAAA-BBBB-CCCC")

    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.get_by_test_id("status")).to_have_count(0)
    for field_id in ("receipt_number", "access_code"):
        control = page.locator(f"#{field_id}")
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(control).to_have_attribute("aria-describedby", re.compile(r"(^|\s)lookup-error(\s|$)"))
    expect(page.locator("#receipt_number")).to_have_value("082015-2026-000001")
    expect(page.locator("#access_code")).to_have_value("")
