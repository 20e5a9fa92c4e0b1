"""Online payment through the Stripe Checkout adapter, against a local stand-in server (issue 12, item 3)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.backoffice.casework import INKAN, submit
from tests.payments.stripe_standin import SECRET_KEY, WEBHOOK_SECRET, StripeStandIn

from madoguchi.audit.models import AuditEntry
from madoguchi.payments.errors import PaymentStateNotAllowed
from madoguchi.payments.models import PaymentState, ProviderCallback
from madoguchi.payments.online import payment_callback, payment_online_start, payment_reconciliation
from madoguchi.payments.providers import CallbackRejected, ProviderUnavailable, payment_providers
from madoguchi.payments.providers.stripe import StripeCheckout
from madoguchi.payments.services import payment_of, payment_transition

S = PaymentState


@pytest.fixture
def stripe():
    standin = StripeStandIn(page_size=2).start()
    yield standin
    standin.stop()


@pytest.fixture
def provider(stripe):
    return payment_providers["stripe"](secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, api_base=stripe.url)


@pytest.fixture
def case(aoba, version_of):
    return submit(aoba, version_of(aoba, "inkan-certificate"), now=timezone.now(), answers={**INKAN, "copies": "2"})


def _start(case, provider):
    return payment_online_start(
        case=case, provider=provider, success_url="https://example.jp/ok", cancel_url="https://example.jp/no",
        now=timezone.now(),
    )  # fmt: skip


def _paid_entries(case):
    return AuditEntry.objects.for_municipality(case.municipality).filter(event="payments.payment.paid").count()


def test_starting_creates_a_jpy_checkout_session_and_the_payment_is_pending(case, provider, stripe):
    checkout = _start(case, provider)

    [form] = stripe.requests
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][currency]"] == "jpy"
    assert form["line_items[0][price_data][unit_amount]"] == "600"  # yen: a zero-decimal currency
    assert form["client_reference_id"] == payment_of(case=case).payment_number
    assert checkout.url.startswith(f"{stripe.url}/pay/")
    payment = payment_of(case=case)
    assert (payment.state, payment.provider, payment.provider_reference) == (S.PENDING, "stripe", checkout.reference)


def test_starting_twice_gets_the_same_session_back(case, provider, stripe):
    first, second = _start(case, provider), _start(case, provider)

    assert first.reference == second.reference
    assert len(stripe.sessions) == 1


def test_a_signed_completed_event_marks_it_paid_once_however_often_it_is_delivered(case, provider, stripe):
    checkout = _start(case, provider)
    stripe.pay(checkout.reference)
    body, headers = stripe.event(checkout.reference, "checkout.session.completed", event_id="evt_1")

    first = payment_callback(provider=provider, body=body, headers=headers, now=timezone.now())
    again = payment_callback(provider=provider, body=body, headers=headers, now=timezone.now())

    assert (first, again) == ("paid", "duplicate")
    assert payment_of(case=case).state == S.PAID
    assert _paid_entries(case) == 1
    entry = AuditEntry.objects.for_municipality(case.municipality).get(event="payments.payment.paid")
    assert entry.actor == "provider:stripe" and entry.payload["note"] == "evt_1"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda stripe, ref: stripe.event(ref, "checkout.session.completed", event_id="e", secret="whsec_other"),
                     id="another-secret"),
        pytest.param(lambda stripe, ref: stripe.event(ref, "checkout.session.completed", event_id="e", at=0),
                     id="too-old"),
        pytest.param(lambda stripe, ref: (stripe.event(ref, "checkout.session.completed", event_id="e")[0], {}),
                     id="no-header"),
        pytest.param(lambda stripe, ref: (stripe.event(ref, "checkout.session.completed", event_id="e")[0] + b" ",
                                          stripe.event(ref, "checkout.session.completed", event_id="e")[1]),
                     id="body-changed"),
    ],
)  # fmt: skip
def test_a_callback_that_does_not_verify_changes_nothing(case, provider, stripe, forge):
    checkout = _start(case, provider)
    stripe.pay(checkout.reference)
    body, headers = forge(stripe, checkout.reference)

    with pytest.raises(CallbackRejected):
        payment_callback(provider=provider, body=body, headers=headers, now=timezone.now())

    assert payment_of(case=case).state == S.PENDING
    assert not ProviderCallback.objects.for_municipality(case.municipality).exists()


def test_an_expired_session_fails_the_payment_and_the_resident_may_start_again(case, provider, stripe):
    checkout = _start(case, provider)
    body, headers = stripe.event(checkout.reference, "checkout.session.expired", event_id="evt_x")

    assert payment_callback(provider=provider, body=body, headers=headers, now=timezone.now()) == "failed"
    assert payment_of(case=case).state == S.FAILED
    _start(case, provider)
    assert payment_of(case=case).state == S.PENDING


def test_a_paid_fee_cannot_be_started_again(case, provider):
    payment_transition(case=case, to=S.PAID, actor="test")

    with pytest.raises(PaymentStateNotAllowed):
        _start(case, provider)


def test_an_unreachable_provider_leaves_the_payment_unpaid(case):
    offline = StripeCheckout(secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET, api_base="http://127.0.0.1:9")

    with pytest.raises(ProviderUnavailable):
        _start(case, offline)

    assert payment_of(case=case).state == S.UNPAID


def test_reconciliation_finds_a_payment_whose_callback_was_lost(aoba, version_of, case, provider, stripe):
    others = [
        submit(aoba, version_of(aoba, "inkan-certificate"), now=timezone.now(), answers=INKAN) for _ in range(2)
    ]
    references = [_start(c, provider).reference for c in (case, *others)]
    for reference in references[:2]:
        stripe.pay(reference)
    body, headers = stripe.event(references[0], "checkout.session.completed", event_id="evt_a")
    payment_callback(provider=provider, body=body, headers=headers, now=timezone.now())

    report = payment_reconciliation(municipality=aoba, provider=provider)  # pages of 2: follows has_more

    assert report.paid_there_not_here == [payment_of(case=others[0]).payment_number]
    assert report.matched == 2 and not report.clean
    body, headers = stripe.event(references[1], "checkout.session.completed", event_id="evt_b")
    payment_callback(provider=provider, body=body, headers=headers, now=timezone.now())
    assert payment_reconciliation(municipality=aoba, provider=provider).clean
