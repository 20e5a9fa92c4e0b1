"""Staff page: e-mails to residents that could not be delivered. Nothing fails silently:
staff see each one, can call the resident, and put it back in the queue once fixed."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.backoffice.views.cases import staff_page
from madoguchi.notifications.delivery import notification_retry
from madoguchi.notifications.models import Notification
from madoguchi.notifications.selectors import notification_get, notifications_failed


@staff_page
@require_GET
def failed_notifications(request):
    staff = request.staff
    failed = [
        n
        for n in notifications_failed(municipality=staff.municipality)
        if staff.can("view", n.case.department_id if n.case else None)
    ]
    return render(request, "backoffice/notifications.html", {"failed": failed})


@staff_page
@require_POST
def retry_notification(request, notification_id: int):
    staff = request.staff
    try:
        notification = notification_get(municipality=staff.municipality, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None
    if not staff.can("view", notification.case.department_id if notification.case else None):
        raise Http404
    notification_retry(notification=notification, actor=staff.actor_label)
    messages.success(request, _("The e-mail was put back in the queue."))
    return redirect("backoffice:notifications")
