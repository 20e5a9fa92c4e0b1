"""Reads of cases."""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import Q, Value
from django.db.models.functions import Replace

from madoguchi.cases.access import access_code_matches
from madoguchi.cases.models import AnswerVersion, Attachment, Case, CaseEvent, CaseStatus
from madoguchi.core.errors import NotFound
from madoguchi.core.registry import Registry
from madoguchi.jp.business_days import add_business_days
from madoguchi.procedures.files import PendingAttachment
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.selectors import procedure_version_definitions
from madoguchi.procedures.services import fold_for_search
from madoguchi.tenants.access import StaffContext
from madoguchi.tenants.models import Municipality, StaffMembership

DUE_SOON_DAYS = 3
OPEN_STATUS_VALUES = [CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.CORRECTION_REQUESTED]

RECEIPT_RE = re.compile(r"^(\d{6})-(\d{4})-(\d{6})$")
# The end of a receipt number: its sequence, optionally after the fiscal year (「000008」, 「2026-000008」).
PARTIAL_RECEIPT_RE = re.compile(r"^(?:(?P<year>\d{4})-)?(?P<sequence>\d{1,6})$")


def normalize_receipt_number(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").strip()
    return re.sub(r"[\s‐‑–—−ー－]", "-", value)


def case_get_for_resident(*, receipt_number: str, access_code: str) -> Case | None:
    """Return the case if the receipt number and access code match, else None.

    A wrong code and an unknown number give the same answer, so receipt numbers cannot
    be probed.
    """
    case = _case_by_receipt_number(normalize_receipt_number(receipt_number))
    if case is None or not access_code_matches(access_code, case.access_code_hash):
        return None
    return case


def _case_by_receipt_number(receipt_number: str) -> Case | None:
    """Return the case numbered ``receipt_number`` (exact form), looked up in its municipality's scope.

    The number begins with the municipality's code, so the look-up never leaves that
    municipality; the caller checks the secret (or the session) that proves access.
    """
    match = RECEIPT_RE.match(receipt_number)
    if not match:
        return None
    municipality = Municipality.objects.filter(code=match.group(1)).first()
    if municipality is None:
        return None
    return (
        Case.objects.for_municipality(municipality)
        .select_related("municipality__prefecture", "procedure_version")
        .filter(receipt_number=receipt_number)
        .first()
    )


# --- staff -------------------------------------------------------------------------------------

QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilters:
    procedure: str = ""
    status: str = ""
    assignee: str = ""  # user id, "me" or "none"
    due: str = ""  # "overdue", "soon" (within DUE_SOON_DAYS business days)
    query: str = ""  # receipt number, or applicant name / フリガナ in any width or kana


@dataclass(frozen=True)
class QueuePage:
    cases: list[Case]
    next_cursor: str | None


def _staff_cases(staff: StaffContext):
    cases = Case.objects.for_municipality(staff.municipality)
    if not staff.all_departments:
        cases = cases.filter(department_id__in=staff.department_ids)
    return cases


# Other reasons a staff member may read a case beyond their departments' roles: each provider
# returns a condition on Case (or None), e.g. approvals: the case's route consults one of the
# staff member's departments (合議). Registered in AppConfig.ready().
case_visibility: Registry[Callable[[StaffContext], Q | None]] = Registry("cases.case_visibility")


def case_get_for_staff(*, staff: StaffContext, receipt_number: str) -> Case:
    """Return the case if it is in the staff member's municipality and departments, else 404.

    A department consulted on the case's approval route (合議) sees the case too: its
    reviewers cannot agree to what they cannot read.
    """
    number = normalize_receipt_number(receipt_number)
    related = ("procedure_version", "assignee", "department", "municipality")
    case = _staff_cases(staff).select_related(*related).filter(receipt_number=number).first()
    if case is None:
        extra = _extra_visibility(staff)
        if extra is not None:
            case = (
                Case.objects.for_municipality(staff.municipality)
                .select_related(*related)
                .filter(extra, receipt_number=number)
                .distinct()
                .first()
            )
    if case is None:
        raise NotFound
    return case


def _extra_visibility(staff: StaffContext) -> Q | None:
    conditions = [q for provider in case_visibility if (q := provider(staff)) is not None]
    if not conditions:
        return None
    return functools.reduce(operator.or_, conditions)


def case_visible_beyond_roles(*, staff: StaffContext, case: Case) -> bool:
    """Return whether ``staff`` sees ``case`` through another app's rule (e.g. a 合議 on its route)."""
    extra = _extra_visibility(staff)
    return extra is not None and Case.objects.for_municipality(staff.municipality).filter(extra, pk=case.pk).exists()


def _encode_cursor(case: Case) -> str:
    return f"{case.submitted_at.isoformat()}_{case.pk}"


def _decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    try:
        # A "+" of the UTC offset arrives as a space if a link left it unencoded.
        stamp, pk = cursor.strip().replace(" ", "+").rsplit("_", 1)
        return datetime.fromisoformat(stamp), int(pk)
    except ValueError:
        return None


def case_queue(
    *, staff: StaffContext, filters: QueueFilters, cursor: str = "", today: date, size: int = QUEUE_PAGE_SIZE
) -> QueuePage:
    """Return one page of the staff member's queue, newest first, by keyset pagination.

    Keyset (submitted_at, id) rather than OFFSET: page 1000 costs what page 1 costs.
    """
    cases = _staff_cases(staff).select_related("procedure_version", "assignee", "department")
    # Answers and definitions are deferred (kilobytes per row); titles come from the cached definitions.
    cases = cases.defer("answers", "procedure_version__definition")
    if filters.procedure:
        cases = cases.filter(procedure_version__procedure__slug=filters.procedure)
    if filters.status == "open":
        cases = cases.filter(status__in=[CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.CORRECTION_REQUESTED])
    elif filters.status in CaseStatus.values:
        cases = cases.filter(status=filters.status)
    if filters.assignee == "me":
        cases = cases.filter(assignee_id=staff.user_id)
    elif filters.assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        cases = cases.filter(assignee_id=int(filters.assignee))
    if filters.due == "overdue":
        cases = cases.filter(due_date__lt=today, status__in=OPEN_STATUS_VALUES)
    elif filters.due == "soon":
        cases = cases.filter(
            due_date__gte=today, due_date__lte=add_business_days(today, DUE_SOON_DAYS), status__in=OPEN_STATUS_VALUES
        )
    query = filters.query.strip()[:100]
    if query:
        receipt = normalize_receipt_number(query)
        partial = PARTIAL_RECEIPT_RE.match(receipt)
        if RECEIPT_RE.match(receipt):
            cases = cases.filter(receipt_number=receipt)
        elif partial:
            # Staff read a number off a letter or hear it by phone: 「000008」 or 「2026-8」 is
            # the 8th case of any year (or of 2026); the municipality code is implied.
            year, sequence = partial.group("year"), int(partial.group("sequence"))
            cases = cases.filter(sequence=sequence, **({"fiscal_year": int(year)} if year else {}))
        else:
            # search_name is "山田 花子 ヤマダ ハナコ"; staff type 山田花子 as often as 山田 花子.
            cases = cases.annotate(search_compact=Replace("search_name", Value(" "), Value("")))
            for term in fold_for_search(query).split():
                cases = cases.filter(search_compact__contains=term)
    decoded = _decode_cursor(cursor) if cursor else None
    if decoded:
        stamp, pk = decoded
        # "submitted_at <= stamp" is redundant but lets the database start the index scan at the
        # cursor; the OR alone is only a filter, and page 10,000 would read the 500,000 rows before it.
        cases = cases.filter(Q(submitted_at__lt=stamp) | Q(submitted_at=stamp, id__lt=pk), submitted_at__lte=stamp)
    page = list(cases.order_by("-submitted_at", "-id")[: size + 1])
    next_cursor = _encode_cursor(page[size - 1]) if len(page) > size else None
    definitions = procedure_version_definitions(version_ids={case.procedure_version_id for case in page})
    for case in page:
        definition = definitions[case.procedure_version_id]
        case.procedure_title, case.procedure_slug = definition["title"], definition["slug"]
    return QueuePage(cases=page[:size], next_cursor=next_cursor)


def case_due_state(*, case: Case, today: date) -> str:
    """Return "overdue", "soon" (due within DUE_SOON_DAYS business days) or "" for an open case.

    The same rule as the queue's ``due`` filter.
    """
    if case.due_date is None or case.status not in OPEN_STATUS_VALUES:
        return ""
    if case.due_date < today:
        return "overdue"
    if case.due_date <= add_business_days(today, DUE_SOON_DAYS):
        return "soon"
    return ""


def queue_procedures(*, staff: StaffContext) -> list[Procedure]:
    """Return the procedures of the staff member's municipality and departments, for the queue filter."""
    procedures = Procedure.objects.for_municipality(staff.municipality).filter(current_version__isnull=False)
    if not staff.all_departments:
        procedures = procedures.filter(department_id__in=staff.department_ids)
    return list(procedures.select_related("current_version").order_by("slug"))


def case_answer_versions(*, staff: StaffContext, case: Case) -> list[AnswerVersion]:
    """Return the earlier versions of the case's answers (before each 補正), oldest first."""
    return list(AnswerVersion.objects.for_municipality(staff.municipality).filter(case=case).order_by("number"))


@dataclass(frozen=True)
class CorrectionRound:
    """One 補正 by the resident: the answers before and after it, and their reply."""

    event: CaseEvent
    before: dict
    after: dict


def case_correction_rounds(
    *, case: Case, versions: list[AnswerVersion], events: list[CaseEvent]
) -> list[CorrectionRound]:
    """Pair each correction on ``case``'s timeline with the answers before and after it, newest
    first. ``versions`` and ``events`` are what :func:`case_answer_versions` and
    :func:`case_timeline` returned for the page (no further queries)."""
    answers = {version.number: version.answers for version in versions}
    answers[case.answers_version] = case.answers
    rounds = []
    for event in events:
        number = event.data.get("version") if event.kind == CaseEvent.Kind.CORRECTED else None
        if number and number - 1 in answers and number in answers:
            rounds.append(CorrectionRound(event=event, before=answers[number - 1], after=answers[number]))
    return rounds[::-1]


def case_attachments(*, staff: StaffContext, case: Case) -> list[Attachment]:
    return list(Attachment.objects.for_municipality(staff.municipality).filter(case=case))


def case_assignable_staff(*, staff: StaffContext, case: Case) -> list:
    """Return the active users who may be assigned ``case``: staff of its department or of all departments."""
    memberships = StaffMembership.objects.for_municipality(staff.municipality).filter(
        Q(department__isnull=True) | Q(department_id=case.department_id)
    )
    return list(
        get_user_model().objects.filter(is_active=True, pk__in=memberships.values("user_id")).order_by("username")
    )


def case_timeline(*, staff: StaffContext, case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.for_municipality(staff.municipality).filter(case=case).select_related("actor"))


def case_public_events(*, case: Case) -> list[CaseEvent]:
    """Return what the resident is told: correction requests, decisions, their own corrections."""
    return list(CaseEvent.objects.for_municipality(case.municipality).filter(case=case, public=True))


def case_get_for_session(*, receipt_number: str | None) -> Case | None:
    """Return the case a resident already proved access to in this session (see portal.views.status)."""
    if not receipt_number:
        return None
    return _case_by_receipt_number(receipt_number)


def case_decision(*, case: Case) -> CaseEvent | None:
    """Return the case's latest decision (承認 or 却下) event, or None if it was never decided.

    The event keeps what the case's status later loses: a completed case was approved or
    rejected, when, and (for 却下) why.
    """
    return (
        CaseEvent.objects.for_municipality(case.municipality)
        .filter(case=case, kind=CaseEvent.Kind.DECIDED)
        .order_by("-created_at", "-id")
        .first()
    )


def case_current_uploads(*, case: Case, field_id: str) -> list:
    """Return the files attached to ``case``'s answer ``field_id`` as uploads to submit again.

    A correction (補正) replaces the whole answers; a file the resident keeps is sent back
    to validation as it was stored, so the same checks apply to kept and new files.
    """
    kept = []
    for item in case.answers.get(field_id, []) if isinstance(case.answers.get(field_id), list) else []:
        attachment = (
            Attachment.objects.for_municipality(case.municipality).filter(case=case, sha256=item["sha256"]).first()
        )
        if attachment is None:
            continue
        with default_storage.open(attachment.storage_name, "rb") as handle:
            kept.append(
                PendingAttachment(
                    field_id=field_id,
                    name=item["name"],
                    content_type=item["content_type"],
                    size=item["size"],
                    sha256=item["sha256"],
                    content=handle.read(),
                )
            )
    return kept
