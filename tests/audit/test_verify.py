"""``audit_verify``: every kind of tampering is reported at the first entry it breaks.

The tampering runs on SQLite and, with the append-only trigger switched off as the table
owner could, on PostgreSQL.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from tests.audit import tamper
from tests.resident_signing import case_submit_as_resident

from madoguchi.audit import chain as audit_chain
from madoguchi.audit import verification
from madoguchi.audit.models import GENESIS_HASH, AuditCheckpoint, AuditHead
from madoguchi.audit.services import audit_checkpoint, audit_log
from madoguchi.audit.verification import ChainProblem, audit_chain_verify, audit_verify


def test_an_intact_chain_has_no_problem(chain):
    assert audit_verify(municipality=chain) is None
    assert audit_chain_verify(municipality=chain).entries == 4


def test_an_empty_chain_has_no_problem(minatogawa):
    report = audit_chain_verify(municipality=minatogawa)
    assert (report.entries, report.problem) == (0, None)


def test_chunk_boundaries_do_not_matter(chain):
    report = audit_chain_verify(municipality=chain, chunk_size=1)
    assert (report.entries, report.problem) == (4, None)


def test_tampering_with_one_municipalitys_chain_leaves_the_others_intact(chain, minatogawa, version_of, now):
    from tests.cases.test_submit import INKAN


    version = version_of(minatogawa, "inkan-certificate")
    case_submit_as_resident(municipality=minatogawa, procedure_version=version, answers=INKAN, idempotency_key="m", now=now)
    tamper.edit(chain, 2, actor="someone else")
    assert audit_verify(municipality=chain).sequence == 2
    assert audit_verify(municipality=minatogawa) is None


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "someone else"},
        {"event": "cases.case.withdrawn"},
        {"object_id": "082015-2026-999999"},
        {"payload": {"channel": "counter"}},
        {"previous_hash": "f" * 64},
        {"hash": "e" * 64},
    ],
    ids=lambda change: next(iter(change)),
)
def test_an_edited_entry_is_reported(chain, change):
    tamper.edit(chain, 2, **change)
    problem = audit_verify(municipality=chain)
    assert problem.sequence == 2
    assert "does not match its hash" in problem.reason


def test_an_edited_timestamp_is_reported(chain):
    [entry] = [e for e in tamper.entries(chain) if e.sequence == 3]
    tamper.edit(chain, 3, created_at=entry.created_at + timedelta(microseconds=1))
    assert audit_verify(municipality=chain) == ChainProblem(
        3, "content does not match its hash (edited, or moved to another sequence)"
    )


def test_an_edited_payload_value_is_reported(chain):
    [entry] = [e for e in tamper.entries(chain) if e.sequence == 1]
    tamper.edit(chain, 1, payload={**entry.payload, "procedure_version": 2})
    assert audit_verify(municipality=chain).sequence == 1


def test_an_entry_edited_with_a_recomputed_hash_breaks_the_next_link(chain):
    [entry] = [e for e in tamper.entries(chain) if e.sequence == 2]
    content = {f: getattr(entry, f) for f in ("event", "object_type", "object_id", "payload", "created_at")}
    digest = audit_chain.entry_digest(previous_hash=entry.previous_hash, sequence=2, actor="someone else", **content)
    tamper.edit(chain, 2, actor="someone else", hash=digest)
    problem = audit_verify(municipality=chain)
    assert problem.sequence == 3
    assert "previous_hash is not the hash of #2" in problem.reason


def test_a_deleted_entry_in_the_middle_is_reported_at_the_next_one(chain):
    tamper.delete(chain, 2)
    problem = audit_verify(municipality=chain)
    assert problem.sequence == 3
    assert problem.reason.startswith("expected #2 here: 1 entry missing")


def test_a_deleted_first_entry_is_reported(chain):
    tamper.delete(chain, 1)
    assert audit_verify(municipality=chain).sequence == 2


def test_a_deleted_last_entry_is_reported_from_the_head(chain):
    tamper.delete(chain, 4)
    assert audit_verify(municipality=chain) == ChainProblem(
        4, "missing: the head counts 4 entries, the chain ends at #3"
    )


def test_a_deleted_chain_is_reported_from_the_head(chain):
    for sequence in (4, 3, 2, 1):
        tamper.delete(chain, sequence)
    assert audit_verify(municipality=chain).sequence == 1


def test_a_deleted_last_entry_with_the_head_moved_back_is_reported_from_a_checkpoint(chain):
    audit_checkpoint(municipality=chain)
    [third] = [e for e in tamper.entries(chain) if e.sequence == 3]
    tamper.delete(chain, 4)
    tamper.move_head(chain, sequence=3, digest=third.hash)
    assert audit_verify(municipality=chain) == ChainProblem(
        4, "missing: a checkpoint counts 4 entries, the chain ends at #3"
    )


def test_a_head_that_disagrees_with_the_last_entry_is_reported(chain):
    tamper.move_head(chain, sequence=4, digest="b" * 64)
    assert audit_verify(municipality=chain) == ChainProblem(4, "hash differs from the one the head records")


def test_a_deleted_chain_head_is_reported(chain):
    AuditHead.objects.for_municipality(chain).delete()
    assert audit_verify(municipality=chain) == ChainProblem(None, "the chain head is missing")


def test_a_forged_entry_appended_with_a_valid_hash_is_reported(chain):
    last = tamper.entries(chain)[-1]
    tamper.forge(chain, sequence=5, previous_hash=last.hash, created_at=last.created_at)
    assert audit_verify(municipality=chain) == ChainProblem(5, "the chain runs past its head #4 (inserted entry)")


def test_a_forged_entry_appended_with_the_head_moved_after_the_newest_checkpoint_goes_unnoticed(chain):
    """The documented limit: a consistent forgery after the newest checkpoint goes unnoticed."""
    audit_checkpoint(municipality=chain)
    last = tamper.entries(chain)[-1]
    forged = tamper.forge(chain, sequence=5, previous_hash=last.hash, created_at=last.created_at)
    tamper.move_head(chain, sequence=5, digest=forged.hash)
    assert audit_verify(municipality=chain) is None


def test_a_forged_entry_inserted_in_the_middle_is_reported_at_the_shifted_one(chain):
    before = tamper.entries(chain)
    for entry in reversed(before[2:]):  # shift #3 and #4 up, highest first (sequences are unique)
        tamper.renumber(chain, entry.sequence, entry.sequence + 1)
    tamper.forge(chain, sequence=3, previous_hash=before[1].hash, created_at=before[1].created_at)
    problem = audit_verify(municipality=chain)
    assert problem.sequence == 4
    assert "does not match its hash" in problem.reason


def test_a_forged_entry_with_a_taken_sequence_is_refused_by_the_database(chain):
    first = tamper.entries(chain)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        tamper.forge(chain, sequence=2, previous_hash=first.hash, created_at=first.created_at)
    assert audit_verify(municipality=chain) is None


def test_a_rewrite_from_a_deleted_entry_on_is_reported_from_a_checkpoint(chain):
    entries = tamper.entries(chain)
    with tamper.tampering():  # a checkpoint taken when the chain had three entries
        AuditCheckpoint.objects.for_municipality(chain).create(
            municipality=chain, sequence=3, hash=entries[2].hash, created_at=entries[2].created_at
        )
    tamper.rewrite_from(chain, 2)
    problem = audit_verify(municipality=chain)
    assert problem.sequence == 3
    assert problem.reason.startswith("hash differs from the checkpoint of")


def test_a_rewrite_without_a_later_checkpoint_goes_unnoticed(chain):
    """The documented limit, the other way round: no checkpoint, no evidence."""
    tamper.rewrite_from(chain, 2)
    assert audit_chain_verify(municipality=chain).entries == 3
    assert audit_verify(municipality=chain) is None


def test_two_swapped_entries_are_reported_at_the_first(chain):
    tamper.swap(chain, 2, 3)
    problem = audit_verify(municipality=chain)
    assert problem.sequence == 2
    assert "does not match its hash" in problem.reason


def test_a_checkpoint_that_disagrees_with_the_chain_is_reported(chain):
    AuditCheckpoint.objects.for_municipality(chain).create(
        municipality=chain, sequence=2, hash="a" * 64, created_at=tamper.entries(chain)[1].created_at
    )
    problem = audit_verify(municipality=chain)
    assert problem.sequence == 2
    assert "checkpoint" in problem.reason


def test_a_checkpoint_of_the_empty_chain_must_be_the_genesis_hash(minatogawa, now):
    AuditCheckpoint.objects.for_municipality(minatogawa).create(
        municipality=minatogawa, sequence=0, hash="a" * 64, created_at=now
    )
    assert audit_verify(municipality=minatogawa).sequence is None


def test_entries_appended_while_verifying_are_walked_too(chain, monkeypatch):
    read_head = verification.read_head

    def append_then_read_head(municipality):
        with transaction.atomic():
            audit_log(municipality=municipality, event="cases.case.approved", actor="staff:1")
        return read_head(municipality)

    monkeypatch.setattr(verification, "read_head", append_then_read_head)
    report = audit_chain_verify(municipality=chain)
    assert (report.entries, report.problem) == (5, None)


def test_a_checkpoint_records_the_head(chain, now):
    checkpoint = audit_checkpoint(municipality=chain, now=now)
    last = tamper.entries(chain)[-1]
    assert (checkpoint.sequence, checkpoint.hash, checkpoint.created_at) == (4, last.hash, now)
    assert audit_verify(municipality=chain) is None


def test_a_checkpoint_of_an_empty_chain_records_the_genesis_hash(minatogawa):
    checkpoint = audit_checkpoint(municipality=minatogawa)
    assert (checkpoint.sequence, checkpoint.hash) == (0, GENESIS_HASH)
    assert audit_verify(municipality=minatogawa) is None
