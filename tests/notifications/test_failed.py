"""What staff see of deliveries that failed for good, and putting them back in the queue."""

import smtplib
from datetime import timedelta

import pytest
from tests.cases.test_submit import INKAN
from tests.notifications.support import ADDRESS

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.workflow import case_correct
from madoguchi.notifications.delivery import (
    NotificationNotFailed,
    describe_error,
    notification_retry,
    notifications_send_due,
)
from madoguchi.notifications.models import Notification, NotificationStatus
from madoguchi.notifications.selectors import notification_get, notifications_failed, notifications_for_case


@pytest.fixture
def one_try(settings):
    settings.MADOGUCHI_NOTIFY_MAX_ATTEMPTS = 1


def fail(staff, case, request_correction, now):
    """Queue a notification and let its only try fail (the server is down)."""
    notification = request_correction(staff, case)
    assert notifications_send_due(now=now).failed == 1
    return Notification.objects.for_municipality(notification.municipality).get(pk=notification.pk)


def test_notifications_failed_lists_only_failed_ones_of_the_municipality(
    aoba, minatogawa, submit, staff, staff_of, request_correction, smtp_down, one_try, now
):
    failed = fail(staff, submit().case, request_correction, now)
    other = fail(staff_of(minatogawa), submit(municipality=minatogawa).case, request_correction, now)
    request_correction(staff, submit().case)  # pending: not listed
    assert list(notifications_failed(municipality=aoba)) == [failed]
    assert list(notifications_failed(municipality=minatogawa)) == [other]


def test_notifications_failed_lists_cases_in_one_query(
    aoba, submit, staff, request_correction, smtp_down, one_try, now, django_assert_num_queries
):
    for _ in range(3):
        fail(staff, submit().case, request_correction, now)
    with django_assert_num_queries(1):
        rows = [(n.case.receipt_number, n.last_error) for n in notifications_failed(municipality=aoba)]
    assert [number for number, _error in rows] == [f"082015-2026-00000{i}" for i in (3, 2, 1)]
    assert all(error.startswith("ConnectionRefusedError") for _number, error in rows)


def test_notification_retry_puts_a_failed_notification_back_and_it_is_sent(
    aoba, submit, staff, request_correction, smtp_server, one_try, now
):
    smtp_server.refuse_everyone = True
    failed = fail(staff, submit().case, request_correction, now)
    smtp_server.refuse_everyone = False  # the mailbox works again
    later = now + timedelta(hours=1)
    retried = notification_retry(notification=failed, now=later, actor=staff.actor_label)
    assert (retried.status, retried.attempts, retried.next_attempt_at) == (NotificationStatus.PENDING, 0, later)
    assert list(notifications_failed(municipality=aoba)) == []
    entry = AuditEntry.objects.for_municipality(aoba).get(event="notifications.notification.retried")
    assert entry.actor == "staff:clerk-082015"
    assert entry.payload == {"kind": "correction_requested", "notification": failed.pk}
    assert notifications_send_due(now=later).sent == 1
    assert len(smtp_server.messages) == 1


def test_notification_retry_refuses_a_notification_that_has_not_failed(submit, staff, request_correction, now):
    pending = request_correction(staff, submit().case)
    with pytest.raises(NotificationNotFailed):
        notification_retry(notification=pending, now=now)


def test_notification_get_of_another_municipality_is_not_found(minatogawa, submit, staff, request_correction):
    notification = request_correction(staff, submit().case)
    with pytest.raises(Notification.DoesNotExist):
        notification_get(municipality=minatogawa, notification_id=notification.pk)
    assert notification_get(municipality=notification.municipality, notification_id=notification.pk) == notification


def test_notifications_for_case_lists_the_case_history_oldest_first(submit, staff, request_correction, decide, now):
    case = submit().case
    first = request_correction(staff, case)
    case_correct(case=case, answers={**INKAN, "email": ADDRESS}, now=now)  # back in review
    second = decide(staff, case, approve=True, at=now + timedelta(days=1), review=False)
    assert list(notifications_for_case(case=case)) == [first, second]


def test_describe_error_masks_addresses_and_credentials_and_is_short(settings):
    settings.EMAIL_HOST_USER = "relay-user"
    settings.EMAIL_HOST_PASSWORD = "s3cret-relay-password"
    refused = smtplib.SMTPRecipientsRefused({"hanako@example.jp": (550, b"<hanako@example.jp> unknown")})
    assert describe_error(refused, address="hanako@example.jp") == "recipient refused: 550 <[address]> unknown"
    auth = smtplib.SMTPAuthenticationError(535, b"relay-user s3cret-relay-password rejected")
    assert describe_error(auth) == "SMTPAuthenticationError: 535 *** *** rejected"
    long = describe_error(OSError("x" * 2000))
    assert len(long) == 500 and long.endswith("…")
