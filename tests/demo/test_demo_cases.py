"""``madoguchi demo_cases``: generated cases that the queue, search and later real submits accept."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from tests.backoffice.casework import INKAN, staff, submit

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases.models import Case, CaseStatus, Channel, ReceiptCounter
from madoguchi.cases.selectors import QUEUE_PAGE_SIZE, QueueFilters, case_queue
from madoguchi.cases.services import applicant_search_text
from madoguchi.demo.cases import FAMILY_NAMES, demo_cases_generate
from madoguchi.jp.wareki import fiscal_year
from madoguchi.procedures.wording import period_end, processing_period

COUNT = 200


@pytest.fixture
def generated(aoba, now):
    call_command(
        "demo_cases", municipality=aoba.code, count=COUNT, until=now.isoformat(), stdout=StringIO(), verbosity=0
    )
    return list(Case.objects.for_municipality(aoba).select_related("procedure_version"))


def test_demo_cases_stores_the_requested_number_of_cases_over_three_years(aoba, generated, now):
    assert len(generated) == COUNT
    first = min(case.submitted_at for case in generated)
    last = max(case.submitted_at for case in generated)
    assert now - timedelta(days=365 * 3 + 1) <= first < now - timedelta(days=365 * 2)
    assert now - timedelta(days=30) < last <= now
    assert len({case.procedure_version.procedure_id for case in generated}) >= 5
    assert len({case.department_id for case in generated}) >= 3


def test_demo_cases_numbers_receipts_per_fiscal_year_in_order_of_submission(aoba, generated):
    by_year: dict[int, list[Case]] = {}
    for case in sorted(generated, key=lambda c: (c.submitted_at, c.pk)):
        by_year.setdefault(case.fiscal_year, []).append(case)
        assert case.receipt_number == f"{aoba.code}-{case.fiscal_year}-{case.sequence:06d}"
    counters = {c.fiscal_year: c.last for c in ReceiptCounter.objects.for_municipality(aoba)}
    assert counters == {year: len(cases) for year, cases in by_year.items()}
    for year, cases in by_year.items():
        assert [c.sequence for c in cases] == list(range(1, len(cases) + 1))
        assert all(fiscal_year(timezone.localdate(c.submitted_at)) == year for c in cases)


def test_demo_cases_look_like_worked_cases(aoba, generated, now):
    statuses = {case.status for case in generated}
    assert CaseStatus.COMPLETED in statuses
    assert statuses & {CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.CORRECTION_REQUESTED}
    for case in generated:
        definition = case.procedure_version.definition
        local_day = timezone.localdate(case.submitted_at)
        assert case.due_date == period_end(local_day, *processing_period(definition))
        assert case.department_id == case.procedure_version.procedure.department_id
        assert (case.closed_at is not None) == (case.status in {CaseStatus.COMPLETED, CaseStatus.WITHDRAWN})
        assert case.search_name == applicant_search_text(definition, case.answers)
    assert any(case.search_name for case in generated)
    overdue = [c for c in generated if c.due_date < now.date() and c.status == CaseStatus.IN_REVIEW]
    closed_old = [c for c in generated if c.submitted_at < now - timedelta(days=365) and c.closed_at]
    assert len(closed_old) > len(overdue)


def test_the_queue_pages_through_generated_cases_newest_first(aoba, generated, now):
    admin = staff("aoba-admin")
    seen, cursor = [], ""
    while True:
        page = case_queue(staff=admin, filters=QueueFilters(), cursor=cursor, today=now.date())
        seen += [case.receipt_number for case in page.cases]
        if not page.next_cursor:
            break
        assert len(page.cases) == QUEUE_PAGE_SIZE
        cursor = page.next_cursor
    newest_first = sorted(generated, key=lambda c: (c.submitted_at, c.pk), reverse=True)
    assert seen == [case.receipt_number for case in newest_first]


def test_the_queue_finds_generated_cases_by_name_and_receipt_number(aoba, generated, now):
    admin = staff("aoba-admin")
    family, family_kana = next(
        (k, kana) for k, kana in FAMILY_NAMES if any(c.search_name.startswith(k + " ") for c in generated)
    )
    by_kanji = case_queue(staff=admin, filters=QueueFilters(query=family), today=now.date(), size=COUNT)
    by_kana = case_queue(staff=admin, filters=QueueFilters(query=family_kana), today=now.date(), size=COUNT)
    expected = {c.receipt_number for c in generated if c.search_name.startswith(family + " ")}
    assert expected and {c.receipt_number for c in by_kanji.cases} >= expected
    assert {c.receipt_number for c in by_kana.cases} >= expected
    one = generated[17]
    by_receipt = case_queue(staff=admin, filters=QueueFilters(query=one.receipt_number), today=now.date())
    assert [c.pk for c in by_receipt.cases] == [one.pk]
    overdue = case_queue(staff=admin, filters=QueueFilters(due="overdue"), today=now.date(), size=COUNT)
    assert all(c.due_date < now.date() for c in overdue.cases)


def test_a_real_submit_after_demo_cases_takes_the_next_receipt_number(aoba, version_of, generated, now):
    last = ReceiptCounter.objects.for_municipality(aoba).get(fiscal_year=fiscal_year(now.date())).last
    case = submit(aoba, version_of(aoba, "inkan-certificate"), now=now + timedelta(minutes=1), answers=INKAN)
    assert case.sequence == last + 1
    assert case.receipt_number == f"{aoba.code}-{fiscal_year(now.date())}-{last + 1:06d}"
    page = case_queue(staff=staff("aoba-admin"), filters=QueueFilters(), today=now.date())
    assert page.cases[0].pk == case.pk


def test_demo_cases_refuses_a_municipality_that_has_cases(aoba, generated, now):
    with pytest.raises(CommandError, match="already has cases"):
        call_command("demo_cases", municipality=aoba.code, count=10, stdout=StringIO(), verbosity=0)
    assert Case.objects.for_municipality(aoba).count() == COUNT


def test_demo_cases_refuses_an_unknown_municipality(municipalities):
    with pytest.raises(CommandError, match="Unknown municipality"):
        call_command("demo_cases", municipality="999999", count=10, stdout=StringIO())


def test_demo_cases_with_the_same_seed_makes_the_same_cases(minatogawa, now):
    demo_cases_generate(municipality=minatogawa, count=30, now=now, seed=7)
    first = list(Case.objects.for_municipality(minatogawa).values_list("receipt_number", "status", "search_name"))
    Case.objects.for_municipality(minatogawa).delete()
    ReceiptCounter.objects.for_municipality(minatogawa).delete()
    demo_cases_generate(municipality=minatogawa, count=30, now=now, seed=7)
    again = list(Case.objects.for_municipality(minatogawa).values_list("receipt_number", "status", "search_name"))
    assert first == again


def test_demo_cases_come_in_through_the_import_and_its_audit_entries(minatogawa, now):
    result = demo_cases_generate(municipality=minatogawa, count=150, now=now, batch_size=64)
    entries = list(AuditEntry.objects.for_municipality(minatogawa).filter(event="cases.cases.imported"))
    channels = set(Case.objects.for_municipality(minatogawa).values_list("channel", flat=True))
    assert audit_verify(municipality=minatogawa) is None
    assert result.count == 150
    assert [entry.payload["count"] for entry in sorted(entries, key=lambda e: e.sequence)] == [64, 64, 22]
    assert {entry.actor for entry in entries} == {"demo"}
    assert channels == {Channel.IMPORT}
