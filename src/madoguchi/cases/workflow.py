"""Staff actions on a case: the status machine of 申請 after submission.

Every action goes the same way (STYLE.md, "one path per state change"): lock the case row,
check the staff member may act and the transition is allowed from the current status,
change it, record a :class:`CaseEvent` for the timeline, and append the audit entry — all in
one transaction. A 補正 (correction request) sends the case back to the resident, who answers
through the status page; the case keeps its receipt number and every earlier version of the
answers is kept as an :class:`AnswerVersion`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.approvals.errors import RouteIncomplete
from madoguchi.approvals.services import route_is_complete, route_start, sign_decision
from madoguchi.audit.services import audit_log
from madoguchi.cases.models import AnswerVersion, Attachment, Case, CaseEvent, CaseStatus
from madoguchi.cases.selectors import case_on_route_of
from madoguchi.cases.services import store_attachment
from madoguchi.core.errors import Conflict, Invalid, NotFound
from madoguchi.notifications.services import NOTIFIED_STATUSES, notification_enqueue
from madoguchi.procedures.answers import clean_answers
from madoguchi.signatures.documents.services import documents_schedule_on_decision
from madoguchi.tenants.access import ActionNotAllowed, StaffContext
from madoguchi.tenants.models import StaffMembership

S = CaseStatus
# If you add a status, add its transitions here and its label in models.CaseStatus.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "start_review": {"to": frozenset({S.IN_REVIEW}), "from": frozenset({S.SUBMITTED})},
    "request_correction": {"to": frozenset({S.CORRECTION_REQUESTED}), "from": frozenset({S.SUBMITTED, S.IN_REVIEW})},
    "correct": {"to": frozenset({S.IN_REVIEW}), "from": frozenset({S.CORRECTION_REQUESTED})},
    "decide": {"to": frozenset({S.APPROVED, S.REJECTED}), "from": frozenset({S.IN_REVIEW})},
    "complete": {"to": frozenset({S.COMPLETED}), "from": frozenset({S.APPROVED, S.REJECTED})},
    "withdraw": {
        "to": frozenset({S.WITHDRAWN}),
        "from": frozenset({S.SUBMITTED, S.IN_REVIEW, S.CORRECTION_REQUESTED}),
    },
}
OPEN_STATUSES = frozenset({S.SUBMITTED, S.IN_REVIEW, S.CORRECTION_REQUESTED})
MAX_MESSAGE_LENGTH = 4000

# What the back office offers on a case: action -> (permission in tenants.access.ACTION_ROLES,
# transition in TRANSITIONS or None if the action is allowed in every status).
# If you add an action here, add its form to the case page and its service to the view's dispatch.
STAFF_ACTIONS: dict[str, tuple[str, str | None]] = {
    "assign": ("assign", None),
    "comment": ("comment", None),
    "start_review": ("start_review", "start_review"),
    "request_correction": ("request_correction", "request_correction"),
    "approve": ("decide", "decide"),
    "reject": ("decide", "decide"),
    "complete": ("complete", "complete"),
    "withdraw": ("withdraw", "withdraw"),
}
# Attachments a browser may show itself; anything else is always downloaded.
INLINE_CONTENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


class IllegalTransition(Conflict):
    """The case's current status does not allow this action."""

    kind = "illegal-transition"
    code = "illegal_transition"
    message = _("The application's current status does not allow this action.")

    def __init__(self, action: str, status: str):
        super().__init__()
        self.action, self.case_status = action, status


class MessageRequired(Invalid):
    """This action needs a reason or message (補正の内容, 却下の理由)."""

    kind = "message-required"
    code = "message_required"
    message = _("This action needs a message or reason.")


class InvalidAssignee(Invalid):
    """The chosen assignee is not active staff of the case's department (in its municipality)."""

    code = "invalid_assignee"
    message = _("Choose a staff member of this application's department.")


def case_available_actions(*, staff: StaffContext, case: Case) -> list[str]:
    """Return the STAFF_ACTIONS ``staff`` may take on ``case`` in its current status."""
    return [
        action
        for action, (permission, transition) in STAFF_ACTIONS.items()
        if staff.can(permission, case.department_id)
        and (transition is None or case.status in TRANSITIONS[transition]["from"])
    ]


def _locked(staff: StaffContext, case: Case, action: str) -> Case:
    try:
        locked = Case.objects.for_municipality(staff.municipality).select_for_update().get(pk=case.pk)
    except Case.DoesNotExist:
        # Another municipality's case: the same answer as a case the staff member may not touch.
        raise ActionNotAllowed(action) from None
    staff.require(action, locked.department_id)
    if action in TRANSITIONS and locked.status not in TRANSITIONS[action]["from"]:
        raise IllegalTransition(action, locked.status)
    return locked


def _event(
    case: Case,
    kind: str,
    *,
    staff: StaffContext | None,
    actor_label: str,
    message: str = "",
    public: bool = False,
    data: dict | None = None,
    now: datetime,
) -> CaseEvent:
    return CaseEvent.objects.for_municipality(case.municipality).create(
        municipality=case.municipality,
        case=case,
        kind=kind,
        actor_id=staff.user_id if staff else None,
        actor_label=actor_label,
        message=message,
        public=public,
        data=data or {},
        created_at=now,
    )


def _audit(case: Case, event: str, actor: str, /, **payload) -> None:
    # Positional-only, so a payload key may be called "event" (case_comment records its CaseEvent).
    audit_log(
        municipality=case.municipality,
        event=event,
        actor=actor,
        object_type="case",
        object_id=case.receipt_number,
        payload=payload,
    )


def _message(message: str, *, required: bool) -> str:
    message = (message or "").strip()[:MAX_MESSAGE_LENGTH]
    if required and not message:
        raise MessageRequired
    return message


def _set_status(case: Case, status: str, now: datetime) -> str:
    previous, case.status = case.status, status
    if status in {S.COMPLETED, S.WITHDRAWN}:
        case.closed_at = now
    return previous


def case_assign(*, staff: StaffContext, case: Case, assignee_id: int | None, now: datetime | None = None) -> Case:
    """Assign the case to a staff member of its department (or unassign it)."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked(staff, case, "assign")
        if assignee_id is not None:
            assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
            if assignee is None or not _is_staff_of(assignee_id, case):
                raise InvalidAssignee
            label = assignee.get_username()
        else:
            label = ""
        case.assignee_id = assignee_id
        data = {"assignee": label}
        if case.status == S.SUBMITTED and assignee_id is not None:
            # Taking a case on starts its review: the timeline shows the change of status.
            data["from"], data["to"] = _set_status(case, S.IN_REVIEW, now), S.IN_REVIEW
        case.save(update_fields=["assignee", "status", "updated_at"])
        _event(case, CaseEvent.Kind.ASSIGNED, staff=staff, actor_label=staff.username, data=data, now=now)
        _audit(case, "cases.case.assigned", staff.actor_label, **data)
        if "to" in data:
            route_start(case=case, staff=staff, now=now)
    return case


def _is_staff_of(user_id: int, case: Case) -> bool:
    memberships = StaffMembership.objects.for_municipality(case.municipality).filter(user_id=user_id)
    return (
        memberships.filter(department__isnull=True).exists()
        or memberships.filter(department_id=case.department_id).exists()
    )


def case_comment(*, staff: StaffContext, case: Case, message: str, now: datetime | None = None) -> CaseEvent:
    """Add an internal comment (never shown to the resident)."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked(staff, case, "comment")
        text = _message(message, required=True)
        event = _event(case, CaseEvent.Kind.COMMENTED, staff=staff, actor_label=staff.username, message=text, now=now)
        _audit(case, "cases.case.commented", staff.actor_label, event=event.pk)
    return event


def case_start_review(*, staff: StaffContext, case: Case, now: datetime | None = None) -> Case:
    """Start the review; a procedure with an approval route gets its route laid out (起案 first)."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _transition(staff, case, "start_review", S.IN_REVIEW, now=now)
        route_start(case=case, staff=staff, now=now)
    return case


def case_request_correction(*, staff: StaffContext, case: Case, message: str, now: datetime | None = None) -> Case:
    """Ask the resident to correct the application (補正依頼); the message is shown to them."""
    return _transition(
        staff,
        case,
        "request_correction",
        S.CORRECTION_REQUESTED,
        message=message,
        message_required=True,
        public=True,
        now=now,
    )


def case_decide(
    *, staff: StaffContext, case: Case, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    """Approve (承認) or reject (却下, reason required) a case in review.

    Both are the 決裁 of the case, so neither is possible before its approval route (if the
    procedure has one) is complete: raise RouteIncomplete.
    """
    status = S.APPROVED if approve else S.REJECTED
    return _transition(
        staff,
        case,
        "decide",
        status,
        message=reason,
        message_required=not approve,
        public=True,
        kind=CaseEvent.Kind.DECIDED,
        now=now,
    )


def case_complete(*, staff: StaffContext, case: Case, now: datetime | None = None) -> Case:
    return _transition(staff, case, "complete", S.COMPLETED, now=now)


def case_withdraw(*, staff: StaffContext, case: Case, message: str = "", now: datetime | None = None) -> Case:
    """Record that the resident withdrew the application (取下げ), e.g. by phone or letter."""
    return _transition(staff, case, "withdraw", S.WITHDRAWN, message=message, public=True, now=now)


def _transition(
    staff: StaffContext,
    case: Case,
    action: str,
    status: str,
    *,
    message: str = "",
    message_required: bool = False,
    public: bool = False,
    kind: str = CaseEvent.Kind.STATUS_CHANGED,
    now: datetime | None,
) -> Case:
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked(staff, case, action)
        if action == "decide" and not route_is_complete(case):
            raise RouteIncomplete
        if action == "request_correction":
            kind = CaseEvent.Kind.CORRECTION_REQUESTED
        text = _message(message, required=message_required)
        previous = _set_status(case, status, now)
        case.save(update_fields=["status", "closed_at", "updated_at"])
        event = _event(
            case,
            kind,
            staff=staff,
            actor_label=staff.username,
            message=text,
            public=public,
            data={"from": previous, "to": status},
            now=now,
        )
        if action == "decide":  # the 決裁 is signed by the municipality, like every stamp before it
            sign_decision(event=event)
        _audit(case, f"cases.case.{status}", staff.actor_label, previous=previous, has_message=bool(text))
        if status in NOTIFIED_STATUSES:  # the resident is told by e-mail, if they gave an address
            notification_enqueue(case=case, kind=status, message=text, now=now)
        if action == "decide":  # the signed decision document, made after commit
            documents_schedule_on_decision(case=case, status=status, actor=staff.actor_label)
    return case


def case_view(*, staff: StaffContext, case: Case) -> None:
    """Record that ``staff`` opened the case page: reading an application is reading personal data.

    Raise ActionNotAllowed (shown as "not found") for a case outside the staff member's reach.
    """
    if case.municipality_id != staff.municipality.pk:
        raise ActionNotAllowed("view")
    if not staff.can("view", case.department_id) and not case_on_route_of(staff=staff, case=case):
        raise ActionNotAllowed("view")
    with transaction.atomic():
        _audit(case, "backoffice.case.viewed", staff.actor_label)


@dataclass(frozen=True)
class OpenedAttachment:
    attachment: Attachment
    file: File
    as_attachment: bool


def attachment_open(*, staff: StaffContext, case: Case, attachment_id: int, disposition: str) -> OpenedAttachment:
    """Open an attachment of ``case`` for ``staff`` to view (``"inline"``) or download (``"attachment"``).

    Every opening is audited (``backoffice.attachment.viewed`` / ``.downloaded``) with the file's
    digest, never its name, which may carry the applicant's name. Only PDFs and common images are
    ever shown inline. Raise NotFound for an attachment of another case and for a case outside
    the staff member's reach.
    """
    if disposition not in {"inline", "attachment"}:
        raise ValueError(f"Unknown disposition {disposition!r}")
    if case.municipality_id != staff.municipality.pk or not (
        staff.can("view", case.department_id) or case_on_route_of(staff=staff, case=case)
    ):
        raise NotFound
    attachment = (
        Attachment.objects.for_municipality(staff.municipality).filter(case_id=case.pk, pk=attachment_id).first()
    )
    if attachment is None:
        raise NotFound
    inline = disposition == "inline" and attachment.content_type in INLINE_CONTENT_TYPES
    event = "backoffice.attachment.viewed" if inline else "backoffice.attachment.downloaded"
    with transaction.atomic():
        _audit(case, event, staff.actor_label, attachment=attachment.pk, sha256=attachment.sha256)
        # Opened inside the transaction: a missing file rolls the audit entry back.
        handle = default_storage.open(attachment.storage_name, "rb")
    return OpenedAttachment(attachment=attachment, file=handle, as_attachment=not inline)


def case_correct(*, case: Case, answers: dict, files: dict | None = None, now: datetime | None = None) -> Case:
    """Store the resident's corrected answers (補正) and return the case to review.

    The answers are validated against the same procedure version; the previous answers are
    kept as an :class:`AnswerVersion`, and the receipt number does not change.
    """
    now = now or timezone.now()
    definition = case.procedure_version.definition
    clean = clean_answers(definition, answers, files, today=timezone.localdate(now), language=case.language)
    with transaction.atomic():
        locked = Case.objects.for_municipality(case.municipality).select_for_update().get(pk=case.pk)
        if locked.status not in TRANSITIONS["correct"]["from"]:
            raise IllegalTransition("correct", locked.status)
        AnswerVersion.objects.for_municipality(locked.municipality).create(
            municipality=locked.municipality,
            case=locked,
            number=locked.answers_version,
            answers=locked.answers,
            created_at=now,
            created_by="resident",
        )
        previous = _set_status(locked, S.IN_REVIEW, now)
        locked.answers = clean.values
        locked.answers_version += 1
        locked.save(update_fields=["answers", "answers_version", "status", "updated_at"])
        if clean.attachments:
            Attachment.objects.for_municipality(locked.municipality).bulk_create(
                [
                    Attachment(
                        municipality=locked.municipality,
                        case=locked,
                        field_id=item.field_id,
                        name=item.name,
                        content_type=item.content_type,
                        size=item.size,
                        sha256=item.sha256,
                        storage_name=store_attachment(locked.municipality, item),
                    )
                    for item in clean.attachments
                ]
            )
        _event(
            locked,
            CaseEvent.Kind.CORRECTED,
            staff=None,
            actor_label="resident",
            public=True,
            data={"from": previous, "to": S.IN_REVIEW, "version": locked.answers_version},
            now=now,
        )
        _audit(locked, "cases.case.corrected", "resident", version=locked.answers_version)
    return locked
