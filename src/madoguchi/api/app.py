"""The API object, ``/api/v1/``: one place for what every operation shares.

- Every error is an RFC 9457 problem document in the client's language: domain refusals
  (:class:`~madoguchi.core.errors.DomainError`) through ONE handler, the API's own refusals
  (body parsing, authentication, a wrong method) beside it. Never add a handler per domain
  exception: give the exception a ``status``, ``kind`` and ``code`` instead.
- Every operation has a hand-chosen ``operation_id``: generated clients name their functions
  after it, so a refactor must not rename them (``tests/api/test_openapi_contract.py`` pins
  the list). An operation without one is refused when the document is built.
- HEAD is answered for every GET, a method a path does not take is a 405 problem with
  ``Allow``, and a response that did not choose its own caching is ``no-store``: most of
  the API carries personal data or access codes.
- The OpenAPI document is built at request time, since procedures are data (see
  ``openapi.py``), and cached per catalog revision.
"""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponseNotAllowed, HttpResponseNotModified
from django.urls import URLPattern
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from madoguchi.api import openapi
from madoguchi.api.http import if_none_match
from madoguchi.api.problems import problem
from madoguchi.api.requests import RequestRefused
from madoguchi.core.errors import DomainError
from madoguchi.observability.unavailable import RETRY_AFTER_SECONDS, is_service_unavailable

logger = logging.getLogger(__name__)


def _http_behaviour(view):
    """Wrap a ninja path view: HEAD as GET without a body, 405 as a problem, no-store by default."""

    @functools.wraps(view)  # keeps csrf_exempt
    def wrapper(request, *args, **kwargs):
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = [m.strip() for m in response["Allow"].split(",")]
            if "GET" in allowed:
                allowed.append("HEAD")
            response = problem(request, 405, "method-not-allowed", headers={"Allow": ", ".join(allowed)})
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        if head:
            request.method = "HEAD"
            if response.streaming:
                length = response.get("Content-Length")
                if hasattr(response, "file_to_stream") and response.file_to_stream is not None:
                    response.file_to_stream.close()
                response.streaming_content = []
                if length is not None:
                    response["Content-Length"] = length
            else:
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
        return response

    return wrapper


class MadoguchiAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _http_behaviour(pattern.callback)
        return urls

    def get_openapi_operation_id(self, operation) -> str:
        raise ImproperlyConfigured(
            f"{operation.view_func.__module__}.{operation.view_func.__name__} needs an operation_id: "
            "generated clients are named after it."
        )

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return self.openapi_document(path_params=path_params)[0]

    def openapi_document(self, *, path_params=None) -> tuple[dict, str]:
        """Return the finished OpenAPI document and its ETag (cached per catalog revision)."""
        return openapi.document(lambda: NinjaAPI.get_openapi_schema(self, path_params=path_params))


def _openapi_view(view):
    """The document's view: ETag per catalog revision and language, 304 on a match."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.path.endswith(".json"):  # the docs page: a static page of the installed version
            return view(request, *args, **kwargs)
        etag = api.openapi_document(path_params=kwargs)[1]
        response = HttpResponseNotModified() if if_none_match(request, etag) else view(request, *args, **kwargs)
        response["ETag"] = etag
        response["Cache-Control"] = "public, no-cache"
        response["Vary"] = "Accept-Language"
        return response

    return wrapper


api = MadoguchiAPI(
    title="Madoguchi API",
    version="1.0.0",
    description=openapi.DESCRIPTION,
    urls_namespace="api-1.0.0",
    docs_decorator=_openapi_view,
)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    if is_service_unavailable(exc):  # the database or the rate-limit store is down: try again later
        logger.warning("API unavailable: %s", type(exc).__name__)
        return problem(request, 503, "service-unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    logger.exception("Unhandled API error on %s", request.path)
    return problem(request, 500, "server-error")


@api.exception_handler(DomainError)
def _refused(request, exc: DomainError):
    """Every refusal of a domain, in one place: its status, kind, code and translated message."""
    if exc.status == 404:  # the same answer whatever was missing or not allowed: nothing leaks
        return problem(request, 404, "not-found")
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
    return problem(
        request,
        exc.status,
        exc.kind,
        detail=str(exc.message),
        code=exc.code,
        extensions=exc.extensions(),
        headers=headers,
    )


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    scheme = "Bearer" if "/staff/" in request.path else 'Basic realm="madoguchi"'
    return problem(request, 401, "unauthorized", code="credentials_required", headers={"WWW-Authenticate": scheme})


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(request, 404, "not-found")


@api.exception_handler(RequestRefused)
def _request_refused(request, exc: RequestRefused):
    return problem(request, exc.status, exc.kind, detail=exc.detail, code=exc.code, headers=exc.headers)


def _field(loc) -> str:
    # ninja reports ("query", "limit") or ("body", "body", "action"): the location is not a field.
    parts = [str(p) for p in loc if p not in ("query", "path", "header", "body", "form", "file")]
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def _ninja_invalid(request, exc):
    errors = [
        {
            "field": _field(error.get("loc", ())),
            "code": str(error.get("type", "invalid")),
            "message": str(error.get("msg", "")),
        }
        for error in exc.errors[:20]
    ]
    return problem(request, 400, "malformed-request", code="invalid_parameters", errors=errors)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    kind = "method-not-allowed" if exc.status_code == 405 else "malformed-request"
    return problem(request, exc.status_code, kind)
