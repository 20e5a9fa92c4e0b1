"""The outbox: :func:`notification_enqueue` writes an e-mail, :func:`notifications_send_due` delivers.

A submission (受付), a staff action that the resident must hear about (補正依頼, 承認, 却下) and
the issue of a signed document call :func:`notification_enqueue` inside their own transaction,
after changing the case. Only a row
is written there — no network — so the action stays fast, commits or rolls back together with
its e-mail, and never fails because the mail server is slow or down.

:func:`notifications_send_due` (``madoguchi notifications send``, from cron or a systemd
timer) claims due rows one at a time, sends each over one SMTP connection and records the
outcome. A failed try is retried after 1, 2, 4, 8 … minutes; after
``MADOGUCHI_NOTIFY_MAX_ATTEMPTS`` tries the row is *failed*, which staff see
(:func:`madoguchi.notifications.selectors.notifications_failed`) and can undo with
:func:`notification_retry`. Delivery is at least once: a worker that dies between the mail
server's "250 OK" and recording it leaves the row to be sent again when its claim runs out.

What a message may contain: the municipality, the procedure's title, the receipt number, the
staff member's message (the correction request or the reason) and the link to the status
page. Never the access code (only its hash is stored, and a mailbox is not a safe place for
it) and never the answers: an e-mail crosses servers the municipality does not control.
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
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from madoguchi.cases.models import Case
from madoguchi.cases.next_steps import case_next_steps
from madoguchi.core.errors import Conflict
from madoguchi.notifications.models import Notification, NotificationKind, NotificationStatus
from madoguchi.procedures.appeal import appeal_notice
from madoguchi.procedures.definition import iter_fields, translated

logger = logging.getLogger(__name__)

ACTOR = "system:notifications"
# The case statuses a staff action changes to that are announced to the resident. The
# receipt (受付) and issued documents are announced by their own events, not by a status.
NOTIFIED_STATUSES = frozenset(
    {NotificationKind.CORRECTION_REQUESTED, NotificationKind.APPROVED, NotificationKind.REJECTED}
)
# Kinds another domain writes itself (subject and body in the resident's language), not about a case.
MESSAGE_KINDS = frozenset({NotificationKind.INQUIRY_RECEIVED, NotificationKind.INQUIRY_ANSWERED})
# Kinds about a case, written from this app's templates.
CASE_KINDS = frozenset(NotificationKind.values) - MESSAGE_KINDS
# Languages with e-mail templates; a case in any other language is written to in Japanese.
# If you add one, add templates/notifications/email/<language>/ with every kind.
EMAIL_LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
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


def email_language(language: str | None) -> str:
    """Return the language to write in for a case applied for in ``language``."""
    base = (language or "").lower().replace("_", "-").split("-")[0]
    return base if base in EMAIL_LANGUAGES else DEFAULT_LANGUAGE


def resident_address(case: Case) -> str | None:
    """Return the resident's e-mail address: the first answered field of type ``email``."""
    for _step, field in iter_fields(case.procedure_version.definition):
        if field.get("type") == "email":
            value = case.answers.get(field["id"])
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def status_page_url() -> str:
    return settings.MADOGUCHI_PUBLIC_URL.rstrip("/") + reverse("portal:status")


def _render(name: str, context: dict) -> str:
    # Plain text: HTML autoescaping would turn the staff member's "&" into "&amp;".
    return get_template(name).template.render(Context(context, autoescape=False))


def _tidy_body(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):  # at most one empty line in a row (template tags leave some)
            tidy.append(line)
    return "\n".join(tidy).strip() + "\n"


def notification_render(*, case: Case, kind: str, message: str = "", language: str) -> tuple[str, str]:
    """Return the subject and body that tell the resident about ``kind``, in ``language``."""
    with translation.override(language):
        municipality = case.municipality
        department = case.department
        if department is not None and department.phone:
            contact_name, contact_phone = department.display_name, department.phone
        else:
            contact_name, contact_phone = "", municipality.contact_phone
        context = {
            "kind": kind,
            "municipality_name": municipality.display_name,
            "procedure_title": translated(case.procedure_version.definition.get("title"), language),
            "receipt_number": case.receipt_number,
            "message": (message or "").strip(),
            "status_url": status_page_url(),
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "next_steps": case_next_steps(case=case, emailed=True) if kind == NotificationKind.RECEIVED else [],
            # 教示: a rejection must say how to contest it (procedures.appeal).
            "appeal": (
                appeal_notice(
                    definition=case.procedure_version.definition, municipality=municipality, language=language
                )
                if kind == NotificationKind.REJECTED
                else []
            ),
        }
        folder = f"notifications/email/{language}"
        subject = _render(f"{folder}/{kind}_subject.txt", context)
        body = _render(f"{folder}/{kind}_body.txt", context)
    # A header is one line (a newline in it would be refused by the mail library).
    subject = " ".join(subject.split())[: Notification._meta.get_field("subject").max_length]
    return subject, _tidy_body(body)


def notification_enqueue(
    *, case: Case, kind: str, message: str = "", now: datetime | None = None
) -> Notification | None:
    """Write the e-mail telling the resident about ``kind`` into the outbox and return it.

    Call it inside the transaction that changes the case, after the change: the row and its
    audit entry commit with the change or not at all. Return None, writing nothing, when the
    resident gave no e-mail address. ``message`` is the correction request or the reason
    for the decision, as shown on the status page (nothing for the receipt; the document's
    title for an issued document).
    """
    if kind not in CASE_KINDS:
        raise ValueError(f"No notification for {kind!r}.")
    if not transaction.get_connection(router.db_for_write(Notification)).in_atomic_block:
        raise RuntimeError("notification_enqueue() must be called inside the transaction of the case's change.")
    address = resident_address(case)
    if address is None:
        return None
    now = now or timezone.now()
    language = email_language(case.language)
    subject, body = notification_render(case=case, kind=kind, message=message, language=language)
    notification = Notification.objects.for_municipality(case.municipality).create(
        municipality=case.municipality,
        case=case,
        kind=kind,
        to_address=address,
        language=language,
        subject=subject,
        body=body,
        status=NotificationStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    notification.log_action("notifications.notification.queued", actor=ACTOR)
    return notification


def notification_enqueue_message(
    *,
    municipality,
    kind: str,
    to_address: str,
    language: str,
    subject: str,
    body: str,
    reference: str,
    now: datetime | None = None,
) -> Notification:
    """Write a message that is not about a case (e.g. an inquiry's answer) into the outbox.

    The sender renders ``subject`` and ``body`` in the resident's ``language``; ``reference``
    names what it is about. As :func:`notification_enqueue`: call it inside the transaction of
    the change it tells about. Once delivered, the row forgets the address (see ``_record_sent``).
    """
    if kind not in MESSAGE_KINDS:
        raise ValueError(f"No message kind {kind!r}.")
    if not transaction.get_connection(router.db_for_write(Notification)).in_atomic_block:
        raise RuntimeError("notification_enqueue_message() must be called inside the transaction of the change.")
    now = now or timezone.now()
    notification = Notification.objects.for_municipality(municipality).create(
        municipality=municipality,
        kind=kind,
        to_address=to_address,
        language=language,
        subject=" ".join(subject.split())[: Notification._meta.get_field("subject").max_length],
        body=body,
        reference=reference,
        status=NotificationStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
    notification.log_action("notifications.notification.queued", actor=ACTOR)
    return notification


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
