"""/metrics: who may read it, and what it counts — requests by route (never by path),
submissions by outcome, job queues, the e-mail outbox, CRLs and keys, health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.parser import text_string_to_metric_families
from tests.api.support import juminhyo_answers, post_with_id, status_url
from tests.cases.test_submit import INKAN
from tests.portal.test_apply_views import BASE, fill_all_steps
from tests.resident_signing import case_submit_as_resident, post_signed_confirmation

from madoguchi.notifications.models import Notification, NotificationStatus
from madoguchi.observability import metrics
from madoguchi.procedures.selectors import procedure_get

TOKEN = "metrics-token-0123456789"


def scrape(**extra) -> dict[tuple, float]:
    response = Client().get("/metrics", **extra)
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response["Cache-Control"] == "no-store"
    return parse(response.content.decode())


def parse(text: str) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_refused_to_other_addresses(db):
    response = Client(REMOTE_ADDR="203.0.113.7").get("/metrics")
    assert response.status_code == 403
    assert b"madoguchi" not in response.content


def test_metrics_are_served_with_the_token(db, settings):
    settings.MADOGUCHI_HEALTH_TOKEN = TOKEN
    samples = scrape(REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert value(samples, "madoguchi_ready") == 1


def test_request_latency_is_counted_by_route_name_method_and_status_class(municipalities):
    route = {"route": "portal:catalog", "method": "GET", "status_class": "2xx"}
    lookup = {"route": "api-1.0.0:application_status", "method": "GET", "status_class": "4xx"}
    before = scrape()
    Client().get("/082015/")
    Client().get("/082015/")
    Client().get(status_url("082015-2026-999999"), HTTP_X_ACCESS_CODE="AAAA-BBBB-CCCC")
    response = Client().get("/metrics")
    after = parse(response.content.decode())

    count = "madoguchi_http_request_duration_seconds_count"
    assert value(after, count, **route) - value(before, count, **route) == 2
    assert value(after, count, **lookup) - value(before, count, **lookup) == 1
    assert b"082015-2026-999999" not in response.content  # never the raw path


def test_unusual_methods_are_counted_as_other(municipalities):
    def others(samples):
        return sum(
            v for (name, labels), v in samples.items()
            if name == "madoguchi_http_request_duration_seconds_count" and ("method", "other") in labels
        )  # fmt: skip

    before = others(scrape())
    Client().generic("PROPFIND", "/")
    after = scrape()
    assert others(after) == before + 1
    assert not any(("method", "PROPFIND") in labels for _name, labels in after)


def test_submissions_are_counted_by_channel_and_outcome(municipalities):
    total = "madoguchi_submissions_total"
    before = scrape()
    post_with_id(Client(), juminhyo_answers(), key="metrics-1")
    post_with_id(Client(), juminhyo_answers(), key="metrics-1")
    post_with_id(Client(), juminhyo_answers(copies=0), key="metrics-2")
    resident = Client()
    fill_all_steps(resident)
    post_signed_confirmation(resident, BASE)
    after = scrape()

    def delta(channel, outcome):
        return value(after, total, channel=channel, outcome=outcome) - value(before, total, channel=channel, outcome=outcome)

    assert delta("api", "accepted") == 1
    assert delta("api", "replayed") == 1
    assert delta("api", "refused") == 1
    assert delta("portal", "accepted") == 1


def job(queue: str, status: str, *, enqueued_ago: timedelta, started_ago: timedelta | None = None, run_after=None):
    now = timezone.now()
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="madoguchi.signatures.documents.tasks.documents_issue",
        queue_name=queue,
        backend_name="default",
        run_after=run_after or get_date_max(),
        started_at=now - started_ago if started_ago else None,
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=now - enqueued_ago)


def test_job_queues_report_depth_backlog_age_running_and_failed_jobs(db):
    job("documents", TaskResultStatus.READY, enqueued_ago=timedelta(minutes=10))
    job("documents", TaskResultStatus.READY, enqueued_ago=timedelta(minutes=2))
    # Scheduled for later: not waiting yet, so neither depth nor backlog.
    job("documents", TaskResultStatus.READY, enqueued_ago=timedelta(hours=5), run_after=timezone.now() + timedelta(hours=1))
    job("documents", TaskResultStatus.RUNNING, enqueued_ago=timedelta(hours=3), started_ago=timedelta(hours=2))
    job("default", TaskResultStatus.FAILED, enqueued_ago=timedelta(hours=1))
    samples = scrape()

    assert value(samples, "madoguchi_task_queue_depth", queue="documents") == 2
    assert 600 <= value(samples, "madoguchi_task_queue_oldest_age_seconds", queue="documents") < 700
    assert value(samples, "madoguchi_task_running", queue="documents") == 1
    assert 7200 <= value(samples, "madoguchi_task_running_oldest_age_seconds", queue="documents") < 7300
    assert value(samples, "madoguchi_task_failed", queue="default") == 1
    assert ("madoguchi_task_queue_depth", (("queue", "default"),)) in samples  # an empty queue reports 0
    assert value(samples, "madoguchi_task_queue_oldest_age_seconds", queue="default") == 0


def test_the_email_outbox_reports_pending_and_failed_per_municipality(aoba, minatogawa):
    version = procedure_get(municipality=aoba, slug="inkan-certificate").current_version
    case = case_submit_as_resident(municipality=aoba, procedure_version=version, answers=INKAN, idempotency_key="mail").case
    now = timezone.now()
    with scopes_disabled():
        for status, age in ((NotificationStatus.PENDING, 30), (NotificationStatus.PENDING, 5), (NotificationStatus.FAILED, 90)):
            Notification.objects.create(
                municipality=aoba, case=case, kind="approved", to_address="resident@example.jp", language="ja",
                subject="s", body="b", status=status, created_at=now - timedelta(minutes=age),
            )  # fmt: skip
    response = Client().get("/metrics")
    samples = parse(response.content.decode())

    assert value(samples, "madoguchi_email_outbox", municipality="082015", status="pending") == 2
    assert value(samples, "madoguchi_email_outbox", municipality="082015", status="failed") == 1
    assert 1800 <= value(samples, "madoguchi_email_outbox_oldest_pending_age_seconds", municipality="082015") < 1900
    assert b"resident@example.jp" not in response.content


def test_crl_and_signing_key_dates_are_exported_per_municipality(db, signatures_configured):
    from madoguchi.signatures.health import crl_dates, signing_key_dates

    samples = scrape()
    (crl,) = [d for d in crl_dates() if d.code == "082023"]
    (key,) = [d for d in signing_key_dates() if d.code == "082015"]
    assert value(samples, "madoguchi_crl_next_update_timestamp_seconds", municipality="082023") == crl.when.timestamp()
    assert value(samples, "madoguchi_signing_key_expiry_timestamp_seconds", municipality="082015") == key.when.timestamp()


def test_health_checks_are_exported_as_states(db):
    samples = scrape()
    assert value(samples, "madoguchi_health_check_status", check="database", critical="true") == 0
    assert value(samples, "madoguchi_ready") == 1
    assert value(samples, "madoguchi_media_free_bytes") > 0


def test_a_failing_collector_is_reported_and_the_rest_still_served(db):
    def broken():
        raise RuntimeError("database down")

    metrics.register_collector("test.broken", broken)
    try:
        samples = scrape()
    finally:
        metrics._collectors.pop("test.broken")
    assert value(samples, "madoguchi_metrics_collector_up", collector="test.broken") == 0
    assert value(samples, "madoguchi_metrics_collector_up", collector="tasks") == 1
    assert value(samples, "madoguchi_ready") == 1


def test_process_metrics_are_served(db):
    samples = scrape()
    assert value(samples, "process_resident_memory_bytes") > 0
    assert value(samples, "madoguchi_worker_resident_memory_bytes") > 0


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_metrics_and_health_only_answer_reads(method, db):
    assert getattr(Client(), method)("/metrics").status_code == 405
    assert getattr(Client(), method)("/health/ready").status_code == 405
