"""Authenticating integrators: a municipality's server with a client id and secret (HTTP Basic).

Resident operations accept the credential optionally: without it they count requests per
client address, with it per credential (and only for the credential's municipality). A
credential that is sent but wrong is refused (401), never silently ignored.
"""

from __future__ import annotations

import base64
import binascii

from django.utils.translation import gettext
from ninja.security import HttpBasicAuth

from madoguchi.api.requests import RequestRefused
from madoguchi.integrations.services import Integrator, integrator_authenticate

# OpenAPI: resident operations work with no credential or with an integrator's.
OPTIONAL = [{}, {"IntegratorCredential": []}]


def credential_refused() -> RequestRefused:
    """An integrator credential was sent, but it is wrong, revoked or for another municipality."""
    return RequestRefused(
        401,
        "unauthorized",
        gettext("The integrator credential is not valid here."),
        code="invalid_credential",
        headers={"WWW-Authenticate": 'Basic realm="madoguchi"'},
    )


class IntegratorCredential(HttpBasicAuth):
    """Required integrator authentication (named like its OpenAPI security scheme)."""

    def authenticate(self, request, username, password):
        integrator = integrator_authenticate(client_id=username, secret=password)
        if integrator is not None:
            request.integrator = integrator
        return integrator


def optional_integrator(request, *, municipality_code: str | None = None) -> Integrator | None:
    """Return the integrator of the request's Basic credential, None without one.

    Raise a 401 for a credential that does not authenticate, or that belongs to
    another municipality than ``municipality_code``.
    """
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _colon, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise credential_refused() from None
    integrator = integrator_authenticate(client_id=client_id, secret=secret)
    if integrator is None or (municipality_code is not None and integrator.municipality.code != municipality_code):
        raise credential_refused()
    request.integrator = integrator
    return integrator
