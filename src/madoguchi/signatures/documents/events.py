"""What the documents part of signatures publishes: a signed document was issued for a case.

Published by :func:`~madoguchi.signatures.documents.services.document_issue` inside the
transaction that records the document (after its audit entry), so a subscriber's row commits
with the document or not at all. Subscribers today: notifications (the resident is e-mailed
that a decision notice, or a re-issued version, can be downloaded).

``document_issuing`` is published while a document's content is composed, before anything is
signed, numbered or stored; payments holds back a certificate whose fee is unpaid and prints
the fee on a 納付書.
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
class DocumentIssuing:
    """A ``kind`` document of ``case`` is being composed, before it is signed or numbered.

    A subscriber may hold it back by raising
    :class:`~madoguchi.signatures.documents.services.DocumentHeld` (payments: a certificate
    whose fee is not paid yet), and may add ``(label, value)`` rows to ``particulars``, printed
    under 記 (payments: the fee and the payment number on a 納付書).
    """

    case: Case
    kind: str
    particulars: list[tuple[str, str]]
    now: datetime


@dataclass(frozen=True)
class DocumentIssued:
    """``document`` was issued for ``case`` by ``actor`` ("resident" when they asked for it)."""

    case: Case
    document: IssuedDocument
    actor: str
    now: datetime


document_issuing = Hook("signatures.document.issuing", DocumentIssuing)
document_issued = Hook("signatures.document.issued", DocumentIssued)
