"""Signing with the national authentication app (デジタル認証アプリ) from the confirmation page.

``authapp_start`` (POST from 確認画面) opens a sign transaction for exactly the bytes the page
offers and sends the browser to the Digital Agency's authorization endpoint; the resident signs
on their smartphone and the service redirects to ``authapp_callback``, which fetches the
signature and certificate and submits the draft through the same path as every other
signature (``apply.confirm_submit``), so it is verified as today. The round trip's secrets
(state, nonce, PKCE verifier) live only in the session and are used once.

Any refusal comes back to the confirmation page with a message; the draft is never lost.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from madoguchi.portal.resident_view import resident_page
from madoguchi.portal.views import apply
from madoguchi.signatures.authapp.client import SignFlow, sign_flow_finish, sign_flow_start
from madoguchi.signatures.authapp.config import authapp_config
from madoguchi.signatures.authapp.errors import AuthAppFlowInvalid, AuthAppUnavailable
from madoguchi.signatures.config import SignaturesNotConfigured, configured_municipalities, municipality_signatures
from madoguchi.signatures.providers import AUTHAPP, signing_provider_name

FLOW_KEY = "madoguchi.authapp_flow"


def callback_uri() -> str:
    """The redirect URI registered with the Digital Agency (one for every municipality)."""
    return settings.MADOGUCHI_PUBLIC_URL.rstrip("/") + reverse("portal:authapp_callback")


def _config(code: str):
    try:
        return authapp_config(municipality_signatures(code))
    except SignaturesNotConfigured as exc:
        raise AuthAppUnavailable(str(exc)) from exc


@require_POST
@resident_page
def authapp_start(request, code: str, slug: str):
    if signing_provider_name(code) != AUTHAPP:
        raise Http404
    ready, redirection = apply.confirm_draft(request, code, slug)
    if redirection:
        return redirection
    content, redirection = apply.draft_signing_content(code, slug, ready)
    if redirection:
        return redirection
    try:
        flow, url = sign_flow_start(
            _config(code), municipality=code, slug=slug, content=content, redirect_uri=callback_uri(),
            now=timezone.now(),
        )  # fmt: skip
    except AuthAppUnavailable as exc:
        return apply.confirm_page(request, code, slug, ready, signature_error=exc.message, status=exc.status)
    request.session[FLOW_KEY] = flow.as_dict()
    return redirect(url)


@require_GET
@resident_page
def authapp_callback(request):
    data = request.session.pop(FLOW_KEY, None)  # single use, whatever happens next
    if not isinstance(data, dict):
        raise AuthAppFlowInvalid("state_mismatch", "no sign flow in this session")
    flow = SignFlow.from_dict(data)
    ready, redirection = apply.confirm_draft(request, flow.municipality, flow.slug)
    if redirection:
        return redirection
    try:
        submitted = sign_flow_finish(
            _config(flow.municipality), flow, params=request.GET, redirect_uri=callback_uri(), now=timezone.now()
        )
    except (AuthAppFlowInvalid, AuthAppUnavailable) as exc:
        return apply.confirm_page(
            request, flow.municipality, flow.slug, ready, signature_error=exc.message, status=exc.status
        )
    return apply.confirm_submit(request, flow.municipality, flow.slug, ready, lambda: submitted)


@require_GET
def jwks(request):
    """The public keys to register with the Digital Agency (RFC 7517 JWK set), of every municipality."""
    keys: dict[str, dict] = {}
    for code in configured_municipalities():
        if signing_provider_name(code) != AUTHAPP:
            continue
        try:
            config = authapp_config(municipality_signatures(code))
        except SignaturesNotConfigured:
            continue
        for key in config.jwks()["keys"]:
            keys[key["kid"]] = key
    response = JsonResponse({"keys": list(keys.values())})
    response["Cache-Control"] = "public, max-age=300"
    return response
