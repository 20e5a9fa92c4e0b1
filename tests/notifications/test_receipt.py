"""The 受付 e-mail (issue 12, item 4): queued in the submission's transaction when the resident
gave an address, in the language they applied in, delivered over a real SMTP server, and
never carrying the access code."""

from __future__ import annotations

import pytest
from tests.cases.test_submit import INKAN
from tests.notifications.support import ADDRESS
from tests.notifications.test_send import body_of, subject_of
from tests.resident_signing import case_submit_as_resident

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.access import format_access_code
from madoguchi.notifications.delivery import notifications_send_due
from madoguchi.notifications.models import Notification

INKAN_TITLE = {"ja": "印鑑登録証明書の交付請求", "en": "Request for a certificate of registered seal (inkan tōroku shōmeisho)"}


def receipts(municipality):
    return list(Notification.objects.for_municipality(municipality).filter(kind="submitted"))


def assert_no_access_code(result, message, raw: bytes) -> None:
    text = body_of(message) + subject_of(message) + raw.decode("ascii", "replace")
    for secret in (result.access_code, format_access_code(result.access_code)):
        assert secret not in text


def test_a_submission_with_an_address_is_acknowledged_in_japanese_over_smtp(aoba, submit, smtp_server, now, public_url):
    result = submit(receipt=True)
    [queued] = receipts(aoba)
    assert (queued.to_address, queued.language, queued.case_id) == (ADDRESS, "ja", result.case.pk)

    report = notifications_send_due(now=now)

    assert report.sent == 1
    [message] = smtp_server.messages
    assert subject_of(message) == f"【青葉市】申請を受け付けました（受付番号 {result.case.receipt_number}）"
    body = body_of(message)
    assert result.case.receipt_number in body
    assert INKAN_TITLE["ja"] in body
    assert "■今後の流れ" in body
    assert "標準処理期間は3開庁日です。" in body
    assert f"{result.case.due_date.year}年{result.case.due_date.month}月{result.case.due_date.day}日までに" in body
    assert "メールと申請状況の確認ページでお知らせします" in body
    assert public_url in body
    assert_no_access_code(result, message, smtp_server.raw[0])


def test_an_english_application_is_acknowledged_in_english(aoba, submit, smtp_server, now, public_url):
    result = submit(language="en", receipt=True)
    notifications_send_due(now=now)
    [message] = smtp_server.messages
    assert subject_of(message) == (
        f"[Aoba City] We have received your application (receipt number {result.case.receipt_number})"
    )
    body = body_of(message)
    assert INKAN_TITLE["en"] in body
    assert "What happens next:" in body
    assert "The standard processing period is 3 business days." in body
    assert public_url in body
    assert "受付" not in body and "開庁日" not in body
    assert message["Content-Language"] == "en"
    assert_no_access_code(result, message, smtp_server.raw[0])


@pytest.mark.parametrize("language", ["fr", "zh-hans", ""])
def test_a_language_without_templates_is_acknowledged_in_japanese(aoba, submit, language):
    submit(language=language, receipt=True)
    [queued] = receipts(aoba)
    assert queued.language == "ja"
    assert queued.subject.startswith("【青葉市】申請を受け付けました")


def test_a_submission_without_an_address_queues_nothing(aoba, submit):
    submit(email="", receipt=True)
    assert receipts(aoba) == []


def test_the_receipt_is_queued_with_an_audit_entry_without_personal_data(aoba, submit):
    submit(receipt=True)
    [queued] = receipts(aoba)
    entry = AuditEntry.objects.for_municipality(aoba).get(event="notifications.notification.queued")
    assert entry.payload == {"kind": "submitted", "notification": queued.pk}


def test_a_replayed_submission_is_not_acknowledged_twice(aoba, version_of, now):
    arguments = {
        "municipality": aoba,
        "procedure_version": version_of(aoba, "inkan-certificate"),
        "answers": {**INKAN, "email": ADDRESS},
        "idempotency_key": "receipt-replay",
        "now": now,
    }
    case_submit_as_resident(**arguments)
    assert case_submit_as_resident(**arguments).replayed
    assert len(receipts(aoba)) == 1


def test_the_receipt_states_the_fee_and_how_to_pay_it_at_the_counter(aoba, submit, smtp_server, now, public_url):
    submit(receipt=True, answers={"copies": "2"})
    notifications_send_due(now=now)

    body = body_of(smtp_server.messages[0])
    assert "■手数料\n600円（受け取るときに窓口で支払う）" in body
    assert "納付書" not in body  # the resident pays at the counter and gets none


def test_the_receipt_of_a_slip_payer_points_to_the_slip_in_english(aoba, submit, smtp_server, now, public_url):
    submit(receipt=True, language="en", answers={"delivery_method": "postal", "payment_method": "slip"})
    notifications_send_due(now=now)

    body = body_of(smtp_server.messages[0])
    assert "Fee:\n¥300 (Payment slip (nōfusho))" in body
    assert "Download the payment slip (PDF) from the status page" in body
