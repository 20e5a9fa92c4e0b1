"""Signatures kept with the records they sign.

A :class:`ResidentSignature` is a resident's verified signature over their application.

An :class:`IssuedDocument` records one issuance of a signed PDF (交付文書): which case, which
kind of document, its version (a re-issue is a new version; the earlier one is marked
superseded, never deleted), the SHA-256 of the PDF exactly as it was handed out, and which
certificate signed it. The public verification page finds a document by that SHA-256, so the
row is what turns "this PDF is authentic" into "this is 青葉市's 道路占用許可書 for
082015-2026-000123".

An :class:`OrganisationSignature` is the municipality's own signature (組織署名) over one
approval decision: a stamp or a return on the route, a 後閲, or the 決裁 of a case. It
keeps the exact bytes that were signed (the canonical document, docs/signatures.md), so a
later check can re-derive the document from the rows as they are now and compare: a comment,
decision, user or answers edited in the database no longer matches, and the signature over
the stored bytes proves what they were. Keys never live here; only the signature and the
signer certificate's SHA-256 do.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager


class SignedObject(models.TextChoices):
    # If you add a kind here, add its document to signatures.approval_documents and its
    # signing call to the service that writes it.
    APPROVAL = "approval", _("Approval stamp")
    POST_REVIEW = "post_review", _("Review afterwards (後閲)")
    DECISION = "decision", _("Decision (決裁)")


class OrganisationSignature(models.Model):
    """The municipality's signature over one decision; unsigned when no key was configured."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="organisation_signatures")
    object_type = models.CharField(max_length=16, choices=SignedObject.choices)
    # Approval pk for "approval" and "post_review", the decision's CaseEvent pk for "decision".
    object_id = models.PositiveBigIntegerField()
    payload = models.BinaryField()
    # Empty when the municipality had no signing key: the decision went through unsigned.
    cms = models.BinaryField(blank=True, default=b"")
    signer_certificate_sha256 = models.CharField(max_length=64, blank=True)
    signer_subject = models.CharField(max_length=400, blank=True)
    # The signing time in the signature (whole seconds); when unsigned, when it was recorded.
    signed_at = models.DateTimeField()

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "object_type", "object_id"], name="uniq_organisation_signature_object"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "case"], name="org_signature_case_idx")]
        verbose_name = _("organisational signature")
        verbose_name_plural = _("organisational signatures")

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}"

    @property
    def is_signed(self) -> bool:
        return bool(self.cms)


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


class DocumentKind(models.TextChoices):
    # If you add a kind, add its default title and body in signatures.documents.kinds.
    APPROVED = "approved", _("Notice of decision")
    REJECTED = "rejected", _("Notice of rejection")
    RECEIPT = "receipt", _("Certificate of receipt")
    # 納付書: the fee's payment slip with its payment number; its particulars come from payments.
    PAYMENT_SLIP = "payment_slip", _("Payment slip")


class IssuedDocument(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    # The title printed on the document (e.g. 道路占用許可書), as the procedure named it then.
    title = models.CharField(_("title"), max_length=80)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    storage_name = models.CharField(max_length=200)
    signer_certificate_sha256 = models.CharField(max_length=64)
    timestamped = models.BooleanField(default=False)
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.CharField(_("issued by"), max_length=120)
    superseded = models.BooleanField(_("superseded"), default=False)
    # 文書番号 of a decision document (青市民第45号), unique in its fiscal year; empty for a 受理証明書.
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    document_fiscal_year = models.PositiveSmallIntegerField(_("fiscal year of the document number"), null=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["case", "kind", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "version"], name="uniq_issued_document_version"),
            models.UniqueConstraint(
                fields=["municipality", "document_fiscal_year", "document_number"],
                condition=~models.Q(document_number=""),
                name="uniq_issued_document_number",
            ),
        ]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} v{self.version}"

    def download_name(self, receipt_number: str) -> str:
        """The download name: receipt number, kind and version, ASCII only (safe in every browser)."""
        return f"{receipt_number}-{self.kind}-v{self.version}.pdf"


class DocumentNumberCounter(models.Model):
    """The last 文書番号 given under one prefix (文書記号) in one fiscal year (年度).

    Numbered per prefix, so two departments sharing the municipality's prefix share its
    sequence and never print the same number; a department with a prefix of its own gets
    a sequence of its own. Taken in the transaction that writes the document row
    (``signatures.documents.numbering``), so numbers are unique and gap-free.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    objects = municipality_scoped_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year", "prefix"], name="uniq_document_number_counter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.fiscal_year}: {self.last}"
