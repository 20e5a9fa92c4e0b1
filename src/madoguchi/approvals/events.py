"""What approvals publishes: a stamp, return (差戻し) or 後閲 was written.

The signatures app subscribes in the same transaction and signs the record with the
municipality's key; it refuses (``SigningFailed``) when a configured key cannot be used,
so no decision is ever stored unsigned by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from madoguchi.core.events import Hook

if TYPE_CHECKING:
    from madoguchi.approvals.models import Approval


@dataclass(frozen=True)
class ApprovalRecorded:
    """``approval`` was just written; ``kind`` says whether as a stamp/return or as its 後閲."""

    approval: Approval
    kind: Literal["approval", "post_review"]


approval_recorded = Hook("approvals.approval.recorded", ApprovalRecorded)
