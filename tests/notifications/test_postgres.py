"""Several workers on PostgreSQL: a row one worker holds is skipped, and no e-mail goes out twice."""

import threading

import pytest
from django.db import connection, connections, transaction

from madoguchi.notifications.delivery import notifications_send_due
from madoguchi.notifications.models import Notification, NotificationStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(target):
    """Run ``target`` in a thread with its own database connection; return (thread, errors)."""
    errors = []

    def run():
        try:
            target()
        except Exception as exc:  # reported to the test instead of dying silently
            errors.append(repr(exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def test_a_row_another_worker_holds_is_skipped_not_waited_for(submit, staff, request_correction, smtp_server, now):
    assert connections["default"].features.has_select_for_update_skip_locked
    held = request_correction(staff, submit().case, "一件目")
    other = request_correction(staff, submit().case, "二件目")
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            Notification.objects.for_municipality(held.municipality).select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(timeout=30)

    thread, errors = in_thread(hold)
    assert locked.wait(timeout=30)
    try:
        report = notifications_send_due(now=now)
    finally:
        release.set()
        thread.join(timeout=30)
    assert errors == []
    assert report.sent == 1
    assert Notification.objects.for_municipality(other.municipality).get(pk=other.pk).status == NotificationStatus.SENT
    assert Notification.objects.for_municipality(held.municipality).get(pk=held.pk).attempts == 0
    assert notifications_send_due(now=now).sent == 1
    assert len(smtp_server.messages) == 2


def test_parallel_workers_send_every_notification_exactly_once(submit, staff, request_correction, smtp_server, now):
    count = 24
    for i in range(count):
        request_correction(staff, submit().case, f"補正 #{i}")
    start = threading.Barrier(4)
    reports = []

    def work():
        start.wait(timeout=30)
        reports.append(notifications_send_due(now=now, limit=count))

    workers = [in_thread(work) for _ in range(4)]
    for thread, _errors in workers:
        thread.join(timeout=60)
    assert [error for _thread, errors in workers for error in errors] == []
    assert sum(report.sent for report in reports) == count
    bodies = [message.get_content() for message in smtp_server.messages]
    assert sorted(i for i in range(count) for body in bodies if f"補正 #{i}\n" in body.replace("\r\n", "\n")) == list(
        range(count)
    )
    sent = Notification.objects.for_municipality(staff.municipality).values_list("status", "attempts")
    assert set(sent) == {(NotificationStatus.SENT, 1)}
