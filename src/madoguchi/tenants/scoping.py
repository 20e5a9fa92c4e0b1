"""Tenant scoping that fails closed.

Every model that belongs to a municipality uses :func:`municipality_scoped_manager`. Its
default queryset raises ``django_scopes.ScopeError`` unless code either

* asks explicitly: ``Case.objects.for_municipality(m)``, or
* runs inside ``django_scopes.scope(municipality=m)`` (request middleware, jobs), or
* deliberately leaves scoping with ``django_scopes.scopes_disabled()`` (migrations,
  commands that work across municipalities, fixtures).

Forgetting the scope is therefore an exception, never a leak. So is asking for another
municipality's rows while a scope is active: inside municipality A's scope (a staff
request of A), ``for_municipality(B)`` raises ``ScopeError`` instead of answering.
"""

from django.db import models
from django_scopes import ScopedManager
from django_scopes.exceptions import ScopeError
from django_scopes.state import get_scope

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
            _refuse_other_municipality(municipality)
            # Build the queryset directly: with_scope() copies the manager, which costs more
            # than the query it scopes on the submit path.
            queryset = self._queryset_class(model=self.model, using=self._db, hints=self._hints)
            return queryset.filter(**{field: municipality})

    return MunicipalityScopedManager()


def is_municipality_scoped(manager) -> bool:
    return getattr(manager, "scoped_on", None) is not None


def _pk(value) -> object:
    return getattr(value, "pk", value)


def _refuse_other_municipality(municipality) -> None:
    """Raise ScopeError if a municipality scope is active and ``municipality`` is outside it."""
    current = get_scope()
    if not current.get("_enabled", True) or SCOPE_DIMENSION not in current:
        return
    active = current[SCOPE_DIMENSION]
    if active is None:
        return
    allowed = {_pk(m) for m in active} if isinstance(active, list | tuple) else {_pk(active)}
    if _pk(municipality) not in allowed:
        raise ScopeError(f"for_municipality({municipality}) inside the scope of another municipality")
