"""Approval routes on cases (電子決裁): the steps, the stamps, and who is away.

Paper 決裁 is a 起案用紙 (draft) that travels up the chain and collects seals: 審査 by the
section, 合議 from related sections (side by side, each must agree), and the 決裁 by the
person with the authority. Here the draft is the case itself; each seal is an
:class:`Approval`, recorded with who, when, in what capacity and with what comment.

A case's route is laid out as :class:`ApprovalStep` rows when review starts, one row per
step and department (a 合議 step has one row per consulted department, all at the same
position). A return (差戻し) does not erase anything: it closes the current *generation*
of rows and lays out a fresh one, so the history of every earlier round stays readable.

Capacities follow municipal practice:

* 通常 — the stamp of the role the step asks for;
* 代決 (deputy, shown as 「代」) — every holder of that role is absent (:class:`Absence`),
  so a stand-in decides; the absent decider must look at it afterwards (後閲);
* 専決 (delegated) — a standing rule lets a lower rank decide, e.g. under an amount.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.tenants.models import Department, Municipality, Role
from madoguchi.tenants.scoping import municipality_scoped_manager

ROUTE_ROLES = [(value, label) for value, label in Role.choices if value != Role.ADMIN]


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned (差戻し)")
    # A step of a generation that a return (or changed answers) closed before it was reached.
    SKIPPED = "skipped", _("Skipped")


class Capacity(models.TextChoices):
    REGULAR = "regular", _("Regular")
    DEPUTY = "deputy", _("Deputy decision (代決)")
    DELEGATED = "delegated", _("Delegated decision (専決)")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    RETURN = "return", _("Returned (差戻し)")


class Proposal(models.TextChoices):
    """What the draft (起案) proposes: the 決裁 at the end of the route takes this outcome."""

    APPROVE = "approve", _("Proposal to grant (承認案)")
    REJECT = "reject", _("Proposal to reject (却下案)")


class Absence(models.Model):
    """不在登録: a staff member is away from ``start`` to ``end`` (inclusive dates).

    While every holder of a step's role is away, the step may be decided as 代決 — by the
    ``deputy`` named here, or if none is named, by a holder of the next lower role.
    No reason is stored: why someone is away is their personal data.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="absences", verbose_name=_("user"))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    deputy = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("deputy")
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="absence_end_after_start"),
        ]
        indexes = [models.Index(fields=["municipality", "end", "start"], name="absence_today_idx")]
        verbose_name = _("absence (不在登録)")
        verbose_name_plural = _("absences (不在登録)")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.start}–{self.end}"


class ApprovalStep(models.Model):
    """One step of a case's route for one department, in one generation of the route."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="approval_steps")
    generation = models.PositiveSmallIntegerField()
    # Rows with the same position are parallel (合議); a row may be acted on once every row
    # at a lower position is approved.
    position = models.PositiveSmallIntegerField()
    step_id = models.CharField(max_length=40)
    kind = models.CharField(max_length=16)
    role = models.CharField(_("role"), max_length=16, choices=ROUTE_ROLES)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    # 専決 rule copied from the definition, so the row says on its own who may decide.
    delegation = models.JSONField(null=True, blank=True)
    # The case's answers version the generation was laid out for: approvals are of those answers.
    answers_version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    created_at = models.DateTimeField()

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["case", "generation", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "generation", "step_id", "department"], name="uniq_approval_step_department"
            ),
        ]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self) -> str:
        return f"{self.case_id} g{self.generation} {self.step_id}"


class Approval(models.Model):
    """One stamp on a step: who, when, in what capacity, approve or return, and the comment."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="approvals")
    step = models.ForeignKey(ApprovalStep, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("user"))
    capacity = models.CharField(_("capacity"), max_length=16, choices=Capacity.choices)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    # Only on the stamp of a route's first step (起案): the outcome the route is asked to approve,
    # and what the resident will be told (the reason, for a rejection).
    proposal = models.CharField(_("proposal"), max_length=16, choices=Proposal.choices, blank=True)
    proposal_message = models.TextField(_("message to the applicant"), blank=True)
    created_at = models.DateTimeField(_("at"))
    # 後閲: a 代決 must be looked at afterwards by a holder of the step's role (the absent decider).
    post_review_required = models.BooleanField(default=False)
    post_reviewed_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    post_reviewed_at = models.DateTimeField(null=True, blank=True)
    post_review_comment = models.TextField(blank=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["case", "created_at", "id"]
        indexes = [
            models.Index(
                fields=["municipality", "post_review_required", "post_reviewed_at"], name="approval_post_review_idx"
            ),
        ]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.case_id} step {self.step_id}: {self.decision}"
