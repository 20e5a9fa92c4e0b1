"""The fee of an application, shown before and after submitting (issue 12, item 3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import axe_check
from tests.e2e.resident import (
    fill_inkan_certificate,
    look_up_status,
    read_receipt,
    sign_with_software_card,
    submit_confirmation,
    switch_language,
)

TOTAL = {"ja": "合計 600円", "en": "Total ¥600"}


def apply_for_two_seal_certificates(page: Page, language: str) -> None:
    page.goto("/")
    if language != "ja":
        switch_language(page, language)
    fill_inkan_certificate(page, language=language, copies=2, birth_date="1980-01-02")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_two_seal_certificates_cost_600_yen_on_the_confirmation_and_completion_pages(page, language, software_card):
    apply_for_two_seal_certificates(page, language)

    expect(page.get_by_test_id("fee-total")).to_contain_text(TOTAL[language])
    axe_check(page)
    sign_with_software_card(page, software_card)  # 印鑑登録証明書 requires the signature
    submit_confirmation(page)
    receipt_number, access_code = read_receipt(page)
    expect(page.get_by_test_id("fee-total")).to_contain_text(TOTAL[language])
    axe_check(page)

    look_up_status(page, receipt_number, access_code)
    expect(page.get_by_test_id("fee-total")).to_contain_text(TOTAL[language])
    axe_check(page)
