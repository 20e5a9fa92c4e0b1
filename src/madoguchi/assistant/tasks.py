"""Background jobs of the assistant (Django's task API; the django-tasks database queue by default)."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task

from madoguchi.tenants.models import Municipality


@task()
def faq_embeddings_task(municipality_id: int, kinds: list[str] | None = None) -> int:
    """Compute the missing embeddings of one municipality's FAQ; return how many were made."""
    from madoguchi.assistant.services import faq_embeddings_update

    municipality = Municipality.objects.get(pk=municipality_id)
    with scope(municipality=municipality):
        return faq_embeddings_update(municipality=municipality, kinds=kinds or ("q", "a"))
