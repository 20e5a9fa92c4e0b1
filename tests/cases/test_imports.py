"""``cases.imports.cases_import``: many cases at once, through the same steps as a submission."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from tests.backoffice.casework import INKAN, submit, user
from tests.resident_signing import case_submit_as_resident

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases import access
from madoguchi.cases.errors import ImportInvalid
from madoguchi.cases.imports import ImportRecord, cases_import
from madoguchi.cases.models import Case, CaseStatus, Channel, ReceiptCounter
from madoguchi.jp.business_days import add_business_days
from madoguchi.procedures.schema_export import example_answers


def inkan(version, at: datetime, key: str, **state) -> ImportRecord:
    return ImportRecord(procedure_version=version, answers=INKAN, submitted_at=at, idempotency_key=key, **state)


def imported(municipality, records, *, now, **options):
    return cases_import(municipality=municipality, records=records, actor="test-import", now=now, **options)


def cases_of(municipality) -> list[Case]:
    return list(Case.objects.for_municipality(municipality).order_by("fiscal_year", "sequence"))


def import_entries(municipality) -> list[AuditEntry]:
    entries = AuditEntry.objects.for_municipality(municipality).filter(event="cases.cases.imported")
    return list(entries.order_by("sequence"))


def counter(municipality, year: int) -> int:
    return ReceiptCounter.objects.for_municipality(municipality).get(fiscal_year=year).last


def test_an_imported_case_has_the_fields_a_submission_gives_it(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    at = now - timedelta(days=40)
    imported(aoba, [inkan(version, at, "old-1")], now=now)
    submitted = case_submit_as_resident(municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key="k", now=at)
    (case,) = (c for c in cases_of(aoba) if c.idempotency_key == "old-1")
    for name in ("answers", "search_name", "request_fingerprint", "due_date", "department_id", "fiscal_year"):
        assert getattr(case, name) == getattr(submitted.case, name), name
    assert case.due_date == add_business_days(at.date(), 3)
    assert case.channel == Channel.IMPORT and case.status == CaseStatus.SUBMITTED and case.answers_version == 1
    assert case.access_salt != submitted.case.access_salt
    assert access.access_code_matches(access.access_code_from_salt(case.access_salt), case.access_code_hash)


def test_answers_are_validated_as_of_the_day_they_were_submitted(aoba, version_of, now):
    version = version_of(aoba, "tenshutsu")
    at = now - timedelta(days=700)
    moving = (at + timedelta(days=10)).date().isoformat()  # 30 days either side of the submission only
    answers = {**example_answers(version.definition), "moving_date": moving}
    record = ImportRecord(procedure_version=version, answers=answers, submitted_at=at, idempotency_key="t")
    result = imported(aoba, [record], now=now)
    assert result.count == 1
    assert cases_of(aoba)[0].answers["moving_date"] == moving


def test_receipt_numbers_continue_from_real_submissions_and_real_ones_continue_after(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    first = submit(aoba, version, now=now - timedelta(days=2))
    records = [inkan(version, now - timedelta(days=1, hours=i), f"imp-{i}") for i in range(5)]
    result = imported(aoba, records, now=now, batch_size=2)
    after = submit(aoba, version, now=now)
    sequences = [c.sequence for c in cases_of(aoba)]
    assert first.sequence == 1 and after.sequence == 7
    assert sequences == list(range(1, 8))
    assert counter(aoba, 2026) == 7
    assert result.receipts == {2026: (2, 6)} and result.count == 5 and result.batches == 3
    assert [c.receipt_number for c in cases_of(aoba)][1:6] == [f"082015-2026-{n:06d}" for n in range(2, 7)]


def test_records_are_numbered_per_fiscal_year_in_the_order_given(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    march, april = datetime(2025, 3, 31, 9, 0, tzinfo=now.tzinfo), datetime(2025, 4, 1, 9, 0, tzinfo=now.tzinfo)
    records = [inkan(version, march, "a"), inkan(version, april, "b"), inkan(version, april, "c")]
    result = imported(aoba, records, now=now)
    assert [(c.idempotency_key, c.receipt_number) for c in cases_of(aoba)] == [
        ("a", "082015-2024-000001"),
        ("b", "082015-2025-000001"),
        ("c", "082015-2025-000002"),
    ]
    assert result.receipts == {2024: (1, 1), 2025: (1, 2)}
    assert counter(aoba, 2024) == 1 and counter(aoba, 2025) == 2


def test_each_batch_is_one_audit_entry_without_personal_data(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    records = [inkan(version, now - timedelta(hours=5 - i), f"imp-{i}") for i in range(5)]
    result = imported(aoba, records, now=now, batch_size=2)
    entries = import_entries(aoba)
    assert [e.payload["count"] for e in entries] == [2, 2, 1]
    assert [e.payload["batch"] for e in entries] == [1, 2, 3]
    assert {(e.actor, e.object_type, e.object_id) for e in entries} == {("test-import", "case_import", result.import_id)}
    first = entries[0].payload
    assert first["receipts"] == [{"fiscal_year": 2026, "first": "082015-2026-000001", "last": "082015-2026-000002"}]
    assert first["procedures"] == {"inkan-certificate": 2} and first["channel"] == "import"
    cases = cases_of(aoba)
    lines = "".join(f"{c.receipt_number} {c.request_fingerprint}\n" for c in cases[:2])
    assert first["fingerprints"] == hashlib.sha256(lines.encode()).hexdigest()
    text = json.dumps([e.payload for e in entries], ensure_ascii=False)
    assert INKAN["applicant_name"]["family"] not in text and "029-200-1234" not in text
    assert audit_verify(municipality=aoba) is None
    assert not AuditEntry.objects.for_municipality(aoba).filter(event="cases.case.submitted").exists()


def test_a_migrated_record_keeps_the_state_it_is_in(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    at = now - timedelta(days=400)
    clerk = user("aoba-clerk")
    records = [
        inkan(version, at, "done", status=CaseStatus.COMPLETED, closed_at=at + timedelta(days=2), assignee_id=clerk.pk),
        inkan(version, at, "open", status=CaseStatus.IN_REVIEW, assignee_id=clerk.pk),
    ]
    imported(aoba, records, now=now)
    done, still_open = cases_of(aoba)
    assert (done.status, done.closed_at, done.assignee_id) == (CaseStatus.COMPLETED, at + timedelta(days=2), clerk.pk)
    assert (still_open.status, still_open.closed_at, still_open.assignee_id) == (CaseStatus.IN_REVIEW, None, clerk.pk)


def test_a_bad_record_refuses_the_whole_import_with_its_index_and_field_errors(aoba, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    missing_name = {key: value for key, value in INKAN.items() if key != "applicant_name"}
    records = [
        inkan(version, now - timedelta(hours=3), "good-1"),
        ImportRecord(procedure_version=version, answers=missing_name, submitted_at=now, idempotency_key="bad-1"),
        inkan(version, now - timedelta(hours=1), "good-2"),
        ImportRecord(
            procedure_version=version, answers={**INKAN, "phone": "12"}, submitted_at=now, idempotency_key="bad-2"
        ),
    ]
    with pytest.raises(ImportInvalid) as refused:
        imported(aoba, records, now=now, batch_size=1)  # the first record is written before the bad one is read
    problems = [(p.index, p.code, [(e.path, e.code) for e in p.errors]) for p in refused.value.problems]
    assert problems == [
        (1, "answers_invalid", [("applicant_name", "required")]),
        (3, "answers_invalid", [("phone", "invalid_phone")]),
    ]
    assert refused.value.status == 422
    assert refused.value.extensions()["records"][0]["errors"][0]["field"] == "applicant_name"
    assert cases_of(aoba) == [] and import_entries(aoba) == []
    assert not ReceiptCounter.objects.for_municipality(aoba).filter(last__gt=0).exists()


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ({"status": CaseStatus.COMPLETED}, "closed_at_invalid"),  # closed, but no closing time
        ({"status": CaseStatus.IN_REVIEW, "closed_at": "submitted+1d"}, "closed_at_invalid"),  # open, yet closed
        ({"status": CaseStatus.WITHDRAWN, "closed_at": "submitted-1d"}, "closed_at_invalid"),  # before submission
        ({"status": CaseStatus.COMPLETED, "closed_at": "now+1d"}, "closed_at_invalid"),  # in the future
        ({"status": "archived"}, "status_invalid"),
        ({"submitted_at": "now+1h"}, "submitted_at_invalid"),
        ({"submitted_at": "naive"}, "submitted_at_invalid"),
        ({"assignee": "aoba-zeimu"}, "assignee_invalid"),  # 税務課 only: not staff of 市民課
        ({"assignee": "minatogawa-admin"}, "assignee_invalid"),  # another municipality's
        ({"idempotency_key": ""}, "idempotency_key_invalid"),
        ({"idempotency_key": "k" * 101}, "idempotency_key_invalid"),
    ],
)
def test_a_record_whose_state_cannot_be_is_refused(aoba, version_of, now, state, code):
    at = now - timedelta(days=10)
    times = {
        "submitted+1d": at + timedelta(days=1),
        "submitted-1d": at - timedelta(days=1),
        "now+1d": now + timedelta(days=1),
        "now+1h": now + timedelta(hours=1),
        "naive": at.replace(tzinfo=None),
    }
    fields = {
        "procedure_version": version_of(aoba, "inkan-certificate"),
        "answers": INKAN,
        "submitted_at": times.get(state.get("submitted_at"), at),
        "idempotency_key": state.get("idempotency_key", "key"),
        "status": state.get("status", CaseStatus.SUBMITTED),
        "closed_at": times.get(state.get("closed_at")),
        "assignee_id": user(state["assignee"]).pk if "assignee" in state else None,
    }
    with pytest.raises(ImportInvalid) as refused:
        imported(aoba, [ImportRecord(**fields)], now=now)
    assert [(p.index, p.code) for p in refused.value.problems] == [(0, code)]
    assert refused.value.problems[0].message  # translated text a person can read


def test_another_municipalitys_procedure_is_refused(aoba, minatogawa, version_of, now):
    records = [inkan(version_of(minatogawa, "inkan-certificate"), now, "k")]
    with pytest.raises(ImportInvalid) as refused:
        imported(aoba, records, now=now)
    assert [(p.index, p.code) for p in refused.value.problems] == [(0, "procedure_version_foreign")]


def test_idempotency_keys_must_be_new_in_the_municipality_and_in_the_import(aoba, minatogawa, version_of, now):
    version = version_of(aoba, "inkan-certificate")
    case_submit_as_resident(municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key="taken", now=now)
    at = now - timedelta(hours=1)
    records = [
        inkan(version, at, "new-1"),
        inkan(version, at, "taken"),  # a submission has it
        inkan(version, at, "new-2"),
        inkan(version, at, "new-2"),  # twice in one batch
        inkan(version, at, "new-1"),  # in an earlier batch
    ]
    with pytest.raises(ImportInvalid) as refused:
        imported(aoba, records, now=now, batch_size=4)
    assert [(p.index, p.code) for p in refused.value.problems] == [(1, "idempotency_key_used"), (3, "idempotency_key_used")]
    with pytest.raises(ImportInvalid) as refused:
        imported(aoba, [records[0], records[4]], now=now, batch_size=1)
    assert [(p.index, p.code) for p in refused.value.problems] == [(1, "idempotency_key_used")]
    # Keys are the municipality's own: another one may use the same.
    other = version_of(minatogawa, "inkan-certificate")
    assert imported(minatogawa, [inkan(other, at, "taken")], now=now).count == 1
    assert len(cases_of(aoba)) == 1


def test_copy_is_refused_where_the_database_is_not_postgresql(aoba, version_of, now):
    if connection.vendor == "postgresql":
        pytest.skip("COPY is the default here")
    with pytest.raises(ValueError, match="COPY needs PostgreSQL"):
        imported(aoba, [inkan(version_of(aoba, "inkan-certificate"), now, "k")], now=now, use_copy=True)


@pytest.mark.postgres
def test_copy_and_bulk_create_store_the_same_cases(aoba, minatogawa, version_of, now):
    clerk_of = {aoba: user("aoba-clerk").pk, minatogawa: user("minatogawa-clerk").pk}
    at = now - timedelta(days=30)
    stored = {}
    for municipality, use_copy in ((aoba, True), (minatogawa, False)):
        version = version_of(municipality, "inkan-certificate")
        records = [
            inkan(version, at, "a"),
            inkan(version, at, "b", status=CaseStatus.WITHDRAWN, closed_at=at + timedelta(hours=1)),
            inkan(version, at, "c", status=CaseStatus.IN_REVIEW, assignee_id=clerk_of[municipality]),
        ]
        imported(municipality, records, now=now, use_copy=use_copy)
        stored[use_copy] = [
            (c.idempotency_key, c.sequence, c.status, c.closed_at, c.assignee_id is not None, c.answers, c.due_date,
             c.search_name, c.request_fingerprint, c.channel, c.language, c.answers_version)
            for c in cases_of(municipality)
        ]  # fmt: skip
    assert stored[True] == stored[False]


def test_an_unknown_channel_is_refused_before_anything_is_read(aoba, now):
    def records():
        raise AssertionError("no record may be read")
        yield

    with pytest.raises(ValueError, match="Unknown channel"):
        imported(aoba, records(), now=now, channel="fax")
