"""Recovery of tasks left RUNNING by a dead worker (operations.recovery), and the queue health
signals. The worker's death is staged here by writing the row as a worker leaves it; the real
kill -9 of a real worker is in test_worker_crash.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.backoffice.casework import submit_inkan

from madoguchi.assistant.tasks import faq_embeddings_task
from madoguchi.audit.models import AuditEntry
from madoguchi.operations.recovery import WORKER_LOST, tasks_recover
from madoguchi.operations.selectors import failed_tasks, stuck_tasks, task_queue_health
from madoguchi.operations.services import worker_heartbeat
from madoguchi.signatures.documents.tasks import document_issue_task
from madoguchi.signatures.models import DocumentKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(aoba, version_of, now):
    return submit_inkan(aoba, version_of, now=now)


@pytest.fixture
def document_task(case, database_tasks):
    return DBTaskResult.objects.get(pk=document_issue_task.enqueue(case.pk, DocumentKind.APPROVED, "staff:x").id)


def left_running(result: DBTaskResult, *, workers: list[str], minutes_ago: float) -> DBTaskResult:
    """The row as a worker leaves it when it dies mid-task: RUNNING, its id appended."""
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=workers,
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
    )
    return DBTaskResult.objects.get(pk=result.pk)


def events(municipality, name):
    return list(AuditEntry.objects.for_municipality(municipality).filter(event=name))


def test_a_task_of_a_dead_worker_is_put_back_in_its_queue_after_the_timeout(document_task, case):
    left_running(document_task, workers=["dead"], minutes_ago=11)

    report = tasks_recover()

    document_task.refresh_from_db()
    assert (report.requeued, document_task.status) == (1, TaskResultStatus.READY)
    assert document_task.worker_ids == ["dead"]  # the attempt count survives the requeue
    [entry] = events(case.municipality, "operations.task.requeued")
    assert entry.payload == {"task": str(document_task.pk), "name": "document_issue_task", "queue": "documents", "attempts": 1}


def test_a_task_within_its_timeout_is_left_to_its_worker(document_task):
    left_running(document_task, workers=["slow"], minutes_ago=9)

    assert tasks_recover().requeued == 0
    document_task.refresh_from_db()
    assert document_task.status == TaskResultStatus.RUNNING


def test_a_task_whose_worker_still_beats_is_never_retaken_however_long_it_runs(document_task):
    left_running(document_task, workers=["busy"], minutes_ago=120)
    worker_heartbeat(worker_id="busy", queues=["documents"], hostname="h", pid=1)

    report = tasks_recover()

    document_task.refresh_from_db()
    assert (report.kept_alive, document_task.status) == (1, TaskResultStatus.RUNNING)
    [stuck] = stuck_tasks()
    assert stuck.worker_alive and stuck.municipality.startswith("082015")
    assert {q.queue: q.stuck for q in task_queue_health().queues}["documents"] == 1


def test_a_worker_silent_for_a_minute_counts_as_dead(document_task):
    left_running(document_task, workers=["gone"], minutes_ago=30)
    worker_heartbeat(worker_id="gone", queues=["documents"], hostname="h", pid=1, now=timezone.now() - timedelta(minutes=2))

    assert tasks_recover().requeued == 1


def test_after_its_last_attempt_a_task_is_failed_and_kept_with_its_error(document_task, case, settings):
    settings.MADOGUCHI_TASK_MAX_ATTEMPTS = 3
    left_running(document_task, workers=["w1", "w2", "w3"], minutes_ago=11)

    report = tasks_recover()

    document_task.refresh_from_db()
    assert (report.gave_up, document_task.status) == (1, TaskResultStatus.FAILED)
    assert document_task.exception_class_path == WORKER_LOST
    [row] = failed_tasks()
    assert (row.id, row.attempts) == (str(document_task.pk), 3)
    assert "stopped during attempt 3 of 3" in row.error
    assert events(case.municipality, "operations.task.gave_up")[0].payload["attempts"] == 3
    assert {q.queue: q.failed for q in task_queue_health().queues}["documents"] == 1


def test_each_queue_has_its_own_timeout(aoba, document_task, settings):
    settings.MADOGUCHI_TASK_TIMEOUTS = {"documents": timedelta(minutes=10), "default": timedelta(minutes=60)}
    embeddings = DBTaskResult.objects.get(pk=faq_embeddings_task.enqueue(aoba.pk).id)
    left_running(document_task, workers=["dead-1"], minutes_ago=30)
    left_running(embeddings, workers=["dead-2"], minutes_ago=30)

    assert tasks_recover().requeued == 1

    document_task.refresh_from_db()
    embeddings.refresh_from_db()
    assert (document_task.status, embeddings.status) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)


def test_queue_health_counts_the_backlog_and_its_age(aoba, case, database_tasks):
    for _ in range(3):
        document_issue_task.enqueue(case.pk, DocumentKind.APPROVED, "staff:x")
    later = timezone.now() + timedelta(minutes=5)

    queues = {q.queue: q for q in task_queue_health(now=later).queues}

    assert (queues["documents"].ready, queues["default"].ready) == (3, 0)
    assert queues["documents"].oldest_ready_seconds >= 300
    assert queues["default"].oldest_ready_seconds is None
    assert task_queue_health(now=later).ok


def test_queue_health_costs_a_fixed_number_of_queries(case, database_tasks, django_assert_max_num_queries):
    for _ in range(5):
        document_issue_task.enqueue(case.pk, DocumentKind.APPROVED, "staff:x")
    with django_assert_max_num_queries(3):
        task_queue_health()
