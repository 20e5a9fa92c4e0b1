"""notifications_send_due against a real SMTP server: delivery, refusals, an unreachable server, retries."""

from datetime import timedelta

import pytest
from tests.notifications.support import ADDRESS

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases.access import format_access_code
from madoguchi.notifications.delivery import notifications_send_due
from madoguchi.notifications.models import Notification, NotificationStatus
from madoguchi.notifications.selectors import notifications_failed

MINUTE = timedelta(minutes=1)


def subject_of(message) -> str:
    """Return the decoded Subject.

    Django 5.2 folds an encoded subject onto a continuation line ("Subject:" CRLF SP
    "=?utf-8?b?…?="); unfolding keeps that one space ahead of the text, which mail readers drop.
    """
    return str(message["Subject"]).strip()


def body_of(message) -> str:
    """Return the decoded text, with the wire's CRLF line ends as stored (LF)."""
    return message.get_content().replace("\r\n", "\n")


def reload(notification):
    return Notification.objects.for_municipality(notification.municipality).get(pk=notification.pk)


def test_notifications_send_due_delivers_the_japanese_email_over_smtp(
    aoba, submit, staff, request_correction, smtp_server, now, public_url
):
    result = submit()
    notification = request_correction(staff, result.case, "電話番号をご確認ください。")
    report = notifications_send_due(now=now)
    assert (report.sent, report.retrying, report.failed, report.unreachable) == (1, 0, 0, False)
    [message] = smtp_server.messages
    assert smtp_server.envelope_recipients == [[ADDRESS]]
    assert message["To"] == ADDRESS
    assert message["From"] == "madoguchi@city.example.jp"
    assert subject_of(message) == "【青葉市】申請内容の補正のお願い（受付番号 082015-2026-000001）"
    assert message["Auto-Submitted"] == "auto-generated"
    body = body_of(message)
    assert "電話番号をご確認ください。" in body
    assert public_url in body
    assert body == notification.body
    raw = smtp_server.raw[0].decode("ascii", "replace")
    for secret in (result.access_code, format_access_code(result.access_code)):
        assert secret not in body and secret not in raw
    sent = reload(notification)
    assert (sent.status, sent.sent_at, sent.attempts, sent.next_attempt_at) == (NotificationStatus.SENT, now, 1, None)


def test_notifications_send_due_sends_an_english_email_for_an_english_application(
    submit, staff, request_correction, smtp_server, now
):
    request_correction(staff, submit(language="en").case, "Please check your phone number.")
    notifications_send_due(now=now)
    [message] = smtp_server.messages
    assert subject_of(message) == "[Aoba City] Please correct your application (receipt number 082015-2026-000001)"
    body = body_of(message)
    assert "How to correct your application" in body
    assert "補正" not in body


def test_notifications_send_due_sends_each_notification_once(aoba, submit, staff, request_correction, smtp_server, now):
    notification = request_correction(staff, submit().case)
    notifications_send_due(now=now)
    assert notifications_send_due(now=now + MINUTE).attempted == 0
    assert len(smtp_server.messages) == 1
    entry = AuditEntry.objects.for_municipality(aoba).get(event="notifications.notification.sent")
    assert entry.payload == {"kind": "correction_requested", "notification": notification.pk, "attempts": 1}
    assert audit_verify(municipality=aoba) is None


def test_notifications_send_due_leaves_notifications_that_are_not_due(
    submit, staff, request_correction, smtp_server, now
):
    request_correction(staff, submit().case)
    assert notifications_send_due(now=now - timedelta(seconds=1)).attempted == 0
    assert smtp_server.messages == []


def test_notifications_send_due_sends_at_most_limit(submit, staff, request_correction, smtp_server, now):
    for _ in range(3):
        request_correction(staff, submit().case)
    assert notifications_send_due(now=now, limit=2).sent == 2
    assert notifications_send_due(now=now, limit=2).sent == 1
    assert len(smtp_server.messages) == 3


def test_notifications_send_due_sends_the_text_rendered_when_queued(
    submit, staff, request_correction, smtp_server, now, settings, tmp_path
):
    notification = request_correction(staff, submit().case)
    changed = tmp_path / "notifications" / "email" / "ja"
    changed.mkdir(parents=True)
    (changed / "correction_requested_body.txt").write_text("changed later", encoding="utf-8")
    (changed / "correction_requested_subject.txt").write_text("changed later", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    notifications_send_due(now=now)
    [message] = smtp_server.messages
    assert subject_of(message) == notification.subject
    assert body_of(message) == notification.body


def test_a_refused_recipient_is_retried_after_1_2_4_8_minutes_then_failed(
    aoba, submit, staff, request_correction, smtp_server, now, settings
):
    settings.MADOGUCHI_NOTIFY_MAX_ATTEMPTS = 5
    smtp_server.refusal = f"550 5.1.1 <{ADDRESS}>: Recipient address rejected: User unknown"
    smtp_server.refuse_everyone = True
    notification = request_correction(staff, submit().case)
    at = now
    for attempt, delay in enumerate([1, 2, 4, 8], start=1):
        report = notifications_send_due(now=at)
        assert (report.retrying, report.failed) == (1, 0)
        pending = reload(notification)
        assert (pending.status, pending.attempts) == (NotificationStatus.PENDING, attempt)
        assert pending.next_attempt_at == at + delay * MINUTE
        assert pending.last_error.startswith("recipient refused: 550 5.1.1")
        assert ADDRESS not in pending.last_error and "[address]" in pending.last_error
        assert notifications_send_due(now=at + delay * MINUTE - timedelta(seconds=1)).attempted == 0
        at += delay * MINUTE
    report = notifications_send_due(now=at)
    assert (report.retrying, report.failed) == (0, 1)
    failed = reload(notification)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (NotificationStatus.FAILED, 5, None)
    assert list(notifications_failed(municipality=aoba)) == [failed]
    assert notifications_send_due(now=at + timedelta(days=1)).attempted == 0
    assert smtp_server.messages == []
    entry = AuditEntry.objects.for_municipality(aoba).get(event="notifications.notification.failed")
    assert entry.payload == {"kind": "correction_requested", "notification": notification.pk, "attempts": 5}


def test_a_server_that_is_down_counts_attempts_and_schedules_retries_until_failed(
    aoba, submit, staff, request_correction, smtp_down, now, settings
):
    settings.MADOGUCHI_NOTIFY_MAX_ATTEMPTS = 2
    notification = request_correction(staff, submit().case)
    report = notifications_send_due(now=now)
    assert (report.retrying, report.unreachable) == (1, True)
    pending = reload(notification)
    assert (pending.status, pending.attempts, pending.next_attempt_at) == (NotificationStatus.PENDING, 1, now + MINUTE)
    assert pending.last_error.startswith("ConnectionRefusedError")
    report = notifications_send_due(now=now + MINUTE)
    assert report.failed == 1
    assert reload(notification).status == NotificationStatus.FAILED
    assert [n.pk for n in notifications_failed(municipality=aoba)] == [notification.pk]


def test_an_unreachable_server_stops_the_run_after_one_try(aoba, submit, staff, request_correction, smtp_down, now):
    first, second = request_correction(staff, submit().case), request_correction(staff, submit().case)
    report = notifications_send_due(now=now)
    assert (report.attempted, report.unreachable) == (1, True)
    assert (reload(first).attempts, reload(second).attempts) == (1, 0)


def test_one_refused_recipient_does_not_hold_up_the_others(aoba, submit, staff, request_correction, smtp_server, now):
    smtp_server.refused = {"unknown@example.jp"}
    refused = request_correction(staff, submit(email="unknown@example.jp").case)
    delivered = [request_correction(staff, submit().case) for _ in range(2)]
    report = notifications_send_due(now=now)
    assert (report.sent, report.retrying) == (2, 1)
    assert reload(refused).status == NotificationStatus.PENDING
    assert {reload(n).status for n in delivered} == {NotificationStatus.SENT}
    assert len(smtp_server.messages) == 2


def test_a_worker_that_died_mid_send_leaves_the_row_to_be_retried(
    submit, staff, request_correction, smtp_server, now, monkeypatch
):
    from madoguchi.notifications import delivery as services

    notification = request_correction(staff, submit().case)

    def die(*args, **kwargs):
        raise KeyboardInterrupt  # the process is stopped while talking to the server

    monkeypatch.setattr(services, "_email_message", die)
    with pytest.raises(KeyboardInterrupt):
        notifications_send_due(now=now)
    monkeypatch.undo()
    claimed = reload(notification)
    assert (claimed.status, claimed.attempts) == (NotificationStatus.PENDING, 1)
    assert notifications_send_due(now=now + 14 * MINUTE).attempted == 0  # still claimed
    assert notifications_send_due(now=now + services.CLAIM_LEASE).sent == 1
    assert reload(notification).attempts == 2
