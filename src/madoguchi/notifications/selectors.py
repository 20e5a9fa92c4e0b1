"""Reads of the outbox for staff: what could not be delivered, and what a case was sent."""

from __future__ import annotations

from django.db.models import Count, Min, QuerySet
from django_scopes import scopes_disabled

from madoguchi.cases.models import Case
from madoguchi.notifications.models import Notification, NotificationStatus
from madoguchi.tenants.models import Municipality


def notifications_failed(*, municipality: Municipality) -> QuerySet[Notification]:
    """Return ``municipality``'s notifications that failed for good, newest first, with their cases.

    These are the residents who were not told: staff call them or fix the cause and retry
    (:func:`madoguchi.notifications.delivery.notification_retry`).
    """
    return (
        Notification.objects.for_municipality(municipality)
        .filter(status=NotificationStatus.FAILED)
        .select_related("case")
        .order_by("-created_at", "-id")
    )


def notifications_for_case(*, case: Case) -> QuerySet[Notification]:
    """Return every notification about ``case``, oldest first (for the case's history)."""
    return Notification.objects.for_municipality(case.municipality_id).filter(case=case).order_by("created_at", "id")


def notification_get(*, municipality: Municipality, notification_id: int) -> Notification:
    """Return ``municipality``'s notification ``notification_id``.

    Raise ``Notification.DoesNotExist`` when there is none — also when it belongs to another
    municipality, so that a page built on this answers both with the same 404.
    """
    return Notification.objects.for_municipality(municipality).select_related("case").get(pk=notification_id)


def outbox_counts() -> list[dict]:
    """Return pending and failed e-mails per municipality code, with the oldest pending one's
    creation time: what the platform operator watches (no addresses, no content)."""
    with scopes_disabled():  # a count across municipalities, for the operator's metrics
        return list(
            Notification.objects.filter(status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED])
            .values("municipality__code", "status")
            .annotate(n=Count("id"), oldest=Min("created_at"))
            .order_by()
        )

