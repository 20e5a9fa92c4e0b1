"""The one way to write the audit log, :func:`audit_log`, and the ways to trust it.

Call :func:`audit_log` inside the transaction that makes the change, so the entry and the
change commit together or not at all. :func:`audit_verify` walks a municipality's chain;
:func:`audit_checkpoint` records its head (daily, ``madoguchi audit checkpoint``).

Every function that takes ``municipality`` also takes :data:`PLATFORM` in its place: the
platform's own chain, for what belongs to no municipality (the platform operator's
sign-ins, changes to platform-level objects in ``/admin/``). It is hashed, locked,
checkpointed and verified exactly like a municipality's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from madoguchi.audit.models import (
    GENESIS_HASH,
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


def _head_statements(owner: ChainOwner) -> tuple[str, str, int]:
    """Return the SELECT and UPDATE of ``owner``'s head row and the key they take."""
    if owner is PLATFORM:
        return _SELECT_PLATFORM_HEAD, _UPDATE_PLATFORM_HEAD, PLATFORM_HEAD_ID
    return _SELECT_HEAD, _UPDATE_HEAD, owner.pk


def _lock_head(owner: ChainOwner) -> tuple[str, int]:
    """Lock ``owner``'s chain head and return (hash, sequence), creating it if needed."""
    select, _update, key = _head_statements(owner)
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


def _entries(owner: ChainOwner):
    if owner is PLATFORM:
        return PlatformAuditEntry.objects.all()
    return AuditEntry.objects.for_municipality(owner)


def _checkpoints(owner: ChainOwner):
    if owner is PLATFORM:
        return PlatformAuditCheckpoint.objects.all()
    return AuditCheckpoint.objects.for_municipality(owner)


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
    _select, update, key = _head_statements(municipality)
    with connection.cursor() as cursor:
        cursor.execute(update, [sequence, digest, key])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """Where a chain stops being trustworthy: the first bad (or missing) entry and why.

    ``sequence`` is None when the problem is not one entry's, e.g. a missing chain head.
    """

    sequence: int | None
    reason: str

    def __str__(self) -> str:
        return f"#{self.sequence}: {self.reason}" if self.sequence is not None else self.reason


@dataclass(frozen=True)
class ChainReport:
    """The outcome of one verification: how many entries were checked, and the problem if any."""

    entries: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


# Only the columns the digest needs, in this order; rows are streamed, never all in memory.
_VERIFY_COLUMNS = (
    "sequence",
    "event",
    "actor",
    "object_type",
    "object_id",
    "payload",
    "created_at",
    "previous_hash",
    "hash",
)
VERIFY_CHUNK_SIZE = 5000


@contextmanager
def _read_snapshot() -> Iterator[None]:
    """Run the block in one read-only snapshot on PostgreSQL when no transaction is open yet.

    The snapshot keeps the head consistent with the entries read, and lets the entry query
    stream from a plain server-side cursor (outside a transaction Django declares it WITH
    HOLD, which makes the server materialise the whole result first). SQLite gets no
    transaction: ours start IMMEDIATE and would block every writer for the whole walk;
    :func:`audit_chain_verify` copes with appends made while it reads.
    """
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _read_head(owner: ChainOwner) -> tuple[str, int] | None:
    select, _update, key = _head_statements(owner)
    with connection.cursor() as cursor:
        cursor.execute(select, [key])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


class _Walk:
    """The running state of one walk along a chain: the last good entry and its hash."""

    def __init__(self, checkpoints: dict[int, list[tuple[str, datetime]]]):
        self.sequence = 0
        self.hash = GENESIS_HASH
        self.entries = 0
        self.checkpoints = checkpoints

    def check_checkpoints(self) -> ChainProblem | None:
        for expected, created_at in self.checkpoints.get(self.sequence, ()):
            if expected != self.hash:
                when = timezone.localtime(created_at).isoformat(timespec="seconds")
                if self.sequence == 0:
                    return ChainProblem(None, f"the checkpoint of {when} records an empty chain with a wrong hash")
                return ChainProblem(
                    self.sequence,
                    f"hash differs from the checkpoint of {when}: the chain was rewritten at or before this entry",
                )
        return None

    def step(self, row: tuple) -> ChainProblem | None:
        """Check one entry (a row of ``_VERIFY_COLUMNS``) against the walk so far, then take it."""
        sequence, event, actor, object_type, object_id, payload, created_at, previous_hash, stored_hash = row
        expected = self.sequence + 1
        if sequence != expected:
            if sequence > expected:
                missing = sequence - expected
                return ChainProblem(
                    sequence,
                    f"expected #{expected} here: {missing} entr{'y' if missing == 1 else 'ies'} "
                    "missing before this one (deleted or renumbered)",
                )
            return ChainProblem(sequence, f"sequence repeats after #{self.sequence} (inserted entry)")
        digest = entry_digest(
            previous_hash=previous_hash,
            sequence=sequence,
            event=event,
            actor=actor,
            object_type=object_type,
            object_id=object_id,
            payload=payload,
            created_at=created_at,
        )
        if digest != stored_hash:
            return ChainProblem(sequence, "content does not match its hash (edited, or moved to another sequence)")
        if previous_hash != self.hash:
            what = "the genesis hash" if self.sequence == 0 else f"the hash of #{self.sequence}"
            return ChainProblem(sequence, f"previous_hash is not {what} (inserted, reordered or rewritten)")
        self.sequence, self.hash = sequence, stored_hash
        self.entries += 1
        return self.check_checkpoints()

    def walk(self, rows) -> ChainProblem | None:
        for row in rows:
            problem = self.step(row)
            if problem is not None:
                return problem
        return None


def audit_chain_verify(*, municipality: ChainOwner, chunk_size: int = VERIFY_CHUNK_SIZE) -> ChainReport:
    """Walk ``municipality``'s chain and return how many entries hold and the first problem.

    Each entry must carry the next sequence number, link to the previous entry's hash and
    hash to what it stores, so an edited entry (any field), a deleted or inserted one and
    two swapped ones are each reported at the first entry that no longer fits. The end of
    the chain is checked against the head: a deleted last entry leaves the head pointing
    past the end, an appended forgery runs past the head.

    Someone with the database owner's rights could go further: delete or insert rows,
    recompute every later hash and move the head to match. The chain is then consistent in
    itself, so it is compared with every :class:`AuditCheckpoint` as well: each must match
    the entry at its sequence. Such a rewrite therefore goes unnoticed only after the newest
    checkpoint, and only if the checkpoints were rewritten too — which the copies that
    ``madoguchi audit checkpoint`` prints to the operator's logs expose.

    Rows are streamed in chunks of ``chunk_size`` with only the needed columns, so memory
    stays flat however long the chain. Entries appended while the walk runs are fine.
    """
    entries = _entries(municipality).order_by("sequence").values_list(*_VERIFY_COLUMNS)
    with _read_snapshot():
        checkpoints: dict[int, list[tuple[str, datetime]]] = {}
        for sequence, digest, created_at in (
            _checkpoints(municipality).order_by("sequence", "created_at").values_list("sequence", "hash", "created_at")
        ):
            checkpoints.setdefault(sequence, []).append((digest, created_at))
        walk = _Walk(checkpoints)
        problem = walk.check_checkpoints() or walk.walk(entries.iterator(chunk_size=chunk_size))
        if problem is not None:
            return ChainReport(walk.entries, problem)
        # Read after the entries: an entry commits with the head that counts it, so the
        # head now counts at least every entry seen. Outside a snapshot it may count more,
        # appended meanwhile; those are walked too.
        head = _read_head(municipality)
        if head is None:
            if walk.sequence:
                return ChainReport(walk.entries, ChainProblem(None, "the chain head is missing"))
            head_hash, head_sequence = GENESIS_HASH, 0
        else:
            head_hash, head_sequence = head
        if walk.sequence > head_sequence:
            return ChainReport(
                walk.entries,
                ChainProblem(head_sequence + 1, f"the chain runs past its head #{head_sequence} (inserted entry)"),
            )
        if walk.sequence < head_sequence:
            later = entries.filter(sequence__gt=walk.sequence, sequence__lte=head_sequence)
            problem = walk.walk(later.iterator(chunk_size=chunk_size))
            if problem is not None:
                return ChainReport(walk.entries, problem)
        if walk.sequence < head_sequence:
            return ChainReport(
                walk.entries,
                ChainProblem(
                    walk.sequence + 1,
                    f"missing: the head counts {head_sequence} entries, the chain ends at #{walk.sequence}",
                ),
            )
        if walk.hash != head_hash:
            return ChainReport(walk.entries, ChainProblem(head_sequence, "hash differs from the one the head records"))
        beyond = [sequence for sequence in walk.checkpoints if sequence > walk.sequence]
        if beyond:
            return ChainReport(
                walk.entries,
                ChainProblem(
                    walk.sequence + 1,
                    f"missing: a checkpoint counts {max(beyond)} entries, the chain ends at #{walk.sequence}",
                ),
            )
    return ChainReport(walk.entries, None)


def audit_verify(*, municipality: ChainOwner) -> ChainProblem | None:
    """Return the first problem in ``municipality``'s chain, or None if it is intact.

    See :func:`audit_chain_verify` for what is checked.
    """
    return audit_chain_verify(municipality=municipality).problem


def audit_checkpoint(
    *, municipality: ChainOwner, now: datetime | None = None
) -> AuditCheckpoint | PlatformAuditCheckpoint:
    """Record ``municipality``'s chain head as it is now (sequence 0 for an empty chain).

    Run daily (``madoguchi audit checkpoint``): every entry up to the recorded sequence is
    then pinned, see :func:`audit_chain_verify`.
    """
    with transaction.atomic():
        head = _read_head(municipality)
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
