"""Staff and resident actions on a case: the status machine of 申請 after submission.

Every action goes the same way (STYLE.md, "one path per state change"): lock the case
row, check the staff member may act and the transition is allowed from the current status,
let other domains refuse (``case_changing``: approvals holds back a 決裁 until the route is
complete), change it, record a :class:`CaseEvent` for the timeline, append the audit entry,
and publish ``case_status_changed`` — all in one transaction. Who reacts (approvals lays out
the route, signatures signs the decision and issues its document, notifications e-mails the
resident) is in :mod:`cases.events`; this module imports none of them.

A 補正 (correction request) sends the case back to the resident, who answers through the
status page or the API; the case keeps its receipt number and every earlier version of the
answers is kept as an :class:`AnswerVersion`. The resident may also withdraw (取下げ) an
application that is not decided yet.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from madoguchi.cases.errors import IllegalTransition, InvalidAssignee, MessageRequired
from madoguchi.cases.events import (
    CaseChanging,
    CaseCorrected,
    CaseStatusChanged,
    case_changing,
    case_corrected,
    case_status_changed,
)
from madoguchi.cases.models import RESIDENT_ACTOR, AnswerVersion, Attachment, Case, CaseEvent, CaseStatus
from madoguchi.cases.services import store_attachment
from madoguchi.procedures.answers import clean_answers
from madoguchi.procedures.notation import notation_entered, visible_text
from madoguchi.tenants.access import ActionNotAllowed, StaffContext
from madoguchi.tenants.models import StaffMembership

S = CaseStatus
RESIDENT = RESIDENT_ACTOR
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
    """Assign the case to a staff member of its department (or unassign it).

    Taking on a case that was only submitted starts its review. Raise InvalidAssignee for
    anyone who is not active staff of the case's department in its municipality.
    """
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
        starts_review = case.status == S.SUBMITTED and assignee_id is not None
        if starts_review:
            case_changing.publish(CaseChanging(case=case, action="assign", to=S.IN_REVIEW, staff=staff, now=now))
        case.assignee_id = assignee_id
        data = {"assignee": label}
        if starts_review:  # the timeline shows the change of status
            data["from"], data["to"] = _set_status(case, S.IN_REVIEW, now), S.IN_REVIEW
        case.save(update_fields=["assignee", "status", "updated_at"])
        timeline = _event(case, CaseEvent.Kind.ASSIGNED, staff=staff, actor_label=staff.username, data=data, now=now)
        case.log_action("cases.case.assigned", actor=staff.actor_label, payload=data)
        if starts_review:
            case_status_changed.publish(
                CaseStatusChanged(
                    case=case,
                    action="assign",
                    previous=data["from"],
                    status=S.IN_REVIEW,
                    timeline=timeline,
                    message="",
                    staff=staff,
                    actor=staff.actor_label,
                    now=now,
                )
            )
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
        case.log_action("cases.case.commented", actor=staff.actor_label, payload={"event": event.pk})
    return event


def case_start_review(*, staff: StaffContext, case: Case, now: datetime | None = None) -> Case:
    """Start the review; a procedure with an approval route gets its route laid out (起案 first)."""
    return _transition(staff, case, "start_review", S.IN_REVIEW, now=now)


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
        kind=CaseEvent.Kind.CORRECTION_REQUESTED,
        now=now,
    )


def case_decide(
    *, staff: StaffContext, case: Case, approve: bool, reason: str = "", now: datetime | None = None
) -> Case:
    """Approve (承認) or reject (却下, reason required) a case in review.

    Both are the 決裁 of the case, so approvals refuses either before the case's approval
    route (if the procedure has one) is complete (RouteIncomplete).
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
        text = _message(message, required=message_required)
        case_changing.publish(CaseChanging(case=case, action=action, to=status, staff=staff, now=now))
        previous = _set_status(case, status, now)
        case.save(update_fields=["status", "closed_at", "updated_at"])
        timeline = _event(
            case,
            kind,
            staff=staff,
            actor_label=staff.username,
            message=text,
            public=public,
            data={"from": previous, "to": status},
            now=now,
        )
        case.log_action(
            f"cases.case.{status}", actor=staff.actor_label, payload={"previous": previous, "has_message": bool(text)}
        )
        case_status_changed.publish(
            CaseStatusChanged(
                case=case,
                action=action,
                previous=previous,
                status=status,
                timeline=timeline,
                message=text,
                staff=staff,
                actor=staff.actor_label,
                now=now,
            )
        )
    return case


def case_resident_withdraw(*, case: Case, message: str = "", now: datetime | None = None) -> Case:
    """Withdraw the application at the resident's request (取下げ), before it is decided.

    The resident reached the case with its receipt number and access code (the door checked
    them). Staff see the withdrawal on the timeline, with the resident's reason if given.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Case.objects.for_municipality(case.municipality).select_for_update().get(pk=case.pk)
        if locked.status not in TRANSITIONS["withdraw"]["from"]:
            raise IllegalTransition("withdraw", locked.status)
        text = _message(message, required=False)
        previous = _set_status(locked, S.WITHDRAWN, now)
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        timeline = _event(
            locked,
            CaseEvent.Kind.STATUS_CHANGED,
            staff=None,
            actor_label=RESIDENT,
            message=text,
            public=True,
            data={"from": previous, "to": S.WITHDRAWN},
            now=now,
        )
        locked.log_action(
            f"cases.case.{S.WITHDRAWN}", actor=RESIDENT, payload={"previous": previous, "has_message": bool(text)}
        )
        case_status_changed.publish(
            CaseStatusChanged(
                case=locked,
                action="withdraw",
                previous=previous,
                status=S.WITHDRAWN,
                timeline=timeline,
                message=text,
                staff=None,
                actor=RESIDENT,
                now=now,
            )
        )
    return locked


def case_correct(
    *, case: Case, answers: dict, files: dict | None = None, reply: str = "", now: datetime | None = None
) -> Case:
    """Store the resident's corrected answers (補正) and return the case to review.

    The answers are validated against the same procedure version; the previous answers are
    kept as an :class:`AnswerVersion`, and the receipt number does not change. ``reply`` is
    the resident's free-text answer to the correction request (what they changed and why,
    or why a field stays as it is); staff see it on the timeline beside what changed. The
    resident's own notation of the answers is kept for showing back (procedures.notation).
    """
    now = now or timezone.now()
    definition = case.procedure_version.definition
    today = timezone.localdate(now)
    clean = clean_answers(definition, answers, files, today=today, language=case.language)
    text = visible_text(reply)[:MAX_MESSAGE_LENGTH]
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
            created_by=RESIDENT,
        )
        changed = [
            fid
            for fid in dict.fromkeys([*locked.answers, *clean.values])
            if locked.answers.get(fid) != clean.values.get(fid)
        ]
        previous = _set_status(locked, S.IN_REVIEW, now)
        locked.answers = clean.values
        locked.answers_entered = notation_entered(
            definition, answers, clean.values, today=today, language=case.language
        )
        locked.answers_version += 1
        locked.save(update_fields=["answers", "answers_entered", "answers_version", "status", "updated_at"])
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
            actor_label=RESIDENT,
            message=text,
            public=True,
            data={"from": previous, "to": S.IN_REVIEW, "version": locked.answers_version, "changed": changed},
            now=now,
        )
        # Field ids only: the answers themselves are personal data and stay out of the audit chain.
        locked.log_action(
            "cases.case.corrected",
            actor=RESIDENT,
            payload={"version": locked.answers_version, "changed": changed, "has_reply": bool(text)},
        )
        case_corrected.publish(CaseCorrected(case=locked, previous=previous, now=now))
    return locked
