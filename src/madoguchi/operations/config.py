"""Background and recurring jobs' settings from the environment (read by the settings; imports no app code).

Background tasks (e.g. the assistant's embeddings) go through Django's task API on a database
queue, worked by ``madoguchi db_worker``; production may point the same API at another backend
(``MADOGUCHI_TASKS_BACKEND``). Recurring jobs are run by ``madoguchi scheduler``, and tasks left
by dead workers are recovered (docs/operations/jobs.md). The variables, their defaults and
meanings are unchanged from when they were read in the settings module itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

# "default" (the assistant's embeddings, which can run for minutes) and "documents" (signed
# PDFs after a decision), so a long embedding job never delays a resident's notice.
TASK_QUEUES = ["default", "documents"]


def _per_job(environ: Mapping[str, str], prefix: str) -> dict[str, str]:
    """Return ``{job name: value}`` for every non-empty ``<prefix><JOB>`` variable.

    <JOB> is the job's name in capitals with "_" for "-", e.g. MADOGUCHI_SCHEDULE_RECORDS_DISPOSE."""
    return {
        name[len(prefix) :].lower().replace("_", "-"): value
        for name, value in environ.items()
        if name.startswith(prefix) and value.strip()
    }


def jobs_settings_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """Return the task and job settings, by setting name (``TASKS``, ``MADOGUCHI_SCHEDULES``, …)."""
    return {
        "TASKS": {
            "default": {
                "BACKEND": environ.get("MADOGUCHI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
                "QUEUES": list(TASK_QUEUES),
            }
        },
        "MADOGUCHI_SCHEDULER_TIMEZONE": environ.get("MADOGUCHI_SCHEDULER_TIMEZONE", "Asia/Tokyo"),
        # MADOGUCHI_SCHEDULE_<JOB> ("every 1m", "hourly :05", "daily 03:00", "off") and
        # MADOGUCHI_JOB_WINDOW_<JOB> ("10m", "26h") override one job's defaults.
        "MADOGUCHI_SCHEDULES": _per_job(environ, "MADOGUCHI_SCHEDULE_"),
        "MADOGUCHI_JOB_WINDOWS": _per_job(environ, "MADOGUCHI_JOB_WINDOW_"),
        "MADOGUCHI_JOB_RUNS_KEEP_DAYS": int(environ.get("MADOGUCHI_JOB_RUNS_KEEP_DAYS", "30")),
        # The daily signature check fails on decisions recorded unsigned unless this is on (a
        # municipality that has no signing key yet).
        "MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED": _bool(environ, "MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED"),
        # A task RUNNING longer than its queue's timeout, whose worker has stopped beating, is
        # taken again, up to MADOGUCHI_TASK_MAX_ATTEMPTS takes in all; then it is failed and kept
        # for the operator.
        "MADOGUCHI_TASK_TIMEOUTS": {
            "documents": timedelta(minutes=float(environ.get("MADOGUCHI_TASK_TIMEOUT_DOCUMENTS", "10"))),
            "default": timedelta(minutes=float(environ.get("MADOGUCHI_TASK_TIMEOUT_DEFAULT", "60"))),
        },
        "MADOGUCHI_TASK_MAX_ATTEMPTS": int(environ.get("MADOGUCHI_TASK_MAX_ATTEMPTS", "3")),
        # A task that failed because the disk or the database was away is tried again
        # (operations.transient).
        "MADOGUCHI_TASK_TRANSIENT_ATTEMPTS": int(environ.get("MADOGUCHI_TASK_TRANSIENT_ATTEMPTS", "10")),
    }


def _bool(environ: Mapping[str, str], name: str) -> bool:
    # The same reading as the settings' env_bool, with False as the default.
    value = environ.get(name)
    if value is None:
        return False
    return value.strip().lower() in {"1", "true", "yes", "on"}
