"""Stripe Checkout, as Stripe publishes it (https://docs.stripe.com/api/checkout/sessions and
https://docs.stripe.com/webhooks#verify-manually).

* Create: ``POST /v1/checkout/sessions`` (form-encoded, ``Authorization: Bearer <secret key>``,
  an ``Idempotency-Key``) with ``mode=payment`` and one JPY line item; JPY is a zero-decimal
  currency, so ``unit_amount`` is the amount in yen. The response's ``id`` and ``url``.
* Callback (webhook): the ``Stripe-Signature`` header ``t=<unix time>,v1=<hex>``; ``v1`` is
  HMAC-SHA256 of ``"<t>.<raw body>"`` under the endpoint's signing secret, and ``t`` must be
  within the tolerance (300 s, Stripe's default). ``checkout.session.completed`` with
  ``payment_status: paid`` and ``checkout.session.async_payment_succeeded`` mean paid;
  ``checkout.session.async_payment_failed`` and ``checkout.session.expired`` mean failed.
* Reconciliation: ``GET /v1/checkout/sessions`` pages through with ``starting_after``.

The tests run this adapter against a local HTTP server that speaks this protocol — a stand-in,
since no provider can be reached from the test machines.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

from madoguchi.payments.providers import (
    CallbackEvent,
    CallbackRejected,
    Checkout,
    ProviderPayment,
    ProviderUnavailable,
)

DEFAULT_API_BASE = "https://api.stripe.com"
# Where Stripe serves its hosted payment pages (the status page's CSP form-action must allow it).
CHECKOUT_ORIGIN = "https://checkout.stripe.com"
TOLERANCE_SECONDS = 300
TIMEOUT_SECONDS = 10
PAID_EVENTS = {"checkout.session.completed", "checkout.session.async_payment_succeeded"}
FAILED_EVENTS = {"checkout.session.async_payment_failed", "checkout.session.expired"}


class StripeCheckout:
    id = "stripe"

    def __init__(self, *, secret_key: str, webhook_secret: str, api_base: str = DEFAULT_API_BASE):
        self.secret_key, self.webhook_secret, self.api_base = secret_key, webhook_secret, api_base.rstrip("/")
        # Another API base is a stand-in (or a proxy) that serves its payment pages itself.
        if self.api_base == DEFAULT_API_BASE:
            self.page_origin = CHECKOUT_ORIGIN
        else:
            parts = urllib.parse.urlsplit(self.api_base)
            self.page_origin = f"{parts.scheme}://{parts.netloc}"

    def _request(self, method: str, path: str, *, form: dict | None = None, idempotency_key: str = "") -> dict:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(f"{self.api_base}{path}", data=data, method=method)  # noqa: S310
        request.add_header("Authorization", f"Bearer {self.secret_key}")
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if idempotency_key:
            request.add_header("Idempotency-Key", idempotency_key)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (configured base)
                return json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ProviderUnavailable from exc

    def create(
        self, *, payment_number: str, amount: int, description: str, success_url: str, cancel_url: str
    ) -> Checkout:
        session = self._request(
            "POST",
            "/v1/checkout/sessions",
            form={
                "mode": "payment",
                "client_reference_id": payment_number,
                "metadata[payment_number]": payment_number,
                "line_items[0][price_data][currency]": "jpy",
                "line_items[0][price_data][unit_amount]": str(amount),
                "line_items[0][price_data][product_data][name]": description,
                "line_items[0][quantity]": "1",
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            # The same payment number twice (a double click) gets the same session back.
            idempotency_key=f"madoguchi-{payment_number}-{amount}",
        )
        return Checkout(reference=session["id"], url=session["url"])

    def verify_callback(self, *, body: bytes, headers: dict[str, str], now: float) -> CallbackEvent:
        header = next((v for k, v in headers.items() if k.lower() == "stripe-signature"), "")
        parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
        timestamps = [value for key, value in parts if key == "t"]
        signatures = [value for key, value in parts if key == "v1"]
        if not timestamps or not signatures or not timestamps[0].isdigit():
            raise CallbackRejected("no Stripe-Signature with t and v1")
        if abs(now - int(timestamps[0])) > TOLERANCE_SECONDS:
            raise CallbackRejected("the signature's timestamp is outside the tolerance")
        signed = timestamps[0].encode() + b"." + body
        expected = hmac.new(self.webhook_secret.encode(), signed, hashlib.sha256).hexdigest()
        if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
            raise CallbackRejected("the signature does not verify")
        try:
            event = json.loads(body)
            session = event["data"]["object"]
            event_id, kind, reference = event["id"], event["type"], session["id"]
        except (ValueError, KeyError, TypeError) as exc:
            raise CallbackRejected("not a Stripe event") from exc
        outcome = ""
        if kind in PAID_EVENTS and session.get("payment_status") == "paid":
            outcome = "paid"
        elif kind in FAILED_EVENTS:
            outcome = "failed"
        return CallbackEvent(event_id=event_id, reference=reference, outcome=outcome)

    def payments(self) -> Iterator[ProviderPayment]:
        after = ""
        while True:
            query = {"limit": "100", **({"starting_after": after} if after else {})}
            page = self._request("GET", f"/v1/checkout/sessions?{urllib.parse.urlencode(query)}")
            for session in page.get("data", []):
                yield ProviderPayment(
                    reference=session["id"],
                    payment_number=session.get("client_reference_id") or "",
                    amount=int(session.get("amount_total") or 0),
                    paid=session.get("payment_status") == "paid",
                )
            if not page.get("has_more") or not page.get("data"):
                return
            after = page["data"][-1]["id"]
