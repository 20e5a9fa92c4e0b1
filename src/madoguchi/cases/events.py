"""What happens to a case, told to whoever cares: the hooks ``cases`` publishes.

``cases`` is the centre of the platform and imports none of the domains that react to it
(ARCHITECTURE.md, "Domain events"). Each hook below is published by one service of
:mod:`cases.services` or :mod:`cases.workflow`; subscribers register in their
``AppConfig.ready()`` (see :mod:`madoguchi.core.events` for the phases):

=========================  =======================================  ==================================
hook                       published                                subscribers today
=========================  =======================================  ==================================
``submission_checking``    before a submit's transaction            signatures: verify the resident's
                                                                    signature (may refuse); payments:
                                                                    compute the fee
``case_submitted``         in the submit's transaction              signatures: keep the signature;
                                                                    notifications: 受付 e-mail;
                                                                    payments: open the fee's payment
``case_changing``          in a staff action's transaction, after   approvals: no 決裁 before the
                           the row lock, before the change          route is complete (may refuse)
``case_status_changed``    in the transaction, after the change     approvals: lay out the route;
                           and its audit entry                      signatures: sign the 決裁 (may
                                                                    refuse), issue the document after
                                                                    commit; notifications: e-mail
``case_corrected``         in the resident's 補正 transaction        —
=========================  =======================================  ==================================

If you add a hook, add it to this table and to docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from madoguchi.core.events import Hook

if TYPE_CHECKING:
    from madoguchi.cases.models import Case, CaseEvent
    from madoguchi.procedures.answers import CleanAnswers
    from madoguchi.procedures.models import ProcedureVersion
    from madoguchi.tenants.access import StaffContext
    from madoguchi.tenants.models import Municipality


@dataclass(frozen=True)
class SubmissionChecking:
    """An application about to be stored: its answers are clean, nothing is written yet.

    A subscriber refuses by raising. What it found and needs to store with the case goes
    into ``evidence`` under its own key; what the audit entry of the submission should say
    about it goes into ``audit`` under the same key. ``extras`` are what the door passed
    through ``case_submit`` for other domains (e.g. ``"signature"``), never read by cases.
    """

    municipality: Municipality
    procedure_version: ProcedureVersion
    clean: CleanAnswers
    now: datetime
    extras: dict[str, Any]
    evidence: dict[str, Any] = field(default_factory=dict)
    audit: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseSubmitted:
    """A new case, inserted with its attachments in the submit's transaction."""

    case: Case
    checking: SubmissionChecking
    actor: str
    now: datetime


@dataclass(frozen=True)
class CaseChanging:
    """A staff action about to change a locked case (``to`` is the status it would get)."""

    case: Case
    action: str
    to: str
    staff: StaffContext
    now: datetime


@dataclass(frozen=True)
class CaseStatusChanged:
    """A case changed status; ``timeline`` is the event shown on its history.

    ``staff`` is None when the resident changed it (a withdrawal on the status page).
    ``message`` is what the resident was told (補正の内容, 却下の理由), if anything.
    """

    case: Case
    action: str
    previous: str
    status: str
    timeline: CaseEvent
    message: str
    staff: StaffContext | None
    actor: str
    now: datetime


@dataclass(frozen=True)
class CaseCorrected:
    """The resident answered a 補正: ``case.answers_version`` is the new version."""

    case: Case
    previous: str
    now: datetime


submission_checking = Hook("cases.submission.checking", SubmissionChecking)
case_submitted = Hook("cases.case.submitted", CaseSubmitted)
case_changing = Hook("cases.case.changing", CaseChanging)
case_status_changed = Hook("cases.case.status_changed", CaseStatusChanged)
case_corrected = Hook("cases.case.corrected", CaseCorrected)
