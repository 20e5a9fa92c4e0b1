"""What the documents part of signatures publishes: a signed document was issued for a case.

Published by :func:`~madoguchi.signatures.documents.services.document_issue` inside the
transaction that records the document (after its audit entry), so a subscriber's row commits
with the document or not at all. Subscribers today: notifications (the resident is e-mailed
that a decision notice, or a re-issued version, can be downloaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from madoguchi.core.events import Hook

if TYPE_CHECKING:
    from madoguchi.cases.models import Case
    from madoguchi.signatures.models import IssuedDocument


@dataclass(frozen=True)
class DocumentIssued:
    """``document`` was issued for ``case`` by ``actor`` ("resident" when they asked for it)."""

    case: Case
    document: IssuedDocument
    actor: str
    now: datetime


document_issued = Hook("signatures.document.issued", DocumentIssued)
