"""Tasks that failed because the disk or the database was away are tried again (operations.transient).

Regression for what `make reliability` found: a documents task that met a full disk failed
for good, and 28 decided cases never got their 決定通知書 once the disk was freed (issue 11).
The failure is staged by writing the row as the worker leaves it; the document is then issued
by a real worker run (``db_worker --batch``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.backoffice.casework import complete_route, pay_fee, staff, submit_inkan

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.workflow import case_decide, case_start_review
from madoguchi.operations.transient import retry_wait, tasks_retry_transient
from madoguchi.signatures.documents.tasks import document_issue_task
from madoguchi.signatures.models import DocumentKind, IssuedDocument

pytestmark = pytest.mark.django_db

STORAGE_UNAVAILABLE = "madoguchi.storage.errors.StorageUnavailable"


@pytest.fixture
def case(aoba, version_of, now, documents_configured):
    """An approved case: its 決定通知書 is what the documents task issues."""
    case = submit_inkan(aoba, version_of, now=now)
    case = case_start_review(staff=staff("aoba-clerk"), case=case, now=now)
    case = pay_fee(complete_route(case, now=now), now=now)  # a certificate waits for its fee
    return case_decide(staff=staff("aoba-approver"), case=case, approve=True, now=now)


@pytest.fixture
def document_task(case, database_tasks):
    DBTaskResult.objects.all().delete()  # whatever the decision queued: the test stages its own task
    return DBTaskResult.objects.get(pk=document_issue_task.enqueue(case.pk, DocumentKind.APPROVED, "staff:x").id)


def failed(result: DBTaskResult, *, error: str, attempts: int, minutes_ago: float) -> DBTaskResult:
    """The row as the worker leaves it when the task raised."""
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.FAILED,
        exception_class_path=error,
        traceback=f"{error}: no space left on device",
        worker_ids=[f"worker-{n}" for n in range(attempts)],
        started_at=timezone.now() - timedelta(minutes=minutes_ago, seconds=1),
        finished_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    return DBTaskResult.objects.get(pk=result.pk)


# The worker commits and closes its connection as in production, which a test transaction
# cannot survive on PostgreSQL: this test runs on committed data.
@pytest.mark.django_db(transaction=True)
def test_a_document_task_that_met_a_full_disk_is_queued_again_and_then_issues_the_document(document_task, case):
    failed(document_task, error=STORAGE_UNAVAILABLE, attempts=1, minutes_ago=2)

    assert tasks_retry_transient() == 1

    document_task.refresh_from_db()
    assert (document_task.status, document_task.exception_class_path) == (TaskResultStatus.READY, "")
    call_command("db_worker", "--batch", "--queue-name", "documents", "--no-startup-delay")
    document_task.refresh_from_db()
    assert document_task.status == TaskResultStatus.SUCCESSFUL
    assert IssuedDocument.objects.for_municipality(case.municipality).filter(case=case, kind=DocumentKind.APPROVED).count() == 1
    [entry] = AuditEntry.objects.for_municipality(case.municipality).filter(event="operations.task.retried_transient")
    assert entry.payload == {"task": str(document_task.pk), "name": "document_issue_task", "queue": "documents",
                             "error": "StorageUnavailable", "attempts": 1}  # fmt: skip


def test_a_database_outage_is_transient_too(document_task):
    failed(document_task, error="django.db.utils.OperationalError", attempts=1, minutes_ago=2)

    assert tasks_retry_transient() == 1


def test_a_task_waits_longer_after_each_attempt_before_it_is_tried_again(document_task):
    failed(document_task, error=STORAGE_UNAVAILABLE, attempts=3, minutes_ago=3)  # waits 4 minutes after the third

    assert tasks_retry_transient() == 0
    assert tasks_retry_transient(now=timezone.now() + timedelta(minutes=1, seconds=5)) == 1
    assert [retry_wait(n) for n in (1, 2, 3, 7, 12)] == [timedelta(minutes=m) for m in (1, 2, 4, 60, 60)]


def test_a_task_that_failed_on_its_own_error_stays_failed_for_the_operator(document_task):
    failed(document_task, error="builtins.ValueError", attempts=1, minutes_ago=30)

    assert tasks_retry_transient() == 0
    document_task.refresh_from_db()
    assert document_task.status == TaskResultStatus.FAILED


def test_after_the_last_attempt_a_transient_failure_stays_failed_for_the_operator(document_task, settings):
    settings.MADOGUCHI_TASK_TRANSIENT_ATTEMPTS = 4
    failed(document_task, error=STORAGE_UNAVAILABLE, attempts=4, minutes_ago=120)

    assert tasks_retry_transient() == 0
