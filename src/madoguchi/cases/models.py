"""Applications (申請) from submission onwards.

A case is identified to the resident by its receipt number (受付番号) — unique per
municipality and fiscal year (年度, from 1 April), and prefixed with the municipality's
code so that it is unique across the platform — together with an access code that only
the resident was shown. The answers are stored as they were validated against the
procedure version the case points at.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.audit.mixins import LoggedModel
from madoguchi.procedures.models import ProcedureVersion
from madoguchi.tenants.models import Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager


class CaseStatus(models.TextChoices):
    # If you add a state here, add its transitions to workflow.TRANSITIONS.
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
    # Records brought in many at a time (cases.imports): earlier years from another system
    # (過去分の移行), the demo's generated history.
    IMPORT = "import", _("Imported")


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


class Case(LoggedModel, models.Model):
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
    # The resident's own notation of some answers (和暦, full-width brackets), shown back to them
    # where it means exactly the clean answer (procedures.notation). Staff use ``answers``.
    answers_entered = models.JSONField(default=dict, blank=True)
    language = models.CharField(_("language"), max_length=12, default="ja")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    idempotency_key = models.CharField(max_length=100)
    request_fingerprint = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(auto_now=True)
    # Back office. The department comes from the procedure at submission; the due date is the
    # submission plus the standard processing period in business days (開庁日).
    department = models.ForeignKey(
        "tenants.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("department"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    assignee = models.ForeignKey(
        "auth.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    # Applicant's name and フリガナ, folded (width, case, kana) for the queue's search.
    search_name = models.CharField(max_length=200, blank=True, db_index=True)
    answers_version = models.PositiveIntegerField(default=1)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "fiscal_year", "sequence"], name="uniq_case_sequence"),
            models.UniqueConstraint(fields=["municipality", "idempotency_key"], name="uniq_case_idempotency"),
        ]
        indexes = [
            # The queue: newest first within a municipality (keyset pagination on submitted_at, id).
            models.Index(fields=["municipality", "-submitted_at", "-id"], name="case_queue_idx"),
            models.Index(fields=["municipality", "status", "due_date"], name="case_due_idx"),
            # The queue filtered by status or assignee, and the open cases (status "open", overdue,
            # due soon): each filter reads its page straight off an index in queue order, at any size.
            # Search by name has a trigram index on PostgreSQL (migration 0004_queue_indexes).
            models.Index(fields=["municipality", "status", "-submitted_at", "-id"], name="case_status_queue_idx"),
            models.Index(fields=["municipality", "assignee", "-submitted_at", "-id"], name="case_assignee_queue_idx"),
            models.Index(
                fields=["municipality", "-submitted_at", "-id"],
                name="case_open_queue_idx",
                condition=models.Q(status__in=["submitted", "in_review", "correction_requested"]),
            ),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    audit_object_type = "case"

    def __str__(self) -> str:
        return self.receipt_number

    def audit_object_id(self) -> str:
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


class AnswerVersion(models.Model):
    """Every version of a case's answers. A correction (補正) adds a version; none is ever changed."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answer_versions")
    number = models.PositiveIntegerField()
    answers = models.JSONField()
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=120)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="uniq_answer_version")]

    def __str__(self) -> str:
        return f"{self.case_id} v{self.number}"


# The actor_label of what the resident did on the portal, who has no account.
RESIDENT_ACTOR = "resident"


class CaseEvent(models.Model):
    """The case's history as staff and the resident see it (the audit chain is the proof)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ASSIGNED = "assigned", _("Assigned")
        COMMENTED = "commented", _("Internal comment")
        CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
        CORRECTED = "corrected", _("Corrected by the applicant")
        STATUS_CHANGED = "status_changed", _("Status changed")
        DECIDED = "decided", _("Decided")
        # Stamps on the approval route (電子決裁), written by approvals.services and approvals.post_reviews.
        STEP_APPROVED = "step_approved", _("Approved on the route")
        STEP_RETURNED = "step_returned", _("Returned on the route (差戻し)")
        POST_REVIEWED = "post_reviewed", _("Reviewed afterwards (後閲)")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey("auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=120)
    message = models.TextField(blank=True)
    # Shown to the resident on the status page (correction requests, decisions), or staff only.
    public = models.BooleanField(default=False)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"

    @property
    def by_resident(self) -> bool:
        """Whether the resident did this themselves (their correction, their withdrawal).

        The status page shows these apart from what the municipality told them. A staff
        event always has its actor, so a staff member named "resident" is not mistaken for one."""
        return self.actor_id is None and self.actor_label == RESIDENT_ACTOR


class Disposal(models.Model):
    """One line of the disposal list (廃棄目録): what was disposed of or transferred, and when."""

    class Fate(models.TextChoices):
        DISPOSE = "dispose", _("Disposed (廃棄)")
        TRANSFER = "transfer", _("Transferred to the archives (移管)")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    receipt_number = models.CharField(_("receipt number"), max_length=24)
    procedure = models.CharField(_("procedure"), max_length=60)
    retention = models.CharField(_("retention class"), max_length=8)
    fate = models.CharField(_("fate"), max_length=10, choices=Fate.choices)
    closed_at = models.DateTimeField(_("closed at"))
    disposed_at = models.DateTimeField(_("disposed at"))

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "disposed_at"]
        verbose_name = _("disposal record")
        verbose_name_plural = _("disposal list (廃棄目録)")

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.fate}"
