"""The outbox as Prometheus numbers, read when scraped (madoguchi.observability.metrics): how
many e-mails to residents wait or failed per municipality, and how long the oldest has waited."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from madoguchi.notifications.models import NotificationStatus
from madoguchi.notifications.selectors import outbox_counts


def outbox_metrics() -> Iterable[Metric]:
    now = timezone.now()
    outbox = GaugeMetricFamily(
        "madoguchi_email_outbox", "E-mails to residents waiting (pending) or given up (failed).",
        labels=["municipality", "status"],
    )  # fmt: skip
    oldest = GaugeMetricFamily(
        "madoguchi_email_outbox_oldest_pending_age_seconds",
        "Age of the oldest e-mail still waiting to be sent, per municipality.",
        labels=["municipality"],
    )
    for row in outbox_counts():
        outbox.add_metric([row["municipality__code"], row["status"]], row["n"])
        if row["status"] == NotificationStatus.PENDING:
            oldest.add_metric([row["municipality__code"]], max(0.0, (now - row["oldest"]).total_seconds()))
    return [outbox, oldest]
