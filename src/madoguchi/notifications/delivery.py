"""Delivery of the outbox: :func:`notifications_send_due` sends, :func:`notification_retry` re-queues.

:func:`notifications_send_due` (``madoguchi notifications send``, run every minute by the
scheduler) claims due rows one at a time, sends each over one SMTP connection and records the
outcome. A failed try is retried after 1, 2, 4, 8 … minutes; after
``MADOGUCHI_NOTIFY_MAX_ATTEMPTS`` tries the row is *failed*, which staff see
(:func:`madoguchi.notifications.selectors.notifications_failed`) and can undo with
:func:`notification_retry`. Delivery is at least once: a worker that dies between the mail
server's "250 OK" and recording it leaves the row to be sent again when its claim runs out.
What is written to the outbox, and when, is :mod:`madoguchi.notifications.services`.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from madoguchi.core.errors import Conflict
from madoguchi.notifications.models import Notification, NotificationStatus
from madoguchi.notifications.services import ACTOR

logger = logging.getLogger(__name__)

# How long a claimed row is left to the worker that claimed it. It covers one SMTP send

# (EMAIL_TIMEOUT per step); a worker that dies meanwhile leaves the row to be retried after it.

CLAIM_LEASE = timedelta(minutes=15)


MAX_RETRY_DELAY = timedelta(hours=24)


LAST_ERROR_LENGTH = 500


_EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*", re.ASCII)


class NotificationNotFailed(Conflict):
    """Only a failed notification can be put back in the queue."""

    code = "notification_not_failed"
    message = _("Only an e-mail that could not be delivered can be sent again.")

    def __init__(self, detail: str = ""):
        super().__init__()
        self.detail = detail


@dataclass(frozen=True)
class SendReport:
    """What one run of :func:`notifications_send_due` did."""

    sent: int = 0
    retrying: int = 0  # failed this time, will be tried again
    failed: int = 0  # failed for the last time: now shown to staff
    # The mail server could not be reached, so the run stopped after the first try.
    unreachable: bool = False

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed


def max_attempts() -> int:
    return max(1, int(getattr(settings, "MADOGUCHI_NOTIFY_MAX_ATTEMPTS", 5)))


def retry_delay(attempts: int) -> timedelta:
    """Return the wait after the ``attempts``-th failed try: 1, 2, 4, 8 … minutes, at most a day."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 20)), MAX_RETRY_DELAY)


def notifications_send_due(*, now: datetime | None = None, limit: int = 100) -> SendReport:
    """Send up to ``limit`` pending notifications that are due, and return what happened.

    Run it outside any transaction: each row is claimed, sent and recorded in transactions
    of its own, so two workers never send the same row and no lock is held while talking to
    the mail server. If the server cannot be reached the run stops after the first try.
    """
    clock = (lambda: now) if now is not None else timezone.now
    counts = {NotificationStatus.SENT: 0, NotificationStatus.PENDING: 0, NotificationStatus.FAILED: 0}
    unreachable = False
    connection = get_connection()
    try:
        for _ in range(limit):
            notification = _claim_next(now=clock())
            if notification is None:
                break
            try:
                connection.open()  # no-op while open; raises if the server cannot be reached
            except Exception as exc:
                counts[_record_failure(notification, exc, now=clock())] += 1
                unreachable = True
                break
            try:
                if connection.send_messages([_email_message(notification)]) != 1:
                    raise smtplib.SMTPException("the mail backend did not accept the message")
            except Exception as exc:
                _close_quietly(connection)  # the next message starts on a fresh connection
                counts[_record_failure(notification, exc, now=clock())] += 1
            else:
                counts[_record_sent(notification, now=clock())] += 1
    finally:
        _close_quietly(connection)
    return SendReport(
        sent=counts[NotificationStatus.SENT],
        retrying=counts[NotificationStatus.PENDING],
        failed=counts[NotificationStatus.FAILED],
        unreachable=unreachable,
    )


def notification_retry(*, notification: Notification, now: datetime | None = None, actor: str = ACTOR) -> Notification:
    """Put a failed notification back in the queue, due now, with a fresh count of tries.

    Staff do this once the cause is fixed (the mail server, or the resident's mailbox).
    Pass the staff member's ``actor_label`` as ``actor``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Notification.objects.for_municipality(notification.municipality)
            .select_for_update()
            .select_related("municipality")
            .get(pk=notification.pk)
        )
        if locked.status != NotificationStatus.FAILED:
            raise NotificationNotFailed(f"notification {locked.pk} is {locked.status}, not failed")
        locked.status = NotificationStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = now
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        locked.log_action("notifications.notification.retried", actor=actor)
    return locked


def describe_error(exc: BaseException, *, address: str = "") -> str:
    """Return ``exc`` as one short line for staff, without addresses or SMTP credentials."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "recipient refused: " + "; ".join(f"{code} {_decode(reply)}" for code, reply in exc.recipients.values())
    elif isinstance(exc, smtplib.SMTPResponseException):
        text = f"{type(exc).__name__}: {exc.smtp_code} {_decode(exc.smtp_error)}"
    else:
        text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if address:
        text = text.replace(address, "[address]")
    text = _EMAIL_ADDRESS.sub("[address]", text)
    for secret in (settings.EMAIL_HOST_PASSWORD, settings.EMAIL_HOST_USER):
        if secret:
            text = text.replace(secret, "***")
    text = " ".join(text.split())
    if len(text) > LAST_ERROR_LENGTH:
        text = text[: LAST_ERROR_LENGTH - 1] + "…"
    return text


def _decode(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _claim_next(*, now: datetime) -> Notification | None:
    """Take the next due row for this worker: count the try and hide the row for CLAIM_LEASE."""
    connection = connections[router.db_for_write(Notification)]
    # The worker serves every municipality: the claim is the one query that is not scoped.
    with transaction.atomic(using=connection.alias), scopes_disabled():
        due = (
            Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
            .select_related("municipality")
            .order_by("next_attempt_at", "id")
        )
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: a row another worker is claiming is skipped, not waited for.
            due = due.select_for_update(skip_locked=True, of=("self",))
        # SQLite has no row locks; its IMMEDIATE transactions let one writer in at a time, so
        # the next worker sees the claim below and passes over the row.
        notification = due.first()
        if notification is None:
            return None
        notification.attempts += 1
        notification.next_attempt_at = now + CLAIM_LEASE
        notification.save(update_fields=["attempts", "next_attempt_at"])
    return notification


def _email_message(notification: Notification) -> EmailMessage:
    return EmailMessage(
        subject=notification.subject,
        body=notification.body,
        to=[notification.to_address],
        headers={
            "Auto-Submitted": "auto-generated",  # RFC 3834: no out-of-office replies, please
            "Content-Language": notification.language,
        },
    )


def _record_sent(notification: Notification, *, now: datetime) -> str:
    with transaction.atomic():
        notification.status = NotificationStatus.SENT
        notification.sent_at = now
        notification.next_attempt_at = None
        notification.last_error = ""
        fields = ["status", "sent_at", "next_attempt_at", "last_error"]
        if notification.case_id is None:
            # A message without a case has no record the address belongs to: once delivered,
            # the address is not needed any more (a case's stays with the case until disposal).
            notification.to_address = ""
            fields.append("to_address")
        notification.save(update_fields=fields)
        notification.log_action(
            "notifications.notification.sent", actor=ACTOR, payload={"attempts": notification.attempts}
        )
    return NotificationStatus.SENT


def _record_failure(notification: Notification, exc: BaseException, *, now: datetime) -> str:
    error = describe_error(exc, address=notification.to_address)
    with transaction.atomic():
        notification.last_error = error
        if notification.attempts >= max_attempts():
            notification.status = NotificationStatus.FAILED
            notification.next_attempt_at = None
            notification.save(update_fields=["status", "last_error", "next_attempt_at"])
            notification.log_action(
                "notifications.notification.failed", actor=ACTOR, payload={"attempts": notification.attempts}
            )
        else:
            notification.next_attempt_at = now + retry_delay(notification.attempts)
            notification.save(update_fields=["last_error", "next_attempt_at"])
    if notification.status == NotificationStatus.FAILED:
        logger.error(
            "Notification %s failed after %s attempts, staff must retry it: %s",
            notification.pk,
            notification.attempts,
            error,
        )
    else:
        logger.warning(
            "Notification %s attempt %s failed, retrying at %s: %s",
            notification.pk,
            notification.attempts,
            notification.next_attempt_at.isoformat(timespec="seconds"),
            error,
        )
    return notification.status


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a connection that is already broken has nothing left to close
        logger.debug("Closing the mail connection failed", exc_info=True)
