"""Inquiries: a resident's question handed to staff, and staff's answer brought back to them.

The resident may give an e-mail address (optional; without one nothing is sent and the answer
is only recorded). Every inquiry gets a reference (``Q-7KX3-9PMD``) shown on screen; with an
address the resident is also sent an acknowledgement quoting it, and staff's answer when it is
recorded — both through the notifications outbox, written in the transaction of the change, in
the resident's language (``mail``).

The address is kept only as long as it is needed: it is emptied from the inquiry when the
answer is queued (the outbox row holds it until delivery, then forgets it too), and
:func:`inquiry_emails_expire` empties it from inquiries left unanswered for
``INQUIRY_EMAIL_DAYS``. ``email_given`` keeps, without the address, that one was given.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from madoguchi.assistant.mail import inquiry_mail
from madoguchi.assistant.models import LANGUAGES, FaqEntry, Inquiry, InquiryStatus, QuestionLog
from madoguchi.assistant.validation import (
    MAX_ANSWER_LENGTH,
    InquiryAlreadyAnswered,
    InquiryInvalid,
    inquiry_problems,
    text_normalised,
    text_problems,
)
from madoguchi.audit.services import audit_log
from madoguchi.notifications.models import NotificationKind
from madoguchi.notifications.services import notification_enqueue_message
from madoguchi.tenants.models import Municipality

# An inquiry staff have not answered in this many days keeps no address: the answer, if one
# ever comes, is given by phone (the resident holds the reference).
INQUIRY_EMAIL_DAYS = 90
# Crockford's base 32 without I, L, O, U: nothing to misread when it is read out on the phone.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _uuid(value: object) -> uuid.UUID | None:
    """Return ``value`` as a UUID, or None if it is not one (an id from outside is never trusted)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _new_reference(municipality: Municipality) -> str:
    while True:
        code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        reference = f"Q-{code[:4]}-{code[4:]}"
        if not Inquiry.objects.for_municipality(municipality).filter(reference=reference).exists():
            return reference


def _enqueue(inquiry: Inquiry, kind: str) -> None:
    municipality = inquiry.municipality
    # the name as written in kanji reads in Chinese too; other languages get the English name
    kanji = inquiry.language in ("ja", "ja-x-easy", "zh-Hans", "zh-Hant")
    name = municipality.name if kanji else (municipality.name_en or municipality.name)
    phone = (inquiry.department.phone if inquiry.department else "") or municipality.contact_phone
    subject, body = inquiry_mail(
        kind=kind,
        language=inquiry.language,
        municipality=name,
        reference=inquiry.reference,
        question=inquiry.question,
        answer=inquiry.answer,
        phone=phone,
    )
    notification_enqueue_message(
        municipality=municipality,
        kind=NotificationKind.INQUIRY_RECEIVED if kind == "received" else NotificationKind.INQUIRY_ANSWERED,
        to_address=inquiry.email,
        language=inquiry.language,
        subject=subject,
        body=body,
        reference=f"inquiry:{inquiry.public_id}",
    )


def inquiry_create(
    *,
    municipality: Municipality,
    question: str,
    email: str = "",
    language: str = "ja",
    question_id: uuid.UUID | str | None = None,
) -> Inquiry:
    """Hand a question to staff (status open) with a new reference; acknowledge it by e-mail if
    an address is given (optional).

    Raise :class:`InquiryInvalid` for an empty or too long question or a bad address.
    """
    question = text_normalised(question)
    email = email.strip()
    errors = inquiry_problems(question=question, email=email)
    if errors:
        raise InquiryInvalid(errors)
    public_id = _uuid(question_id)
    log = QuestionLog.objects.for_municipality(municipality).filter(public_id=public_id).first() if public_id else None
    department = None
    if log is not None and log.entry_ids:
        entry = FaqEntry.objects.for_municipality(municipality).filter(external_id=log.entry_ids[0]).first()
        department = entry.department if entry and not log.confident else None
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            municipality=municipality,
            reference=_new_reference(municipality),
            question=question,
            email=email,
            email_given=bool(email),
            language=language if language in LANGUAGES else "ja",
            question_log=log,
            department=department,
        )
        audit_log(
            municipality=municipality,
            event="assistant.inquiry.created",
            actor="resident",
            object_type="assistant.inquiry",
            object_id=str(inquiry.public_id),
            payload={"language": inquiry.language, "email_given": bool(email)},
        )
        if email:
            _enqueue(inquiry, "received")
    return inquiry


def inquiry_read(*, municipality: Municipality, public_id: str, actor: str) -> Inquiry:
    """Return the inquiry ``public_id`` for staff to read, and audit the reading.

    An inquiry holds a resident's own words and perhaps an e-mail address: every time staff
    are shown one is an audit entry (``assistant.inquiry.viewed``). Raise Http404 for an
    inquiry of another municipality, as for one that does not exist.
    """
    from madoguchi.assistant.selectors import inquiry_get

    inquiry = inquiry_get(municipality=municipality, public_id=public_id)
    with transaction.atomic():
        audit_log(
            municipality=municipality,
            event="assistant.inquiry.viewed",
            actor=actor,
            object_type="assistant.inquiry",
            object_id=str(inquiry.public_id),
        )
    return inquiry


def inquiry_answer(*, inquiry: Inquiry, answer: str, actor: str, now: datetime | None = None) -> Inquiry:
    """Record staff's answer to an open inquiry, close it (status answered) and, if the resident
    gave an address, queue the answer to them by e-mail — then forget the address.

    Raise :class:`InquiryInvalid` for an empty or too long answer, and
    :class:`InquiryAlreadyAnswered` if someone answered it first: the first answer stays.
    """
    answer = text_normalised(answer)
    with transaction.atomic():
        # Locked and read again: two staff members answering at once must not both succeed.
        current = (
            Inquiry.objects.for_municipality(inquiry.municipality)
            .select_for_update(of=("self",))  # the department is an outer join, which cannot be locked
            .select_related("municipality", "department")
            .get(pk=inquiry.pk)
        )
        if current.status == InquiryStatus.ANSWERED:
            raise InquiryAlreadyAnswered
        errors = text_problems("answer", answer, limit=MAX_ANSWER_LENGTH)
        if errors:
            raise InquiryInvalid(errors)
        current.answer = answer
        current.answered_by = actor
        current.answered_at = now or timezone.now()
        current.status = InquiryStatus.ANSWERED
        emailed = bool(current.email)
        if emailed:
            _enqueue(current, "answered")
            current.email = ""
        current.save(update_fields=["answer", "answered_by", "answered_at", "status", "email"])
        audit_log(
            municipality=inquiry.municipality,
            event="assistant.inquiry.answered",
            actor=actor,
            object_type="assistant.inquiry",
            object_id=str(inquiry.public_id),
            payload={"emailed": emailed},
        )
    for name in ("answer", "answered_by", "answered_at", "status", "email"):
        setattr(inquiry, name, getattr(current, name))
    return inquiry


def inquiry_emails_expire(*, municipality: Municipality, now: datetime | None = None) -> int:
    """Empty the address of inquiries left unanswered for ``INQUIRY_EMAIL_DAYS``; return how many."""
    cutoff = (now or timezone.now()) - timedelta(days=INQUIRY_EMAIL_DAYS)
    return (
        Inquiry.objects.for_municipality(municipality).filter(created_at__lt=cutoff).exclude(email="").update(email="")
    )
