"""Operations' reads: the health of the recurring jobs and of the task queues, and the lists
the operator's page shows.

:func:`recurring_jobs_health` and :func:`task_queue_health` are the health signals (for
``/health/ready`` and metrics): a handful of indexed queries each, safe to call often.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from madoguchi.operations.jobs import recurring_jobs
from madoguchi.operations.models import JobRun, ScheduledJob
from madoguchi.operations.recovery import attempts_of, live_workers, overdue_running, queue_timeout
from madoguchi.operations.taskinfo import task_municipality, task_short_name


@dataclass(frozen=True)
class JobHealth:
    name: str
    schedule: str
    window_seconds: float
    last_success_at: datetime | None
    last_started_at: datetime | None
    last_outcome: str  # "ok", "failed" or "" (never finished)
    running: bool
    overdue: bool


@dataclass(frozen=True)
class RecurringJobsHealth:
    jobs: list[JobHealth]
    overdue: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.overdue

    def as_dict(self) -> dict:
        return {"ok": self.ok, "overdue": self.overdue, "jobs": [asdict(job) for job in self.jobs]}


@dataclass(frozen=True)
class QueueHealth:
    queue: str
    ready: int  # waiting and due now: the backlog
    oldest_ready_seconds: float | None  # how long the oldest of them has waited
    running: int
    stuck: int  # running longer than the queue's timeout
    failed: int  # failed and not retried (given up after the last attempt, or raised)


@dataclass(frozen=True)
class TaskQueueHealth:
    queues: list[QueueHealth]

    @property
    def ok(self) -> bool:
        return not any(q.stuck or q.failed for q in self.queues)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "queues": [asdict(queue) for queue in self.queues]}


def recurring_jobs_health(*, now: datetime | None = None) -> RecurringJobsHealth:
    """Return each recurring job's last success and whether it is overdue (one query).

    A job is overdue when it has not succeeded within its window — counted from its last
    success, or from when the scheduler first saw it. A job the scheduler has never seen
    (the scheduler was never started) is overdue at once; a job switched ``off`` never is.
    """
    now = now or timezone.now()
    rows = {row.name: row for row in ScheduledJob.objects.all()}
    jobs, overdue = [], []
    for job in recurring_jobs():
        row = rows.get(job.name)
        since = row and (row.last_success_at or row.created_at)
        late = job.schedule.enabled and (since is None or now - since > job.window)
        running = bool(row and row.lease_owner and row.lease_expires_at and row.lease_expires_at > now)
        jobs.append(
            JobHealth(
                name=job.name,
                schedule=job.schedule.text,
                window_seconds=job.window.total_seconds(),
                last_success_at=row.last_success_at if row else None,
                last_started_at=row.last_started_at if row else None,
                last_outcome=row.last_outcome if row else "",
                running=running,
                overdue=bool(late),
            )
        )
        if late:
            overdue.append(job.name)
    return RecurringJobsHealth(jobs=jobs, overdue=overdue)


def task_queues() -> list[str]:
    return list(settings.TASKS.get("default", {}).get("QUEUES", ["default"]))


def task_queue_health(*, now: datetime | None = None) -> TaskQueueHealth:
    """Return per queue: backlog, age of the oldest waiting task, running, stuck and failed counts."""
    now = now or timezone.now()
    due = Q(status=TaskResultStatus.READY) & (Q(run_after=get_date_max()) | Q(run_after__lte=now))
    counts = {
        row["queue_name"]: row
        for row in DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING, TaskResultStatus.FAILED]
        )
        .values("queue_name")
        .annotate(
            ready=Count("pk", filter=due),
            oldest=Min("enqueued_at", filter=due),
            running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
            failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        )
    }
    queues = []
    for name in sorted(set(task_queues()) | set(counts)):
        row = counts.get(name, {})
        # Each queue has its own timeout; only a queue with running tasks costs this query.
        stuck = row.get("running", 0) and DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, queue_name=name, started_at__lt=now - queue_timeout(name)
        ).count()
        queues.append(
            QueueHealth(
                queue=name,
                ready=row.get("ready", 0),
                oldest_ready_seconds=(now - row["oldest"]).total_seconds() if row.get("oldest") else None,
                running=row.get("running", 0),
                stuck=stuck,
                failed=row.get("failed", 0),
            )
        )
    return TaskQueueHealth(queues=queues)


@dataclass(frozen=True)
class TaskRow:
    """A failed or stuck task as the operator's page shows it."""

    id: str
    name: str
    queue: str
    municipality: str
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    error: str
    worker_alive: bool = False


def _error_line(result: DBTaskResult) -> str:
    lines = [line for line in (result.traceback or "").strip().splitlines() if line.strip()]
    text = lines[-1].strip() if lines else result.exception_class_path
    return text if len(text) <= 300 else text[:299] + "…"


def _row(result: DBTaskResult, **extra) -> TaskRow:
    municipality = task_municipality(result)
    return TaskRow(
        id=str(result.pk),
        name=task_short_name(result),
        queue=result.queue_name,
        municipality=f"{municipality.code} {municipality.name}" if municipality else "",
        attempts=attempts_of(result),
        started_at=result.started_at,
        finished_at=result.finished_at,
        error=_error_line(result) if result.status == TaskResultStatus.FAILED else "",
        **extra,
    )


def failed_tasks(*, limit: int = 50) -> list[TaskRow]:
    """Return the latest failed tasks, newest first."""
    results = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")[:limit]
    return [_row(result) for result in results]


def stuck_tasks(*, now: datetime | None = None) -> list[TaskRow]:
    """Return the tasks running longer than their queue's timeout, saying whether their worker still beats."""
    now = now or timezone.now()
    running = overdue_running(now=now)
    alive = live_workers({r.worker_ids[-1] for r in running if r.worker_ids}, now=now)
    return [_row(r, worker_alive=bool(r.worker_ids) and r.worker_ids[-1] in alive) for r in running]


def job_runs_recent(*, job: str | None = None, limit: int = 20) -> list[JobRun]:
    runs = JobRun.objects.all()
    if job:
        runs = runs.filter(job=job)
    return list(runs[:limit])
