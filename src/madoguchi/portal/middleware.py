"""Middleware of the pages: a strict Content-Security-Policy (same-origin scripts and styles
only, no inline code) and the pages' mapping of domain refusals."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from madoguchi.core.errors import DomainError

DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "MADOGUCHI_CSP", DEFAULT_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(("/admin/", "/api/v1/docs")):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class DomainErrorMiddleware:
    """Show a refusal no view handled as a page: the one place pages map DomainError.

    "Not found" goes to the site's 404 page (the same for "not allowed"); any other refusal
    is shown with its status and translated message — in the back office's frame under
    ``/staff/``, the portal's elsewhere — never as a 500. The API maps the same errors to
    problem documents itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if exception.status == 404:
            raise Http404 from exception
        staff_page = request.path.startswith("/staff/")
        template = "backoffice/error.html" if staff_page else "portal/error.html"
        unavailable = exception.status == 503
        context = {
            "status": exception.status,
            "error_title": _("Temporarily unavailable") if unavailable else _("This is not possible now"),
            "message": str(exception.message),
            # Nothing was kept but the form draft: offer the way back to the page that was sent.
            "retry_url": request.get_full_path() if unavailable and request.method == "POST" else "",
        }
        response = render(request, template, context, status=exception.status)
        if exception.retry_after:
            response["Retry-After"] = str(exception.retry_after)
        return response
