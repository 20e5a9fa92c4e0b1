"""Signing in a real browser (issue #5): a resident signs the confirmation page with the demo
software card, staff see who signed next to what the resident typed and approve, and the
resident downloads the municipality's signed PDF and checks it on the public verification
page. axe-core checks the confirmation page, the case page and the status page."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import expect
from tests.backoffice.casework import complete_route
from tests.e2e.conftest import _new_page, axe_check
from tests.e2e.resident import (
    fill_inkan_certificate,
    look_up_status,
    read_receipt,
    sign_with_software_card,
)
from tests.e2e.test_backoffice import sign_in

from madoguchi.demo.pki import SOFTWARE_CARD
from madoguchi.signatures.models import ResidentSignature


def test_a_signed_application_ends_in_a_signed_pdf_the_resident_can_verify(browser, site, aoba, software_card, tmp_path):
    resident_context, resident = _new_page(browser, site)
    fill_inkan_certificate(resident)
    expect(resident.locator("[data-software-card]")).to_be_visible()
    axe_check(resident)

    resident.locator("#software-card-file").set_input_files(software_card)
    resident.locator("#software-card-pin").fill("0000")
    resident.locator("[data-software-card-sign]").click()
    expect(resident.locator("[data-software-card-status]")).to_contain_text("暗証番号")  # a wrong PIN: nothing signed
    expect(resident.locator('[name="signature_value"]')).to_have_value("")
    sign_with_software_card(resident, software_card)
    expect(resident.locator("[data-software-card-status]")).to_contain_text("署名しました")
    resident.locator("main form button[type=submit]").click()
    receipt, access_code = read_receipt(resident)

    signature = ResidentSignature.objects.for_municipality(aoba).get(case__receipt_number=receipt)
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
    clerk.locator("form[action$='/actions/start_review/'] button").click()
    expect(clerk.get_by_test_id("route")).to_be_visible()
    clerk_context.close()

    # 起案 → 審査 → 決裁 are stamped as tests/e2e/test_backoffice.py does in the browser; here the
    # approver's 承認 is the browser step, after which the signed notice is issued.
    complete_route(signature.case, now=timezone.now())
    approver_context, approver = sign_in(browser, site, "aoba-approver")
    approver.goto(f"/staff/cases/{receipt}/")
    approver.locator("form[action$='/actions/approve/'] button").click()
    expect(approver.locator("main")).to_contain_text("承認")

    # The 300円 fee is paid at the counter: until staff record it, no certificate is issued (issue #12).
    look_up_status(resident, receipt, access_code)
    expect(resident.get_by_test_id("payment-state")).to_have_text("未納")
    expect(resident.get_by_test_id("documents")).to_have_count(0)
    approver.get_by_test_id("payment-paid").click()
    expect(approver.get_by_test_id("payment-state")).to_have_text("納付済み")
    axe_check(approver)
    approver_context.close()

    resident.goto("/status/")  # still open on this device since the look-up above
    documents = resident.get_by_test_id("documents")
    expect(documents.get_by_role("link")).to_have_count(1)
    axe_check(resident)
    with resident.expect_download() as download:
        documents.get_by_role("link").first.click()
    pdf = tmp_path / "notice.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    resident.goto("/verify/")
    resident.set_input_files("#document", str(pdf))
    resident.get_by_role("button", name="検証する", exact=True).click()
    verdict = resident.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "authentic")
    expect(verdict).to_contain_text("青葉市")
    expect(verdict).to_contain_text(receipt)
    resident_context.close()
