"""後閲: a holder of the role a deputy (代決) stood in for looks at the deputy's stamp afterwards.

The stamp stands either way; the review records who looked, when, and their comment, once,
and never by the deputy (:func:`approvals.selectors.may_post_review`). It goes the way every
approvals write goes (:mod:`approvals.services`): lock the case row, write, publish the event
(the signatures app signs the review), append the audit entry and the timeline stamp — in one
transaction. It is possible in any case status, unlike the stamps themselves.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from madoguchi.approvals.errors import AlreadyPostReviewed, StepNotFound
from madoguchi.approvals.events import ApprovalRecorded, approval_recorded
from madoguchi.approvals.models import Approval
from madoguchi.approvals.selectors import may_post_review
from madoguchi.approvals.writing import _lock, _text, _timeline
from madoguchi.cases.models import CaseEvent
from madoguchi.tenants.access import StaffContext


def post_review(*, staff: StaffContext, approval_id: int, comment: str = "", now: datetime | None = None) -> Approval:
    """Record that ``staff``, holding the role a 代決 stood in for, has looked at it (後閲)."""
    now = now or timezone.now()
    with transaction.atomic():
        found = Approval.objects.for_municipality(staff.municipality).filter(pk=approval_id).first()
        if found is None or not found.post_review_required:
            raise StepNotFound
        case = _lock(found.case, staff.municipality)
        approval = (
            Approval.objects.for_municipality(staff.municipality).select_related("step__department").get(pk=found.pk)
        )
        if not may_post_review(staff=staff, approval=approval):
            raise StepNotFound
        if approval.post_reviewed_at is not None:
            raise AlreadyPostReviewed
        text = _text(comment)
        approval.post_reviewed_by_id = staff.user_id
        approval.post_reviewed_at = now
        approval.post_review_comment = text
        approval.save(update_fields=["post_reviewed_by", "post_reviewed_at", "post_review_comment"])
        approval_recorded.publish(ApprovalRecorded(approval=approval, kind="post_review"))
        case.log_action(
            "approvals.step.post_reviewed",
            actor=staff.actor_label,
            payload={
                "step": approval.step.step_id,
                "department": approval.step.department.code,
                "generation": approval.step.generation,
                "approval": approval.pk,
                "has_comment": bool(text),
            },
        )
        _timeline(case, CaseEvent.Kind.POST_REVIEWED, staff, approval.step, now, text=text)
    return approval
