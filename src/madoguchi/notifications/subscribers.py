"""How notifications reacts to cases: the resident is e-mailed about a correction request or
a decision, in the transaction of the change (the outbox row commits with it or not at all)."""

from __future__ import annotations

from madoguchi.cases.events import CaseStatusChanged
from madoguchi.notifications.services import NOTIFIED_STATUSES, notification_enqueue


def resident_told_of_status(event: CaseStatusChanged) -> None:
    if event.status in NOTIFIED_STATUSES:  # sent only if the resident gave an address
        notification_enqueue(case=event.case, kind=event.status, message=event.message, now=event.now)
