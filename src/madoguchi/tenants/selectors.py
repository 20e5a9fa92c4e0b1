"""Reads of municipalities for the front doors."""



from madoguchi.core.errors import NotFound
from madoguchi.tenants.models import Municipality


def municipality_list() -> list[Municipality]:
    return list(Municipality.objects.filter(is_active=True).select_related("prefecture"))


def municipality_get(*, code: str) -> Municipality:
    """Return the active municipality with ``code`` or raise NotFound."""
    try:
        return Municipality.objects.select_related("prefecture").get(code=code, is_active=True)
    except Municipality.DoesNotExist:
        raise NotFound from None
