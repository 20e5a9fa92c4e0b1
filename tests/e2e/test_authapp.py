"""The national authentication app in a real browser, against the local stand-in of its service.

A resident presses 「デジタル認証アプリで署名して送信する」 on the confirmation page, the browser goes
to the stand-in's authorization endpoint (where the smartphone's signature is simulated) and
comes back to the portal, which verifies the signature and shows the receipt. The municipality's
administrator reads what to register with the Digital Agency. axe-core checks every page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import _new_page, axe_check
from tests.e2e.resident import fill_inkan_certificate, read_receipt
from tests.e2e.test_backoffice import sign_in
from tests.signatures.authapp_standin import Standin, serve
from tests.signatures.test_authapp import CLIENT_ID, configure, rp_keys  # noqa: F401 (fixture)

from madoguchi.demo import pki as demo
from madoguchi.signatures.models import ResidentSignature


@pytest.fixture
def standin_for_site(site, rp_keys, settings):  # noqa: F811 (the fixture imported above)
    card = demo.software_card_load(rp_keys)
    service = Standin(client_id=CLIENT_ID, redirect_uri=f"{site}/signing/authapp/callback/", card=tuple(card[:3]))
    server, base_url = serve(service)
    settings.MADOGUCHI_SIGNATURES_FILE = configure(rp_keys, base_url)
    settings.MADOGUCHI_PUBLIC_URL = site
    yield service
    server.shutdown()
    server.server_close()


def test_a_resident_signs_with_the_national_app_and_the_application_is_received(browser, site, aoba, standin_for_site):
    context, page = _new_page(browser, site)
    standin_for_site.rp_jwks = page.request.get(f"{site}/.well-known/jwks.json").json()
    fill_inkan_certificate(page)
    expect(page.get_by_test_id("authapp")).to_be_visible()
    expect(page.locator("[data-software-card]")).to_have_count(0)
    axe_check(page)

    page.get_by_role("button", name="デジタル認証アプリで署名して送信する").click()

    expect(page).to_have_url(re.compile(r"/apply/done/$"))
    receipt_number, _ = read_receipt(page)
    axe_check(page)
    signature = ResidentSignature.objects.for_municipality(aoba).get(case__receipt_number=receipt_number)
    assert signature.facts["name"] == demo.SOFTWARE_CARD["name"]
    context.close()


def test_an_outage_shows_the_confirmation_page_again_with_a_message(browser, site, aoba, standin_for_site):
    context, page = _new_page(browser, site)
    standin_for_site.down = True
    fill_inkan_certificate(page)

    page.get_by_role("button", name="デジタル認証アプリで署名して送信する").click()

    expect(page.locator("#signature-error")).to_contain_text("入力内容は保持されており")
    expect(page).to_have_url(re.compile(r"/apply/authapp/$"))
    axe_check(page)
    # The answers are kept: once the service is back, signing again sends the same application
    # (印鑑登録証明書 requires the signature, so sending it unsigned is no way out).
    standin_for_site.down = False
    standin_for_site.rp_jwks = page.request.get(f"{site}/.well-known/jwks.json").json()
    page.get_by_role("button", name="デジタル認証アプリで署名して送信する").click()
    expect(page).to_have_url(re.compile(r"/apply/done/$"))
    context.close()


def test_the_administrator_reads_what_to_register_with_the_digital_agency(browser, site, aoba, standin_for_site):
    context, page = sign_in(browser, site, "aoba-admin")
    page.get_by_test_id("admin-link").click()
    page.get_by_role("link", name="住民の電子署名").click()

    expect(page.locator("h1")).to_have_text("住民の電子署名")
    expect(page.get_by_test_id("redirect-uri")).to_have_text(f"{site}/signing/authapp/callback/")
    expect(page.get_by_test_id("jwks-url")).to_have_text(f"{site}/.well-known/jwks.json")
    expect(page.get_by_test_id("signing-setting")).to_contain_text(CLIENT_ID)
    expect(page.get_by_test_id("signing-setting")).to_contain_text("デジタル認証アプリ")
    axe_check(page)
    context.close()


def test_the_page_says_what_is_missing_before_registration(browser, site, aoba, signatures_configured):
    context, page = sign_in(browser, site, "aoba-admin")
    page.goto("/staff/admin/signing/")

    expect(page.get_by_test_id("signing-setting")).to_contain_text("未設定")
    expect(page.get_by_test_id("signing-problem")).to_have_count(0)  # the card is in use: nothing is wrong
    axe_check(page)
    context.close()
