"""An integrator credential: a client id and a secret, issued to one municipality."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager


class IntegratorCredential(models.Model):
    """What a municipality's own server presents to the API (HTTP Basic: client id, secret).

    Only a keyed digest of the secret is stored (see ``services``); the secret is shown once.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    client_id = models.CharField(_("client id"), max_length=40, unique=True)
    digest = models.CharField(max_length=64)
    # A django-ratelimit rate such as "600/m", counted per credential; empty: no limit.
    rate = models.CharField(_("rate limit"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = municipality_scoped_manager()

    class Meta:
        verbose_name = _("integrator credential")
        verbose_name_plural = _("integrator credentials")

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"
