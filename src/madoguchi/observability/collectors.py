"""Numbers read at scrape time: the job queues, the readiness checks, free disk space.

The job queues are django-tasks-db's table (a library's, not a domain app's): per queue, how
many jobs wait and since when the oldest could have run (backlog), and how many run and since
when the oldest started (a job far older than any job takes is stuck: its worker died).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Case, Count, F, Min, When
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from madoguchi.observability import checks, health

STATE_VALUES = {"ok": 0, "warn": 1, "fail": 2}


def _queue_names() -> list[str]:
    names: list[str] = []
    for backend in getattr(settings, "TASKS", {}).values():
        for name in backend.get("QUEUES") or ["default"]:
            if name not in names:
                names.append(name)
    return names


def task_queue_metrics() -> Iterable[Metric]:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    queued = {name: (0, None) for name in _queue_names()}
    running = {name: (0, None) for name in _queue_names()}
    # When a waiting job became runnable: when enqueued, or at its run_after if it was scheduled.
    runnable_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    for row in (
        DBTaskResult.objects.ready().values("queue_name").annotate(n=Count("id"), oldest=Min(runnable_since))
    ):
        queued[row["queue_name"]] = (row["n"], row["oldest"])
    for row in (
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        .values("queue_name")
        .annotate(n=Count("id"), oldest=Min("started_at"))
    ):
        running[row["queue_name"]] = (row["n"], row["oldest"])
    failed = dict(
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        .values("queue_name")
        .annotate(n=Count("id"))
        .values_list("queue_name", "n")
    )

    def age(since) -> float:
        return max(0.0, (now - since).total_seconds()) if since else 0.0

    depth = GaugeMetricFamily("madoguchi_task_queue_depth", "Jobs waiting to run, per queue.", labels=["queue"])
    backlog = GaugeMetricFamily(
        "madoguchi_task_queue_oldest_age_seconds",
        "How long the oldest waiting job has been runnable, per queue (0 when none waits).",
        labels=["queue"],
    )
    active = GaugeMetricFamily("madoguchi_task_running", "Jobs running now, per queue.", labels=["queue"])
    stuck = GaugeMetricFamily(
        "madoguchi_task_running_oldest_age_seconds",
        "How long the oldest running job has run, per queue (0 when none runs).",
        labels=["queue"],
    )
    failures = GaugeMetricFamily("madoguchi_task_failed", "Failed jobs kept in the queue table, per queue.", labels=["queue"])
    for name, (count, oldest) in queued.items():
        depth.add_metric([name], count)
        backlog.add_metric([name], age(oldest))
    for name, (count, oldest) in running.items():
        active.add_metric([name], count)
        stuck.add_metric([name], age(oldest))
    for name in queued:
        failures.add_metric([name], failed.get(name, 0))
    return [depth, backlog, active, stuck, failures]


def health_metrics() -> Iterable[Metric]:
    result = health.readiness()
    status = GaugeMetricFamily(
        "madoguchi_health_check_status", "Readiness check state: 0 ok, 1 warn, 2 fail.", labels=["check", "critical"]
    )
    for outcome in result.outcomes:
        status.add_metric([outcome.name, str(outcome.critical).lower()], STATE_VALUES[outcome.result.state])
    ready = GaugeMetricFamily("madoguchi_ready", "1 if /health/ready answers 200 (no critical check fails).")
    ready.add_metric([], 1 if result.ready else 0)
    return [status, ready]


def disk_metrics() -> Iterable[Metric]:
    free = GaugeMetricFamily("madoguchi_media_free_bytes", "Free bytes on the file system of MEDIA_ROOT.")
    free.add_metric([], checks.media_free_bytes())
    return [free]
