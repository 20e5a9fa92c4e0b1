"""Integrator credentials: create, revoke, authenticate.

A municipality's own web site (or a vendor's form service working for it) submits residents'
applications from one server. Counted per address, the whole city would share one
resident's rate limit; with a credential, the API counts that server's requests against the
credential's own limit instead. A credential grants nothing else: it does not open any
application without its access code, and it is valid for its municipality only.

The secret is 256 random bits. Only ``HMAC-SHA256(key, secret)`` is stored, the key derived
from ``SECRET_KEY`` (Django's ``salted_hmac``): a slow password hash protects guessable
passwords and would add nothing against a random secret but a cost on every API request,
while the key means a copy of the database alone cannot even test a guess. Rotating
``SECRET_KEY`` therefore invalidates every credential (create new ones).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from madoguchi.audit.services import audit_log
from madoguchi.core.errors import NotFound
from madoguchi.integrations.models import IntegratorCredential
from madoguchi.tenants.models import Municipality

CLIENT_ID_PREFIX = "mdgi_"
KEY_SALT = "madoguchi.integrations.credential"
MAX_SECRET_LENGTH = 100
# last_used_at is written at most this often per credential (it is not an access log).
LAST_USED_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class Integrator:
    """An authenticated integrator, as the API sees it."""

    client_id: str
    name: str
    municipality: Municipality
    rate: str


def _digest(secret: str) -> str:
    return salted_hmac(KEY_SALT, secret, algorithm="sha256").hexdigest()


def integrator_credential_create(
    *, municipality: Municipality, name: str, rate: str | None = None, actor: str = "cli"
) -> tuple[IntegratorCredential, str]:
    """Create a credential for ``municipality``; return it with its secret (shown once)."""
    client_id, secret = CLIENT_ID_PREFIX + secrets.token_hex(8), secrets.token_urlsafe(32)
    with transaction.atomic():
        credential = IntegratorCredential.objects.for_municipality(municipality).create(
            municipality=municipality,
            name=name[:80],
            client_id=client_id,
            digest=_digest(secret),
            rate=settings.MADOGUCHI_INTEGRATOR_RATE if rate is None else rate,
        )
        audit_log(
            municipality=municipality,
            event="integrations.credential.created",
            actor=actor,
            object_type="integrator_credential",
            object_id=client_id,
            payload={"name": credential.name, "rate": credential.rate},
        )
    return credential, secret


def integrator_credential_revoke(
    *, municipality: Municipality, client_id: str, actor: str = "cli", now: datetime | None = None
) -> IntegratorCredential:
    """Revoke an active credential of ``municipality``; raise NotFound if there is none."""
    now = now or timezone.now()
    with transaction.atomic():
        credential = (
            IntegratorCredential.objects.for_municipality(municipality)
            .select_for_update()
            .filter(client_id=client_id, revoked_at__isnull=True)
            .first()
        )
        if credential is None:
            raise NotFound
        credential.revoked_at = now
        credential.save(update_fields=["revoked_at"])
        audit_log(
            municipality=municipality,
            event="integrations.credential.revoked",
            actor=actor,
            object_type="integrator_credential",
            object_id=client_id,
            payload={"name": credential.name},
        )
    return credential


def integrator_authenticate(*, client_id: str, secret: str, now: datetime | None = None) -> Integrator | None:
    """Return the integrator of a valid, unrevoked credential of an active municipality, else None."""
    if not client_id.startswith(CLIENT_ID_PREFIX) or len(client_id) > 40 or len(secret) > MAX_SECRET_LENGTH:
        return None
    credential = (
        IntegratorCredential.objects.with_scopes_disabled()  # found by its unique client id, then checked
        .select_related("municipality__prefecture")
        .filter(client_id=client_id)
        .first()
    )
    if credential is None or not hmac.compare_digest(credential.digest, _digest(secret)):
        return None
    if credential.revoked_at is not None or not credential.municipality.is_active:
        return None
    now = now or timezone.now()
    if (
        credential.last_used_at is None
        or (now - credential.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
    ):
        IntegratorCredential.objects.for_municipality(credential.municipality).filter(pk=credential.pk).update(
            last_used_at=now
        )
    return Integrator(
        client_id=credential.client_id, name=credential.name, municipality=credential.municipality, rate=credential.rate
    )
