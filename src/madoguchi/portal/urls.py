from django.urls import path

from madoguchi.portal.views import (
    apply,
    assistant,
    authapp,
    catalog,
    correction,
    documents,
    payments,
    signing,
    status,
    verify,
)

app_name = "portal"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("status/", status.status_lookup, name="status"),
    path("status/correct/", correction.correction, name="correction"),
    path("status/correct/confirm/", correction.correction_confirm, name="correction_confirm"),
    path("demo/software-card.p12", signing.demo_software_card, name="demo_software_card"),
    path("status/documents/receipt/", documents.receipt_certificate, name="receipt_certificate"),
    path("status/documents/payment-slip/", documents.payment_slip, name="payment_slip"),
    path("status/payment/online/", payments.payment_online, name="payment_online"),
    path("status/payment/return/", payments.payment_return, name="payment_return"),
    path("status/payment/cancelled/", payments.payment_cancel, name="payment_cancel"),
    path("status/documents/<int:document_id>/", documents.document_download, name="document"),
    path("verify/", verify.verify, name="verify"),
    path(".well-known/jwks.json", authapp.jwks, name="authapp_jwks"),
    path("signing/authapp/callback/", authapp.authapp_callback, name="authapp_callback"),
    path("<str:code>/", catalog.catalog, name="catalog"),
    path("<str:code>/assistant/", assistant.assistant, name="assistant"),
    path("<str:code>/assistant/embed/", assistant.assistant_embed, name="assistant_embed"),
    path("<str:code>/assistant/widget/", assistant.assistant_widget, name="assistant_widget"),
    path("<str:code>/procedures/<slug:slug>/", catalog.procedure_detail, name="procedure"),
    path("<str:code>/procedures/<slug:slug>/apply/confirm/", apply.apply_confirm, name="apply_confirm"),
    path("<str:code>/procedures/<slug:slug>/apply/done/", apply.apply_done, name="apply_done"),
    path("<str:code>/procedures/<slug:slug>/apply/authapp/", authapp.authapp_start, name="authapp_start"),
    path(
        "<str:code>/procedures/<slug:slug>/apply/signing-content/",
        apply.apply_signing_content,
        name="apply_signing_content",
    ),
    path("<str:code>/procedures/<slug:slug>/apply/<str:step_id>/", apply.apply_step, name="apply_step"),
]
