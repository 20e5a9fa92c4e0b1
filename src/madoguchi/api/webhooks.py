"""Payment providers' webhooks, ``POST /payments/webhooks/<provider>/``: how a payment gets confirmed.

The provider calls this address (set it in the provider's dashboard) when a resident has paid
or a payment failed. The raw body and headers go to :func:`payments.online.payment_callback`,
which checks the provider's signature before anything else: a forged or replayed call changes
nothing and is answered 400, so the provider's retries of a genuine event still succeed later.
A redelivered event is answered 200 again ("duplicate"), as providers expect. A provider that
is not the deployment's own is "not found". No CSRF token (the provider has no session) and no
cookies: the signature is the only credential.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from madoguchi.api.http import RATE_WINDOW_SECONDS
from madoguchi.api.problems import problem
from madoguchi.payments.online import payment_callback
from madoguchi.payments.providers import CallbackRejected, provider_for_callback

MAX_BODY_BYTES = 256 * 1024  # a Checkout event is a few kB


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, provider: str):
    adapter = provider_for_callback(provider)
    if adapter is None:
        return problem(request, 404, "not-found")
    rate = getattr(settings, "MADOGUCHI_PAYMENT_WEBHOOK_RATE", "")
    if rate and is_ratelimited(request, group="payment-webhook", key="ip", rate=rate, increment=True):
        return problem(request, 429, "rate-limited", headers={"Retry-After": str(RATE_WINDOW_SECONDS)})
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        return problem(request, 413, "payload-too-large")
    try:
        outcome = payment_callback(provider=adapter, body=body, headers=dict(request.headers), now=timezone.now())
    except CallbackRejected as error:
        return problem(request, 400, "malformed-request", detail=str(error.message), code=error.code)
    return JsonResponse({"received": True, "outcome": outcome})
