"""The OpenAPI 3.1 document: what django-ninja derives from the handlers, made exact.

Handlers declare their responses with :func:`declare` (statuses, headers, binary bodies);
:func:`document` then adds what every operation shares — problem responses as
``application/problem+json``, ``Cache-Control`` on every response, ``Retry-After`` on 429
and 503, ``WWW-Authenticate`` on 401 — and the catalog: each published procedure's answers
as a component ``Answers_<code>_<slug>`` (with ``x-municipality`` and ``x-procedure``), all
of them reachable from the submit, signing-content and correction bodies through ``anyOf``.
The catalog is data, so the document is built at request time and kept per catalog revision
and language.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import get_language

from madoguchi.api.requests import IDEMPOTENCY_KEY_RE, LANGUAGE_RE, MAX_FILES_PER_REQUEST, MAX_REPLY_LENGTH
from madoguchi.api.schemas import ProblemOut
from madoguchi.procedures.definition import translated
from madoguchi.procedures.schema_export import answers_json_schema, file_parts
from madoguchi.procedures.selectors import catalog_published, catalog_revision

DESCRIPTION = """Online applications to Japanese municipalities (窓口).

Audiences: residents and the municipality's own web site (catalog, submit, status, correction,
documents, withdrawal, verification; the access code in `X-Access-Code`), integrators (a
municipality's server with a client id and secret over HTTP Basic), staff (a bearer token) and
the assistant. Errors are RFC 9457 problem documents (`application/problem+json`); each `type`
is a page on this server that says what it means and what to do. See docs/api.md."""

BINARY_PDF = object()  # declare({200: BINARY_PDF}): the body is a PDF, not JSON
PROBLEM_REF = {"$ref": "#/components/schemas/ProblemOut"}

HEADERS: dict[str, dict] = {
    "Cache-Control": {
        "description": "no-store on anything with personal data or an access code; public, no-cache on the catalog.",
        "schema": {"type": "string"},
    },
    "ETag": {
        "description": "Strong validator of the body; send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": 'RFC 8288 links to the next, previous and first page: <url>; rel="next".',
        "schema": {"type": "string"},
    },
    "Location": {"description": "Where the created resource is read.", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "true when this answer repeats the one given earlier for the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    "X-Content-SHA256": {
        "description": "Hex SHA-256 of the body.",
        "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    },
    "Content-Disposition": {"description": "attachment; filename=…", "schema": {"type": "string"}},
    "WWW-Authenticate": {"description": "The authentication scheme to use.", "schema": {"type": "string"}},
    "Allow": {"description": "The methods the path takes.", "schema": {"type": "string"}},
}
REQUIRED_HEADERS = {"Cache-Control", "Location", "ETag", "Retry-After", "X-Content-SHA256", "WWW-Authenticate", "Allow"}

IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeat a request safely: the same key and body return the same receipt (Idempotent-Replayed: true).",
    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_RE.pattern, "maxLength": 100},
}
ACCESS_CODE_PARAMETER = {
    "name": "X-Access-Code",
    "in": "header",
    "required": True,
    "description": "The access code shown once when the application was submitted.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 40},
}
IF_NONE_MATCH_PARAMETER = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "An ETag from an earlier answer: 304 Not Modified if it is still current.",
    "schema": {"type": "string"},
}
REPLY_SCHEMA = {
    "type": "string",
    "maxLength": MAX_REPLY_LENGTH,
    "description": "The applicant's reply to the correction request (補正): what they changed and why, or why an "
    "answer stays as it is. Staff see it beside what changed.",
}
LANGUAGE_SCHEMA = {
    "type": "string",
    "maxLength": 12,
    "pattern": LANGUAGE_RE.pattern,
    "description": "BCP 47 tag for notices and documents, e.g. ja or en; Accept-Language if omitted.",
}


def declare(
    ok: dict[int, Any],
    problems: Iterable[int] = (),
    *,
    headers: dict[int, Iterable[str]] | None = None,
    parameters: Iterable[dict] = (),
    body: dict | None = None,
    security: list[dict] | None = None,
) -> dict:
    """Return ``response`` and ``openapi_extra`` for a ninja operation decorator.

    ``ok`` maps success statuses to a schema (or :data:`BINARY_PDF`, or None for no body);
    ``problems`` are the error statuses the operation can answer with; ``headers`` names the
    headers (from :data:`HEADERS`) each status carries.
    """
    response: dict[int, Any] = {}
    extra_responses: dict[int, dict] = {}
    for status, model in ok.items():
        if model is BINARY_PDF:
            response[status] = None
            extra_responses[status] = {
                "description": "A PDF signed by the municipality (PAdES).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        else:
            response[status] = model
    for status in problems:
        response[status] = ProblemOut
    for status, names in (headers or {}).items():
        extra_responses.setdefault(status, {})["headers"] = {name: _header(name) for name in names}
    extra: dict = {"responses": extra_responses}
    if parameters:
        extra["parameters"] = list(parameters)
    if body is not None:
        extra["requestBody"] = body
    if security is not None:
        extra["security"] = security
    return {"response": response, "openapi_extra": extra}


def _header(name: str) -> dict:
    return {**copy.deepcopy(HEADERS[name]), "required": name in REQUIRED_HEADERS}


# --- the catalog ---------------------------------------------------------------------------

SIGNATURE_SCHEMAS = {
    "CmsSignature": {
        "type": "object",
        "title": "CmsSignature",
        "description": "A CMS SignedData (detached) over the signing content, base64.",
        "required": ["cms"],
        "additionalProperties": False,
        "properties": {"cms": {"type": "string", "minLength": 1, "contentEncoding": "base64"}},
    },
    "RawSignature": {
        "type": "object",
        "title": "RawSignature",
        "description": "A raw PKCS#1 v1.5 SHA-256 signature with the signing certificate (and its chain), base64 DER.",
        "required": ["signature", "certificate"],
        "additionalProperties": False,
        "properties": {
            "signature": {"type": "string", "minLength": 1, "contentEncoding": "base64"},
            "certificate": {"type": "string", "minLength": 1, "contentEncoding": "base64"},
            "chain": {"type": "array", "maxItems": 5, "items": {"type": "string", "contentEncoding": "base64"}},
        },
    },
}


def answers_component_name(code: str, slug: str) -> str:
    return f"Answers_{code}_{slug}"


def _answers_component(procedure, language: str) -> dict:
    definition = procedure.current_version.definition
    schema = answers_json_schema(definition, language=language)
    schema.pop("$schema", None)
    schema["title"] = answers_component_name(procedure.municipality.code, procedure.slug)
    schema["description"] = (
        f"{procedure.municipality.name}: {translated(definition['title'], language)}. "
        f"POST /api/v1/municipalities/{procedure.municipality.code}/procedures/{procedure.slug}/applications"
    )
    # Field labels are documentation, not names a generator should build types from.
    for prop in schema.get("properties", {}).values():
        if "title" in prop:
            label = prop.pop("title")
            prop["description"] = f"{label}. {prop['description']}" if prop.get("description") else label
    schema["x-municipality"] = procedure.municipality.code
    schema["x-procedure"] = procedure.slug
    schema["x-procedure-version"] = procedure.current_version.number
    schema["x-files"] = [part["field"] for part in file_parts(definition, language=language)]
    return schema


def _bodies(answer_refs: list[dict]) -> dict[str, dict]:
    answers = {
        "anyOf": answer_refs or [{"type": "object"}],
        "description": "The answers, one of the Answers_<code>_<slug> schemas: the one of the procedure in the path.",
    }
    signature = {
        "oneOf": [{"$ref": "#/components/schemas/CmsSignature"}, {"$ref": "#/components/schemas/RawSignature"}],
        "description": "The resident's signature over the signing content (procedures with signature required or optional).",
    }
    return {
        "ApplicationIn": {
            "type": "object",
            "title": "ApplicationIn",
            "required": ["answers"],
            "additionalProperties": False,
            "properties": {"answers": answers, "language": LANGUAGE_SCHEMA, "signature": signature},
        },
        "ApplicationMultipartIn": {
            "type": "object",
            "title": "ApplicationMultipartIn",
            "description": "answers (and signature) as JSON text; one part per file, named after its field id "
            f"(repeat the part for several files; at most {MAX_FILES_PER_REQUEST} files).",
            "required": ["answers"],
            "properties": {
                "answers": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "description": "The answers object as JSON text.",
                },
                "language": LANGUAGE_SCHEMA,
                "signature": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "description": "The signature object as JSON text.",
                },
            },
            "additionalProperties": {"type": "string", "format": "binary"},
        },
        "CorrectionIn": {
            "type": "object",
            "title": "CorrectionIn",
            "required": ["answers"],
            "additionalProperties": False,
            "properties": {"answers": answers, "reply": REPLY_SCHEMA},
        },
        "CorrectionMultipartIn": {
            "type": "object",
            "title": "CorrectionMultipartIn",
            "description": "answers as JSON text; one part per file, named after its field id. A file field without a "
            "part keeps the files already attached.",
            "required": ["answers"],
            "properties": {
                "answers": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "description": "The whole corrected answers object as JSON text.",
                },
                "reply": REPLY_SCHEMA,
            },
            "additionalProperties": {"type": "string", "format": "binary"},
        },
    }


def application_body(json_component: str, multipart_component: str) -> dict:
    return {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{json_component}"}},
            "multipart/form-data": {"schema": {"$ref": f"#/components/schemas/{multipart_component}"}},
        },
    }


# --- building and caching ----------------------------------------------------------------

_CACHE: dict[tuple[str, str], tuple[dict, str]] = {}
_LOCK = threading.Lock()


def _finish(base: dict, language: str) -> dict:
    doc = json.loads(json.dumps(base, default=str))  # a deep copy with string status keys
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    refs = []
    for procedure in catalog_published():
        name = answers_component_name(procedure.municipality.code, procedure.slug)
        components[name] = _answers_component(procedure, language)
        refs.append({"$ref": f"#/components/schemas/{name}"})
    components.update(copy.deepcopy(SIGNATURE_SCHEMAS))
    components.update(_bodies(refs))
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            _finish_operation(operation)
    doc["components"]["securitySchemes"] = {
        **doc["components"].get("securitySchemes", {}),
        "IntegratorCredential": {
            "type": "http",
            "scheme": "basic",
            "description": "An integrator's client id and secret (madoguchi integrator create).",
        },
    }
    return doc


ACCEPT_LANGUAGE_PARAMETER = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    "description": "The language of titles, labels and messages: ja (default) or en.",
    "schema": {"type": "string"},
}


def _finish_operation(operation: dict) -> None:
    # Every answer follows Accept-Language, so every operation takes it.
    operation.setdefault("parameters", []).append(copy.deepcopy(ACCEPT_LANGUAGE_PARAMETER))
    # Every operation answers 503 while the database or the rate-limit store cannot serve.
    operation["responses"].setdefault("503", {"description": "Service Unavailable"})
    for status, response in operation.get("responses", {}).items():
        code = int(status)
        if code >= 400:
            response["content"] = {"application/problem+json": {"schema": PROBLEM_REF}}
        response_headers = response.setdefault("headers", {})
        if code in (429, 503):
            response_headers["Retry-After"] = _header("Retry-After")
        if code == 401:
            response_headers["WWW-Authenticate"] = _header("WWW-Authenticate")
        response_headers["Cache-Control"] = _header("Cache-Control")
        if code == 304:
            response.pop("content", None)


def _cached(build: Callable[[], Any]) -> tuple[dict, str]:
    key = (catalog_revision(), get_language() or "ja")
    with _LOCK:
        found = _CACHE.get(key)
    if found is None:
        doc = _finish(build(), key[1])
        etag = '"' + hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:40] + '"'
        found = (doc, etag)
        with _LOCK:
            if len(_CACHE) > 32:  # revisions come and go; keep the cache bounded
                _CACHE.clear()
            _CACHE[key] = found
    return found


def document(build: Callable[[], Any]) -> tuple[dict, str]:
    """Return the finished document and its ETag (``build`` makes ninja's part, on a cache miss)."""
    return _cached(build)


def cache_clear() -> None:
    with _LOCK:
        _CACHE.clear()
