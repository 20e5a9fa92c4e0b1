"""Recovery of tasks left RUNNING by a worker that died.

django-tasks' database worker marks a task RUNNING when it takes it and SUCCESSFUL or FAILED
when it ends; it only ever takes READY tasks. A worker killed in between (kill -9, out of
memory, a power cut) leaves the task RUNNING for good — and a resident without the
決定通知書 a decision promised them.

:func:`tasks_recover` (every minute in ``madoguchi scheduler``, and once when a worker
starts) retakes such a task when both hold:

* it has been RUNNING longer than its queue's timeout (``MADOGUCHI_TASK_TIMEOUTS``), and
* the worker that took it is not alive: its heartbeat (:class:`WorkerHeartbeat`, written by
  ``madoguchi db_worker`` every few seconds) is older than ``WORKER_STALE``, or it has none.

A live worker keeps its task however long it takes; such a task counts as *stuck* in the
health signals so that a person looks at it. Each take of a task appends the worker's id to
the row's ``worker_ids``, which is therefore the task's attempt count. A retaken task goes
back to READY while it has had fewer than ``MADOGUCHI_TASK_MAX_ATTEMPTS`` attempts, and
otherwise becomes FAILED with a ``WorkerLost`` error, kept for the operator to retry.
Both are written to the municipality's audit chain. Tasks must therefore be safe to run
twice (docs/operations/jobs.md says how each one is).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from madoguchi.audit.services import audit_log
from madoguchi.operations.models import WorkerHeartbeat
from madoguchi.operations.taskinfo import task_municipality, task_short_name

logger = logging.getLogger("madoguchi.operations.recovery")

ACTOR = "system:operations"
# A worker beats every HEARTBEAT_INTERVAL; one silent for WORKER_STALE is taken for dead.
HEARTBEAT_INTERVAL = timedelta(seconds=10)
WORKER_STALE = timedelta(seconds=60)
DEFAULT_TIMEOUT = timedelta(minutes=60)
WORKER_LOST = "madoguchi.operations.recovery.WorkerLost"


class WorkerLost(Exception):
    """The worker running a task stopped (the class path of tasks given up after their last attempt)."""


@dataclass(frozen=True)
class RecoveryReport:
    requeued: int = 0
    gave_up: int = 0
    kept_alive: int = 0  # past the timeout, but their worker still beats


def queue_timeout(queue: str) -> timedelta:
    timeouts = getattr(settings, "MADOGUCHI_TASK_TIMEOUTS", {})
    return timeouts.get(queue, timeouts.get("default", DEFAULT_TIMEOUT))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "MADOGUCHI_TASK_MAX_ATTEMPTS", 3)))


def attempts_of(result: DBTaskResult) -> int:
    return len(result.worker_ids or [])


def overdue_running(*, now: datetime, queues: list[str] | None = None):
    """Return RUNNING tasks past their queue's timeout (the candidates for recovery, and 'stuck')."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    if queues is not None:
        running = running.filter(queue_name__in=queues)
    names = queues if queues is not None else running.values_list("queue_name", flat=True).distinct()
    found = []
    for queue in sorted(set(names)):
        found += running.filter(queue_name=queue, started_at__lt=now - queue_timeout(queue))
    return found


def live_workers(worker_ids: set[str], *, now: datetime) -> set[str]:
    return set(
        WorkerHeartbeat.objects.filter(worker_id__in=worker_ids, last_seen_at__gte=now - WORKER_STALE).values_list(
            "worker_id", flat=True
        )
    )


def tasks_recover(*, now: datetime | None = None, queues: list[str] | None = None) -> RecoveryReport:
    """Retake the tasks of dead workers (see the module docstring); return what was done."""
    now = now or timezone.now()
    candidates = overdue_running(now=now, queues=queues)
    alive = live_workers({r.worker_ids[-1] for r in candidates if r.worker_ids}, now=now)
    requeued = gave_up = kept = 0
    for result in candidates:
        if result.worker_ids and result.worker_ids[-1] in alive:
            kept += 1
            continue
        if _retake(result, now=now):
            if attempts_of(result) >= max_attempts():
                gave_up += 1
            else:
                requeued += 1
    if requeued or gave_up:
        logger.warning("Task recovery: requeued %s, gave up on %s", requeued, gave_up)
    return RecoveryReport(requeued=requeued, gave_up=gave_up, kept_alive=kept)


def _retake(result: DBTaskResult, *, now: datetime) -> bool:
    attempts = attempts_of(result)
    worker = result.worker_ids[-1] if result.worker_ids else ""
    municipality = task_municipality(result)
    with transaction.atomic():
        # Only if nothing changed since it was read: a worker that finished meanwhile wins.
        unchanged = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        if attempts >= max_attempts():
            changed = unchanged.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=WORKER_LOST,
                traceback=(
                    f"{WORKER_LOST}: worker {worker or '(unknown)'} stopped during attempt {attempts} "
                    f"of {max_attempts()}; not retried again. Retry it once the cause is fixed."
                ),
            )
            event = "operations.task.gave_up"
        else:
            changed = unchanged.update(status=TaskResultStatus.READY, started_at=None)
            event = "operations.task.requeued"
        if not changed:
            return False
        payload = {"task": str(result.pk), "name": task_short_name(result), "queue": result.queue_name}
        if municipality is not None:
            audit_log(
                municipality=municipality,
                event=event,
                actor=ACTOR,
                object_type="task",
                object_id=str(result.pk),
                payload={**payload, "attempts": attempts},
            )
    log = logger.error if event.endswith("gave_up") else logger.warning
    log("%s: task %s (%s, queue %s) after attempt %s by worker %s", event, result.pk, payload["name"],
        result.queue_name, attempts, worker or "(unknown)")  # fmt: skip
    return True
