"""Online payment through a provider adapter (:mod:`payments.providers`): start, callback, reconcile.

* :func:`payment_online_start` creates the payment at the provider and moves ours to pending;
  the resident pays on the provider's page.
* :func:`payment_callback` takes the provider's callback: the adapter checks its signature
  first (a forgery changes nothing), then the outcome moves the payment through
  :func:`~payments.services.payment_transition` (audited, actor ``provider:<id>``). Each event
  is kept (:class:`ProviderCallback`), so a provider that retries — they all do — changes
  nothing the second time.
* :func:`payment_reconciliation` compares our payments with the provider's list: paid there but
  not here, paid here but not there, different amounts, and payments we do not know.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django_scopes import scope, scopes_disabled

from madoguchi.cases.models import Case
from madoguchi.payments.errors import NothingToPay, OnlinePaymentNotOffered, ReturnAddressNotAllowed
from madoguchi.payments.models import Payment, PaymentMethod, PaymentState, ProviderCallback
from madoguchi.payments.providers import CallbackRejected, Checkout, PaymentProvider, configured_provider
from madoguchi.payments.services import TRANSITIONS, payment_of, payment_transition
from madoguchi.procedures.definition import translated
from madoguchi.tenants.models import Municipality

S = PaymentState
STARTABLE = frozenset({S.UNPAID, S.PENDING, S.FAILED})


def payment_online_start(
    *, case: Case, provider: PaymentProvider, success_url: str, cancel_url: str, now: datetime
) -> Checkout:
    """Create ``case``'s payment at ``provider`` and return where the resident pays.

    Raise NothingToPay (a PaymentStateNotAllowed) when there is nothing (left) to pay, and
    ProviderUnavailable.
    """
    payment = payment_of(case=case)
    if payment is None or payment.state not in STARTABLE:
        raise NothingToPay(payment.state if payment else "", S.PENDING)
    description = translated(case.procedure_version.definition["title"], "ja")
    checkout = provider.create(
        payment_number=payment.payment_number,
        amount=payment.amount,
        description=f"{description}（{case.receipt_number}）",
        success_url=success_url,
        cancel_url=cancel_url,
    )
    with transaction.atomic():
        Payment.objects.for_municipality(case.municipality).filter(pk=payment.pk).update(
            provider=provider.id, provider_reference=checkout.reference
        )
        if payment.state != S.PENDING:
            payment_transition(case=case, to=S.PENDING, actor=f"provider:{provider.id}", now=now, note="online")
    return checkout


def online_payment_listed(definition: dict) -> bool:
    """Return whether the procedure ``definition`` takes online payment (``online`` in its methods)."""
    return PaymentMethod.ONLINE in ((definition.get("fee") or {}).get("payment_methods") or [])


def online_payment_offered(*, case: Case, provider: PaymentProvider | None = None) -> bool:
    """Return whether the resident may start an online payment of ``case`` now.

    Only when the deployment has a provider, the procedure lists ``online`` and the fee is
    still open (unpaid, under way — e.g. a started payment the resident cancelled — or failed).
    """
    provider = provider if provider is not None else configured_provider()
    if provider is None or not online_payment_listed(case.procedure_version.definition):
        return False
    payment = payment_of(case=case)
    return payment is not None and payment.state in STARTABLE


def payment_online_begin(*, case: Case, success_url: str, cancel_url: str, now: datetime) -> Checkout:
    """Start ``case``'s online payment through the deployment's provider (the resident's button).

    Raise OnlinePaymentNotOffered when there is no provider or the procedure takes no online
    payment, NothingToPay when the fee is already paid, and ProviderUnavailable.
    """
    provider = configured_provider()
    if provider is None or not online_payment_listed(case.procedure_version.definition):
        raise OnlinePaymentNotOffered
    return payment_online_start(case=case, provider=provider, success_url=success_url, cancel_url=cancel_url, now=now)


def return_address_check(url: str, *, allowed_origins: Iterable[str]) -> str:
    """Return ``url`` if its origin is one of ``allowed_origins``; raise ReturnAddressNotAllowed.

    The provider sends the resident there after paying: an address anyone could choose would
    make the municipality's payment page a way to send residents to any site.
    """
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if parts.scheme not in ("https", "http") or origin not in {o.rstrip("/").lower() for o in allowed_origins}:
        raise ReturnAddressNotAllowed
    return url


def payment_callback(*, provider: PaymentProvider, body: bytes, headers: dict[str, str], now: datetime) -> str:
    """Apply a provider's callback; return "paid", "failed", "ignored" or "duplicate".

    Raise CallbackRejected for a bad signature, an unreadable body or an unknown payment.
    """
    event = provider.verify_callback(body=body, headers=headers, now=now.timestamp())
    with scopes_disabled():  # the provider knows its reference, not our municipality
        payment = (
            Payment.objects.select_related("municipality")
            .filter(provider=provider.id, provider_reference=event.reference)
            .first()
        )
    if payment is None:
        raise CallbackRejected("unknown payment reference")
    municipality = payment.municipality
    with scope(municipality=municipality), transaction.atomic():
        seen = ProviderCallback.objects.for_municipality(municipality).filter(
            provider=provider.id, event_id=event.event_id
        )
        if seen.exists():
            return "duplicate"
        case = Case.objects.for_municipality(municipality).get(pk=payment.case_id)
        current = Payment.objects.for_municipality(municipality).get(pk=payment.pk).state
        outcome = event.outcome
        moved = bool(outcome) and outcome != current and outcome in TRANSITIONS[current]
        if moved:
            payment_transition(
                case=case,
                to=outcome,
                actor=f"provider:{provider.id}",
                now=now,
                note=event.event_id,
                # Paid through the provider: the certificate says so, whatever was chosen at submission.
                method=PaymentMethod.ONLINE if outcome == S.PAID else "",
            )
        ProviderCallback.objects.for_municipality(municipality).create(
            municipality=municipality,
            payment=payment,
            provider=provider.id,
            event_id=event.event_id,
            outcome=outcome or current,
            received_at=now,
        )
    return outcome if moved else "ignored"


@dataclass
class Reconciliation:
    """Differences between our payments and the provider's; empty lists mean they agree."""

    matched: int = 0
    paid_there_not_here: list[str] = field(default_factory=list)
    paid_here_not_there: list[str] = field(default_factory=list)
    amount_differs: list[str] = field(default_factory=list)
    unknown_here: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.paid_there_not_here or self.paid_here_not_there or self.amount_differs or self.unknown_here)


def payment_reconciliation(*, municipality: Municipality, provider: PaymentProvider) -> Reconciliation:
    """Compare ``municipality``'s online payments through ``provider`` with the provider's list."""
    ours = {
        p.provider_reference: p
        for p in Payment.objects.for_municipality(municipality).filter(provider=provider.id).exclude(
            provider_reference=""
        )
    }
    report = Reconciliation()
    seen: set[str] = set()
    for theirs in provider.payments():
        if not theirs.payment_number.startswith(municipality.code):
            continue  # another municipality's payment on a shared provider account
        payment = ours.get(theirs.reference)
        if payment is None:
            report.unknown_here.append(theirs.reference)
            continue
        seen.add(theirs.reference)
        here_paid = payment.state == S.PAID
        if theirs.paid and not here_paid:
            report.paid_there_not_here.append(payment.payment_number)
        elif here_paid and not theirs.paid:
            report.paid_here_not_there.append(payment.payment_number)
        elif theirs.paid and theirs.amount != payment.amount:
            report.amount_differs.append(payment.payment_number)
        else:
            report.matched += 1
    for reference, payment in ours.items():
        if reference not in seen and payment.state == S.PAID:
            report.paid_here_not_there.append(payment.payment_number)
    return report
