"""Tenant scoping that fails closed.

Every model that belongs to a municipality uses :func:`municipality_scoped_manager`. Its
default queryset raises ``django_scopes.ScopeError`` unless code either

* asks explicitly: ``Case.objects.for_municipality(m)``, or
* runs inside ``django_scopes.scope(municipality=m)`` (request middleware, jobs), or
* deliberately leaves scoping with ``django_scopes.scopes_disabled()`` (migrations,
  commands that work across municipalities, fixtures).

Forgetting the scope is therefore an exception, never a leak.
"""

from django.db import models
from django_scopes import ScopedManager

SCOPE_DIMENSION = "municipality"


def municipality_scoped_manager(field: str = "municipality"):
    """Return a manager scoped on ``field`` (a lookup path to the owning municipality)."""
    base = type(ScopedManager(**{SCOPE_DIMENSION: field}))

    class MunicipalityScopedManager(base):
        scoped_on = field

        def for_municipality(self, municipality) -> models.QuerySet:
            """Return the rows that belong to ``municipality``."""
            if municipality is None:
                raise ValueError("for_municipality() needs a municipality.")
            # Build the queryset directly: with_scope() copies the manager, which costs more
            # than the query it scopes on the submit path.
            queryset = self._queryset_class(model=self.model, using=self._db, hints=self._hints)
            return queryset.filter(**{field: municipality})

    return MunicipalityScopedManager()


def is_municipality_scoped(manager) -> bool:
    return getattr(manager, "scoped_on", None) is not None
