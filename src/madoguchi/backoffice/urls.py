"""Back office (職員向け) URLs under /staff/. Auth views in views/auth.py; case work in views/cases.py."""

from django.urls import path

from madoguchi.backoffice.views import approvals, auth, cases, notifications

app_name = "backoffice"

urlpatterns = [
    path("login/", auth.login_password, name="login"),
    path("login/verify/", auth.login_verify, name="login_verify"),
    path("login/enrol/", auth.enrol, name="enrol"),
    path("logout/", auth.logout_view, name="logout"),
    path("", cases.queue, name="queue"),
    path("notifications/", notifications.failed_notifications, name="notifications"),
    path("notifications/<int:notification_id>/retry/", notifications.retry_notification, name="notification_retry"),
    path("cases/<str:receipt_number>/", cases.case_detail, name="case"),
    path("cases/<str:receipt_number>/attachments/<int:attachment_id>/", cases.attachment, name="attachment"),
    path("cases/<str:receipt_number>/actions/<str:action>/", cases.case_action, name="case_action"),
    path("cases/<str:receipt_number>/route/<str:step_id>/<str:action>/", approvals.route_action, name="route_action"),
    path("approvals/", approvals.inbox, name="approvals"),
    path("approvals/absences/", approvals.absence_create, name="absence_create"),
    path("approvals/<int:approval_id>/post-review/", approvals.post_review, name="post_review"),
]
