"""The platform's own chain (``audit_log(municipality=PLATFORM, …)``): what belongs to no
municipality — the operator's sign-ins and changes to platform-level objects — hashed,
checkpointed and verified like a municipality's, and covered by ``madoguchi audit verify``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from madoguchi.audit.chain import PLATFORM
from madoguchi.audit.models import AuditEntry, PlatformAuditCheckpoint, PlatformAuditEntry
from madoguchi.audit.services import audit_checkpoint, audit_log
from madoguchi.audit.verification import audit_chain_verify, audit_verify


def platform_log(count: int) -> None:
    for i in range(count):
        with transaction.atomic():
            audit_log(municipality=PLATFORM, event="admin.object.changed", actor="platform:root", object_id=str(i))


def test_platform_entries_form_their_own_chain_beside_the_municipalities(db, aoba):
    with transaction.atomic():
        audit_log(municipality=aoba, event="test.municipal", actor="system")
    platform_log(3)
    entries = list(PlatformAuditEntry.objects.order_by("sequence"))
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert entries[0].previous_hash == "0" * 64 and entries[1].previous_hash == entries[0].hash
    assert not AuditEntry.objects.for_municipality(aoba).filter(event="admin.object.changed").exists()
    report = audit_chain_verify(municipality=PLATFORM)
    assert report.ok and report.entries == 3


def test_an_edited_platform_entry_is_found_by_verification(db):
    platform_log(3)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_platformauditentry DISABLE TRIGGER USER")
        cursor.execute("UPDATE audit_platformauditentry SET actor = 'someone else' WHERE sequence = 2")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_platformauditentry ENABLE TRIGGER USER")
    problem = audit_verify(municipality=PLATFORM)
    assert problem.sequence == 2 and "does not match its hash" in problem.reason


def test_a_platform_checkpoint_pins_the_head(db):
    platform_log(2)
    checkpoint = audit_checkpoint(municipality=PLATFORM)
    assert isinstance(checkpoint, PlatformAuditCheckpoint)
    assert checkpoint.sequence == 2 and checkpoint.hash == PlatformAuditEntry.objects.get(sequence=2).hash


def test_audit_log_refuses_a_missing_municipality_instead_of_using_the_platform_chain(db):
    with pytest.raises(AttributeError), transaction.atomic():
        audit_log(municipality=None, event="test.event", actor="system")
    assert not PlatformAuditEntry.objects.exists()


def test_the_audit_command_verifies_and_checkpoints_the_platform_chain_alone(municipalities):
    platform_log(2)
    out = StringIO()
    call_command("audit", "verify", "--municipality", "platform", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("OK platform 2 entries (")
    out = StringIO()
    call_command("audit", "checkpoint", "--municipality", "platform", stdout=out)
    assert out.getvalue().startswith("platform checkpoint #2 ")


def test_the_audit_command_fails_on_a_broken_platform_chain(municipalities):
    platform_log(2)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_platformauditentry DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_platformauditentry WHERE sequence = 1")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_platformauditentry ENABLE TRIGGER USER")
    with pytest.raises(CommandError, match=r"audit chain broken: platform$"):
        call_command("audit", "verify", stdout=StringIO())


@pytest.mark.postgres
def test_postgres_refuses_to_update_or_delete_platform_entries_and_checkpoints(db):
    platform_log(1)
    audit_checkpoint(municipality=PLATFORM)
    for table in ("audit_platformauditentry", "audit_platformauditcheckpoint"):
        for statement in (f"UPDATE {table} SET hash = 'x'", f"DELETE FROM {table}"):  # noqa: S608
            with (
                pytest.raises(DatabaseError, match="the audit log is append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
    assert PlatformAuditEntry.objects.count() == 1
