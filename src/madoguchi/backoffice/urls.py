"""Back office (職員向け) URLs under /staff/. Auth views in views/auth.py; case work in views/cases.py."""

from django.urls import path

from madoguchi.backoffice.views import (
    approvals,
    assistant_admin,
    assistant_categories,
    audit_log,
    auth,
    cases,
    documents,
    notifications,
    password,
    payments,
    signing_admin,
    staff_admin,
)

app_name = "backoffice"

urlpatterns = [
    path("login/", auth.login_password, name="login"),
    path("login/verify/", auth.login_verify, name="login_verify"),
    path("login/enrol/", auth.enrol, name="enrol"),
    path("logout/", auth.logout_view, name="logout"),
    # Passwords by link (views/password.py): "forgot your password", set-password and reset links.
    path("password/forgot/", password.password_forgot, name="password_forgot"),
    path("password/forgot/sent/", password.password_forgot_sent, name="password_forgot_sent"),
    path("password/<str:purpose>/<str:uidb64>/<str:token>/", password.password_link, name="password_link"),
    path("", cases.queue, name="queue"),
    path("notifications/", notifications.failed_notifications, name="notifications"),
    path("notifications/<int:notification_id>/retry/", notifications.retry_notification, name="notification_retry"),
    path("cases/<str:receipt_number>/", cases.case_detail, name="case"),
    path("cases/<str:receipt_number>/attachments/<int:attachment_id>/", cases.attachment, name="attachment"),
    path("cases/<str:receipt_number>/actions/<str:action>/", cases.case_action, name="case_action"),
    path("cases/<str:receipt_number>/payment/<str:to>/", payments.case_payment, name="case_payment"),
    path("cases/<str:receipt_number>/documents/<int:document_id>/", documents.case_document, name="case_document"),
    path(
        "cases/<str:receipt_number>/documents/<str:kind>/reissue/",
        documents.case_document_reissue,
        name="case_document_reissue",
    ),
    path("cases/<str:receipt_number>/route/<str:step_id>/<str:action>/", approvals.route_action, name="route_action"),
    path("approvals/", approvals.inbox, name="approvals"),
    path("approvals/absences/", approvals.absence_create, name="absence_create"),
    path("approvals/<int:approval_id>/post-review/", approvals.post_review, name="post_review"),
    # The assistant's FAQ, unanswered questions and inquiries: views/assistant_admin.py.
    path("assistant/", assistant_admin.faq_list, name="faq_list"),
    path("assistant/new/", assistant_admin.faq_create, name="faq_create"),
    path("assistant/categories/", assistant_categories.category_list, name="assistant_categories"),
    path("assistant/unanswered/", assistant_admin.unanswered, name="assistant_unanswered"),
    path("assistant/unanswered/draft/", assistant_admin.draft_from_group, name="assistant_draft"),
    path("assistant/inquiries/", assistant_admin.inquiries, name="assistant_inquiries"),
    path("assistant/inquiries/<str:public_id>/", assistant_admin.inquiry_detail, name="assistant_inquiry"),
    path("assistant/entries/<str:external_id>/", assistant_admin.faq_edit, name="faq_edit"),
    path("assistant/entries/<str:external_id>/<str:action>/", assistant_admin.faq_status, name="faq_status"),
    # Municipality administrators (管理者) only: views/staff_admin.py and views/audit_log.py.
    path("admin/staff/", staff_admin.staff_index, name="staff_admin"),
    path("admin/staff/new/", staff_admin.staff_new, name="staff_admin_new"),
    path("admin/staff/<int:user_id>/", staff_admin.staff_show, name="staff_admin_detail"),
    path("admin/staff/<int:user_id>/roles/", staff_admin.staff_role_add, name="staff_admin_role_add"),
    path(
        "admin/staff/<int:user_id>/roles/<int:membership_id>/remove/",
        staff_admin.staff_role_remove,
        name="staff_admin_role_remove",
    ),
    path("admin/staff/<int:user_id>/deactivate/", staff_admin.staff_deactivate, name="staff_admin_deactivate"),
    path("admin/staff/<int:user_id>/reactivate/", staff_admin.staff_reactivate, name="staff_admin_reactivate"),
    path("admin/staff/<int:user_id>/reset-totp/", staff_admin.staff_totp_reset, name="staff_admin_totp_reset"),
    path(
        "admin/staff/<int:user_id>/password-link/",
        staff_admin.staff_password_link,
        name="staff_admin_password_link",
    ),
    path("admin/audit/", audit_log.audit_index, name="audit_admin"),
    path("admin/signing/", signing_admin.signing_registration, name="signing_admin"),
    path("admin/audit/export.csv", audit_log.audit_export, name="audit_admin_export"),
    path("admin/audit/verify/", audit_log.audit_verify_run, name="audit_admin_verify"),
]
