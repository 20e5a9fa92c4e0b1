"""Tasks that failed only because the disk or the database was away are tried again.

A decision's document task that meets a full disk (``StorageUnavailable``) or a database that
restarts or fails over (``OperationalError``, ``InterfaceError``) raises, and django-tasks
records it FAILED for good. Nothing is wrong with the task: it succeeds as soon as the storage
or the database is back. Left to the operator's Retry button, every disk incident would leave
residents without the 決定通知書 their decision promised (``make reliability`` found 28 such
cases after a 15-second full disk).

:func:`tasks_retry_transient` (in the ``tasks-recover`` job, every minute) puts such a task back
in its queue once it has waited ``2 ** (attempts - 1)`` minutes (1, 2, 4 … at most 60) since it
failed. Its attempts are the takes recorded on the row (``worker_ids``, as recovery counts
them); after ``MADOGUCHI_TASK_TRANSIENT_ATTEMPTS`` (10: about four hours of outage) it stays
FAILED for the operator. Any other error stays FAILED at once: it would fail again. Tasks are
safe to run twice (docs/operations/jobs.md). Each retry is audited as
``operations.task.retried_transient`` in the task's municipality's chain.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from madoguchi.audit.services import audit_log
from madoguchi.operations.taskinfo import task_municipality, task_short_name

logger = logging.getLogger("madoguchi.operations.transient")

ACTOR = "system:operations"
# Errors that say "something the task needs is away", not "the task is wrong".
TRANSIENT_ERRORS = frozenset(
    {
        "madoguchi.storage.errors.StorageUnavailable",
        "madoguchi.observability.unavailable.ServiceUnavailable",
        "django.db.utils.OperationalError",
        "django.db.utils.InterfaceError",
    }
)
MAX_WAIT = timedelta(minutes=60)


def transient_attempts() -> int:
    return max(1, int(getattr(settings, "MADOGUCHI_TASK_TRANSIENT_ATTEMPTS", 10)))


def retry_wait(attempts: int) -> timedelta:
    """How long a task that failed on its ``attempts``-th take waits before it is tried again."""
    return min(MAX_WAIT, timedelta(minutes=2 ** max(0, attempts - 1)))


def tasks_retry_transient(*, now: datetime | None = None) -> int:
    """Put tasks that failed on a transient error back in their queue when their wait is over; return how many."""
    now = now or timezone.now()
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED, exception_class_path__in=TRANSIENT_ERRORS)
    retried = 0
    for result in failed:
        attempts = len(result.worker_ids or [])
        if attempts >= transient_attempts() or result.finished_at is None or result.finished_at > now - retry_wait(attempts):
            continue
        retried += _retry(result, attempts=attempts)
    if retried:
        logger.warning("Retried %s task(s) that failed on a transient error", retried)
    return retried


def _retry(result: DBTaskResult, *, attempts: int) -> int:
    with transaction.atomic():
        # Only if nothing changed since it was read (an operator's Retry wins).
        changed = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.FAILED, finished_at=result.finished_at
        ).update(status=TaskResultStatus.READY, started_at=None, finished_at=None, exception_class_path="", traceback="")
        if not changed:
            return 0
        municipality = task_municipality(result)
        if municipality is not None:
            audit_log(
                municipality=municipality,
                event="operations.task.retried_transient",
                actor=ACTOR,
                object_type="task",
                object_id=str(result.pk),
                payload={
                    "task": str(result.pk),
                    "name": task_short_name(result),
                    "queue": result.queue_name,
                    "error": result.exception_class_path.rsplit(".", 1)[-1],
                    "attempts": attempts,
                },
            )
    logger.warning("operations.task.retried_transient: task %s (%s) after %s attempt(s), error %s",
                   result.pk, task_short_name(result), attempts, result.exception_class_path)  # fmt: skip
    return 1
