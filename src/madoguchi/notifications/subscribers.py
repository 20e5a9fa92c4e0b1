"""How notifications reacts to cases and documents: the resident is e-mailed a receipt (受付)
when they apply, about a correction request or a decision, and when a signed document is issued
for them, each in the transaction of the submission, the change or the issue (the outbox row
commits with it or not at all)."""

from __future__ import annotations

from madoguchi.cases.events import CaseStatusChanged, CaseSubmitted
from madoguchi.notifications.models import NotificationKind
from madoguchi.notifications.services import NOTIFIED_STATUSES, notification_enqueue
from madoguchi.signatures.documents.events import DocumentIssued


def resident_told_of_status(event: CaseStatusChanged) -> None:
    if event.status in NOTIFIED_STATUSES:  # sent only if the resident gave an address
        notification_enqueue(case=event.case, kind=event.status, message=event.message, now=event.now)


def resident_told_of_receipt(event: CaseSubmitted) -> None:
    # Sent only if the resident gave an address; an import publishes no submission at all.
    notification_enqueue(case=event.case, kind=NotificationKind.RECEIVED, now=event.now)


def resident_told_of_document(event: DocumentIssued) -> None:
    if event.actor == "resident":
        return  # a 受理証明書 the resident asked for on the status page is already in front of them
    notification_enqueue(
        case=event.case, kind=NotificationKind.DOCUMENT_ISSUED, message=event.document.title, now=event.now
    )
