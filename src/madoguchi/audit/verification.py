"""Whether an audit chain can be trusted: walk it, recompute every hash, compare the head.

:func:`audit_verify` and :func:`audit_chain_verify` find any edited, deleted, inserted or
reordered entry, and any entry removed from the end (the head row and the daily checkpoints
remember where the chain had reached).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from madoguchi.audit.chain import ChainOwner, chain_checkpoints, chain_entries, entry_digest, read_head
from madoguchi.audit.models import GENESIS_HASH


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


class _Walk:
    """The running state of one walk along a chain: the last good entry and its hash."""

    def __init__(self, checkpoints: dict[int, list[tuple[str, datetime]]]):
        self.sequence = 0
        self.hash = GENESIS_HASH
        self.entries = 0
        self.checkpoints = checkpoints

    def checkchain_checkpoints(self) -> ChainProblem | None:
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
        return self.checkchain_checkpoints()

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
    entries = chain_entries(municipality).order_by("sequence").values_list(*_VERIFY_COLUMNS)
    with _read_snapshot():
        checkpoints: dict[int, list[tuple[str, datetime]]] = {}
        for sequence, digest, created_at in (
            chain_checkpoints(municipality).order_by("sequence", "created_at").values_list("sequence", "hash", "created_at")
        ):
            checkpoints.setdefault(sequence, []).append((digest, created_at))
        walk = _Walk(checkpoints)
        problem = walk.checkchain_checkpoints() or walk.walk(entries.iterator(chunk_size=chunk_size))
        if problem is not None:
            return ChainReport(walk.entries, problem)
        # Read after the entries: an entry commits with the head that counts it, so the
        # head now counts at least every entry seen. Outside a snapshot it may count more,
        # appended meanwhile; those are walked too.
        head = read_head(municipality)
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
