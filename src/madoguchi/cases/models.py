"""Applications (申請) from submission onwards.

A case is identified to the resident by its receipt number (受付番号) — unique per
municipality and fiscal year (年度, from 1 April), and prefixed with the municipality's
code so that it is unique across the platform — together with an access code that only
the resident was shown. The answers are stored as they were validated against the
procedure version the case points at.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.models import ProcedureVersion
from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager


class CaseStatus(models.TextChoices):
    # If you add a state here, add it to services.ALLOWED_TRANSITIONS (issue: back office).
    SUBMITTED = "submitted", _("Received")
    IN_REVIEW = "in_review", _("In review")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Online portal")
    API = "api", _("API")


class ReceiptCounter(models.Model):
    """The last receipt sequence issued per municipality and fiscal year."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    objects = municipality_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "fiscal_year"], name="uniq_receipt_counter"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.last}"


class Case(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cases")
    procedure_version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="cases")
    receipt_number = models.CharField(_("receipt number"), max_length=24, unique=True)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    sequence = models.PositiveIntegerField()
    access_code_hash = models.CharField(max_length=64)
    access_salt = models.CharField(max_length=32)
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED, db_index=True
    )
    answers = models.JSONField(_("answers"))
    language = models.CharField(_("language"), max_length=12, default="ja")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    idempotency_key = models.CharField(max_length=100)
    request_fingerprint = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "fiscal_year", "sequence"], name="uniq_case_sequence"),
            models.UniqueConstraint(fields=["municipality", "idempotency_key"], name="uniq_case_idempotency"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.receipt_number


class Attachment(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    field_id = models.CharField(max_length=40)
    name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["case", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
