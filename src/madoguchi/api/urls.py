"""Mounts the API's routers, one per audience, on the API object (``app.py``)."""

from __future__ import annotations

from django.http import Http404
from ninja import Router

from madoguchi.api.app import api
from madoguchi.api.assistant import router as assistant_router
from madoguchi.api.integrators import router as integrators_router
from madoguchi.api.residents import router as residents_router
from madoguchi.api.staff import router as staff_router

api.add_router("", residents_router)
api.add_router("", integrators_router)
api.add_router("/staff", staff_router)
api.add_router("", assistant_router)

# ninja matches routes in the order routers were added, so the catch-all lives in a router
# of its own, added last, and shadows nothing.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, url_name="not_found"
)
def not_found(request, rest: str):
    """Answer any other path under the API with a problem document, not the portal's HTML page."""
    raise Http404


api.add_router("", fallback)

__all__ = ["api"]
