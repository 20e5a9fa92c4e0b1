"""Signatures kept with cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager


class ResidentSignature(models.Model):
    """A resident's verified signature over the canonical bytes of their application.

    The CMS container is the evidence; the rest is what was found at receipt. The
    revocation status is recorded now because a later re-check may be impossible (only
    registered verifiers can query JPKI revocation, and only while the certificate lives).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="resident_signature")
    # The case's answers version the signature covers: a 補正 changes the answers after it.
    answers_version = models.PositiveIntegerField(default=1)
    cms = models.BinaryField()
    content_sha256 = models.CharField(max_length=64)
    certificate_sha256 = models.CharField(max_length=64)
    certificate_serial = models.CharField(max_length=80)
    certificate_issuer = models.CharField(max_length=400)
    certificate_not_after = models.DateTimeField()
    # The four basic facts from the certificate (name, sex, birth date, address, substitutes).
    facts = models.JSONField(default=dict)
    revocation = models.JSONField(default=dict)
    verifier = models.CharField(max_length=200)
    verified_at = models.DateTimeField()

    objects = municipality_scoped_manager()

    class Meta:
        verbose_name = _("resident signature")
        verbose_name_plural = _("resident signatures")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.facts.get('name', '')}"
