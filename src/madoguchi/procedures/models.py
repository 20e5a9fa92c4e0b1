"""Procedures (手続) and their immutable versions.

A procedure's definition changes over time (a new field, a new fee). An application must
always be read with the definition it was made under, so every change creates a new
:class:`ProcedureVersion` and a case points at the version, never at the procedure's
current state.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from madoguchi.procedures.definition import translated
from madoguchi.tenants.models import Department, Municipality
from madoguchi.tenants.scoping import municipality_scoped_manager

CATEGORY_LABELS = {
    "certificates": _("Certificates"),
    "registration": _("Registration"),
    "moving": _("Moving"),
    "tax": _("Taxes"),
    "childcare": _("Childcare"),
    "welfare": _("Welfare"),
    "care": _("Long-term care"),
    "health": _("Health and insurance"),
    "waste": _("Waste"),
    "pets": _("Pets"),
    "roads": _("Roads and permits"),
    "other": _("Other"),
}
LIFE_EVENT_LABELS = {
    "moving": _("Moving house"),
    "birth": _("Birth"),
    "childcare": _("Raising children"),
    "marriage": _("Marriage"),
    "care": _("Nursing care"),
    "death": _("Bereavement"),
    "waste": _("Garbage"),
    "tax": _("Taxes"),
    "certificates": _("Certificates"),
    "pets": _("Pets"),
    "business": _("Business"),
    "housing": _("Housing"),
}


class Procedure(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="procedures")
    slug = models.SlugField(_("slug"), max_length=60)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("department"),
    )
    current_version = models.ForeignKey(
        "ProcedureVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.CharField(_("category"), max_length=20, db_index=True)
    is_published = models.BooleanField(_("published"), default=True)
    # Normalised text of titles, summaries and keywords in every language, for search.
    search_text = models.TextField(blank=True, editable=False)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["municipality", "category", "slug"]
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="uniq_procedure_slug")]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return self.title

    @property
    def definition(self) -> dict:
        return self.current_version.definition

    @property
    def title(self) -> str:
        return translated(self.definition["title"], get_language()) if self.current_version_id else self.slug


class ProcedureVersion(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    content_hash = models.CharField(max_length=64)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = municipality_scoped_manager()

    class Meta:
        ordering = ["procedure", "-number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="uniq_procedure_version")]
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")

    def __str__(self) -> str:
        return f"{self.procedure.slug} v{self.number}"
