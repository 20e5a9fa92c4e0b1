"""The outbox: :func:`notification_enqueue` writes an e-mail to a resident; delivery sends it.

A submission (受付), a staff action that the resident must hear about (補正依頼, 承認, 却下) and
the issue of a signed document call :func:`notification_enqueue` inside their own transaction,
after changing the case. Only a row
is written there — no network — so the action stays fast, commits or rolls back together with
its e-mail, and never fails because the mail server is slow or down.

Delivery (sending, retries, failed rows staff can re-queue) is
:mod:`madoguchi.notifications.delivery`.

What a message may contain: the municipality, the procedure's title, the receipt number, the
staff member's message (the correction request or the reason) and the link to the status
page. Never the access code (only its hash is stored, and a mailbox is not a safe place for
it) and never the answers: an e-mail crosses servers the municipality does not control.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import router, transaction
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation

from madoguchi.cases.models import Case
from madoguchi.cases.next_steps import case_next_steps
from madoguchi.notifications.models import Notification, NotificationKind, NotificationStatus
from madoguchi.procedures.appeal import appeal_notice
from madoguchi.procedures.definition import iter_fields, translated
from madoguchi.procedures.fees import fee_summary

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
            # The fee and how to pay it, as fixed at submission: a 納付書 only for who pays with one.
            "fee": (
                fee_summary(case.procedure_version.definition, case.answers, language)
                if kind == NotificationKind.RECEIVED
                else None
            ),
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
    the change it tells about. Once delivered, the row forgets the address (see :func:`madoguchi.notifications.delivery.notifications_send_due`).
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
