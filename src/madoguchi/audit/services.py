"""The one way to write the audit log: :func:`audit_log`.

Call it inside the transaction that makes the change, so the entry and the change
commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from madoguchi.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from madoguchi.tenants.models import Municipality


def entry_digest(
    *,
    previous_hash: str,
    sequence: int,
    event: str,
    actor: str,
    object_type: str,
    object_id: str,
    payload: dict,
    created_at: datetime,
) -> str:
    """Return the SHA-256 over an entry's canonical JSON form, chained to ``previous_hash``."""
    canonical = json.dumps(
        {
            "previous_hash": previous_hash,
            "sequence": sequence,
            "event": event,
            "actor": actor,
            "object_type": object_type,
            "object_id": object_id,
            "payload": payload,
            "created_at": created_at.isoformat(timespec="microseconds"),
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# The head row is locked and moved on every audited change, so these two statements are
# written out: the ORM's per-statement overhead was a third of a submission's CPU time.
_SELECT_HEAD = f"SELECT hash, sequence FROM {AuditHead._meta.db_table} WHERE municipality_id = %s"  # noqa: S608
_UPDATE_HEAD = f"UPDATE {AuditHead._meta.db_table} SET sequence = %s, hash = %s WHERE municipality_id = %s"  # noqa: S608


def _lock_head(municipality: Municipality) -> tuple[str, int]:
    """Lock ``municipality``'s chain head and return (hash, sequence), creating it if needed."""
    # SQLite has no FOR UPDATE; its IMMEDIATE transactions already serialise writers.
    sql = _SELECT_HEAD + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [municipality.pk])
        row = cursor.fetchone()
        if row is None:  # the municipality's first entry
            AuditHead.objects.for_municipality(municipality).bulk_create(
                [AuditHead(municipality=municipality)], ignore_conflicts=True
            )
            cursor.execute(sql, [municipality.pk])
            row = cursor.fetchone()
    return row[0], row[1]


def audit_log(
    *,
    municipality: Municipality,
    event: str,
    actor: str,
    object_type: str = "",
    object_id: str = "",
    payload: dict | None = None,
) -> AuditEntry:
    """Append an entry to ``municipality``'s chain. Must run inside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log() must be called inside the transaction of the change it records.")
    previous_hash, sequence = _lock_head(municipality)
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
    entry = AuditEntry(
        municipality=municipality,
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
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE_HEAD, [sequence, digest, municipality.pk])
    return entry


def audit_verify(*, municipality: Municipality) -> AuditEntry | None:
    """Return the first entry that breaks ``municipality``'s chain, or None if it is intact."""
    previous_hash, expected_sequence = GENESIS_HASH, 1
    entries = AuditEntry.objects.for_municipality(municipality).order_by("sequence").iterator()
    for entry in entries:
        digest = entry_digest(
            previous_hash=previous_hash,
            sequence=expected_sequence,
            event=entry.event,
            actor=entry.actor,
            object_type=entry.object_type,
            object_id=entry.object_id,
            payload=entry.payload,
            created_at=entry.created_at,
        )
        if entry.sequence != expected_sequence or entry.previous_hash != previous_hash or entry.hash != digest:
            return entry
        previous_hash, expected_sequence = entry.hash, expected_sequence + 1
    return None
