"""What an attacker with the database owner's rights could do to an audit chain.

On PostgreSQL the audit tables refuse UPDATE and DELETE (a trigger); the table owner can
switch that off, so :func:`tampering` does just that for the duration of a block, inside
the test's transaction. On SQLite there is nothing to switch off.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from django.db import connection

from madoguchi.audit.chain import entry_digest
from madoguchi.audit.models import AuditCheckpoint, AuditEntry, AuditHead

PROTECTED_TABLES = (AuditEntry._meta.db_table, AuditCheckpoint._meta.db_table)
ENTRY_TABLE = AuditEntry._meta.db_table


def _set_triggers(state: str) -> None:
    with connection.cursor() as cursor:
        # ALTER TABLE refuses to run while deferred foreign key checks of rows inserted in
        # this transaction are pending: run them now, then defer again as Django expects.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in PROTECTED_TABLES:
            cursor.execute(f"ALTER TABLE {table} {state} TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def tampering():
    """Let the block change and delete audit rows, as the table owner could."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        _set_triggers("DISABLE")
    yield
    # Not in a finally: after a database error the transaction is aborted, and the test's
    # rollback re-enables the triggers anyway.
    if postgres:
        _set_triggers("ENABLE")


def entries(municipality) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_municipality(municipality).order_by("sequence"))


def edit(municipality, sequence: int, **fields) -> None:
    """Change fields of entry ``sequence`` without fixing its hash."""
    with tampering():
        AuditEntry.objects.for_municipality(municipality).filter(sequence=sequence).update(**fields)


def delete(municipality, sequence: int) -> None:
    with tampering():
        AuditEntry.objects.for_municipality(municipality).filter(sequence=sequence).delete()


def renumber(municipality, sequence: int, to: int) -> None:
    """Give entry ``sequence`` the number ``to``, leaving its hash as it was."""
    with tampering():
        AuditEntry.objects.for_municipality(municipality).filter(sequence=sequence).update(sequence=to)


def swap(municipality, a: int, b: int) -> None:
    """Swap the sequence numbers of two entries, through a free number (the pair is unique)."""
    parked = 10**12
    sql = f"UPDATE {ENTRY_TABLE} SET sequence = %s WHERE municipality_id = %s AND sequence = %s"  # noqa: S608
    with tampering(), connection.cursor() as cursor:
        cursor.execute(sql, [parked, municipality.pk, a])
        cursor.execute(sql, [a, municipality.pk, b])
        cursor.execute(sql, [b, municipality.pk, parked])


def forge(municipality, *, sequence: int, previous_hash: str, created_at: datetime, **fields) -> AuditEntry:
    """Insert an entry whose hash is right for its content and ``previous_hash``."""
    content = {
        "event": "cases.case.approved",
        "actor": "forger",
        "object_type": "case",
        "object_id": "x",
        "payload": {},
    }
    content.update(fields)
    digest = entry_digest(previous_hash=previous_hash, sequence=sequence, created_at=created_at, **content)
    return AuditEntry.objects.for_municipality(municipality).create(
        municipality=municipality,
        sequence=sequence,
        previous_hash=previous_hash,
        hash=digest,
        created_at=created_at,
        **content,
    )


def rewrite_from(municipality, sequence: int) -> None:
    """Delete entry ``sequence``, renumber and re-hash every later one, move the head to match.

    The result is a chain that is consistent in itself: only a checkpoint can tell.
    """
    later = [e for e in entries(municipality) if e.sequence > sequence]
    previous = AuditEntry.objects.for_municipality(municipality).filter(sequence=sequence - 1).first()
    previous_hash = previous.hash if previous else "0" * 64
    with tampering():
        AuditEntry.objects.for_municipality(municipality).filter(sequence__gte=sequence).delete()
        for entry in later:
            forged = forge(
                municipality,
                sequence=entry.sequence - 1,
                previous_hash=previous_hash,
                created_at=entry.created_at,
                event=entry.event,
                actor=entry.actor,
                object_type=entry.object_type,
                object_id=entry.object_id,
                payload=entry.payload,
            )
            previous_hash = forged.hash
        move_head(municipality, sequence=sequence - 1 + len(later), digest=previous_hash)


def move_head(municipality, *, sequence: int, digest: str) -> None:
    AuditHead.objects.for_municipality(municipality).update(sequence=sequence, hash=digest)
