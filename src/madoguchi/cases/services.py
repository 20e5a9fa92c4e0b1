"""Writes to cases. :func:`case_submit` is the only way an application comes into being.

Nothing is acknowledged to a resident before it is committed: the receipt number is
returned only after the transaction that stores the case, its attachments and its audit
entry has committed.

Records that did not come in through a door — earlier years moved over from another system
(過去分の移行), later the counter's paper applications — come in many at a time through
:func:`madoguchi.cases.imports.cases_import`. Both ways compute a case with :func:`case_fields`
and number it from the same :class:`ReceiptCounter` (:func:`receipt_sequences_reserve`), so
an imported case cannot differ from a submitted one in how its fields were computed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from madoguchi.audit.services import audit_log
from madoguchi.cases import access
from madoguchi.cases.errors import IdempotencyConflict
from madoguchi.cases.events import CaseSubmitted, SubmissionChecking, case_submitted, submission_checking
from madoguchi.cases.models import Attachment, Case, Channel, ReceiptCounter
from madoguchi.jp.wareki import fiscal_year
from madoguchi.procedures.answers import CleanAnswers, clean_answers
from madoguchi.procedures.definition import iter_fields
from madoguchi.procedures.files import PendingAttachment
from madoguchi.procedures.models import ProcedureVersion
from madoguchi.procedures.notation import notation_entered
from madoguchi.procedures.services import fold_for_search
from madoguchi.procedures.wording import BUSINESS_DAYS, period_end, processing_period
from madoguchi.storage.services import store_verified
from madoguchi.tenants.models import Municipality

MAX_IDEMPOTENCY_KEY_LENGTH = 100


@dataclass(frozen=True)
class SubmitResult:
    case: Case
    access_code: str
    replayed: bool


def request_fingerprint(*, procedure_slug: str, answers: dict) -> str:
    """Return a digest of what was asked: the procedure and the clean answers."""
    canonical = json.dumps(
        {"procedure": procedure_slug, "answers": answers}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def applicant_search_text(definition: dict, answers: dict) -> str:
    """Return the applicant's name and フリガナ folded for search (the first name field)."""
    for _step, spec in iter_fields(definition):
        if spec["type"] == "name" and spec["id"] in answers:
            name = answers[spec["id"]]
            parts = (name["family"], name["given"], name["family_kana"], name["given_kana"])
            return fold_for_search(" ".join(p for p in parts if p))[:200]
    return ""


def format_receipt_number(municipality: Municipality, year: int, sequence: int) -> str:
    return f"{municipality.code}-{year}-{sequence:06d}"


def receipt_sequences_reserve(*, municipality: Municipality, year: int, count: int = 1) -> int:
    """Reserve the next ``count`` receipt sequences of ``year``; return the last one reserved.

    The reserved sequences are ``last - count + 1`` to ``last``. The counter row stays locked
    until the transaction ends, so numbers are unique and, as nothing is reserved outside a
    transaction that also stores the cases, gap-free. ``count=0`` only locks (and creates) it.
    """
    # One UPDATE ... RETURNING both locks the counter row and bumps it (PostgreSQL, and
    # SQLite >= 3.35): the lock is held for as few statements as possible.
    sql = (
        f"UPDATE {ReceiptCounter._meta.db_table} SET last = last + %s "  # noqa: S608 (no user input)
        "WHERE municipality_id = %s AND fiscal_year = %s RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, municipality.pk, year])
        row = cursor.fetchone()
        if row is None:  # the first application of the fiscal year
            ReceiptCounter.objects.for_municipality(municipality).bulk_create(
                [ReceiptCounter(municipality=municipality, fiscal_year=year)], ignore_conflicts=True
            )
            cursor.execute(sql, [count, municipality.pk, year])
            row = cursor.fetchone()
    return row[0]


@lru_cache(maxsize=8192)
def due_date(received: date, period: int, unit: str = BUSINESS_DAYS) -> date:
    """Return the due date of a case received on ``received`` (標準処理期間 ``period`` in ``unit``)."""
    # Memoised: an import of a million cases asks for a few thousand (day, period) pairs.
    return period_end(received, period, unit)


def case_fields(
    *,
    procedure_version: ProcedureVersion,
    values: dict,
    submitted_at: datetime,
    language: str,
    channel: str,
    idempotency_key: str,
) -> dict[str, Any]:
    """Return the fields of a new case for clean answers (by attribute name): all but its
    municipality, procedure version and receipt number.

    The one place a case's fields are computed from what was asked — its department, fiscal
    year, due date, search name, request fingerprint and access code — for a submission and
    for an import alike. The caller numbers it (:func:`receipt_sequences_reserve`). A dict,
    not a model instance: an import of a million cases writes them with COPY.
    """
    definition = procedure_version.definition
    received = timezone.localdate(submitted_at)
    salt = access.new_salt()
    return {
        "department_id": procedure_version.procedure.department_id,
        "fiscal_year": fiscal_year(received),
        "due_date": due_date(received, *processing_period(definition)),
        "search_name": applicant_search_text(definition, values),
        "access_code_hash": access.hash_access_code(access.access_code_from_salt(salt)),
        "access_salt": salt,
        "answers": values,
        "language": language,
        "channel": channel,
        "idempotency_key": idempotency_key,
        "request_fingerprint": request_fingerprint(procedure_slug=definition["slug"], answers=values),
        "submitted_at": submitted_at,
    }


def attachment_storage_name(municipality: Municipality, sha256: str) -> str:
    return f"attachments/{municipality.code}/{sha256[:2]}/{sha256}"


def store_attachment(municipality: Municipality, pending: PendingAttachment) -> str:
    # Content-addressed: the same bytes are stored once, and a rolled-back submit leaves
    # at most an unreferenced file behind, never a case pointing at a missing one. A file
    # already under the name is reused only if its bytes match (StorageUnavailable: 503).
    name = attachment_storage_name(municipality, pending.sha256)
    return store_verified(name, pending.content, sha256=pending.sha256, size=pending.size)


def _replay(municipality: Municipality, idempotency_key: str, fingerprint: str) -> SubmitResult | None:
    existing = Case.objects.for_municipality(municipality).filter(idempotency_key=idempotency_key).first()
    if existing is None:
        return None
    if existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(idempotency_key)
    return SubmitResult(case=existing, access_code=access.access_code_from_salt(existing.access_salt), replayed=True)


def case_submit(
    *,
    municipality: Municipality,
    procedure_version: ProcedureVersion,
    answers: dict,
    files: dict[str, list] | None = None,
    idempotency_key: str,
    language: str = "ja",
    channel: str = Channel.PORTAL,
    actor: str = "resident",
    now: datetime | None = None,
    signature: object | None = None,
) -> SubmitResult:
    """Validate and store an application; return it with its access code.

    The same ``idempotency_key`` with the same answers returns the case stored the first
    time (``replayed=True``); with different answers it raises IdempotencyConflict.
    Invalid answers raise ``AnswersInvalid`` and store nothing; so does a signature the
    procedure needs that is missing or fails verification (``SignatureRejected``).

    ``signature`` is opaque here: it is handed to the ``submission_checking`` subscribers
    (the signatures app verifies it) as ``extras["signature"]``.
    """
    if procedure_version.municipality_id != municipality.pk:
        raise ValueError("The procedure version belongs to another municipality.")
    if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValueError("An idempotency key of 1 to 100 characters is required.")
    now = now or timezone.now()
    clean: CleanAnswers = clean_answers(
        procedure_version.definition, answers, files, today=timezone.localdate(now), language=language
    )
    case = Case(
        municipality=municipality,
        procedure_version=procedure_version,
        **case_fields(
            procedure_version=procedure_version,
            values=clean.values,
            submitted_at=now,
            language=language,
            channel=channel,
            idempotency_key=idempotency_key,
        ),
    )
    # What the resident typed, where its notation differs (和暦, full-width): shown back to them.
    case.answers_entered = notation_entered(
        procedure_version.definition, answers, clean.values, today=timezone.localdate(now), language=language
    )
    fingerprint = case.request_fingerprint
    # Other domains check before anything is locked or written (a signature costs milliseconds).
    checking = SubmissionChecking(
        municipality=municipality,
        procedure_version=procedure_version,
        clean=clean,
        now=now,
        extras={"signature": signature},
    )
    submission_checking.publish(checking)
    # No look-up for the key first: the unique constraint on (municipality, idempotency_key)
    # decides, and a rolled-back insert also rolls back the receipt counter.
    stored = {item.sha256: store_attachment(municipality, item) for item in clean.attachments}
    try:
        with transaction.atomic():
            # Everything that can be prepared is prepared before the counter row is locked.
            case.sequence = receipt_sequences_reserve(municipality=municipality, year=case.fiscal_year)
            case.receipt_number = format_receipt_number(municipality, case.fiscal_year, case.sequence)
            case.save(force_insert=True)
            if clean.attachments:
                Attachment.objects.for_municipality(municipality).bulk_create(
                    [
                        Attachment(
                            municipality=municipality,
                            case=case,
                            field_id=item.field_id,
                            name=item.name,
                            content_type=item.content_type,
                            size=item.size,
                            sha256=item.sha256,
                            storage_name=stored[item.sha256],
                        )
                        for item in clean.attachments
                    ]
                )
            audit_log(
                municipality=municipality,
                event="cases.case.submitted",
                actor=actor,
                object_type="case",
                object_id=case.receipt_number,
                payload={
                    "procedure": procedure_version.definition["slug"],
                    "procedure_version": procedure_version.number,
                    "channel": channel,
                    "attachments": [item.sha256 for item in clean.attachments],
                    "fingerprint": fingerprint,
                    **checking.audit,
                },
            )
            case_submitted.publish(CaseSubmitted(case=case, checking=checking, actor=actor, now=now))
    except IntegrityError:
        # The key was used before (or by a concurrent request): answer as a replay.
        replay = _replay(municipality, idempotency_key, fingerprint)
        if replay:
            return replay
        raise
    return SubmitResult(case=case, access_code=access.access_code_from_salt(case.access_salt), replayed=False)
