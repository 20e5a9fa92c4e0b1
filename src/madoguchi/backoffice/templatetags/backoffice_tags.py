"""Template filters of the back office: labels and names in the language of the page."""

from django import template
from django.utils.translation import get_language

from madoguchi.cases.models import CaseStatus
from madoguchi.procedures.definition import translated

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
