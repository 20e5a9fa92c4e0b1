"""Operations' writes: the operator's retry of a failed task, and the workers' heartbeats."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from madoguchi.audit.services import audit_log
from madoguchi.core.errors import Conflict
from madoguchi.operations.models import WorkerHeartbeat
from madoguchi.operations.taskinfo import task_municipality, task_short_name

logger = logging.getLogger("madoguchi.operations")


class TaskNotRetryable(Conflict):
    """Only a failed task can be retried (a running one may still be at work)."""

    code = "task_not_retryable"
    message = _("Only a failed task can be retried.")

    def __init__(self, detail: str = ""):
        super().__init__()
        self.detail = detail


def task_retry(*, task_id: str, actor: str) -> DBTaskResult:
    """Put the failed task ``task_id`` back in its queue with a fresh count of attempts.

    The operator does this once the cause is fixed (a signing key, a timestamp server, a
    bug). Audited as ``operations.task.retried`` in the chain of the municipality the task
    works for, with the error it had. Raise DBTaskResult.DoesNotExist or TaskNotRetryable.
    """
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().get(pk=task_id)
        if result.status != TaskResultStatus.FAILED:
            raise TaskNotRetryable(f"task {task_id} is {result.status}, not failed")
        previous = {"error": result.exception_class_path.rsplit(".", 1)[-1], "attempts": len(result.worker_ids or [])}
        DBTaskResult.objects.filter(pk=result.pk).update(
            status=TaskResultStatus.READY,
            started_at=None,
            finished_at=None,
            worker_ids=[],
            exception_class_path="",
            traceback="",
        )
        municipality = task_municipality(result)
        if municipality is not None:
            audit_log(
                municipality=municipality,
                event="operations.task.retried",
                actor=actor,
                object_type="task",
                object_id=str(result.pk),
                payload={"task": str(result.pk), "name": task_short_name(result), "queue": result.queue_name, **previous},
            )
    logger.info("Task %s (%s) retried by %s", result.pk, task_short_name(result), actor)
    result.refresh_from_db()
    return result


def worker_heartbeat(*, worker_id: str, queues: list[str], hostname: str, pid: int, now: datetime | None = None) -> None:
    """Record that the worker ``worker_id`` is alive now."""
    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "queues": ",".join(queues)[:200],
                "hostname": hostname[:255],
                "pid": pid,
                "started_at": now,
                "last_seen_at": now,
            },
        )


def worker_heartbeat_remove(*, worker_id: str) -> None:
    """Forget a worker that stopped cleanly (its tasks ended with it)."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
