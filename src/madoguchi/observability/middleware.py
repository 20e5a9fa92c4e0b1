"""One log line and one latency observation per request, under one request id.

The id comes from the proxy's ``X-Request-ID`` when it is well-formed, or is made here; it is
sent back as ``X-Request-ID`` and carried into every log line written while the request runs.
The request line names the route (the URL pattern's name), never the path: paths hold receipt
numbers, query strings hold search words and access codes.
"""

from __future__ import annotations

import logging
import time

from madoguchi.observability import context, metrics

logger = logging.getLogger("madoguchi.request")

REQUEST_ID_HEADER = "X-Request-ID"
UNMATCHED_ROUTE = "unmatched"
# Probes come every few seconds; their lines would drown everything else at INFO.
QUIET_ROUTES = frozenset({"observability:live", "observability:ready", "observability:metrics"})


def route_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match.url_name or UNMATCHED_ROUTE) if match else UNMATCHED_ROUTE


def _staff_municipality(request) -> str:
    # The back office's StaffContext, duck-typed: this app imports no door.
    staff = getattr(request, "staff", None)
    municipality = getattr(staff, "municipality", None)
    return getattr(municipality, "code", "") or ""


class RequestObservabilityMiddleware:
    """First in MIDDLEWARE: it times everything beneath it and sees every final response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = context.request_id_from(request.headers.get(REQUEST_ID_HEADER))
        tokens = [
            (context.request_id, context.request_id.set(request_id)),
            (context.route, context.route.set("")),
            (context.municipality, context.municipality.set("")),
        ]
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = route_name(request)
            context.bind_municipality(_staff_municipality(request))
            response[REQUEST_ID_HEADER] = request_id
            metrics.observe_request(route=route, method=request.method, status=response.status_code, seconds=seconds)
            level = logging.DEBUG if route in QUIET_ROUTES and response.status_code < 500 else logging.INFO
            logger.log(
                level,
                "%s %s %s",
                request.method,
                route,
                response.status_code,
                extra={
                    "route": route,
                    "method": request.method,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            return response
        finally:
            for variable, token in reversed(tokens):
                variable.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        context.route.set(route_name(request))
        context.bind_municipality(view_kwargs.get("code") or _staff_municipality(request))
        return None
