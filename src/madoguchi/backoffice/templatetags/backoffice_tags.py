"""Template filters of the back office: labels and names in the language of the page."""

from django import template
from django.utils.translation import get_language, gettext_lazy

from madoguchi.approvals.models import Capacity, StepStatus
from madoguchi.approvals.routes import StepKind
from madoguchi.cases.models import CaseStatus
from madoguchi.procedures.definition import translated
from madoguchi.tenants.models import Role

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """Return the label of a CaseStatus value ("in_review" → 審査中), or the value if unknown."""
    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value or ""


@register.filter
def in_language(text: dict | None) -> str:
    """Return a {language: text} mapping of a procedure definition in the page's language."""
    return translated(text, get_language())


@register.filter
def staff_name(user) -> str:
    """Return a staff member's full name, or their user name if they have none."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


STEP_KIND_LABELS = {
    StepKind.DRAFT: gettext_lazy("Draft (起案)"),
    StepKind.REVIEW: gettext_lazy("Review (審査)"),
    StepKind.CONSULT: gettext_lazy("Consultation (合議)"),
    StepKind.DECIDE: gettext_lazy("Decision (決裁)"),
}


@register.filter
def step_kind_label(value: str) -> str:
    """Return the label of an approval step kind ("consult" → 合議)."""
    return str(STEP_KIND_LABELS.get(value, value or ""))


@register.filter
def capacity_label(value: str) -> str:
    """Return the label of the capacity a stamp was made in (通常・代決・専決)."""
    try:
        return str(Capacity(value).label)
    except ValueError:
        return value or ""


@register.filter
def role_label(value: str) -> str:
    try:
        return str(Role(value).label)
    except ValueError:
        return value or ""


@register.filter
def step_status_label(value: str) -> str:
    try:
        return str(StepStatus(value).label)
    except ValueError:
        return value or ""


@register.filter
def signature_of(approval, signatures: dict):
    """Return the organisational signature of ``approval`` from {approval id: signature}, or None."""
    return (signatures or {}).get(approval.pk)
