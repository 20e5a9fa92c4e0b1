"""What the staff API reads and takes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from madoguchi.api.schemas import CaseStatusEnum
from madoguchi.cases.actions import STAFF_ACTIONS
from madoguchi.cases.workflow import MAX_MESSAGE_LENGTH

# The actions of the back office's case page, from its registry: a new action is in the
# contract without a change here.
StaffActionEnum = StrEnum("StaffAction", [(name.upper(), name) for name in STAFF_ACTIONS.ids()])


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


class CaseDetailOut(CaseSummaryOut):
    answers: dict[str, Any]
    answers_version: int
    procedure_version: int
    language: str
    events: list[EventOut]
    signature: ResidentSignatureOut | None = None


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


class StampIn(Schema):
    action: Literal["approve", "return"]
    message: str = Field(
        "", max_length=MAX_MESSAGE_LENGTH, description="A comment, or the reason of a return (差戻し)."
    )
    department: str | None = Field(None, max_length=40, description="For a 合議 step: the consulted department.")
