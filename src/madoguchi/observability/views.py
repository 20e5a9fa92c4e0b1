"""``/health/live``, ``/health/ready`` and ``/metrics``: for load balancers, monitors and Prometheus.

``/health/live`` is public and says only that the process answers (no database). The details
of ``/health/ready`` and all of ``/metrics`` are for the operator: a request is trusted when it
carries ``Authorization: Bearer <MADOGUCHI_HEALTH_TOKEN>`` or comes from an address in
``MADOGUCHI_HEALTH_ALLOW`` (default: this machine). Others get the readiness verdict without
details, and 403 for the metrics.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from madoguchi.observability import health, metrics
from madoguchi.observability.client import client_ip


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _has_token(request: HttpRequest) -> bool:
    token = getattr(settings, "MADOGUCHI_HEALTH_TOKEN", "")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _allowed_address(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    for entry in getattr(settings, "MADOGUCHI_HEALTH_ALLOW", []):
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def trusted(request: HttpRequest) -> bool:
    """True for the operator's monitors: the health token, or an allowed address."""
    return _has_token(request) or _allowed_address(request)


@require_safe
def live(request: HttpRequest) -> HttpResponse:
    return _no_store(JsonResponse({"status": "ok"}))


@require_safe
def ready(request: HttpRequest) -> HttpResponse:
    result = health.readiness()
    body: dict = {"status": result.status}
    if trusted(request):
        body["checks"] = {outcome.name: outcome.as_dict() for outcome in result.outcomes}
    return _no_store(JsonResponse(body, status=200 if result.ready else 503))


@require_safe
def prometheus_metrics(request: HttpRequest) -> HttpResponse:
    if not trusted(request):
        return _no_store(HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8"))
    body, content_type = metrics.exposition()
    return _no_store(HttpResponse(body, content_type=content_type))
