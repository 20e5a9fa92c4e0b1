"""Staff see undelivered e-mails and can send them again (issue #3: nothing disappears silently)."""

from django.utils import timezone
from tests.backoffice.casework import log_in_verified, staff, submit_inkan, user

from madoguchi.cases import workflow
from madoguchi.notifications.models import Notification


def failed_notification(aoba, version_of, now):
    case = submit_inkan(aoba, version_of, now=now)
    case.answers["email"] = "hanako@example.jp"
    case.save(update_fields=["answers"])
    approver = staff("aoba-approver")
    workflow.case_start_review(staff=approver, case=case)
    workflow.case_request_correction(staff=approver, case=case, message="確認してください。")
    notification = Notification.objects.for_municipality(aoba).get(case=case)
    Notification.objects.for_municipality(aoba).filter(pk=notification.pk).update(
        status="failed", attempts=5, last_error="550 mailbox unavailable"
    )
    return case, notification


def test_staff_see_failed_deliveries_and_can_queue_them_again(client, aoba, version_of, now):
    case, notification = failed_notification(aoba, version_of, now)
    log_in_verified(client, user("aoba-clerk"))
    page = client.get("/staff/notifications/").content.decode()
    assert case.receipt_number in page
    assert "550 mailbox unavailable" in page
    response = client.post(f"/staff/notifications/{notification.pk}/retry/")
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.status == "pending"
    assert notification.next_attempt_at <= timezone.now()


def test_staff_of_another_municipality_cannot_see_or_retry_them(client, aoba, version_of, now):
    case, notification = failed_notification(aoba, version_of, now)
    log_in_verified(client, user("minatogawa-admin"))
    assert case.receipt_number not in client.get("/staff/notifications/").content.decode()
    assert client.post(f"/staff/notifications/{notification.pk}/retry/").status_code == 404
    notification.refresh_from_db()
    assert notification.status == "failed"
