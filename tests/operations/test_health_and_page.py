"""Overdue recurring jobs (operations.selectors), the documents job run twice, and the
platform operator's page in the admin with its Retry button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.backoffice.casework import complete_route, log_in_verified, pay_fee, staff, submit_inkan
from tests.operations.conftest import Counter, make_job

from madoguchi.audit.models import AuditEntry
from madoguchi.cases import workflow
from madoguchi.operations.models import JobRun, RunOutcome, ScheduledJob
from madoguchi.operations.scheduler import Scheduler
from madoguchi.operations.selectors import recurring_jobs_health
from madoguchi.signatures.documents.tasks import document_issue_task
from madoguchi.signatures.models import DocumentKind, IssuedDocument

pytestmark = pytest.mark.django_db
PAGE = "/admin/operations/scheduledjob/"


def test_every_job_is_overdue_while_no_scheduler_has_ever_run():
    health = recurring_jobs_health()
    assert not health.ok
    assert set(health.overdue) >= {"notifications-send", "drafts-purge", "clearsessions", "audit-checkpoint",
                                   "signatures-verify", "crl-refresh", "records-dispose"}  # fmt: skip


def test_a_job_is_overdue_once_it_has_not_succeeded_within_its_window(clock, settings):
    settings.MADOGUCHI_SCHEDULES = {"notifications-send": "every 1m"}
    broken = Counter(RuntimeError("down"))
    s = Scheduler(jobs=[make_job("notifications-send", Counter(), "every 1m", "10m")], clock=clock)
    s.ensure_rows()
    s.run_due()
    s.jobs["notifications-send"] = make_job("notifications-send", broken, "every 1m", "10m")
    for _ in range(10):
        clock.advance(minutes=1)
        s.run_due()

    def overdue(now):
        return "notifications-send" in recurring_jobs_health(now=now).overdue

    assert broken.runs == 10
    assert not overdue(clock.now)  # failing for exactly ten minutes
    assert overdue(clock.now + timedelta(seconds=1))


def test_a_job_switched_off_is_never_overdue(settings):
    settings.MADOGUCHI_SCHEDULES = {"records-dispose": "off"}
    assert "records-dispose" not in recurring_jobs_health().overdue


def test_scheduler_once_runs_the_seven_jobs_and_records_each(aoba, signatures_configured):
    call_command("scheduler", "--once")

    outcomes = dict(JobRun.objects.values_list("job", "outcome"))
    assert outcomes == {name: RunOutcome.OK for name in [
        "notifications-send", "tasks-recover", "crl-refresh", "audit-checkpoint", "records-dispose",
        "drafts-purge", "clearsessions", "inquiry-emails-expire", "signatures-verify", "operations-prune",
        "payments-reconcile"]}  # fmt: skip
    assert recurring_jobs_health().ok


def test_a_decision_document_job_run_twice_issues_one_document(aoba, version_of, now, documents_configured,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    case = submit_inkan(aoba, version_of, now=now)
    case = workflow.case_start_review(staff=staff("aoba-clerk"), case=case, now=now)
    complete_route(case, now=now)
    pay_fee(case, now=now)  # a certificate is issued only once its fee is paid
    with django_capture_on_commit_callbacks(execute=True):
        workflow.case_decide(staff=staff("aoba-approver"), case=case, approve=True, reason="", now=now)

    again = document_issue_task.call(case.pk, DocumentKind.APPROVED, "staff:aoba-approver")

    [document] = IssuedDocument.objects.for_municipality(aoba).filter(case_id=case.pk)
    assert again == document.pk


# -- the operator's page ---------------------------------------------------------------------


@pytest.fixture
def failed_task(aoba, version_of, now, database_tasks):
    case = submit_inkan(aoba, version_of, now=now)
    result = DBTaskResult.objects.get(pk=document_issue_task.enqueue(case.pk, DocumentKind.APPROVED, "staff:x").id)
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.FAILED,
        worker_ids=["w1", "w2", "w3"],
        started_at=timezone.now(),
        finished_at=timezone.now(),
        exception_class_path="pyhanko.sign.timestamps.TimestampRequestError",
        traceback="Traceback...\npyhanko.sign.timestamps.TimestampRequestError: timestamp server unreachable",
    )
    return result


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser("operator", "operator@example.jp", "operator-password-1")
    log_in_verified(client, user)  # /admin/ needs the second factor
    return client


def test_the_operator_sees_jobs_queues_and_failed_tasks_with_their_error(operator, failed_task):
    ScheduledJob.objects.create(name="drafts-purge", created_at=timezone.now(), last_success_at=timezone.now())

    page = operator.get(PAGE, HTTP_ACCEPT_LANGUAGE="ja")

    text = page.content.decode()
    assert page.status_code == 200
    assert "下書きの削除" in text and "期限超過" in text  # job label, overdue
    assert str(failed_task.pk) in text and "timestamp server unreachable" in text
    assert "再実行" in text


def test_retry_puts_a_failed_task_back_in_its_queue_and_is_audited(operator, failed_task, aoba):
    response = operator.post(f"{PAGE}retry/{failed_task.pk}/")

    assert response.status_code == 302
    failed_task.refresh_from_db()
    assert (failed_task.status, failed_task.worker_ids) == (TaskResultStatus.READY, [])
    [entry] = AuditEntry.objects.for_municipality(aoba).filter(event="operations.task.retried")
    assert entry.actor == "platform:operator"
    assert entry.payload["error"] == "TimestampRequestError" and entry.payload["attempts"] == 3


def test_retry_refuses_get_and_a_task_that_is_not_failed(operator, failed_task):
    assert operator.get(f"{PAGE}retry/{failed_task.pk}/").status_code == 405
    DBTaskResult.objects.filter(pk=failed_task.pk).update(status=TaskResultStatus.RUNNING)

    response = operator.post(f"{PAGE}retry/{failed_task.pk}/", follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "Only a failed task can be retried" in response.content.decode()
    failed_task.refresh_from_db()
    assert failed_task.status == TaskResultStatus.RUNNING


def test_retry_of_an_unknown_task_is_not_found(operator):
    assert operator.post(f"{PAGE}retry/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_an_admin_user_without_the_retry_permission_sees_the_page_without_retrying(client, failed_task):
    user = get_user_model().objects.create_user("viewer", password="viewer-password-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_scheduledjob"))
    log_in_verified(client, user)

    assert "Retry" not in client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert client.post(f"{PAGE}retry/{failed_task.pk}/").status_code == 403
    failed_task.refresh_from_db()
    assert failed_task.status == TaskResultStatus.FAILED


def test_municipality_staff_cannot_reach_the_operations_page(client, aoba):
    client.force_login(get_user_model().objects.get(username="aoba-admin"))
    response = client.get(PAGE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_readiness_reports_overdue_recurring_jobs_without_failing_the_instance(db, client):
    """Wired in OperationsConfig.ready(): a scheduler that never ran shows as degraded, not unready."""
    response = client.get("/health/ready", REMOTE_ADDR="127.0.0.1")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["operations.recurring_jobs"]["critical"] is False
    assert body["checks"]["operations.recurring_jobs"]["state"] != "ok"
    assert body["checks"]["operations.task_queue"]["state"] == "ok"
