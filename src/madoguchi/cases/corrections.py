"""A resident's 補正 before it is sent: checked, shown back for confirmation, then sent.

The resident answers a correction request (補正依頼) on one page: the whole form filled with
their answers, in their own notation, and a free-text reply. Pressing "next" checks the
answers (:func:`correction_check`) and keeps them in the resident's server-side session,
with any new files in draft storage, like an application's draft (:mod:`cases.drafts`);
nothing reaches the case yet. The confirmation page shows what changed, field by field, and
the reply; only sending it calls :func:`cases.workflow.case_correct`. A pending correction
belongs to one case and one answers version: if the case moved on meanwhile, it is dropped.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from madoguchi.cases.drafts import Draft, draft_pending_files, draft_store_step
from madoguchi.cases.errors import IllegalTransition
from madoguchi.cases.models import Case, CaseStatus
from madoguchi.cases.workflow import MAX_MESSAGE_LENGTH, case_correct
from madoguchi.procedures.answers import CleanAnswers, clean_answers
from madoguchi.procedures.definition import iter_fields
from madoguchi.procedures.notation import visible_text

SESSION_PREFIX = "madoguchi.correction"


@dataclass
class PendingCorrection:
    """Checked answers (as posted: the resident's notation), the reply and the stored files."""

    draft: Draft
    raw: dict[str, Any]
    values: dict[str, Any]
    reply: str
    answers_version: int


def _key(case: Case) -> str:
    return f"{SESSION_PREFIX}:{case.receipt_number}"


def correction_check(
    *, case: Case, answers: dict, files: dict | None = None, now: datetime | None = None
) -> CleanAnswers:
    """Return the clean corrected answers, or raise AnswersInvalid; store nothing.

    The same validation :func:`case_correct` runs, so what the confirmation page shows is
    what will be stored. Raise IllegalTransition when the case awaits no correction.
    """
    if case.status != CaseStatus.CORRECTION_REQUESTED:
        raise IllegalTransition("correct", case.status)
    now = now or timezone.now()
    return clean_answers(
        case.procedure_version.definition, answers, files, today=timezone.localdate(now), language=case.language
    )


def correction_pending_save(session, *, case: Case, raw: dict, clean: CleanAnswers, reply: str) -> PendingCorrection:
    """Keep a checked correction in ``session`` until the resident confirms it."""
    draft = Draft(token=secrets.token_urlsafe(24), version_id=case.procedure_version_id)
    file_ids = [spec["id"] for _step, spec in iter_fields(case.procedure_version.definition) if spec["type"] == "file"]
    draft_store_step(draft, step_id="correction", step_field_ids=file_ids, values={}, attachments=clean.attachments)
    pending = PendingCorrection(
        draft=draft,
        raw=raw,
        values=clean.values,
        reply=visible_text(reply)[:MAX_MESSAGE_LENGTH],
        answers_version=case.answers_version,
    )
    session[_key(case)] = {
        "draft": draft.as_session(),
        "raw": raw,
        "values": clean.values,
        "reply": pending.reply,
        "answers_version": case.answers_version,
    }
    return pending


def correction_pending_get(session, *, case: Case) -> PendingCorrection | None:
    """Return the correction waiting for confirmation, or None (also when the case moved on)."""
    data = session.get(_key(case))
    if not data:
        return None
    if case.status != CaseStatus.CORRECTION_REQUESTED or data["answers_version"] != case.answers_version:
        correction_pending_discard(session, case=case)
        return None
    return PendingCorrection(
        draft=Draft(**data["draft"]),
        raw=data["raw"],
        values=data["values"],
        reply=data["reply"],
        answers_version=data["answers_version"],
    )


def correction_pending_discard(session, *, case: Case) -> None:
    session.pop(_key(case), None)


def correction_send(session, *, case: Case, now: datetime | None = None) -> Case | None:
    """Send the confirmed correction (:func:`case_correct`) and forget it; None if none waits."""
    pending = correction_pending_get(session, case=case)
    if pending is None:
        return None
    corrected = case_correct(
        case=case, answers=pending.raw, files=draft_pending_files(pending.draft), reply=pending.reply, now=now
    )
    correction_pending_discard(session, case=case)
    return corrected
