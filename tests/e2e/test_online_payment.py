"""Paying the fee online (issue 12, item 3): a resident applies for two seal certificates, presses
「オンラインで支払う」 on the status page, pays on the provider's hosted page, comes back to
「お支払いが完了しました」, and staff see 納付済み. The provider is a local stand-in that speaks
Stripe Checkout's protocol (tests/payments/stripe_standin.py), not Stripe: its page delivers a
signed webhook to the live server, as Stripe does, before sending the browser back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.e2e.conftest import axe_check
from tests.e2e.resident import look_up_status, read_receipt, sign_with_software_card, submit_confirmation
from tests.e2e.staff import sign_in
from tests.e2e.test_fees import apply_for_two_seal_certificates
from tests.payments.conftest import stripe_configured, stripe_standin  # noqa: F401 (fixtures)

from madoguchi.payments.models import Payment, PaymentMethod, PaymentState

TEXT = {
    "ja": {"pay": "オンラインで支払う", "done": "お支払いが完了しました", "amount": "600円"},
    "en": {"pay": "Pay online", "done": "Your payment is complete", "amount": "¥600"},
}


@pytest.fixture
def stripe(request, site):
    """The stand-in, configured as the provider, delivering its webhooks to the live server."""
    standin = request.getfixturevalue("stripe_configured")
    standin.webhook_url = f"{site}/payments/webhooks/stripe/"
    return standin


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_resident_pays_online_and_staff_see_it_paid(page, browser, site, aoba, stripe, software_card, language):
    text = TEXT[language]
    apply_for_two_seal_certificates(page, language)
    sign_with_software_card(page, software_card)  # 印鑑登録証明書 requires the signature
    submit_confirmation(page)
    receipt_number, access_code = read_receipt(page)
    expect(page.get_by_test_id("payment-online-hint")).to_be_visible()
    axe_check(page)

    look_up_status(page, receipt_number, access_code)
    button = page.get_by_test_id("payment-online")
    expect(button).to_have_text(text["pay"])
    axe_check(page)
    button.click()

    expect(page).to_have_url(f"{stripe.url}/pay/cs_test_0001")  # the provider's page, not ours
    page.get_by_role("button", name="Pay").click()

    expect(page).to_have_url(f"{site}/status/payment/return/")
    expect(page.get_by_test_id("payment-complete")).to_contain_text(text["done"])
    expect(page.locator("header")).to_contain_text("青葉市" if language == "ja" else "Aoba")
    expect(page.get_by_test_id("payment-amount")).to_have_text(text["amount"])
    axe_check(page)
    assert stripe.deliveries == [200]
    payment = Payment.objects.for_municipality(aoba).get(case__receipt_number=receipt_number)
    assert (payment.state, payment.method) == (PaymentState.PAID, PaymentMethod.ONLINE)

    page.get_by_role("link", name="申請に戻る" if language == "ja" else "Back to the application").click()
    expect(page.get_by_test_id("payment-state")).to_contain_text("納付済み" if language == "ja" else "Paid")
    expect(page.get_by_test_id("fee-method")).to_have_text("オンライン決済" if language == "ja" else "Online payment")
    expect(page.get_by_test_id("payment-online")).to_have_count(0)

    context, staff_page = sign_in(browser, site, "aoba-clerk")
    staff_page.goto(f"/staff/cases/{receipt_number}/")
    expect(staff_page.get_by_test_id("payment-state")).to_contain_text("納付済み")
    axe_check(staff_page)
    context.close()


def test_a_resident_who_cancels_on_the_providers_page_is_told_and_may_pay_later(page, stripe, software_card):
    apply_for_two_seal_certificates(page, "ja")
    sign_with_software_card(page, software_card)
    submit_confirmation(page)
    receipt_number, access_code = read_receipt(page)
    look_up_status(page, receipt_number, access_code)
    page.get_by_test_id("payment-online").click()

    page.get_by_role("link", name="Cancel").click()

    assert page.url.endswith("/status/")
    expect(page.get_by_role("status").filter(has_text="オンライン決済を取りやめました。")).to_be_visible()
    expect(page.get_by_test_id("payment-online")).to_be_visible()
    axe_check(page)
