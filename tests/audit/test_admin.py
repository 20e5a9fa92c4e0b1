"""The platform admin browses the audit log and its checkpoints, and cannot change either."""

import pytest
from tests.platform_admin.support import operator_make, operator_sign_in

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.services import audit_checkpoint

ENTRIES = "/admin/audit/auditentry/"


@pytest.fixture
def operator(client, municipalities):
    """A platform operator signed in with password and TOTP."""
    user = operator_make()
    operator_sign_in(client, user)
    return user


@pytest.mark.parametrize(
    "query",
    ["", "?event=cases.case.submitted", "?q=082015-2026-000002", "?q=resident", "?created_at__year=2026"],
)
def test_the_operator_browses_and_filters_the_audit_log(client, operator, chain, query):
    page = client.get(ENTRIES + query)
    assert page.status_code == 200
    assert "082015-2026-000002" in page.content.decode()


def test_the_audit_log_filters_by_municipality(client, operator, chain, minatogawa):
    page = client.get(f"{ENTRIES}?municipality__id__exact={minatogawa.pk}").content.decode()
    assert "082015-2026-000001" not in page


def test_an_entry_can_be_viewed_but_not_changed_added_or_deleted(client, operator, chain):
    entry = AuditEntry.objects.for_municipality(chain).get(sequence=1)
    assert client.get(f"{ENTRIES}{entry.pk}/change/").status_code == 200
    assert client.post(f"{ENTRIES}{entry.pk}/change/", {"actor": "x"}).status_code == 403
    assert client.get(f"{ENTRIES}add/").status_code == 403
    assert client.post(f"{ENTRIES}{entry.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_operator_browses_checkpoints(client, operator, chain):
    checkpoint = audit_checkpoint(municipality=chain)
    page = client.get("/admin/audit/auditcheckpoint/")
    assert page.status_code == 200
    assert checkpoint.hash in page.content.decode()
