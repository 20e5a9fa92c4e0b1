"""Online payment providers: one adapter per provider's published API, behind one interface.

An adapter creates a payment at the provider (the resident is sent to the provider's page),
checks the signature of the provider's callback and says what it means, and lists the
provider's payments for reconciliation. Adapter classes register in :data:`payment_providers`
by id; :mod:`payments.online` takes an adapter instance (made with the deployment's keys) and
never imports one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import Invalid, Unavailable
from madoguchi.core.registry import Registry


class CallbackRejected(Invalid):
    """A callback whose signature does not verify, is too old, or cannot be read: nothing is changed."""

    code = "callback_rejected"
    message = _("The payment notification was rejected.")

    def __init__(self, reason: str = ""):
        super().__init__()
        self.reason = reason


class ProviderUnavailable(Unavailable):
    """The provider could not be reached or refused the request; the payment stays as it was."""

    code = "payment_provider_unavailable"
    message = _("Online payment is not available at the moment. Please try again later.")


@dataclass(frozen=True)
class Checkout:
    """A payment created at the provider: its reference and the page the resident pays on."""

    reference: str
    url: str


@dataclass(frozen=True)
class CallbackEvent:
    """What a verified callback says: ``outcome`` is "paid", "failed" or "" (nothing to do)."""

    event_id: str
    reference: str
    outcome: str


@dataclass(frozen=True)
class ProviderPayment:
    """One payment as the provider reports it, for reconciliation."""

    reference: str
    payment_number: str
    amount: int
    paid: bool


class PaymentProvider(Protocol):
    id: str
    # The origin of the pages residents pay on (``scheme://host[:port]``): a page whose form
    # starts a payment lets its CSP form-action redirect there.
    page_origin: str

    def create(
        self, *, payment_number: str, amount: int, description: str, success_url: str, cancel_url: str
    ) -> Checkout: ...

    def verify_callback(self, *, body: bytes, headers: dict[str, str], now: float) -> CallbackEvent: ...

    def payments(self) -> Iterable[ProviderPayment]: ...


payment_providers: Registry[type] = Registry("payments.providers")


def configured_provider() -> PaymentProvider | None:
    """Return the adapter of the deployment's provider (``MADOGUCHI_PAYMENT_PROVIDER``), or None.

    None as well when its keys are missing: a half-configured provider offers nothing rather
    than a button that fails (``check --deploy`` reports it, payments.E001).
    """
    from django.conf import settings

    from madoguchi.payments.config import missing_options

    provider_id = getattr(settings, "MADOGUCHI_PAYMENT_PROVIDER", "")
    if not provider_id or provider_id not in payment_providers:
        return None
    options = getattr(settings, "MADOGUCHI_PAYMENT_PROVIDER_OPTIONS", {})
    if missing_options(provider_id, options):
        return None
    return payment_providers[provider_id](**options)


def provider_for_callback(provider_id: str) -> PaymentProvider | None:
    """Return the configured adapter if ``provider_id`` names it (a webhook URL), else None."""
    provider = configured_provider()
    return provider if provider is not None and provider.id == provider_id else None
