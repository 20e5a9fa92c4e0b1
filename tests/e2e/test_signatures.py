"""Signing in a real browser (issue #5): a resident signs the confirmation page with the demo
software card, and staff see who signed next to what the resident typed. axe-core checks the
confirmation page with its signature section and the case page with the signature."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect
from tests.e2e.conftest import _new_page, axe_check
from tests.e2e.resident import choose, fill_address, fill_name, next_step, read_receipt, start_application
from tests.e2e.test_backoffice import sign_in

from madoguchi.signatures.demo import SOFTWARE_CARD, SOFTWARE_CARD_PIN
from madoguchi.signatures.models import ResidentSignature


@pytest.fixture
def software_card(signatures_configured, settings):
    settings.MADOGUCHI_DEMO_SOFTWARE_CARD = True
    return signatures_configured / "software-card.p12"


def fill_inkan_certificate(page) -> None:
    start_application(page, "inkan-certificate", "ja")
    fill_name(page, "applicant_name")
    page.locator("#f-birth_date").fill("昭和55年1月2日")
    fill_address(page, "address")
    next_step(page)
    page.locator("#f-copies").fill("1")
    page.locator("#f-purpose").select_option("real_estate")
    next_step(page)
    choose(page, "delivery_method", "counter")
    page.locator("#f-phone").fill("029-200-1234")
    page.locator("#f-consent").check()
    next_step(page)
    expect(page).to_have_url(re.compile(r"/apply/confirm/$"))


def test_a_resident_signs_with_the_demo_software_card_and_staff_see_the_signer(browser, site, software_card):
    resident_context, resident = _new_page(browser, site)
    fill_inkan_certificate(resident)
    expect(resident.locator("[data-software-card]")).to_be_visible()
    axe_check(resident)

    resident.locator("#software-card-file").set_input_files(software_card)
    resident.locator("#software-card-pin").fill("0000")
    resident.locator("[data-software-card-sign]").click()
    expect(resident.locator("[data-software-card-status]")).to_contain_text("暗証番号")  # a wrong PIN: nothing signed
    expect(resident.locator('[name="signature_value"]')).to_have_value("")
    resident.locator("#software-card-pin").fill(SOFTWARE_CARD_PIN)
    resident.locator("[data-software-card-sign]").click()
    expect(resident.locator("[data-software-card-status]")).to_contain_text("署名しました")
    resident.locator("main form button[type=submit]").click()
    receipt, _code = read_receipt(resident)
    resident_context.close()

    with scopes_disabled():
        signature = ResidentSignature.objects.get(case__receipt_number=receipt)
    assert signature.facts["name"] == SOFTWARE_CARD["name"]
    assert signature.revocation["status"] == "good"

    clerk_context, clerk = sign_in(browser, site, "aoba-clerk")
    clerk.goto(f"/staff/cases/{receipt}/")
    section = clerk.get_by_test_id("resident-signature")
    expect(section).to_contain_text(SOFTWARE_CARD["name"])
    # The resident typed 山田 花子, born 1980, of 中央一丁目; the card says otherwise: all three differ.
    expect(section.locator(".bo-signature__mismatch")).to_have_count(3)
    expect(section.locator(".bo-signature__mismatch").first).to_contain_text(SOFTWARE_CARD["name"])
    axe_check(clerk)
    clerk_context.close()
