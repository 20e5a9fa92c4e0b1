"""The residents' API: what a resident does on the portal, for the municipality's own site,
apps and integrators. Operations register on one router, a module per subject."""

from madoguchi.api.residents import applications, catalog, documents  # noqa: F401 (registers operations)
from madoguchi.api.residents.router import router

__all__ = ["router"]
