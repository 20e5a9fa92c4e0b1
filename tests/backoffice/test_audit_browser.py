"""The municipality administrator's audit log (/staff/admin/audit/): own chain only, newest
first, filters, keyset pages, the integrity indicator, a recorded verification run and the
CSV export."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.selectors import AuditFilters, audit_page
from madoguchi.audit.services import audit_checkpoint, audit_log

AUDIT = "/staff/admin/audit/"


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def log(municipality, count, *, event="test.thing.done", actor="system", object_id=""):
    with transaction.atomic():
        return [
            audit_log(municipality=municipality, event=event, actor=actor, object_id=object_id, payload={"n": n})
            for n in range(count)
        ]


def sequences(response) -> list[int]:
    return [row.entry.sequence for row in response.context["page"].rows]


def test_the_log_shows_the_municipalitys_chain_newest_first(client, aoba, minatogawa, login_staff):
    log(minatogawa, 3, event="minatogawa.only")
    login_staff(client, "aoba-admin")  # the sign-in is the newest entry
    response = client.get(AUDIT)
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert [r.entry.event for r in rows] == ["backoffice.staff.logged_in"]
    page = response.content.decode()
    assert "minatogawa.only" not in page and "staff:aoba-admin" in page


def test_filters_narrow_by_actor_action_object_and_date(client, aoba, login_staff):
    log(aoba, 2, event="cases.case.viewed", actor="staff:aoba-clerk", object_id="082015-2026-000001")
    log(aoba, 1, event="cases.case.viewed", actor="staff:aoba-clerk", object_id="082015-2026-000002")
    log(aoba, 1, event="tenants.staff.created", actor="staff:aoba-admin", object_id="aoba-tanaka")
    login_staff(client, "aoba-admin")
    assert len(sequences(client.get(AUDIT, {"actor": "aoba-clerk"}))) == 3
    assert len(sequences(client.get(AUDIT, {"actor": "staff:aoba-clerk"}))) == 3
    assert len(sequences(client.get(AUDIT, {"event": "tenants.staff"}))) == 1
    assert len(sequences(client.get(AUDIT, {"object_id": "082015-2026-000001"}))) == 2
    today = timezone.localdate()
    assert len(sequences(client.get(AUDIT, {"date_from": today.isoformat(), "date_to": today.isoformat()}))) == 5
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert sequences(client.get(AUDIT, {"date_from": tomorrow})) == []
    assert "No entries match these filters." in client.get(AUDIT, {"date_from": tomorrow}).content.decode()


def test_a_bad_date_is_an_error_next_to_the_field(client, aoba, login_staff):
    login_staff(client, "aoba-admin")
    response = client.get(AUDIT, {"date_from": "2026-13-40"})
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD" in response.content.decode()
    response = client.get(AUDIT, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()


def test_pages_follow_by_keyset_with_the_filters_kept(client, aoba, login_staff):
    log(aoba, 120, event="test.bulk")
    login_staff(client, "aoba-admin")
    first = client.get(AUDIT, {"event": "test.bulk"})
    assert sequences(first) == list(range(120, 70, -1))
    next_url = first.context["next_url"]
    assert "event=test.bulk" in next_url and "cursor=71" in next_url
    second = client.get(AUDIT + next_url)
    assert sequences(second) == list(range(70, 20, -1))
    third = client.get(AUDIT + second.context["next_url"])
    assert sequences(third) == list(range(20, 0, -1))
    assert third.context["next_url"] == ""


def test_audit_page_costs_the_same_queries_on_any_page(aoba, django_assert_num_queries):
    log(aoba, 30)
    with django_assert_num_queries(1):
        page = audit_page(municipality=aoba, filters=AuditFilters(), cursor=10, page_size=5)
    assert [row.entry.sequence for row in page.rows] == [9, 8, 7, 6, 5]


def test_the_page_shows_the_latest_checkpoint_and_is_not_verified_on_view(client, aoba, login_staff):
    log(aoba, 3)
    audit_checkpoint(municipality=aoba)
    login_staff(client, "aoba-admin")
    page = client.get(AUDIT).content.decode()
    assert "Latest daily checkpoint: entry 3" in page
    assert "Not verified from this page yet." in page
    assert not AuditEntry.objects.for_municipality(aoba).filter(event="audit.chain.verified").exists()


def test_the_verify_button_runs_the_verification_and_records_it(client, aoba, login_staff):
    log(aoba, 3)
    login_staff(client, "aoba-admin")  # entry 4
    response = client.post(f"{AUDIT}verify/")
    assert response.status_code == 302
    page = client.get(AUDIT).content.decode()
    assert "The audit log is intact: all 4 entries verified." in page
    assert "Verified intact up to entry 4" in page
    entry = AuditEntry.objects.for_municipality(aoba).get(event="audit.chain.verified")
    assert entry.payload == {"ok": True, "entries": 4}
    assert entry.actor == "staff:aoba-admin"


def test_the_csv_export_is_excel_ready_filtered_and_audited(client, aoba, login_staff):
    log(aoba, 2, event="cases.case.viewed", actor="staff:aoba-clerk", object_id="082015-2026-000001")
    log(aoba, 1, event="other.thing")
    login_staff(client, "aoba-admin")
    response = client.get(f"{AUDIT}export.csv", {"event": "cases.case"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-082015-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffsequence,created_at,actor,event,object_type,object_id,details,hash\r\n")
    lines = body.strip("\r\n").split("\r\n")
    assert len(lines) == 3  # header and the two matching entries, newest first
    assert lines[1].startswith("2,") and "082015-2026-000001" in lines[1]
    exported = AuditEntry.objects.for_municipality(aoba).get(event="audit.log.exported")
    assert exported.actor == "staff:aoba-admin"
    assert exported.payload["filters"]["event"] == "cases.case"


def test_another_municipalitys_administrator_sees_none_of_this_chain(client, aoba, minatogawa, login_staff):
    log(aoba, 5, event="aoba.secret", object_id="082015-2026-000001")
    login_staff(client, "minatogawa-admin")
    page = client.get(AUDIT, {"object_id": "082015-2026-000001"})
    assert sequences(page) == []
    body = b"".join(client.get(f"{AUDIT}export.csv").streaming_content).decode()
    assert "aoba.secret" not in body
    client.post(f"{AUDIT}verify/")
    assert not AuditEntry.objects.for_municipality(aoba).filter(actor="staff:minatogawa-admin").exists()
