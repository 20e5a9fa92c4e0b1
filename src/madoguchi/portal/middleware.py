"""A strict Content-Security-Policy: same-origin scripts and styles only, no inline code;
and the friendly 503 page when evidence cannot be stored."""

from django.conf import settings

from madoguchi.portal.views.errors import storage_unavailable
from madoguchi.storage.errors import StorageUnavailable

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


class StorageUnavailableMiddleware:
    """Answer StorageUnavailable from any page with the translated 503 page, not a 500.

    The service that raised it stored nothing it would acknowledge (its transaction rolled
    back); the API maps the same exception to a ``storage-unavailable`` problem itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StorageUnavailable):
            return storage_unavailable(request, exception)
        return None
