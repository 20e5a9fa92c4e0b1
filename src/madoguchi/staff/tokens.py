"""Staff API tokens: ``mdg_<prefix>_<secret>``. The prefix finds the row; the secret is
checked against a SHA-256 digest in constant time (it is random, so no slow hash needed)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from madoguchi.audit.services import audit_log
from madoguchi.tenants.access import StaffContext, staff_context_for
from madoguchi.tenants.models import StaffApiToken

PREFIX = "mdg"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def staff_token_create(*, user, name: str, expires_at: datetime | None = None) -> tuple[StaffApiToken, str]:
    """Create a token for a staff member; return it with the plain token (shown once)."""
    staff = staff_context_for(user)
    if staff is None:
        raise ValueError("Only municipality staff can have API tokens.")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with transaction.atomic():
        token = StaffApiToken.objects.for_municipality(staff.municipality).create(
            municipality=staff.municipality,
            user=user,
            name=name[:80],
            prefix=prefix,
            digest=_digest(secret),
            expires_at=expires_at,
        )
        audit_log(
            municipality=staff.municipality,
            event="tenants.api_token.created",
            actor=staff.actor_label,
            object_type="api_token",
            object_id=prefix,
            payload={"name": token.name},
        )
    return token, f"{PREFIX}_{prefix}_{secret}"


def staff_token_authenticate(raw: str, *, now: datetime | None = None) -> StaffContext | None:
    """Return the staff context of a valid, unexpired, unrevoked token, else None."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    now = now or timezone.now()
    with scopes_disabled():  # found by its unique prefix, then checked against its digest
        token = StaffApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(parts[2])):
        return None
    if token.revoked_at or (token.expires_at and token.expires_at <= now):
        return None
    staff = staff_context_for(token.user)
    if staff is None or staff.municipality.pk != token.municipality_id:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        StaffApiToken.objects.for_municipality(staff.municipality).filter(pk=token.pk).update(last_used_at=now)
    return staff
