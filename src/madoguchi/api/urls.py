"""The public REST API, ``/api/v1/``. OpenAPI 3 at ``/api/v1/openapi.json``.

Handlers parse, call one service or selector and present the result; every error is an
RFC 9457 problem document in the client's language (Accept-Language).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern
from django.utils.translation import get_language
from django_ratelimit.core import is_ratelimited
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from madoguchi.api import presenters
from madoguchi.api.assistant import router as assistant_router
from madoguchi.api.problems import problem
from madoguchi.api.requests import RequestRefused, idempotency_key_from, read_application_request
from madoguchi.api.schemas import (
    ApplicationCreatedOut,
    ApplicationStatusOut,
    MunicipalityOut,
    ProblemOut,
    ProcedureDetailOut,
    ProcedureSummaryOut,
)
from madoguchi.api.staff import router as staff_router
from madoguchi.cases.models import Channel
from madoguchi.cases.selectors import case_get_for_resident
from madoguchi.cases.services import case_submit
from madoguchi.core.errors import DomainError
from madoguchi.observability.metrics import submission_counted
from madoguchi.observability.unavailable import RETRY_AFTER_SECONDS, is_service_unavailable
from madoguchi.procedures.selectors import procedure_get, procedure_list, procedure_version_for_submit
from madoguchi.signatures import services as signature_services
from madoguchi.signatures.documents.downloads import document_response
from madoguchi.signatures.documents.selectors import case_document_get
from madoguchi.tenants.selectors import municipality_get, municipality_list

logger = logging.getLogger(__name__)


def _problem_when_not_allowed(view):
    """Wrap a ninja path view so that its plain-text 405 becomes a problem document."""

    @functools.wraps(view)  # keeps csrf_exempt
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return problem(405, "method-not-allowed", headers={"Allow": response["Allow"]})
        return response

    return wrapper


class MadoguchiAPI(NinjaAPI):
    """NinjaAPI whose every error, including a wrong method, is an RFC 9457 problem.

    django-ninja answers a method a path does not serve itself, with text/plain, before
    any exception handler runs; the URL patterns are wrapped to answer it our way.
    """

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _problem_when_not_allowed(pattern.callback)
        return urls


api = MadoguchiAPI(
    title="Madoguchi API",
    version="1.0.0",
    description="Online applications to Japanese municipalities. Errors are RFC 9457 problem details.",
    urls_namespace="api-1.0.0",
)

PROBLEMS = {
    400: ProblemOut,
    404: ProblemOut,
    405: ProblemOut,
    413: ProblemOut,
    415: ProblemOut,
    422: ProblemOut,
    429: ProblemOut,
    503: ProblemOut,
}
LOOKUP_PROBLEMS = {404: ProblemOut, 405: ProblemOut, 429: ProblemOut, 503: ProblemOut}


class RateLimited(Exception):
    pass


def enforce_rate(request: HttpRequest, group: str, rate: str) -> None:
    if rate and is_ratelimited(request, group=group, key="ip", rate=rate, increment=True):
        raise RateLimited(group)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    if is_service_unavailable(exc):  # the database or the rate-limit store is down: try again later
        logger.warning("API unavailable: %s", type(exc).__name__)
        return problem(503, "service-unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    logger.exception("Unhandled API error on %s", request.path)
    return problem(500, "server-error")


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return problem(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})


@api.exception_handler(DomainError)
def _refused(request, exc: DomainError):
    """Every refusal of a domain, in one place: its status, kind, code and translated message."""
    if exc.status == 404:  # the same answer whatever was missing or not allowed: nothing leaks
        return problem(404, "not-found")
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
    return problem(
        exc.status, exc.kind, detail=str(exc.message), code=exc.code, extensions=exc.extensions(), headers=headers
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, "not-found")


@api.exception_handler(RequestRefused)
def _refused(request, exc: RequestRefused):
    return problem(exc.status, exc.kind, detail=exc.detail)


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    return problem(429, "rate-limited", headers={"Retry-After": "60"})


@api.exception_handler(NinjaValidationError)
def _ninja_invalid(request, exc):
    return problem(400, "malformed-request", detail=str(exc.errors)[:500])


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    kind = "method-not-allowed" if exc.status_code == 405 else "malformed-request"
    return problem(exc.status_code, kind)


@api.get("/municipalities", response=list[MunicipalityOut], tags=["municipalities"])
def municipalities(request):
    """List the municipalities served by this platform."""
    return [presenters.municipality_out(m) for m in municipality_list()]


@api.get(
    "/municipalities/{code}/procedures", response={200: list[ProcedureSummaryOut], 404: ProblemOut}, tags=["procedures"]
)
def procedures(request, code: str, q: str = "", category: str = ""):
    """List a municipality's procedures, optionally searched (``q``) or filtered by category."""
    municipality = municipality_get(code=code)
    return [
        presenters.procedure_summary_out(p)
        for p in procedure_list(municipality=municipality, query=q, category=category)
    ]


@api.get(
    "/municipalities/{code}/procedures/{slug}", response={200: ProcedureDetailOut, 404: ProblemOut}, tags=["procedures"]
)
def procedure_detail(request, code: str, slug: str):
    """Return a procedure's definition, the answers' JSON Schema and a valid example payload."""
    municipality = municipality_get(code=code)
    return presenters.procedure_detail_out(procedure_get(municipality=municipality, slug=slug))


APPLICATION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["answers"],
                    "additionalProperties": False,
                    "properties": {
                        "answers": {"type": "object", "description": "See the procedure's answers_schema."},
                        "language": {"type": "string", "description": "BCP 47 tag for notices, e.g. ja or en."},
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["answers"],
                    "properties": {
                        "answers": {"type": "string", "description": "The answers object as JSON text."},
                        "language": {"type": "string"},
                    },
                    "additionalProperties": {
                        "type": "string",
                        "format": "binary",
                        "description": "One part per file, named after its field id.",
                    },
                }
            },
        },
    },
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "Repeat a request safely: the same key and body return the same receipt.",
            "schema": {"type": "string", "maxLength": 100},
        }
    ],
}


@api.post(
    "/municipalities/{code}/procedures/{slug}/applications",
    response={201: ApplicationCreatedOut, **PROBLEMS},
    openapi_extra=APPLICATION_BODY,
    tags=["applications"],
)
def application_create(request, code: str, slug: str):
    """Submit an application. Returns the receipt number and the access code (shown once)."""
    enforce_rate(request, "submit", settings.MADOGUCHI_SUBMIT_RATE)
    version = procedure_version_for_submit(municipality_code=code, slug=slug)
    key = idempotency_key_from(request) or f"auto-{uuid.uuid4()}"
    body = read_application_request(request)
    result = submission_counted(case_submit)(
        municipality=version.municipality,
        procedure_version=version,
        answers=body.answers,
        files=body.files,
        idempotency_key=key,
        language=body.language or get_language(),
        channel=Channel.API,
        actor="api",
        signature=body.signature,
    )
    created = presenters.application_created_out(result.case, result.access_code)
    response = api.create_response(request, created, status=201)
    response["Location"] = created["status_url"]
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@api.post(
    "/municipalities/{code}/procedures/{slug}/applications/signing-content",
    response={200: None, **PROBLEMS},
    openapi_extra={
        **APPLICATION_BODY,
        "responses": {
            "200": {
                "description": "The canonical bytes to sign (docs/signatures.md): sign exactly these bytes.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    },
    tags=["applications"],
)
def signing_content(request, code: str, slug: str):
    """Validate answers (and files) like a submit and return the exact bytes a resident signs."""
    enforce_rate(request, "submit", settings.MADOGUCHI_SUBMIT_RATE)
    version = procedure_version_for_submit(municipality_code=code, slug=slug)
    body = read_application_request(request)
    content = signature_services.application_signing_content(
        municipality=version.municipality,
        procedure_version=version,
        answers=body.answers,
        files=body.files,
        language=body.language or get_language(),
    )
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["X-Content-SHA256"] = hashlib.sha256(content).hexdigest()
    return response


@api.get(
    "/applications/{receipt_number}",
    response={200: ApplicationStatusOut, **LOOKUP_PROBLEMS},
    url_name="application_status",
    tags=["applications"],
    openapi_extra={
        "parameters": [{"name": "X-Access-Code", "in": "header", "required": True, "schema": {"type": "string"}}]
    },
)
def application_status(request, receipt_number: str):
    """Return an application's status. Needs the access code in ``X-Access-Code``."""
    enforce_rate(request, "lookup", settings.MADOGUCHI_LOOKUP_RATE)
    case = case_get_for_resident(receipt_number=receipt_number, access_code=request.headers.get("X-Access-Code", ""))
    if case is None:
        raise Http404
    return presenters.application_status_out(case)


@api.get(
    "/applications/{receipt_number}/documents/{document_id}",
    response={200: None, **LOOKUP_PROBLEMS},
    url_name="application_document",
    tags=["applications"],
    openapi_extra={
        "parameters": [{"name": "X-Access-Code", "in": "header", "required": True, "schema": {"type": "string"}}],
        "responses": {200: {"description": "The signed PDF", "content": {"application/pdf": {}}}},
    },
)
def application_document(request, receipt_number: str, document_id: int):
    """Download a document issued for an application (a PDF signed by the municipality, PAdES).

    Needs the access code in ``X-Access-Code``; the document must belong to that application.
    """
    enforce_rate(request, "lookup", settings.MADOGUCHI_LOOKUP_RATE)
    case = case_get_for_resident(receipt_number=receipt_number, access_code=request.headers.get("X-Access-Code", ""))
    if case is None:
        raise Http404
    document = case_document_get(case=case, document_id=document_id)
    return document_response(document, receipt_number=case.receipt_number)


api.add_router("/staff", staff_router)
api.add_router("", assistant_router)
# ninja matches the default router's routes before added routers', so the catch-all lives in
# a router of its own, added last, and shadows nothing.
fallback = Router()


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False, url_name="not_found"
)
def not_found(request, rest: str):
    """Answer any other path under the API with a problem document, not the portal's HTML page."""
    raise Http404


api.add_router("", fallback)
