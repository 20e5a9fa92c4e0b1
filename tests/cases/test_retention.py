"""Records lifecycle (issue #3, 保存期間 and 廃棄目録)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from tests.backoffice.casework import complete_route
from tests.cases.test_submit import INKAN
from tests.resident_signing import case_submit_as_resident
from tests.samples import pdf_bytes

from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify
from madoguchi.cases import workflow
from madoguchi.cases.models import Attachment, Case, Disposal
from madoguchi.cases.retention import records_dispose, retention_expiry, retention_start
from madoguchi.procedures.schema_export import example_answers
from madoguchi.tenants.access import StaffContext

JST = ZoneInfo("Asia/Tokyo")
CLOSED = datetime(2020, 6, 1, 10, 0, tzinfo=JST)


@pytest.mark.parametrize(
    ("closed", "retention", "expiry"),
    [
        (date(2020, 6, 1), "1y", date(2022, 4, 1)),
        (date(2021, 3, 31), "1y", date(2022, 4, 1)),
        (date(2021, 4, 1), "5y", date(2027, 4, 1)),
        (date(2020, 6, 1), "lt1y", date(2021, 4, 1)),
        (date(2020, 6, 1), "30y", date(2051, 4, 1)),
    ],
)
def test_retention_counts_from_the_first_of_april_after_closing(closed, retention, expiry):
    assert retention_expiry(closed=closed, retention=retention) == expiry


def test_the_start_date_is_the_next_fiscal_year():
    assert retention_start(date(2027, 3, 31)) == date(2027, 4, 1)


@pytest.fixture
def admin(aoba, db):
    user = get_user_model().objects.create_user("records-admin", password="a-long-password-123")
    return StaffContext(user_id=user.pk, username=user.username, municipality=aoba, grants=frozenset({(None, "admin")}))


def closed_case(aoba, version, admin, key, answers, files=None):
    case = case_submit_as_resident(
        municipality=aoba, procedure_version=version, answers=answers, files=files, idempotency_key=key, now=CLOSED
    ).case
    workflow.case_start_review(staff=admin, case=case, now=CLOSED)
    complete_route(case, now=CLOSED)
    workflow.case_decide(staff=admin, case=case, approve=True, now=CLOSED)
    return workflow.case_complete(staff=admin, case=case, now=CLOSED)


def test_an_expired_case_is_disposed_of_listed_and_audited(aoba, version_of, admin, django_capture_on_commit_callbacks):
    version = version_of(aoba, "jido-teate")
    upload = SimpleUploadedFile("保険証.pdf", pdf_bytes(), "application/pdf")
    case = closed_case(
        aoba, version, admin, "r1", example_answers(version.definition), {"health_insurance_copy": [upload]}
    )
    storage_name = Attachment.objects.for_municipality(aoba).get(case=case).storage_name
    with django_capture_on_commit_callbacks(execute=True):
        report = records_dispose(municipality=aoba, today=date(2040, 4, 1))
    assert report.disposed == [case.receipt_number]
    assert not Case.objects.for_municipality(aoba).filter(pk=case.pk).exists()
    assert not default_storage.exists(storage_name)
    [line] = Disposal.objects.for_municipality(aoba)
    assert (line.receipt_number, line.fate, line.procedure) == (case.receipt_number, "dispose", "jido-teate")
    assert (
        AuditEntry.objects.for_municipality(aoba)
        .filter(event="records.case.disposed", object_id=case.receipt_number)
        .exists()
    )
    assert audit_verify(municipality=aoba) is None


def test_a_case_within_its_retention_period_is_kept(aoba, version_of, admin):
    case = closed_case(aoba, version_of(aoba, "inkan-certificate"), admin, "r2", INKAN)
    assert records_dispose(municipality=aoba, today=date(2021, 3, 31)).disposed == []
    assert Case.objects.for_municipality(aoba).filter(pk=case.pk).exists()


def test_open_cases_are_never_disposed_of(aoba, version_of, now):
    case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, "inkan-certificate"),
        answers=INKAN,
        idempotency_key="r3",
        now=CLOSED,
    )
    assert records_dispose(municipality=aoba, today=date(2099, 1, 1)).disposed == []


def test_a_dry_run_changes_nothing(aoba, version_of, admin, capsys):
    case = closed_case(aoba, version_of(aoba, "inkan-certificate"), admin, "r4", INKAN)
    call_command("records", "dispose", "--municipality", "082015", "--dry-run")
    assert case.receipt_number in capsys.readouterr().out
    assert Case.objects.for_municipality(aoba).filter(pk=case.pk).exists()


def test_a_file_shared_with_a_kept_case_is_not_deleted(
    aoba, version_of, admin, now, django_capture_on_commit_callbacks
):
    version = version_of(aoba, "jido-teate")
    answers = example_answers(version.definition)
    old = closed_case(
        aoba,
        version,
        admin,
        "r5",
        answers,
        {"health_insurance_copy": [SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")]},
    )
    case_submit_as_resident(
        municipality=aoba,
        procedure_version=version,
        answers=answers,
        idempotency_key="r6",
        now=now,
        files={"health_insurance_copy": [SimpleUploadedFile("b.pdf", pdf_bytes(), "application/pdf")]},
    )
    storage_name = Attachment.objects.for_municipality(aoba).get(case=old).storage_name
    with django_capture_on_commit_callbacks(execute=True):
        records_dispose(municipality=aoba, today=date(2040, 4, 1))
    assert default_storage.exists(storage_name)
