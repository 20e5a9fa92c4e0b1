"""The fee of an application, shown before and after submitting (issue 12, item 3)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import axe_check
from tests.e2e.resident import (
    choose,
    fill_address,
    fill_name,
    look_up_status,
    next_step,
    read_receipt,
    start_application,
    submit_confirmation,
    switch_language,
)

TOTAL = {"ja": "合計 600円", "en": "Total ¥600"}


def apply_for_two_seal_certificates(page: Page, language: str) -> None:
    page.goto("/")
    if language != "ja":
        switch_language(page, language)
    start_application(page, "inkan-certificate", language)
    fill_name(page, "applicant_name")
    page.locator("#f-birth_date").fill("1980-01-02")
    fill_address(page, "address")
    next_step(page)
    page.locator("#f-copies").fill("2")
    page.locator("#f-purpose").select_option("real_estate")
    next_step(page)
    choose(page, "delivery_method", "counter")
    page.locator("#f-phone").fill("029-200-1234")
    page.locator("#f-consent").check()
    next_step(page)
    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_two_seal_certificates_cost_600_yen_on_the_confirmation_and_completion_pages(page, language):
    apply_for_two_seal_certificates(page, language)

    expect(page.get_by_test_id("fee-total")).to_contain_text(TOTAL[language])
    axe_check(page)
    submit_confirmation(page)
    receipt_number, access_code = read_receipt(page)
    expect(page.get_by_test_id("fee-total")).to_contain_text(TOTAL[language])
    axe_check(page)

    look_up_status(page, receipt_number, access_code)
    expect(page.get_by_test_id("fee-total")).to_contain_text(TOTAL[language])
    axe_check(page)
