"""On PostgreSQL the audit tables refuse UPDATE and DELETE, whoever asks."""

import pytest
from django.db import DatabaseError, connection, transaction
from tests.audit import tamper

from madoguchi.audit.models import AuditCheckpoint, AuditEntry
from madoguchi.audit.services import audit_checkpoint
from madoguchi.audit.verification import audit_verify

pytestmark = pytest.mark.postgres

REFUSED = "the audit log is append-only"


def test_an_update_of_an_entry_is_refused(chain):
    with pytest.raises(DatabaseError, match=f"{REFUSED}: UPDATE on audit_auditentry refused"), transaction.atomic():
        AuditEntry.objects.for_municipality(chain).filter(sequence=2).update(actor="someone else")
    assert tamper.entries(chain)[1].actor != "someone else"
    assert audit_verify(municipality=chain) is None


def test_a_raw_sql_update_of_an_entry_is_refused(chain):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET payload = '{}' WHERE municipality_id = %s", [chain.pk])
    assert audit_verify(municipality=chain) is None


def test_a_delete_of_an_entry_is_refused(chain):
    with pytest.raises(DatabaseError, match=f"{REFUSED}: DELETE on audit_auditentry refused"), transaction.atomic():
        AuditEntry.objects.for_municipality(chain).filter(sequence=4).delete()
    assert len(tamper.entries(chain)) == 4


def test_an_update_or_delete_of_a_checkpoint_is_refused(chain):
    audit_checkpoint(municipality=chain)
    checkpoints = AuditCheckpoint.objects.for_municipality(chain)
    with pytest.raises(DatabaseError, match=f"{REFUSED}: UPDATE on audit_auditcheckpoint"), transaction.atomic():
        checkpoints.update(hash="a" * 64)
    with pytest.raises(DatabaseError, match=f"{REFUSED}: DELETE on audit_auditcheckpoint"), transaction.atomic():
        checkpoints.delete()
    assert checkpoints.count() == 1


def test_the_table_owner_can_switch_the_trigger_off_and_verification_still_tells(chain):
    tamper.edit(chain, 2, actor="someone else")
    assert audit_verify(municipality=chain).sequence == 2
