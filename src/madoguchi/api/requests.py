"""Read an application request body — JSON or multipart — or refuse it with a reason."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,100}$")
MAX_FILES_PER_REQUEST = 20


class RequestRefused(Exception):
    def __init__(self, status: int, kind: str, detail: str = ""):
        super().__init__(kind)
        self.status, self.kind, self.detail = status, kind, detail


@dataclass
class ApplicationRequest:
    answers: dict
    files: dict[str, list]
    language: str | None


def max_request_bytes() -> int:
    return settings.MADOGUCHI_MAX_UPLOAD_BYTES * MAX_FILES_PER_REQUEST // 4 + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _parse_json_document(raw: bytes | str) -> dict:
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise RequestRefused(400, "malformed-request", f"Invalid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise RequestRefused(400, "malformed-request", "The body must be a JSON object.")
    answers = document.get("answers")
    if not isinstance(answers, dict):
        raise RequestRefused(400, "malformed-request", "'answers' must be a JSON object.")
    unknown = set(document) - {"answers", "language"}
    if unknown:
        raise RequestRefused(400, "malformed-request", f"Unknown member(s): {', '.join(sorted(unknown))}.")
    language = document.get("language")
    if language is not None and (not isinstance(language, str) or len(language) > 12):
        raise RequestRefused(400, "malformed-request", "'language' must be a BCP 47 tag.")
    return document


def read_application_request(request: HttpRequest) -> ApplicationRequest:
    """Return the answers, files and language of an application request."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > max_request_bytes():
        raise RequestRefused(413, "payload-too-large")
    content_type = (request.content_type or "").lower()
    try:
        if content_type == "application/json":
            document = _parse_json_document(request.body)
            return ApplicationRequest(answers=document["answers"], files={}, language=document.get("language"))
        if content_type == "multipart/form-data":
            raw = request.POST.get("answers")
            if raw is None:
                raise RequestRefused(400, "malformed-request", "Send the answers as a part named 'answers'.")
            answers = json.loads(raw)
            if not isinstance(answers, dict):
                raise RequestRefused(400, "malformed-request", "'answers' must be a JSON object.")
            files = {name: request.FILES.getlist(name) for name in request.FILES}
            return ApplicationRequest(answers=answers, files=files, language=request.POST.get("language") or None)
    except (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent) as exc:
        raise RequestRefused(413, "payload-too-large", str(exc)) from exc
    except MultiPartParserError as exc:
        raise RequestRefused(400, "malformed-request", str(exc)) from exc
    except ValueError as exc:
        raise RequestRefused(400, "malformed-request", f"Invalid JSON in 'answers': {exc}") from exc
    raise RequestRefused(415, "unsupported-media-type")


def idempotency_key_from(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip().strip('"')
    if not IDEMPOTENCY_KEY_RE.match(key):
        raise RequestRefused(400, "invalid-idempotency-key")
    return key
