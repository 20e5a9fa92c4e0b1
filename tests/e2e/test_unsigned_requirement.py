"""住民票の写し in the browser: sign with the My Number Card or attach a copy of photo ID (issue 12, item 6).

The procedure page says so before the form; the confirmation page says what is missing and
refuses an application with neither, sending the resident to the step; with the copy attached it
goes through. Chromium with axe-core on every page touched.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import axe_check
from tests.e2e.resident import AOBA, choose, fill_address, fill_name, next_step, submit_confirmation, switch_language
from tests.samples import pdf_bytes

SLUG = "juminhyo-copy"
STATEMENT = {
    "ja": "マイナンバーカードで電子署名するか、本人確認書類の写しを添付してください。",
    "en": "Sign the application with your My Number Card, or attach copy of photo ID.",
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_procedure_page_states_sign_or_attach_before_the_form(page: Page, language):
    page.goto(f"/{AOBA}/procedures/{SLUG}/")
    if language != "ja":
        switch_language(page, language)

    section = page.locator("section.signature-requirement")
    expect(section).to_contain_text(STATEMENT[language])
    apply_link = page.locator("a.button--primary")
    assert section.bounding_box()["y"] < apply_link.bounding_box()["y"]
    axe_check(page)


def fill_juminhyo(page: Page, *, identity=None) -> None:
    page.goto(f"/{AOBA}/procedures/{SLUG}/apply/requester/")
    fill_name(page, "requester_name")
    choose(page, "relationship", "self")
    if identity is not None:
        page.locator("#f-identity_document").set_input_files(identity)
    next_step(page)
    fill_address(page, "target_address")
    page.locator("#f-target_birth_date").fill("昭和55年1月2日")
    choose(page, "scope", "individual")
    page.locator("#f-copies").fill("1")
    page.locator("#f-purpose").select_option("employment")
    next_step(page)
    choose(page, "delivery_method", "counter")
    page.locator("#f-phone").fill("029-200-1234")
    page.locator("#f-consent").check()
    next_step(page)
    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))


def test_an_unsigned_request_without_the_copy_is_sent_back_to_attach_it(page: Page, tmp_path):
    fill_juminhyo(page)
    notice = page.get_by_test_id("unsigned-requirement")
    expect(notice).to_contain_text(STATEMENT["ja"])
    axe_check(page)

    submit_confirmation(page)

    summary = page.locator(".error-summary").first
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=STATEMENT["ja"])).to_be_visible()
    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))
    axe_check(page)

    summary.get_by_role("link", name=STATEMENT["ja"]).click()
    expect(page).to_have_url(re.compile(r"/apply/requester/\?return=confirm#f-identity_document$"))
    copy = tmp_path / "menkyo.pdf"
    copy.write_bytes(pdf_bytes("本人確認書類"))
    page.locator("#f-identity_document").set_input_files(copy)
    next_step(page)
    # Straight back to the confirmation (the browser keeps the link's #fragment across the redirect).
    expect(page).to_have_url(re.compile(r"/apply/confirm/(#f-identity_document)?$"))
    expect(page.get_by_test_id("unsigned-requirement")).to_have_count(0)
    submit_confirmation(page)

    expect(page).to_have_url(re.compile(r"/apply/done/$"))
    axe_check(page)
