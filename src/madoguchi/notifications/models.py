"""E-mail to residents about their application, kept in an outbox.

When an application is received (受付), when staff ask for a correction (補正依頼), when
they decide a case (承認・却下) and when a signed document is issued for it, the resident is told
by e-mail in the language they applied in — if they gave an address. The message is written
into this outbox inside the transaction that changes the case, so a change that rolls back
tells nobody anything, and a change that commits is never left untold because the mail server
was down at that moment.

Subject and body are rendered when the row is written and stored as they are: what the
resident is sent is what the municipality said when it acted, even if the templates change
while a delivery is still being retried. A worker (``madoguchi notifications send``) delivers
pending rows and retries failures with growing delays; after ``MADOGUCHI_NOTIFY_MAX_ATTEMPTS``
a row is *failed* and stays visible to staff, who can put it back in the queue. No row is
ever deleted by sending or failing; it goes only with its case.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.audit.mixins import LoggedModel
from madoguchi.cases.models import Case
from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager


class NotificationKind(models.TextChoices):
    # The values are the case statuses that are announced; if you add one, add its e-mail
    # templates in every language (templates/notifications/email/<language>/<kind>_*.txt).
    # The receipt (受付) is sent on submission, when the resident gave an address.
    RECEIVED = "submitted", _("Receipt")
    # Not a status: a signed document (決定通知書, 却下通知書, a re-issue) can be downloaded.
    DOCUMENT_ISSUED = "document_issued", _("Document issued")
    CORRECTION_REQUESTED = "correction_requested", _("Correction request")
    APPROVED = "approved", _("Approval")
    REJECTED = "rejected", _("Rejection")
    # About a resident's question handed to staff by the assistant (no case): the
    # acknowledgement with its reference, and staff's answer. Written by the assistant.
    INQUIRY_RECEIVED = "inquiry_received", _("Inquiry received")
    INQUIRY_ANSWERED = "inquiry_answered", _("Inquiry answered")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(LoggedModel, models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    # None for a message that is not about an application (an inquiry's; see ``reference``)
    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("application"),
        null=True,
        blank=True,
    )
    # What a message without a case is about, as its sender names it (e.g. "inquiry:<uuid>")
    reference = models.CharField(_("reference"), max_length=80, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    to_address = models.EmailField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=12)
    subject = models.CharField(_("subject"), max_length=400)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("delivery status"), max_length=12, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    # Delivery tries started so far (a try is counted when a worker claims the row).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # What went wrong last, shortened, with addresses and credentials masked.
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # When a worker may next pick the row up; None once it is sent or failed.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's pick-up: pending rows by due time, across municipalities.
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
            # The staff list of failed deliveries, newest first.
            models.Index(fields=["municipality", "status", "-created_at"], name="notification_status_idx"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    audit_object_type = "notification"

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} ({self.status})"

    def audit_payload(self) -> dict:
        # No address, subject or body: those are personal data and stay in the outbox row.
        return {"kind": self.kind, "notification": self.pk}
