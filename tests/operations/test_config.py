"""The task and job settings read from the environment (madoguchi.operations.config)."""

from datetime import timedelta

from madoguchi.operations.config import jobs_settings_from_env


def test_defaults_without_variables():
    jobs = jobs_settings_from_env({})
    assert jobs["TASKS"] == {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "documents"]}
    }
    assert jobs["MADOGUCHI_SCHEDULER_TIMEZONE"] == "Asia/Tokyo"
    assert (jobs["MADOGUCHI_SCHEDULES"], jobs["MADOGUCHI_JOB_WINDOWS"]) == ({}, {})
    assert jobs["MADOGUCHI_JOB_RUNS_KEEP_DAYS"] == 30
    assert jobs["MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED"] is False
    assert jobs["MADOGUCHI_TASK_TIMEOUTS"] == {"documents": timedelta(minutes=10), "default": timedelta(minutes=60)}
    assert (jobs["MADOGUCHI_TASK_MAX_ATTEMPTS"], jobs["MADOGUCHI_TASK_TRANSIENT_ATTEMPTS"]) == (3, 10)


def test_per_job_overrides_and_numbers():
    jobs = jobs_settings_from_env(
        {
            "MADOGUCHI_SCHEDULE_RECORDS_DISPOSE": "off",
            "MADOGUCHI_SCHEDULE_NOTIFICATIONS_SEND": "  ",  # blank: the job's default
            "MADOGUCHI_JOB_WINDOW_SIGNATURES_VERIFY": "48h",
            "MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED": " Yes ",
            "MADOGUCHI_TASK_TIMEOUT_DOCUMENTS": "2.5",
            "MADOGUCHI_TASK_MAX_ATTEMPTS": "5",
        }
    )
    assert jobs["MADOGUCHI_SCHEDULES"] == {"records-dispose": "off"}
    assert jobs["MADOGUCHI_JOB_WINDOWS"] == {"signatures-verify": "48h"}
    assert jobs["MADOGUCHI_SIGNATURES_VERIFY_ALLOW_UNSIGNED"] is True
    assert jobs["MADOGUCHI_TASK_TIMEOUTS"]["documents"] == timedelta(minutes=2.5)
    assert jobs["MADOGUCHI_TASK_MAX_ATTEMPTS"] == 5
