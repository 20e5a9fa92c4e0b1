"""The shape of an audit chain: whose it is, how an entry is hashed, where its head is.

Shared by the writing side (:mod:`audit.services`) and the checking side
(:mod:`audit.verification`). Every function that takes an owner takes a municipality or
:data:`PLATFORM`, the platform's own chain for what belongs to no municipality.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.db import connection

from madoguchi.audit.models import (
    PLATFORM_HEAD_ID,
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    PlatformAuditCheckpoint,
    PlatformAuditEntry,
    PlatformAuditHead,
)
from madoguchi.tenants.models import Municipality


class Platform:
    """Stands for the platform where the audit functions take a municipality: its own chain.

    A sentinel rather than ``None``, so a forgotten municipality fails loudly instead of
    landing in the platform's chain.
    """

    code = "platform"

    def __repr__(self) -> str:
        return "PLATFORM"


PLATFORM = Platform()
ChainOwner = Municipality | Platform


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
_SELECT_PLATFORM_HEAD = f"SELECT hash, sequence FROM {PlatformAuditHead._meta.db_table} WHERE id = %s"  # noqa: S608
_UPDATE_PLATFORM_HEAD = f"UPDATE {PlatformAuditHead._meta.db_table} SET sequence = %s, hash = %s WHERE id = %s"  # noqa: S608


def head_statements(owner: ChainOwner) -> tuple[str, str, int]:
    """Return the SELECT and UPDATE of ``owner``'s head row and the key they take."""
    if owner is PLATFORM:
        return _SELECT_PLATFORM_HEAD, _UPDATE_PLATFORM_HEAD, PLATFORM_HEAD_ID
    return _SELECT_HEAD, _UPDATE_HEAD, owner.pk


def lock_head(owner: ChainOwner) -> tuple[str, int]:
    """Lock ``owner``'s chain head and return (hash, sequence), creating it if needed."""
    select, _update, key = head_statements(owner)
    # SQLite has no FOR UPDATE; its IMMEDIATE transactions already serialise writers.
    sql = select + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
        if row is None:  # the chain's first entry
            if owner is PLATFORM:
                PlatformAuditHead.objects.bulk_create([PlatformAuditHead(pk=PLATFORM_HEAD_ID)], ignore_conflicts=True)
            else:
                AuditHead.objects.for_municipality(owner).bulk_create(
                    [AuditHead(municipality=owner)], ignore_conflicts=True
                )
            cursor.execute(sql, [key])
            row = cursor.fetchone()
    return row[0], row[1]


def chain_entries(owner: ChainOwner):
    if owner is PLATFORM:
        return PlatformAuditEntry.objects.all()
    return AuditEntry.objects.for_municipality(owner)


def chain_checkpoints(owner: ChainOwner):
    if owner is PLATFORM:
        return PlatformAuditCheckpoint.objects.all()
    return AuditCheckpoint.objects.for_municipality(owner)


def read_head(owner: ChainOwner) -> tuple[str, int] | None:
    select, _update, key = head_statements(owner)
    with connection.cursor() as cursor:
        cursor.execute(select, [key])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])
