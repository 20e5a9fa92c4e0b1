"""The procedure page states the signature requirement, how to sign and what is needed, before the form.

Browser (Chromium) with axe-core, in Japanese and English, against the shipped catalog.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.e2e.conftest import axe_check
from tests.e2e.resident import AOBA, switch_language

EXPECTED = {
    "ja": {
        "heading": "電子署名：必要",
        "how": "確認画面で、マイナンバーカードの署名用電子証明書",
        "refused": "署名のない申請は受け付けられません",
        "period": "3開庁日",
        "reason": "電子署名に使用します（カードの写しの提出は不要です）。",
    },
    "en": {
        "heading": "Electronic signature: Required",
        "how": "on the confirmation page, after the form",
        "refused": "An application without the signature is not accepted.",
        "period": "3 business days",
        "reason": "Used for the electronic signature (no copy of the card is submitted).",
    },
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_signature_requirement_is_stated_before_the_form(page: Page, language):
    expected = EXPECTED[language]
    page.goto(f"/{AOBA}/procedures/inkan-certificate/")
    if language != "ja":
        switch_language(page, language)

    section = page.locator("section.signature-requirement")
    expect(section.get_by_role("heading", level=2)).to_have_text(expected["heading"])
    expect(section).to_contain_text(expected["how"])
    expect(section).to_contain_text(expected["refused"])
    expect(page.locator("dl.facts")).to_contain_text(expected["period"])
    expect(page.locator("ul.required-documents")).to_contain_text(expected["reason"])
    # Stated before the way into the form, so nobody learns of it on the confirmation page.
    apply_link = page.locator("a.button--primary")
    assert section.bounding_box()["y"] < apply_link.bounding_box()["y"]
    axe_check(page)


def test_an_upload_named_under_what_you_need_points_to_its_field(page: Page):
    page.goto(f"/{AOBA}/procedures/juminhyo-copy/")

    documents = page.locator("ul.required-documents li")
    expect(documents.first).to_contain_text("本人確認書類の写し")
    expect(documents.first).to_contain_text("フォームの「本人確認書類の写し」で添付します。")
    expect(page.locator("section.signature-requirement h2")).to_have_text("電子署名：任意")
    axe_check(page)


def test_a_calendar_day_period_reads_as_days(page: Page):
    page.goto(f"/{AOBA}/procedures/kaigo-nintei/")

    expect(page.locator("dl.facts")).to_contain_text("30日")
    expect(page.locator("dl.facts")).not_to_contain_text("開庁日")
    expect(page.locator("section.signature-requirement h2")).to_have_text("電子署名：必要")
    axe_check(page)
