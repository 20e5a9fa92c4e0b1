"""notification_enqueue: the e-mail is written into the outbox with the status change, or not at all."""

import json

import pytest
from django.db import transaction
from tests.notifications.support import ADDRESS, APPLICANT_PHONE

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases.access import format_access_code
from madoguchi.cases.models import Case, CaseStatus
from madoguchi.cases.workflow import case_request_correction
from madoguchi.notifications.models import Notification, NotificationStatus
from madoguchi.notifications.services import email_language, notification_enqueue


def test_notification_enqueue_stores_a_pending_japanese_email_for_a_correction_request(
    aoba, submit, staff, request_correction, now, public_url
):
    case = submit().case
    notification = request_correction(staff, case, "電話番号をご確認ください。")
    assert notification.status == NotificationStatus.PENDING
    assert (notification.to_address, notification.language, notification.kind) == (
        ADDRESS,
        "ja",
        "correction_requested",
    )
    assert (notification.attempts, notification.next_attempt_at, notification.created_at) == (0, now, now)
    assert notification.subject == "【青葉市】申請内容の補正のお願い（受付番号 082015-2026-000001）"
    body = notification.body
    assert "「印鑑登録証明書の交付請求」" in body
    assert "■補正をお願いする内容\n電話番号をご確認ください。" in body
    assert public_url in body
    assert "市民課" in body and "029-200-1230" in body  # the department to call
    assert Notification.objects.for_municipality(aoba).get() == notification


def test_notification_enqueue_writes_in_english_for_an_english_application(submit, staff, request_correction):
    notification = request_correction(staff, submit(language="en").case, "Please check your phone number.")
    assert notification.language == "en"
    assert notification.subject == ("[Aoba City] Please correct your application (receipt number 082015-2026-000001)")
    assert "Thank you for applying online for" in notification.body
    assert "Request for a certificate of registered seal" in notification.body
    assert "Citizen Services Division" in notification.body
    assert "Please check your phone number." in notification.body
    assert "補正" not in notification.body + notification.subject


@pytest.mark.parametrize(
    ("approve", "reason", "subject", "section"),
    [
        (True, "", "【青葉市】申請が承認されました（受付番号 082015-2026-000001）", None),
        (
            True,
            "窓口でお受け取りください。",
            "【青葉市】申請が承認されました（受付番号 082015-2026-000001）",
            "■担当者からのご連絡",
        ),
        (False, "印鑑登録がありません。", "【青葉市】申請の審査結果のお知らせ（受付番号 082015-2026-000001）", "■理由"),
    ],
)
def test_notification_enqueue_announces_decisions_with_their_reason(
    submit, staff, decide, approve, reason, subject, section
):
    notification = decide(staff, submit().case, approve=approve, reason=reason)
    assert notification.kind == ("approved" if approve else "rejected")
    assert notification.subject == subject
    if section:
        assert f"{section}\n{reason}" in notification.body
    else:
        assert "■担当者からのご連絡" not in notification.body


def test_notification_enqueue_never_puts_the_access_code_or_answers_in_the_email(
    submit, staff, request_correction, decide
):
    results = [submit(), submit(language="en"), submit()]
    notifications = [
        request_correction(staff, results[0].case),
        request_correction(staff, results[1].case, "Please check."),
        decide(staff, results[2].case, approve=False, reason="要件を満たしていません。"),
    ]
    for result, notification in zip(results, notifications, strict=True):
        text = notification.subject + notification.body
        code = result.access_code
        for secret in {code, format_access_code(code), code.replace("-", "")}:
            assert secret not in text
        for personal in ("山田", "花子", "ヤマダ", "1980-01-02", "昭和55", APPLICANT_PHONE, "hanako", "中央一丁目"):
            assert personal not in text


def test_notification_enqueue_does_not_escape_the_staff_message(submit, staff, request_correction):
    notification = request_correction(staff, submit().case, "「住所 & 氏名」を <全角> で入力してください。")
    assert "「住所 & 氏名」を <全角> で入力してください。" in notification.body
    assert "&amp;" not in notification.body


def test_notification_enqueue_returns_none_when_the_resident_gave_no_address(aoba, submit, staff, request_correction):
    assert request_correction(staff, submit(email=None).case) is None
    assert Notification.objects.for_municipality(aoba).count() == 0
    assert not AuditEntry.objects.for_municipality(aoba).filter(event__startswith="notifications.").exists()


def test_notification_enqueue_in_a_rolled_back_change_leaves_nothing(aoba, submit, staff, now):
    case = submit().case

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        changed = case_request_correction(staff=staff, case=case, message="確認してください。", now=now)
        notification_enqueue(case=changed, kind="correction_requested", message="確認してください。", now=now)
        raise Refused
    assert Notification.objects.for_municipality(aoba).count() == 0
    assert Case.objects.for_municipality(aoba).get().status == CaseStatus.SUBMITTED
    # Only the submission's 受付 e-mail was queued (and its row taken away by the fixture).
    notified = AuditEntry.objects.for_municipality(aoba).filter(event__startswith="notifications.")
    assert [entry.payload["kind"] for entry in notified] == ["submitted"]


def test_notification_enqueue_records_an_audit_entry_without_the_address(aoba, submit, staff, request_correction):
    notification = request_correction(staff, submit().case)
    entry = AuditEntry.objects.for_municipality(aoba).get(
        event="notifications.notification.queued", payload__kind="correction_requested"
    )
    assert entry.payload == {"kind": "correction_requested", "notification": notification.pk}
    assert (entry.object_type, entry.object_id) == ("notification", str(notification.pk))
    assert ADDRESS not in json.dumps(entry.payload, ensure_ascii=False)
    assert audit_verify(municipality=aoba) is None


def test_notification_enqueue_refuses_an_unknown_kind(submit):
    with pytest.raises(ValueError), transaction.atomic():
        notification_enqueue(case=submit().case, kind="withdrawn")


@pytest.mark.django_db(transaction=True)
def test_notification_enqueue_outside_a_transaction_is_refused(aoba, submit):
    case = submit().case
    with pytest.raises(RuntimeError):
        notification_enqueue(case=case, kind="approved")
    assert Notification.objects.for_municipality(aoba).count() == 0


@pytest.mark.parametrize(
    ("language", "expected"), [("ja", "ja"), ("en", "en"), ("en-GB", "en"), ("en_US", "en"), ("fr", "ja"), ("", "ja")]
)
def test_email_language_falls_back_to_japanese(language, expected):
    assert email_language(language) == expected


def test_notifications_go_with_their_case_when_it_is_disposed_of(aoba, submit, staff, request_correction):
    case = submit().case
    request_correction(staff, case)
    case.delete()  # retention (保存年限) disposal deletes the case and its personal data
    assert Notification.objects.for_municipality(aoba).count() == 0
