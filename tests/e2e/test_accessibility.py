"""axe-core finds no WCAG 2.1 A/AA violation on any resident page, in Japanese and in English.

JIS X 8341-3 (the Japanese standard public services must meet) follows WCAG 2.x, so a page
that axe flags is a page a municipality may not publish. Each test walks a group of pages
and reports every page's violations together, so one run shows all that needs fixing.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import axe_violations, format_violations
from tests.e2e.resident import (
    AOBA,
    choose,
    days_ago,
    fill_address,
    fill_name,
    look_up_status,
    next_step,
    read_receipt,
    reiwa_kanji,
    submit_confirmation,
    switch_language,
)
from tests.samples import png_bytes

LANGUAGES = ["ja", "en"]
SEARCH = {"ja": "犬", "en": "dog"}


class Audit:
    """Run axe on each page visited and keep the violations by page name."""

    def __init__(self, page: Page, language: str):
        self.page = page
        self.language = language
        self.violations: dict[str, list[dict]] = {}

    def check(self, name: str) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        found = axe_violations(self.page)
        if found:
            self.violations[name] = found

    def assert_clean(self) -> None:
        report = "\n".join(
            f"{name} ({self.language}):\n{format_violations(found)}" for name, found in self.violations.items()
        )
        assert not self.violations, f"axe violations:\n{report}"


def in_language(page: Page, language: str) -> Audit:
    page.goto("/")
    if language != "ja":
        switch_language(page, language)
    return Audit(page, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_information_pages_have_no_axe_violations(page, language):
    audit = in_language(page, language)
    audit.check("home")
    page.goto(f"/{AOBA}/")
    audit.check("catalog")
    page.goto(f"/{AOBA}/?q={SEARCH[language]}")
    expect(page.locator(".card-list .card")).not_to_have_count(0)
    audit.check("catalog, search with results")
    page.goto(f"/{AOBA}/?q=zzzzzz")
    expect(page.locator(".card-list .notice")).to_have_count(1)
    audit.check("catalog, search without results")
    page.goto(f"/{AOBA}/?category=pets")
    audit.check("catalog, one category")
    page.goto(f"/{AOBA}/procedures/jido-teate/")
    audit.check("procedure page")
    page.goto("/status/")
    audit.check("status form")
    look_up_status(page, "082015-2026-000001", "AAAA-BBBB-CCCC")
    expect(page.locator(".error-summary")).to_be_visible()
    audit.check("status form with error")
    page.goto(f"/{AOBA}/procedures/no-such-procedure/")
    audit.check("not found page")
    audit.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_application_pages_have_no_axe_violations(page, tmp_path, language):
    card = tmp_path / "card.png"
    card.write_bytes(png_bytes())
    audit = in_language(page, language)
    page.goto(f"/{AOBA}/procedures/jido-teate/apply/applicant/")
    audit.check("step 1, clean")
    page.locator("#f-email").fill("not-an-email")
    next_step(page)
    expect(page.locator(".error-summary")).to_be_focused()
    audit.check("step 1, with errors")

    fill_name(page, "applicant_name")
    page.locator("#f-applicant_birth_date").fill("1990-05-01")
    fill_address(page, "address")
    page.locator("#f-phone").fill("029-200-1234")
    page.locator("#f-email").fill("")
    choose(page, "employment_type", "public_servant")
    expect(page.locator("#field-public_office_name")).to_be_visible()
    audit.check("step 1, conditional field shown")
    page.locator("#f-public_office_name").fill("青葉県庁")
    next_step(page)

    audit.check("step 2, clean")
    fill_name(page, "child_name")
    page.locator("#f-child_birth_date").fill(reiwa_kanji(days_ago(100)))
    choose(page, "child_lives_with_applicant", "no")
    next_step(page)
    expect(page.locator(".error-summary")).to_be_focused()
    audit.check("step 2, address part errors")
    fill_address(page, "child_address")
    next_step(page)

    audit.check("step 3, clean")
    choose(page, "payment_account", "public_account")
    next_step(page)

    audit.check("step 4 (file and consent), clean")
    next_step(page)
    expect(page.locator(".error-summary")).to_be_focused()
    audit.check("step 4, with errors")
    page.locator("#f-health_insurance_copy").set_input_files(card)
    page.locator("#f-consent").check()
    next_step(page)

    expect(page.locator(".answers").first).to_be_visible()
    audit.check("confirmation")
    submit_confirmation(page)
    receipt_number, access_code = read_receipt(page)
    audit.check("completion")
    look_up_status(page, receipt_number, access_code)
    expect(page.get_by_test_id("status")).to_be_visible()
    audit.check("status with result")
    audit.assert_clean()
