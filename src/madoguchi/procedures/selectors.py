"""Reads of procedures for the portal and the API."""

from __future__ import annotations

from django.http import Http404

from madoguchi.procedures.models import Procedure
from madoguchi.procedures.services import fold_for_search
from madoguchi.tenants.models import Municipality

MAX_QUERY_LENGTH = 100


def procedure_list(*, municipality: Municipality, query: str = "", category: str = "") -> list[Procedure]:
    """Return the published procedures of ``municipality``, optionally searched and filtered."""
    procedures = (
        Procedure.objects.for_municipality(municipality)
        .filter(is_published=True, current_version__isnull=False)
        .select_related("current_version", "department")
    )
    if category:
        procedures = procedures.filter(category=category)
    for term in fold_for_search(query[:MAX_QUERY_LENGTH]).split():
        procedures = procedures.filter(search_text__contains=term)
    return list(procedures)


def procedure_categories(*, municipality: Municipality) -> list[str]:
    return list(
        Procedure.objects.for_municipality(municipality)
        .filter(is_published=True, current_version__isnull=False)
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def procedure_get(*, municipality: Municipality, slug: str) -> Procedure:
    """Return the published procedure ``slug`` of ``municipality`` or raise Http404."""
    procedure = (
        Procedure.objects.for_municipality(municipality)
        .filter(slug=slug, is_published=True, current_version__isnull=False)
        .select_related("current_version", "department")
        .first()
    )
    if procedure is None:
        raise Http404("Unknown procedure")
    return procedure
