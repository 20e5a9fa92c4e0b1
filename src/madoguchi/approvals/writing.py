"""What every write to a case's approval route shares (internal to the approvals app).

:mod:`approvals.services` (stamps, returns, the one-step decision) and
:mod:`approvals.post_reviews` (後閲) both lock the case row the same way, trim a comment the
same way and put their stamp on the case's timeline the same way; keeping that in one place
keeps the two from drifting apart. Not for other apps: they call the services.
"""

from __future__ import annotations

from datetime import datetime

from madoguchi.approvals.errors import ReasonRequired, StepNotFound
from madoguchi.approvals.models import ApprovalStep
from madoguchi.cases.models import Case, CaseEvent
from madoguchi.tenants.access import StaffContext

MAX_COMMENT_LENGTH = 4000


def _text(value: str, *, required: bool = False) -> str:
    value = (value or "").strip()[:MAX_COMMENT_LENGTH]
    if required and not value:
        raise ReasonRequired
    return value


def _lock(case: Case, municipality) -> Case:
    try:
        return Case.objects.for_municipality(municipality).select_for_update().get(pk=case.pk)
    except Case.DoesNotExist:
        raise StepNotFound from None


def _timeline(
    case: Case, kind: str, staff: StaffContext, row: ApprovalStep, now: datetime, *, text: str, capacity: str = ""
) -> None:
    """Put a stamp on the case's timeline (internal: residents never see route work)."""
    CaseEvent.objects.for_municipality(case.municipality).create(
        municipality=case.municipality,
        case=case,
        kind=kind,
        actor_id=staff.user_id,
        actor_label=staff.username,
        message=text,
        public=False,
        data={"step": row.step_id, "step_kind": row.kind, "department": row.department.code, "capacity": capacity},
        created_at=now,
    )
