"""Issued documents (交付文書): the signed PDFs a municipality gives a resident.

A row records one issuance: which case, which kind of document, its version (a re-issue is a
new version; the earlier one is marked superseded, never deleted), the SHA-256 of the signed
PDF exactly as it was handed out, and which certificate signed it. The public verification
page finds a document by that SHA-256, so the row is what turns "this PDF is authentic" into
"this is 青葉市's 道路占用許可書 for 082015-2026-000123".
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager


class DocumentKind(models.TextChoices):
    # If you add a kind, add its default title and body in signatures.documents.kinds.
    APPROVED = "approved", _("Notice of decision")
    REJECTED = "rejected", _("Notice of rejection")
    RECEIPT = "receipt", _("Certificate of receipt")


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

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["case", "kind", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "version"], name="uniq_issued_document_version"),
        ]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} v{self.version}"

    def download_name(self, receipt_number: str) -> str:
        """The download name: receipt number, kind and version, ASCII only (safe in every browser)."""
        return f"{receipt_number}-{self.kind}-v{self.version}.pdf"
