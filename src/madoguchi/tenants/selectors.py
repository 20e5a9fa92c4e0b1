"""Reads of municipalities for the front doors."""

from django.http import Http404

from madoguchi.tenants.models import Municipality


def municipality_list() -> list[Municipality]:
    return list(Municipality.objects.filter(is_active=True).select_related("prefecture"))


def municipality_get(*, code: str) -> Municipality:
    """Return the active municipality with ``code`` or raise Http404."""
    try:
        return Municipality.objects.select_related("prefecture").get(code=code, is_active=True)
    except Municipality.DoesNotExist:
        raise Http404("Unknown municipality") from None
