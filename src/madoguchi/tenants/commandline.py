"""What the project's management commands share about municipalities."""

from __future__ import annotations

from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from madoguchi.tenants.models import Municipality


def municipalities_for_command(code: str | None) -> list[Municipality]:
    """All municipalities by code, or the one ``--municipality CODE`` names (CommandError if unknown)."""
    with scopes_disabled():
        queryset = Municipality.objects.order_by("code")
        if code is not None:
            queryset = queryset.filter(code=code)
        municipalities = list(queryset)
    if code is not None and not municipalities:
        raise CommandError(f"Unknown municipality {code}")
    return municipalities
