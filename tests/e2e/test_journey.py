"""The whole journey of issue 12 in one browser walk, for a resident reading Japanese or English.

A resident finds 印鑑登録証明書 by searching the catalog, learns its fee and that a My Number
Card signature is needed before opening the form, applies for two copies by post paid with a
納付書, changes an answer from the confirmation page, signs with the demo software card and
submits; the 受付 e-mail reaches them in their language. Staff (in Japanese) ask for a
correction of the date of birth; the resident replies and corrects it in full-width 和暦; staff
see what changed. The resident takes the 納付書, staff record the payment and approve along the
route (起案 → 審査 → 決裁); the signed certificate is issued. The resident downloads it, the
verification page finds it authentic and signed by the city, and the same file with bytes
appended is reported as changed. On the shared library computer, 終了する and a closed browser
leave nothing of theirs for the next person. axe-core checks every page on the way.

Each part has its own, more thorough test (test_fees, test_form_journey, test_backoffice,
test_signatures, test_verification, test_shared_device …); this one checks that they join up.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect
from tests.e2e.conftest import axe_check, close_browser, open_browser
from tests.e2e.resident import (
    AOBA,
    answers,
    assert_shows_nothing_personal,
    correct_application,
    fill_inkan_certificate,
    look_up_status,
    procedure_yaml,
    read_receipt,
    sign_with_software_card,
    submit_confirmation,
    switch_language,
)
from tests.e2e.staff import decide_approval, draft_approval, request_correction, review_approval, sign_in
from tests.e2e.test_fees import TOTAL
from tests.e2e.test_procedure_facts import EXPECTED as SIGNATURE_STATEMENT
from tests.signatures.conftest import pdftotext
from tests.signatures.test_lawful_documents import SEAL_OMITTED

from madoguchi.notifications.delivery import notifications_send_due
from madoguchi.payments.models import PaymentState

EMAIL = "hanako.yamada@example.jp"
CORRECTION_REQUEST = "生年月日が住民登録の内容と異なります。ご確認ください。"
CORRECTED_BIRTH_DATE = "昭和５５年１月３日"  # full-width digits, as a Japanese IME types them
TEXT = {
    "ja": {
        "query": "印鑑証明",
        "fee": "300円 (1通につき)",
        "card": "マイナンバーカード",
        "one_copy": "合計 300円",
        "period": "標準処理期間は3開庁日です。",
        "birth_date": "昭和55年1月2日",
        "shown_before": "昭和55年1月2日",
        "shown_after": "昭和55年1月3日",
        "subject": "申請を受け付けました",
        "mail_prefix": "【青葉市】",
        "reply": "生年月日を誤って入力していました。訂正します。",
        "notice": "決定通知書",
        "slip": "納付書",
        "verify": "検証する",
        "authentic": "真正で、改変されていません",
        "modified": "署名後に改変されています",
        "appended": "署名された文書の末尾より後ろに付け加えられたデータ",
    },
    "en": {
        "query": "seal",
        "fee": "¥300 (per copy)",
        "card": "My Number Card",
        "one_copy": "Total ¥300",
        "period": "The standard processing period is 3 business days.",
        "birth_date": "1980-01-02",
        "shown_before": "2 January 1980 (S55.1.2)",
        "shown_after": "3 January 1980 (S55.1.3)",
        "subject": "We have received your application",
        "mail_prefix": "[Aoba City]",
        "reply": "I typed my date of birth wrongly. Here is the right one.",
        "notice": "Notice of decision",
        "slip": "Payment slip",
        "verify": "Verify",
        "authentic": "Authentic and unmodified",
        "modified": "Modified after signing",
        "appended": "Data appended after the end of the signed document",
    },
}
# What the next person at the computer must not see.
PERSONAL = ("山田", "ヤマダ", "029-200-1234", "中央一丁目", EMAIL)


def find_by_search(page: Page, language: str) -> None:
    """Search the catalog and open the procedure from the results."""
    title = procedure_yaml("inkan-certificate")["title"][language]
    page.goto(f"/{AOBA}/")
    axe_check(page)
    page.locator("#q").fill(TEXT[language]["query"])
    page.locator("form.search button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?q="))
    axe_check(page)
    page.locator(".card-list").get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1")).to_have_text(title)


def assert_facts_before_the_form(page: Page, language: str) -> None:
    """The fee and the signature requirement are stated above the way into the form."""
    expect(page.locator("dl.facts")).to_contain_text(TEXT[language]["fee"])
    signature = page.locator("section.signature-requirement")
    expect(signature.get_by_role("heading", level=2)).to_have_text(SIGNATURE_STATEMENT[language]["heading"])
    expect(signature).to_contain_text(SIGNATURE_STATEMENT[language]["refused"])
    expect(page.locator("ul.required-documents")).to_contain_text(TEXT[language]["card"])
    apply_link = page.locator("a.button--primary")
    assert signature.bounding_box()["y"] < apply_link.bounding_box()["y"]
    axe_check(page)
    apply_link.click()


def verify(page: Page, data: bytes, language: str):
    """Upload ``data`` on the public verification page; return the verdict, checked by axe-core."""
    page.goto("/verify/")
    axe_check(page)
    page.set_input_files("#document", files=[{"name": "notice.pdf", "mimeType": "application/pdf", "buffer": data}])
    page.get_by_role("button", name=TEXT[language]["verify"], exact=True).click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_be_visible()
    axe_check(page)
    return verdict


def receipt_mail(receipt_number: str) -> mail.EmailMessage:
    notifications_send_due()
    sent = [message for message in mail.outbox if receipt_number in message.subject]
    assert len(sent) == 1, [message.subject for message in mail.outbox]
    return sent[0]


def state_label(state: PaymentState, language: str) -> str:
    with translation.override(language):
        return str(state.label)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_resident_finds_applies_pays_corrects_and_verifies_the_notice_and_leaves_nothing_behind(
    browser, site, aoba, software_card, tmp_path, language
):
    text = TEXT[language]
    resident_context, resident = open_browser(browser, site, language=language)
    resident.goto("/")
    if language != "ja":
        switch_language(resident, language)
    axe_check(resident)

    # 1. Found by a word of the resident's language; fee and signature stated before the form.
    find_by_search(resident, language)
    assert_facts_before_the_form(resident, language)

    # 2. One copy first, then 変更 to two: the total follows and the form returns to 確認.
    fill_inkan_certificate(
        resident,
        language=language,
        birth_date=text["birth_date"],
        delivery="postal",
        payment="slip",
        email=EMAIL,
        started=True,
        axe=True,
    )
    expect(resident.get_by_test_id("fee-total")).to_contain_text(text["one_copy"])
    axe_check(resident)
    resident.locator('.answers a[href*="/apply/request/"]').click()
    expect(resident.locator("#f-copies")).to_have_value("1")
    axe_check(resident)
    resident.locator("#f-copies").fill("2")
    resident.locator("form.application-form button[type=submit]").click()
    expect(resident).to_have_url(re.compile(r"/apply/confirm/$"))
    copies_label = procedure_yaml("inkan-certificate")["steps"][1]["fields"][0]["label"][language]
    assert answers(resident)[copies_label] == "2"
    expect(resident.get_by_test_id("fee-total")).to_contain_text(TOTAL[language])
    with translation.override(language):
        expect(resident.get_by_test_id("fee-method")).to_contain_text(gettext("Payment slip (nōfusho)"))
    sign_with_software_card(resident, software_card)
    axe_check(resident)
    submit_confirmation(resident)

    receipt_number, access_code = read_receipt(resident)
    expect(resident.get_by_test_id("fee-total")).to_contain_text(TOTAL[language])
    expect(resident.get_by_test_id("next-steps")).to_contain_text(text["period"])
    axe_check(resident)

    message = receipt_mail(receipt_number)
    assert message.to == [EMAIL]
    assert text["subject"] in message.subject
    assert receipt_number in message.body
    assert access_code not in message.body and access_code not in message.subject
    assert TOTAL[language].split()[-1] in message.body  # 600円 / ¥600

    # 3. Staff ask for a correction of one answer.
    clerk_context, clerk = sign_in(browser, site, "aoba-clerk", axe=True)
    clerk.goto(f"/staff/cases/{receipt_number}/")
    expect(clerk.get_by_test_id("fee-total")).to_contain_text("合計 600円")
    axe_check(clerk)
    request_correction(clerk, CORRECTION_REQUEST)

    look_up_status(resident, receipt_number, access_code)
    expect(resident.get_by_test_id("correction-request")).to_contain_text(CORRECTION_REQUEST)
    expect(resident.get_by_test_id("payment-state")).to_contain_text(state_label(PaymentState.UNPAID, language))
    axe_check(resident)

    # 4a. The resident takes the 納付書 from the status page.
    with resident.expect_download() as download:
        resident.get_by_test_id("payment-slip").click()
    slip = tmp_path / "nofusho.pdf"
    download.value.save_as(slip)
    assert slip.read_bytes().startswith(b"%PDF")
    resident.goto("/status/")
    expect(resident.get_by_test_id("payment-state")).to_contain_text(state_label(PaymentState.PENDING, language))
    axe_check(resident)

    # 3 (cont.). The correction, with a reply, in full-width 和暦.
    resident.get_by_test_id("correction-request").locator("a[href='/status/correct/']").click()
    axe_check(resident)
    correct_application(resident, {"birth_date": CORRECTED_BIRTH_DATE}, reply=text["reply"])
    changes = resident.get_by_test_id("correction-changes")
    expect(changes.locator("tbody tr")).to_have_count(1)
    expect(changes.locator("tbody td").first).to_contain_text(text["shown_before"])
    expect(changes.locator("tbody td").last).to_contain_text(text["shown_after"])
    expect(resident.get_by_test_id("correction-reply")).to_have_text(text["reply"])
    axe_check(resident)
    resident.locator("main form button[type=submit]").click()
    expect(resident).to_have_url(re.compile(r"/status/$"))
    expect(resident.get_by_test_id("correction-request")).to_have_count(0)
    # The reply is the resident's own, listed apart from what the municipality said.
    expect(resident.get_by_test_id("own-messages")).to_contain_text(text["reply"])
    expect(resident.get_by_test_id("notices")).to_contain_text(CORRECTION_REQUEST)
    expect(resident.get_by_test_id("notices")).not_to_contain_text(text["reply"])
    axe_check(resident)

    clerk.reload()
    change = clerk.get_by_test_id("correction-2").get_by_test_id("change-birth_date")
    expect(change.locator("del")).to_contain_text("1980年1月2日")
    expect(change.locator("ins")).to_contain_text("1980年1月3日")
    expect(clerk.get_by_test_id("correction-2").locator("tbody tr")).to_have_count(1)
    expect(clerk.get_by_test_id("correction-2").get_by_test_id("correction-reply")).to_have_text(text["reply"])
    axe_check(clerk)
    # The card signed the answers before the correction, and staff are told so.
    expect(clerk.get_by_test_id("resident-signature")).to_contain_text("署名は補正前の申請内容に対するものです")

    # 4b. Staff record the payment, then approve along the route; the last stamp decides.
    clerk.get_by_test_id("payment-paid").click()
    expect(clerk.get_by_test_id("payment-state")).to_contain_text("納付済み")
    draft_approval(clerk, "生年月日の訂正を確認しました。")
    axe_check(clerk)
    clerk_context.close()
    reviewer_context, reviewer = sign_in(browser, site, "aoba-reviewer")
    reviewer.goto(f"/staff/cases/{receipt_number}/")
    axe_check(reviewer)
    review_approval(reviewer)
    reviewer_context.close()
    approver_context, approver = sign_in(browser, site, "aoba-approver")
    approver.goto(f"/staff/cases/{receipt_number}/")
    decide_approval(approver)
    axe_check(approver)
    approver_context.close()

    # 5. The resident downloads the signed certificate and checks it, then the same file with bytes added.
    resident.goto("/status/")
    with translation.override(language):
        expect(resident.get_by_test_id("status")).to_have_text(gettext("Approved"))
    expect(resident.get_by_test_id("payment-state")).to_contain_text(state_label(PaymentState.PAID, language))
    documents = resident.get_by_test_id("documents")
    # The 納付書 taken earlier, and the certificate's 決定通知書 (issued once the fee was paid).
    expect(documents.get_by_role("link")).to_have_count(2)
    expect(documents.get_by_role("link", name=re.compile(f"^{text['slip']} "))).to_have_count(1)
    axe_check(resident)
    with resident.expect_download() as download:
        documents.get_by_role("link", name=re.compile(f"^{text['notice']} ")).click()
    notice = download.value.path().read_bytes()
    assert notice.startswith(b"%PDF")
    # The notice itself is Japanese, the official language (docs/signatures.md), for every resident.
    lawful = "".join(pdftotext(notice, tmp_path).split())
    for part in (
        "決定通知書",
        receipt_number,
        "山田花子様",
        "青葉市長",
        "手数料600円（納付書により納付済み）",
        SEAL_OMITTED,
    ):
        assert part in lawful
    assert re.search(r"青市民第\d+号", lawful)  # its 文書番号

    verdict = verify(resident, notice, language)
    expect(verdict).to_have_attribute("data-verdict", "authentic")
    expect(verdict.get_by_role("heading")).to_have_text(text["authentic"])
    expect(verdict.get_by_test_id("signer")).to_contain_text("青葉市")
    verdict = verify(resident, notice + b"\n% added after signing\n", language)
    expect(verdict).to_have_attribute("data-verdict", "modified")
    expect(verdict.get_by_role("heading")).to_have_text(text["modified"])
    expect(verdict.get_by_test_id("changes")).to_contain_text(text["appended"])
    axe_check(resident)

    # 受付, 補正のお願い, 承認 and 文書の交付: all to the resident, in their language, none with the
    # access code or an answer (docs/notifications.md).
    notifications_send_due()
    assert len(mail.outbox) == 4
    for sent in mail.outbox:
        assert sent.to == [EMAIL]
        assert sent.subject.startswith(text["mail_prefix"]) and receipt_number in sent.subject
        for secret in (access_code, "山田", "029-200-1234", "中央一丁目"):
            assert secret not in sent.body

    # 6. On the shared computer: 終了する, then the browser is closed and opened again.
    resident.goto("/status/")  # still open on this computer since the look-up
    expect(resident.locator("main")).to_contain_text("ヤマダ ハナコ")
    resident.get_by_test_id("finish").first.click()
    with translation.override(language):
        expect(resident.locator("main [role=status]")).to_contain_text(
            gettext("The application is closed on this device.")
        )
    assert_shows_nothing_personal(resident, *PERSONAL, receipt_number)
    axe_check(resident)
    kept = close_browser(resident_context)
    next_context, next_person = open_browser(browser, site, cookies=kept, language=language)
    next_person.goto("/status/")
    assert_shows_nothing_personal(next_person, *PERSONAL, receipt_number)
    axe_check(next_person)
    next_person.goto(f"/{AOBA}/procedures/inkan-certificate/apply/done/")  # the receipt page, by history
    for value in (receipt_number, access_code):
        assert value not in next_person.locator("main").inner_text()
    axe_check(next_person)
    next_person.goto(f"/{AOBA}/procedures/inkan-certificate/apply/applicant/")
    expect(next_person.locator('[name="applicant_name.family"]')).to_have_value("")
    axe_check(next_person)
    next_context.close()
