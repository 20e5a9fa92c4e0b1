"""The documents an organisational signature covers, derived from the rows they describe.

One function per signed kind turns database rows into a JSON document; its canonical bytes
(:func:`madoguchi.signatures.canonical.canonical_json`) are what is signed. Signing and
verifying both build the document here, from rows read back from the database, so the two
cannot drift: the format is specified in docs/signatures.md ("Organisational signatures").
If you change a document, bump its ``version`` and keep the old builder for old rows.

:func:`documents_for` builds the documents for many signatures with a fixed number of
queries, which is what makes ``madoguchi signatures verify`` fast.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from madoguchi.approvals.models import Approval
from madoguchi.cases.models import AnswerVersion, Case, CaseEvent
from madoguchi.signatures.canonical import canonical_json
from madoguchi.signatures.models import OrganisationSignature, SignedObject

APPROVAL_TYPE = "madoguchi.approval"
POST_REVIEW_TYPE = "madoguchi.post_review"
DECISION_TYPE = "madoguchi.decision"
DOCUMENT_VERSION = 1
# Stamps and returns can only be made while the case is in review (approvals.services).
STAMP_CASE_STATUS = "in_review"


def timestamp(value: datetime) -> str:
    """UTC, microseconds: what the database keeps of a DateTimeField on SQLite and PostgreSQL."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def answers_sha256(answers: dict) -> str:
    return hashlib.sha256(canonical_json(answers)).hexdigest()


def _step(approval: Approval) -> dict:
    step = approval.step
    return {
        "id": step.step_id,
        "kind": step.kind,
        "generation": step.generation,
        "department": step.department.code,
        "role": step.role,
    }


def _head(kind: str, case: Case) -> dict:
    return {
        "type": kind,
        "version": DOCUMENT_VERSION,
        "municipality": case.municipality.code,
        "receipt_number": case.receipt_number,
    }


def approval_document(approval: Approval, answers: dict) -> dict:
    """A stamp (承認) or return (差戻し) on one step; ``answers`` are those of the step's version."""
    return {
        **_head(APPROVAL_TYPE, approval.case),
        "case_status": STAMP_CASE_STATUS,
        "answers_version": approval.step.answers_version,
        "answers_sha256": answers_sha256(answers),
        "step": _step(approval),
        "decision": approval.decision,
        "capacity": approval.capacity,
        "user": approval.user.get_username(),
        "comment": approval.comment,
        "at": timestamp(approval.created_at),
    }


def post_review_document(approval: Approval) -> dict:
    """後閲 of a deputy's (代決) stamp: who looked at which stamp, when, with what comment."""
    return {
        **_head(POST_REVIEW_TYPE, approval.case),
        "approval": {
            "id": approval.pk,
            "step": _step(approval),
            "decision": approval.decision,
            "capacity": approval.capacity,
            "user": approval.user.get_username(),
            "at": timestamp(approval.created_at),
        },
        "user": approval.post_reviewed_by.get_username(),
        "comment": approval.post_review_comment,
        "at": timestamp(approval.post_reviewed_at),
    }


def decision_document(event: CaseEvent, answers: dict) -> dict:
    """The 決裁 of the case (承認 or 却下), from its ``decided`` timeline event."""
    case = event.case
    status = event.data.get("to", "")
    return {
        **_head(DECISION_TYPE, case),
        "case_status": status,
        # A decided case cannot be corrected any more (cases.workflow.TRANSITIONS), so the
        # case's answers version now is the one that was decided on.
        "answers_version": case.answers_version,
        "answers_sha256": answers_sha256(answers),
        "step": None,
        "decision": {"approved": "approve", "rejected": "reject"}.get(status, status),
        "capacity": "regular",
        "user": event.actor.get_username() if event.actor_id else event.actor_label,
        "comment": event.message,
        "at": timestamp(event.created_at),
    }


class AnswersLookup:
    """The answers of (case, version) pairs, read with one query for all older versions."""

    def __init__(self, municipality, pairs: Iterable[tuple[Case, int]]):
        self._current = {}
        older: set[tuple[int, int]] = set()
        for case, version in pairs:
            if version == case.answers_version:
                self._current[case.pk, version] = case.answers
            else:
                older.add((case.pk, version))
        self._older: dict[tuple[int, int], dict] = {}
        if older:
            rows = AnswerVersion.objects.for_municipality(municipality).filter(case_id__in={pk for pk, _v in older})
            self._older = {(r.case_id, r.number): r.answers for r in rows if (r.case_id, r.number) in older}

    def get(self, case: Case, version: int) -> dict | None:
        return self._current.get((case.pk, version), self._older.get((case.pk, version)))


def documents_for(municipality, signatures: list[OrganisationSignature]) -> dict[int, dict | None]:
    """Return {signature pk: document re-derived from today's rows, or None if the row is gone}."""
    approval_ids = {s.object_id for s in signatures if s.object_type != SignedObject.DECISION}
    event_ids = {s.object_id for s in signatures if s.object_type == SignedObject.DECISION}
    approvals = {
        a.pk: a
        for a in Approval.objects.for_municipality(municipality)
        .filter(pk__in=approval_ids)
        .select_related("case__municipality", "step__department", "user", "post_reviewed_by")
    }
    events = {
        e.pk: e
        for e in CaseEvent.objects.for_municipality(municipality)
        .filter(pk__in=event_ids, kind=CaseEvent.Kind.DECIDED)
        .select_related("case__municipality", "actor")
    }
    answers = AnswersLookup(
        municipality,
        [(a.case, a.step.answers_version) for a in approvals.values()]
        + [(e.case, e.case.answers_version) for e in events.values()],
    )
    documents: dict[int, dict | None] = {}
    for signature in signatures:
        documents[signature.pk] = _document(signature, approvals, events, answers)
    return documents


def _document(signature: OrganisationSignature, approvals: dict, events: dict, answers: AnswersLookup) -> dict | None:
    if signature.object_type == SignedObject.DECISION:
        event = events.get(signature.object_id)
        if event is None or event.case_id != signature.case_id:
            return None
        found = answers.get(event.case, event.case.answers_version)
        return None if found is None else decision_document(event, found)
    approval = approvals.get(signature.object_id)
    if approval is None or approval.case_id != signature.case_id:
        return None
    if signature.object_type == SignedObject.POST_REVIEW:
        if approval.post_reviewed_at is None or approval.post_reviewed_by_id is None:
            return None
        return post_review_document(approval)
    found = answers.get(approval.case, approval.step.answers_version)
    return None if found is None else approval_document(approval, found)
