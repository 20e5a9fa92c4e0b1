"""Online payment reachable (issue 12, item 3): settings, the resident's pages, the webhook URL,
the reconciliation command, and payments through the API. The provider is a local stand-in
(tests/payments/stripe_standin.py), not Stripe."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from tests.backoffice.casework import INKAN
from tests.payments.stripe_standin import SECRET_KEY, WEBHOOK_SECRET
from tests.resident_signing import case_submit_as_resident

from madoguchi.audit.models import AuditEntry
from madoguchi.payments.checks import check_payment_provider_keys
from madoguchi.payments.config import payment_provider_from_env
from madoguchi.payments.models import PaymentMethod, PaymentState
from madoguchi.payments.providers import configured_provider
from madoguchi.payments.providers.stripe import CHECKOUT_ORIGIN, StripeCheckout
from madoguchi.payments.services import payment_of, payment_transition

S = PaymentState


def _submit(aoba, version_of, now, key, slug="inkan-certificate", answers=None, files=None):
    return case_submit_as_resident(
        municipality=aoba,
        procedure_version=version_of(aoba, slug),
        answers=answers or {**INKAN, "copies": "2"},
        files=files,
        idempotency_key=key,
        now=now,
    )


def _look_up(client, result):
    client.post("/status/", {"receipt_number": result.case.receipt_number, "access_code": result.access_code})
    return client.get("/status/")


# --- settings -----------------------------------------------------------------------------------


def test_no_provider_is_the_default():
    assert payment_provider_from_env({}) == ("", {})


def test_stripe_reads_its_keys_and_defaults_to_stripes_api():
    provider, options = payment_provider_from_env(
        {"MADOGUCHI_PAYMENT_PROVIDER": "Stripe", "MADOGUCHI_STRIPE_SECRET_KEY": "sk", "MADOGUCHI_STRIPE_WEBHOOK_SECRET": "wh"}
    )
    assert (provider, options) == ("stripe", {"secret_key": "sk", "webhook_secret": "wh", "api_base": "https://api.stripe.com"})
    assert StripeCheckout(**options).page_origin == CHECKOUT_ORIGIN


def test_an_unknown_provider_refuses_to_start():
    with pytest.raises(ImproperlyConfigured, match="MADOGUCHI_PAYMENT_PROVIDER"):
        payment_provider_from_env({"MADOGUCHI_PAYMENT_PROVIDER": "paypal"})


def test_a_provider_without_keys_is_a_deploy_error_and_offers_nothing(settings):
    settings.MADOGUCHI_PAYMENT_PROVIDER = "stripe"
    settings.MADOGUCHI_PAYMENT_PROVIDER_OPTIONS = {"secret_key": "sk", "webhook_secret": "", "api_base": "x"}

    [error] = check_payment_provider_keys(None)

    assert error.id == "payments.E001" and "MADOGUCHI_STRIPE_WEBHOOK_SECRET" in error.msg
    assert configured_provider() is None


def test_a_configured_provider_passes_the_check_and_is_built(stripe_configured):
    assert check_payment_provider_keys(None) == []
    provider = configured_provider()
    assert isinstance(provider, StripeCheckout) and provider.page_origin == stripe_configured.url


# --- the resident's pages -------------------------------------------------------------------------


def test_without_a_provider_the_status_page_offers_no_online_payment(client, aoba, version_of, now):
    result = _submit(aoba, version_of, now, "no-provider")

    page = _look_up(client, result).content.decode()

    assert 'data-testid="payment-online"' not in page
    assert client.post("/status/payment/online/", follow=True).status_code == 200
    assert payment_of(case=result.case).state == S.UNPAID


def test_the_status_page_offers_online_payment_and_lets_the_form_go_to_the_provider(
    client, aoba, version_of, now, stripe_configured
):
    result = _submit(aoba, version_of, now, "offered")

    response = _look_up(client, result)

    assert "オンラインで支払う" in response.content.decode()
    assert f"form-action 'self' {stripe_configured.url}" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


@pytest.fixture
def inkan_without_online(aoba, version_of):
    """The seal certificate as a municipality whose catalog does not list ``online`` has it."""
    from django_scopes import scopes_disabled

    version = version_of(aoba, "inkan-certificate")
    fee = {**version.definition["fee"], "payment_methods": ["counter", "slip", "postal_order"]}
    with scopes_disabled():
        type(version).objects.filter(pk=version.pk).update(definition={**version.definition, "fee": fee})


def test_a_procedure_without_online_in_its_methods_offers_none(
    client, aoba, version_of, now, stripe_configured, inkan_without_online
):
    result = _submit(aoba, version_of, now, "not-listed")

    assert 'data-testid="payment-online"' not in _look_up(client, result).content.decode()
    response = client.post("/status/payment/online/", follow=True)
    assert "この申請は、オンラインでは支払えません。" in response.content.decode()
    assert stripe_configured.sessions == []


def test_pressing_the_button_sends_the_resident_to_the_providers_page(client, aoba, version_of, now, stripe_configured):
    result = _submit(aoba, version_of, now, "start")
    _look_up(client, result)

    response = client.post("/status/payment/online/")

    assert response.status_code == 303
    [session] = stripe_configured.sessions
    assert response["Location"] == session["url"]
    [form] = stripe_configured.requests
    assert form["success_url"] == "http://testserver/status/payment/return/"
    assert form["cancel_url"] == "http://testserver/status/payment/cancelled/"
    assert payment_of(case=result.case).state == S.PENDING


def test_starting_needs_the_application_opened_on_this_device(client, aoba, version_of, now, stripe_configured):
    _submit(aoba, version_of, now, "no-session")

    assert client.post("/status/payment/online/").status_code == 404
    assert stripe_configured.sessions == []


def test_a_provider_that_cannot_be_reached_gives_a_message_not_an_error(client, settings, aoba, version_of, now):
    settings.MADOGUCHI_PAYMENT_PROVIDER = "stripe"
    settings.MADOGUCHI_PAYMENT_PROVIDER_OPTIONS = {
        "secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET, "api_base": "http://127.0.0.1:9"
    }  # fmt: skip
    result = _submit(aoba, version_of, now, "down")
    _look_up(client, result)

    response = client.post("/status/payment/online/", follow=True)

    assert response.status_code == 200
    assert "現在、オンライン決済を利用できません。" in response.content.decode()
    assert payment_of(case=result.case).state == S.UNPAID


def test_a_paid_fee_cannot_be_paid_online_again(client, aoba, version_of, now, stripe_configured):
    result = _submit(aoba, version_of, now, "paid")
    _look_up(client, result)
    payment_transition(case=result.case, to=S.PAID, actor="test")

    assert 'data-testid="payment-online"' not in client.get("/status/").content.decode()
    response = client.post("/status/payment/online/", follow=True)
    assert "この申請には、お支払いいただくものはありません。" in response.content.decode()
    assert stripe_configured.sessions == []


def test_the_return_page_reads_our_state_not_the_url(client, aoba, version_of, now, stripe_configured):
    result = _submit(aoba, version_of, now, "return")
    _look_up(client, result)
    client.post("/status/payment/online/")

    waiting = client.get("/status/payment/return/")
    assert "お支払いを確認しています" in waiting.content.decode()
    assert payment_of(case=result.case).state == S.PENDING
    assert "no-store" in waiting["Cache-Control"]

    [session] = stripe_configured.sessions
    stripe_configured.pay(session["id"])
    body, headers = stripe_configured.event(session["id"], "checkout.session.completed", event_id="evt_ret")
    client.post("/payments/webhooks/stripe/", body, content_type="application/json", **_meta(headers))

    done = client.get("/status/payment/return/").content.decode()
    assert "お支払いが完了しました" in done and "600円" in done


def test_the_return_page_without_the_application_shows_nothing_personal(client, aoba, version_of, now):
    result = _submit(aoba, version_of, now, "return-closed")

    page = client.get("/status/payment/return/").content.decode()

    assert "お支払いを確認しています" in page
    assert result.case.receipt_number not in page


def test_cancelling_returns_to_the_status_page_with_a_notice(client, aoba, version_of, now, stripe_configured):
    result = _submit(aoba, version_of, now, "cancel")
    _look_up(client, result)
    client.post("/status/payment/online/")

    response = client.get("/status/payment/cancelled/", follow=True)

    assert response.redirect_chain[-1][0] == "/status/"
    page = response.content.decode()
    assert "オンライン決済を取りやめました。" in page
    assert 'data-testid="payment-online"' in page  # may start again


# --- the webhook URL ------------------------------------------------------------------------------


def _meta(headers: dict) -> dict:
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


def _started(aoba, version_of, now, key, stripe):
    case = _submit(aoba, version_of, now, key).case
    provider = configured_provider()
    from madoguchi.payments.online import payment_online_start

    checkout = payment_online_start(case=case, provider=provider, success_url="http://testserver/ok",
                                    cancel_url="http://testserver/no", now=timezone.now())  # fmt: skip
    stripe.pay(checkout.reference)
    return case, checkout.reference


def test_the_webhook_marks_the_fee_paid_online_once(client, aoba, version_of, now, stripe_configured):
    case, reference = _started(aoba, version_of, now, "hook", stripe_configured)
    body, headers = stripe_configured.event(reference, "checkout.session.completed", event_id="evt_hook")

    first = client.post("/payments/webhooks/stripe/", body, content_type="application/json", **_meta(headers))
    again = client.post("/payments/webhooks/stripe/", body, content_type="application/json", **_meta(headers))

    assert (first.status_code, first.json()["outcome"]) == (200, "paid")
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
    payment = payment_of(case=case)
    assert (payment.state, payment.method) == (S.PAID, PaymentMethod.ONLINE)
    entry = AuditEntry.objects.for_municipality(aoba).get(event="payments.payment.paid")
    assert entry.payload["method"] == "online" and entry.actor == "provider:stripe"


def test_a_forged_webhook_is_a_400_problem_and_changes_nothing(client, aoba, version_of, now, stripe_configured):
    case, reference = _started(aoba, version_of, now, "forged", stripe_configured)
    body, headers = stripe_configured.event(reference, "checkout.session.completed", event_id="e", secret="whsec_x")

    response = client.post("/payments/webhooks/stripe/", body, content_type="application/json", **_meta(headers))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "callback_rejected"
    assert payment_of(case=case).state == S.PENDING


def test_a_webhook_of_a_provider_that_is_not_configured_is_not_found(client, stripe_configured):
    assert client.post("/payments/webhooks/paypal/", b"{}", content_type="application/json").status_code == 404


def test_the_webhook_is_not_found_without_a_provider(client, db):
    assert client.post("/payments/webhooks/stripe/", b"{}", content_type="application/json").status_code == 404


def test_the_webhook_takes_only_post(client, stripe_configured):
    assert client.get("/payments/webhooks/stripe/").status_code == 405


# --- reconciliation -------------------------------------------------------------------------------


def test_reconcile_without_a_provider_says_so(capsys, db):
    call_command("payments", "reconcile")
    assert "no payment provider configured" in capsys.readouterr().out


def test_reconcile_exits_non_zero_on_a_lost_webhook_and_zero_once_it_arrives(
    client, capsys, aoba, version_of, now, stripe_configured
):
    case, reference = _started(aoba, version_of, now, "lost", stripe_configured)

    with pytest.raises(SystemExit) as exit_:
        call_command("payments", "reconcile", "--municipality", aoba.code)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"paid at the provider, not here (a lost webhook?): {payment_of(case=case).payment_number}" in out

    body, headers = stripe_configured.event(reference, "checkout.session.completed", event_id="evt_late")
    client.post("/payments/webhooks/stripe/", body, content_type="application/json", **_meta(headers))
    call_command("payments", "reconcile", "--municipality", aoba.code)
    assert f"{aoba.code} stripe: 1 matched, clean" in capsys.readouterr().out


def test_a_certificate_paid_online_says_so(
    client, aoba, version_of, now, stripe_configured, documents_configured, django_capture_on_commit_callbacks, tmp_path
):
    from tests.payments.test_payments import _approve, _documents, _text

    from madoguchi.signatures.models import DocumentKind

    case, reference = _started(aoba, version_of, now, "certificate", stripe_configured)
    body, headers = stripe_configured.event(reference, "checkout.session.completed", event_id="evt_cert")
    client.post("/payments/webhooks/stripe/", body, content_type="application/json", **_meta(headers))

    with django_capture_on_commit_callbacks(execute=True):
        case = _approve(case, now)

    [document] = _documents(case, DocumentKind.APPROVED)
    text = "".join(_text(document, tmp_path).split())
    assert "手数料600円（オンライン決済により納付済み）" in text and "納付書" not in text
