"""The one way to write the audit log, :func:`audit_log`, and the ways to trust it.

Call :func:`audit_log` inside the transaction that makes the change, so the entry and the
change commit together or not at all. :func:`audit_checkpoint` records a chain's head
(daily, ``madoguchi audit checkpoint``); :mod:`audit.verification` walks a chain.

Every function that takes ``municipality`` also takes :data:`PLATFORM` in its place: the
platform's own chain, for what belongs to no municipality (the platform operator's
sign-ins, changes to platform-level objects in ``/admin/``). It is hashed, locked,
checkpointed and verified exactly like a municipality's.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from madoguchi.audit.chain import PLATFORM, ChainOwner, entry_digest, head_statements, lock_head, read_head
from madoguchi.audit.models import (
    GENESIS_HASH,
    AuditCheckpoint,
    AuditEntry,
    PlatformAuditCheckpoint,
    PlatformAuditEntry,
)
from madoguchi.audit.verification import ChainReport, audit_chain_verify
from madoguchi.tenants.models import Municipality


def audit_log(
    *,
    municipality: ChainOwner,
    event: str,
    actor: str,
    object_type: str = "",
    object_id: str = "",
    payload: dict | None = None,
) -> AuditEntry:
    """Append an entry to ``municipality``'s chain (or :data:`PLATFORM`'s). Must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log() must be called inside the transaction of the change it records.")
    previous_hash, sequence = lock_head(municipality)
    created_at = timezone.now()
    payload = payload or {}
    sequence += 1
    digest = entry_digest(
        previous_hash=previous_hash,
        sequence=sequence,
        event=event,
        actor=actor,
        object_type=object_type,
        object_id=str(object_id),
        payload=payload,
        created_at=created_at,
    )
    model, owner_fields = (
        (PlatformAuditEntry, {}) if municipality is PLATFORM else (AuditEntry, {"municipality": municipality})
    )
    entry = model(
        **owner_fields,
        sequence=sequence,
        event=event,
        actor=actor,
        object_type=object_type,
        object_id=str(object_id),
        payload=payload,
        created_at=created_at,
        previous_hash=previous_hash,
        hash=digest,
    )
    entry.save(force_insert=True)
    _select, update, key = head_statements(municipality)
    with connection.cursor() as cursor:
        cursor.execute(update, [sequence, digest, key])
    return entry


def audit_checkpoint(
    *, municipality: ChainOwner, now: datetime | None = None
) -> AuditCheckpoint | PlatformAuditCheckpoint:
    """Record ``municipality``'s chain head as it is now (sequence 0 for an empty chain).

    Run daily (``madoguchi audit checkpoint``): every entry up to the recorded sequence is
    then pinned, see :func:`audit_chain_verify`.
    """
    with transaction.atomic():
        head = read_head(municipality)
        digest, sequence = head if head is not None else (GENESIS_HASH, 0)
        fields = {"sequence": sequence, "hash": digest, "created_at": now or timezone.now()}
        if municipality is PLATFORM:
            return PlatformAuditCheckpoint.objects.create(**fields)
        return AuditCheckpoint.objects.for_municipality(municipality).create(municipality=municipality, **fields)


EVENT_CHAIN_VERIFIED = "audit.chain.verified"
EVENT_LOG_EXPORTED = "audit.log.exported"


def audit_chain_verify_recorded(*, municipality: Municipality, actor: str) -> ChainReport:
    """Verify ``municipality``'s chain on someone's request and record the outcome in it.

    The entry (``audit.chain.verified``: how many entries held, and the first problem if
    any) is what the back-office audit browser shows as "verified up to". It is appended
    after the walk, so it is itself checked by the next verification.
    """
    report = audit_chain_verify(municipality=municipality)
    payload: dict = {"ok": report.ok, "entries": report.entries}
    if report.problem is not None:
        payload["problem_sequence"] = report.problem.sequence
        payload["problem"] = report.problem.reason
    with transaction.atomic():
        audit_log(municipality=municipality, event=EVENT_CHAIN_VERIFIED, actor=actor, payload=payload)
    return report


def audit_export_record(*, municipality: Municipality, actor: str, filters: dict) -> None:
    """Record that ``actor`` exported (a filtered part of) the audit log: data left the system."""
    with transaction.atomic():
        audit_log(municipality=municipality, event=EVENT_LOG_EXPORTED, actor=actor, payload={"filters": filters})
