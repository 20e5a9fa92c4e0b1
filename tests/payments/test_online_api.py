"""Payments through the API (issue 12, item 3): the status carries the payment, a resident starts
an online payment (startOnlinePayment), staff record payments with case actions. The provider is a
local stand-in (tests/payments/stripe_standin.py), not Stripe."""

from __future__ import annotations

from tests.api.support import identity_copy
from tests.api.test_staff_api import bearer, make_staff
from tests.payments.stripe_standin import SECRET_KEY, WEBHOOK_SECRET
from tests.payments.test_online_doors import _submit

from madoguchi.audit.models import AuditEntry
from madoguchi.payments.models import PaymentState
from madoguchi.payments.services import payment_of
from madoguchi.tenants.models import Role

S = PaymentState


def _api_status(client, result):
    return client.get(
        f"/api/v1/applications/{result.case.receipt_number}", HTTP_X_ACCESS_CODE=result.access_code
    ).json()


def _api_start(client, result, body=None):
    return client.post(
        f"/api/v1/applications/{result.case.receipt_number}/payment/online",
        body or {},
        content_type="application/json",
        HTTP_X_ACCESS_CODE=result.access_code,
    )


def test_the_status_carries_the_payment(client, aoba, version_of, now, stripe_configured):
    result = _submit(aoba, version_of, now, "api-status")

    payment = _api_status(client, result)["payment"]

    assert payment == {
        "state": "unpaid",
        "method": "counter",
        "amount": 600,
        "payment_number": payment_of(case=result.case).payment_number,
        "online_payment_available": True,
    }


def test_a_free_application_has_no_payment(client, aoba, version_of, now):
    from madoguchi.procedures.schema_export import example_answers

    version = version_of(aoba, "juminhyo-copy")
    answers = {**example_answers(version.definition), "purpose": "pension"}
    # Unsigned, so with the copy of photo ID the procedure then asks for (unsigned_requires).
    files = {"identity_document": [identity_copy()]}
    result = _submit(aoba, version_of, now, "api-free", slug="juminhyo-copy", answers=answers, files=files)

    assert _api_status(client, result)["payment"] is None


def test_start_online_payment_returns_the_providers_page(client, aoba, version_of, now, stripe_configured):
    result = _submit(aoba, version_of, now, "api-start")

    response = _api_start(client, result)

    assert response.status_code == 200
    [session] = stripe_configured.sessions
    assert response.json()["payment_url"] == session["url"]
    assert response.json()["payment"]["state"] == "pending"
    assert stripe_configured.requests[0]["success_url"] == "http://testserver/status/payment/return/"


def test_start_online_payment_refuses_a_foreign_return_address(client, aoba, version_of, now, stripe_configured):
    result = _submit(aoba, version_of, now, "api-foreign")

    response = _api_start(client, result, {"success_url": "https://evil.example/phish"})

    assert response.status_code == 422
    assert response.json()["code"] == "return_address_not_allowed"
    assert stripe_configured.sessions == []


def test_start_online_payment_takes_a_return_address_on_an_allowed_site(
    client, settings, aoba, version_of, now, stripe_configured
):
    settings.CORS_ALLOWED_ORIGINS = ["https://www.city.aoba.example.jp"]
    result = _submit(aoba, version_of, now, "api-cors")

    response = _api_start(client, result, {"success_url": "https://www.city.aoba.example.jp/paid"})

    assert response.status_code == 200
    assert stripe_configured.requests[0]["success_url"] == "https://www.city.aoba.example.jp/paid"


def test_start_online_payment_without_a_provider_is_a_409(client, aoba, version_of, now):
    result = _submit(aoba, version_of, now, "api-none")

    response = _api_start(client, result)

    assert response.status_code == 409
    assert response.json()["code"] == "online_payment_not_offered"


def test_start_online_payment_when_the_provider_is_down_is_a_503(client, settings, aoba, version_of, now):
    settings.MADOGUCHI_PAYMENT_PROVIDER = "stripe"
    settings.MADOGUCHI_PAYMENT_PROVIDER_OPTIONS = {
        "secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET, "api_base": "http://127.0.0.1:9"
    }  # fmt: skip
    result = _submit(aoba, version_of, now, "api-down")

    response = _api_start(client, result)

    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"


def test_start_online_payment_needs_the_access_code(client, aoba, version_of, now, stripe_configured):
    result = _submit(aoba, version_of, now, "api-code")

    response = client.post(
        f"/api/v1/applications/{result.case.receipt_number}/payment/online",
        {},
        content_type="application/json",
        HTTP_X_ACCESS_CODE="WRONG-CODE-0000",
    )

    assert response.status_code == 404
    assert stripe_configured.sessions == []


def test_staff_record_a_payment_through_the_staff_api(client, aoba, version_of, now):
    case = _submit(aoba, version_of, now, "staff-api").case
    headers = bearer(make_staff(aoba, "api-clerk", Role.CLERK, "shimin"))
    url = f"/api/v1/staff/cases/{case.receipt_number}/actions"

    refused = client.post(url, {"action": "payment_refunded"}, content_type="application/json", **headers)
    paid = client.post(url, {"action": "payment_paid"}, content_type="application/json", **headers)

    assert refused.status_code == 409 and refused.json()["code"] == "payment_state_not_allowed"
    assert paid.status_code == 200
    assert payment_of(case=case).state == S.PAID
    entry = AuditEntry.objects.for_municipality(aoba).get(event="payments.payment.paid")
    assert entry.actor == "staff:api-clerk"


def test_another_municipalitys_token_cannot_record_a_payment(client, aoba, minatogawa, version_of, now):
    case = _submit(aoba, version_of, now, "staff-api-x").case
    headers = bearer(make_staff(minatogawa, "api-other", Role.CLERK))

    response = client.post(
        f"/api/v1/staff/cases/{case.receipt_number}/actions",
        {"action": "payment_paid"},
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 404
    assert payment_of(case=case).state == S.UNPAID
