"""What the staff API reads and takes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from madoguchi.api.schemas import CaseStatusEnum
from madoguchi.approvals.models import Proposal
from madoguchi.cases.actions import STAFF_ACTIONS
from madoguchi.cases.workflow import MAX_MESSAGE_LENGTH

# The actions of the back office's case page, from its registry: a new action is in the
# contract without a change here.
StaffActionEnum = StrEnum("StaffAction", [(name.upper(), name) for name in STAFF_ACTIONS.ids()])
# What a route's draft (起案) proposes: approve = 承認案, reject = 却下案.
ProposalEnum = StrEnum("Proposal", [(value.upper(), value) for value in Proposal.values])


class QueueStatusEnum(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CORRECTION_REQUESTED = "correction_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class DueEnum(StrEnum):
    OVERDUE = "overdue"
    SOON = "soon"


class CaseSummaryOut(Schema):
    receipt_number: str
    procedure: str
    procedure_title: str
    status: CaseStatusEnum
    status_label: str
    department: str | None
    assignee: str | None
    submitted_at: datetime
    due_date: date | None


class CaseListOut(Schema):
    results: list[CaseSummaryOut]
    next_cursor: str | None


class EventOut(Schema):
    kind: str
    actor: str
    message: str
    public: bool
    created_at: datetime


class SignatureFactOut(Schema):
    fact: str
    certificate: str
    answers: str
    matches: bool | None


class ResidentSignatureOut(Schema):
    verified_at: datetime
    verifier: str
    certificate_serial: str
    certificate_issuer: str
    revocation: dict[str, Any]
    answers_version: int
    facts: list[SignatureFactOut]
    differs_from_answers: bool


class AnswerChangeOut(Schema):
    field: str = Field(description="The field's id.")
    label: str
    before: str = Field(description='The answer before, as displayed ("" where there was none).')
    after: str = Field(description='The answer after, as displayed ("" where there is none).')


class CorrectionOut(Schema):
    """One 補正 by the applicant: what changed, field by field, and their reply."""

    version: int = Field(description="The answers version the correction made (the one before is version - 1).")
    created_at: datetime
    reply: str = Field(description="The applicant's free-text reply to the correction request (may be empty).")
    changes: list[AnswerChangeOut]


class CaseDetailOut(CaseSummaryOut):
    answers: dict[str, Any]
    answers_version: int
    procedure_version: int
    language: str
    events: list[EventOut]
    signature: ResidentSignatureOut | None = None
    corrections: list[CorrectionOut] = Field(description="The applicant's corrections, newest first.")


class ActionIn(Schema):
    action: StaffActionEnum
    message: str = Field("", max_length=MAX_MESSAGE_LENGTH, description="The correction request, reason or comment.")
    assignee_id: int | None = Field(None, ge=1, le=2**63 - 1, description="For assign: the staff member's user id.")


class StampOut(Schema):
    user: str
    decision: str
    capacity: str
    comment: str
    created_at: datetime
    post_review_required: bool
    post_reviewed_by: str | None
    proposal: ProposalEnum | None = Field(description="On the draft's (起案) stamp: the outcome it proposed.")
    proposal_message: str = Field(description="With a proposal: what the applicant is told (the reason of a 却下案).")


class RouteStepOut(Schema):
    step_id: str
    kind: str
    role: str
    department: str
    status: str
    actionable: bool
    may_act: list[str]
    approvals: list[StampOut]


class RouteOut(Schema):
    has_route: bool
    started: bool
    complete: bool
    generation: int
    steps: list[RouteStepOut]
    proposal: ProposalEnum | None = Field(description="What the current generation's draft proposes, if it did.")
    proposal_message: str = Field(description="With the proposal: what the applicant is told.")
    case_status: CaseStatusEnum = Field(description="The case's status: after a deciding stamp, approved or rejected.")
    case_status_label: str


class StampIn(Schema):
    action: Literal["approve", "return"]
    message: str = Field(
        "", max_length=MAX_MESSAGE_LENGTH, description="A comment, or the reason of a return (差戻し)."
    )
    department: str | None = Field(None, max_length=40, description="For a 合議 step: the consulted department.")
    proposal: ProposalEnum | None = Field(
        None, description="On the route's first step (起案), with approve: what the draft proposes."
    )
    proposal_message: str = Field(
        "",
        max_length=MAX_MESSAGE_LENGTH,
        description="With a proposal: what the applicant is told; required for reject (the reason of the 却下).",
    )
    decide: bool = Field(
        False,
        description="With approve on the 決裁 step: take the decision the draft proposed in the same transaction "
        "(the case becomes approved or rejected), or refuse the stamp too.",
    )
