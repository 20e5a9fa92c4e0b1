"""Prometheus metrics, served at ``/metrics``.

Two kinds of numbers:

* **Counted as things happen** (request latency, submissions, each worker's memory): kept by
  ``prometheus_client``. gunicorn runs several worker processes, and a scrape reaches one of
  them: with ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts), every process writes
  its values to files there and a scrape adds them up (``MultiProcessCollector``). Empty the
  directory when the server starts and call :func:`mark_worker_dead` when a worker exits
  (:mod:`madoguchi.observability.gunicorn` does both).
* **Read when scraped** (job queue depth and age, e-mail outbox, CRL and key dates, health
  checks): computed from the database or files by the collectors registered with
  :func:`register_collector`, in the process that answers the scrape. A collector that fails
  (the database is down) is skipped and reported by ``madoguchi_metrics_collector_up``, so the
  scrape itself still answers.

Labels are bounded: a route is the URL pattern's name (never the raw path), methods outside a
fixed set are ``other``, statuses are classes (``2xx`` …).
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

logger = logging.getLogger("madoguchi.metrics")

# The process's own metrics live here rather than in prometheus_client's global registry, so
# a scrape decides what to include (one process, or every process through the files).
METRICS = CollectorRegistry(auto_describe=True)

REQUEST_DURATION = Histogram(
    "madoguchi_http_request_duration_seconds",
    "Time to answer a request, by route name, method and status class.",
    ["route", "method", "status_class"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=METRICS,
)
SUBMISSIONS = Counter(
    "madoguchi_submissions",
    "Application submissions by channel and outcome (accepted, replayed, refused, unavailable).",
    ["channel", "outcome"],
    registry=METRICS,
)
# Each worker's own process figures; in multi-process mode one series per live worker (pid).
WORKER_RESIDENT_MEMORY = Gauge(
    "madoguchi_worker_resident_memory_bytes", "Resident memory of an app process.", registry=METRICS,
    multiprocess_mode="liveall",
)  # fmt: skip
WORKER_CPU_SECONDS = Gauge(
    "madoguchi_worker_cpu_seconds", "CPU time used by an app process so far.", registry=METRICS,
    multiprocess_mode="liveall",
)  # fmt: skip
WORKER_OPEN_FDS = Gauge(
    "madoguchi_worker_open_fds", "Open file descriptors of an app process.", registry=METRICS,
    multiprocess_mode="liveall",
)  # fmt: skip
WORKER_START_TIME = Gauge(
    "madoguchi_worker_start_time_seconds", "When an app process started (Unix time).", registry=METRICS,
    multiprocess_mode="liveall",
)  # fmt: skip

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
WORKER_SAMPLE_SECONDS = 10.0


def multiprocess_directory() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "other"
    REQUEST_DURATION.labels(route, method, f"{status // 100}xx").observe(seconds)
    _sample_worker()


def record_submission(*, channel: str, outcome: str) -> None:
    SUBMISSIONS.labels(str(channel)[:20], outcome).inc()


def submission_counted(submit: Callable) -> Callable:
    """Wrap ``cases.services.case_submit`` so that each call is counted by channel and outcome.

    A door calls ``submission_counted(case_submit)(…same keyword arguments…)``. Outcomes:
    ``accepted`` (a new case), ``replayed`` (an idempotent repeat), ``unavailable`` (the
    database could not serve) and ``refused`` (anything else it raised: invalid answers, a
    reused key, a refused signature).
    """
    from madoguchi.observability.unavailable import is_service_unavailable

    @functools.wraps(submit)
    def counted(**kwargs):
        channel = kwargs.get("channel", "unknown")
        try:
            result = submit(**kwargs)
        except Exception as exc:
            record_submission(channel=channel, outcome="unavailable" if is_service_unavailable(exc) else "refused")
            raise
        record_submission(channel=channel, outcome="replayed" if getattr(result, "replayed", False) else "accepted")
        return result

    return counted


_last_worker_sample = 0.0


def _sample_worker() -> None:
    """Refresh this process's memory/CPU/fd gauges, at most every WORKER_SAMPLE_SECONDS."""
    global _last_worker_sample
    now = time.monotonic()
    if now - _last_worker_sample < WORKER_SAMPLE_SECONDS and _last_worker_sample:
        return
    _last_worker_sample = now
    sample_worker_process()


def sample_worker_process() -> None:
    from prometheus_client import ProcessCollector

    gauges = {
        "process_resident_memory_bytes": WORKER_RESIDENT_MEMORY,
        "process_cpu_seconds": WORKER_CPU_SECONDS,
        "process_open_fds": WORKER_OPEN_FDS,
        "process_start_time_seconds": WORKER_START_TIME,
    }
    for family in ProcessCollector(registry=None).collect():  # reads /proc/self; nothing elsewhere
        for sample in family.samples:
            gauge = gauges.get(sample.name.removesuffix("_total"))
            if gauge is not None:
                gauge.set(sample.value)


# Collectors read at scrape time: name → function yielding metric families.
ScrapeCollector = Callable[[], Iterable[Metric]]
_collectors: dict[str, ScrapeCollector] = {}


def register_collector(name: str, collect: ScrapeCollector) -> None:
    """Add numbers computed at scrape time (e.g. from the database); re-registering replaces."""
    _collectors[name] = collect


class _ScrapeTime:
    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "madoguchi_metrics_collector_up",
            "1 if a scrape-time collector answered, 0 if it failed (e.g. the database is down).",
            labels=["collector"],
        )
        for name, collect in list(_collectors.items()):
            try:
                families = list(collect())
            except Exception as exc:
                logger.warning("Metrics collector %s failed: %s", name, type(exc).__name__)
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def exposition() -> tuple[bytes, str]:
    """Return the scrape's body and content type."""
    registry = CollectorRegistry(auto_describe=False)
    directory = multiprocess_directory()
    if directory:
        from prometheus_client.multiprocess import MultiProcessCollector

        MultiProcessCollector(registry, path=directory)
    else:
        from prometheus_client import GCCollector, PlatformCollector, ProcessCollector

        sample_worker_process()
        registry.register(METRICS)
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
    registry.register(_ScrapeTime())
    # The classic text format (0.0.4), which every Prometheus version reads.
    return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4


def mark_worker_dead(pid: int) -> None:
    """Drop a dead process's live gauges (its counters stay: they must never go down)."""
    if multiprocess_directory():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def register_builtin_collectors() -> None:
    from madoguchi.observability import collectors

    register_collector("tasks", collectors.task_queue_metrics)
    register_collector("health", collectors.health_metrics)
    register_collector("disk", collectors.disk_metrics)
