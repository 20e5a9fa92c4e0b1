"""Read an application request body — JSON or multipart — or refuse it with a reason.

The body is held to I-JSON (RFC 7493) before any answer is looked at: one value per
member name, no NaN or Infinity, no unpaired surrogate escapes ("\\ud800" decodes to
something that is not a character and can be neither stored nor hashed) and no nesting
deeper than a form needs. A hostile document is refused here with a 400 instead of
failing deep inside validation with a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from madoguchi.cases.workflow import MAX_MESSAGE_LENGTH
from madoguchi.signatures.verification import SubmittedSignature

IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,100}$")
# A BCP 47 tag as far as notices need it: "ja", "en", "pt-BR", "zh-Hant-TW".
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}$")
MAX_LANGUAGE_LENGTH = 12  # Case.language
MAX_FILES_PER_REQUEST = 20
# document > answers > field (address, name, list) > part: anything deeper is not an answer.
MAX_JSON_DEPTH = 8
MEMBERS = frozenset({"answers", "language", "signature"})
CORRECTION_MEMBERS = frozenset({"answers", "reply"})
# The portal's limit for the reply to a correction request.
MAX_REPLY_LENGTH = MAX_MESSAGE_LENGTH
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


class RequestRefused(Exception):
    """A request the API refuses before any domain sees it: a body it cannot read."""

    def __init__(self, status: int, kind: str, detail: str = "", code: str = "", headers: dict | None = None):
        super().__init__(kind)
        self.status, self.kind, self.detail = status, kind, detail
        self.code = code or kind.replace("-", "_")
        self.headers = headers or {}


@dataclass
class ApplicationRequest:
    answers: dict
    files: dict[str, list]
    language: str | None
    signature: SubmittedSignature | None = None
    reply: str = ""


def max_request_bytes() -> int:
    return settings.MADOGUCHI_MAX_UPLOAD_BYTES * MAX_FILES_PER_REQUEST // 4 + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _malformed(detail: str) -> RequestRefused:
    return RequestRefused(400, "malformed-request", detail)


def _unique_members(pairs: list[tuple[str, object]]) -> dict:
    document: dict = {}
    for name, value in pairs:
        if name in document:
            raise _malformed(f"Duplicate member name: {name[:40]!r}.")
        document[name] = value
    return document


def _no_constant(name: str) -> None:
    raise _malformed(f"{name} is not a JSON number.")


def _check_values(value: object, depth: int = 1) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and strings with unpaired surrogates."""
    if depth > MAX_JSON_DEPTH:
        raise _malformed(f"The JSON document is nested more than {MAX_JSON_DEPTH} levels deep.")
    if isinstance(value, str):
        if _SURROGATE_RE.search(value):
            raise _malformed("The JSON text contains an unpaired surrogate escape such as \\ud800.")
    elif isinstance(value, dict):
        for name, item in value.items():
            _check_values(name, depth)
            _check_values(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_values(item, depth + 1)


def parse_json(raw: bytes | str, *, what: str = "JSON") -> object:
    """Return the value of the JSON text ``raw``, or raise RequestRefused (400)."""
    try:
        value = json.loads(raw, object_pairs_hook=_unique_members, parse_constant=_no_constant)
    except RecursionError as exc:
        raise _malformed(f"The {what} is nested too deeply.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise _malformed(f"Invalid {what}: {exc}") from exc
    _check_values(value)
    return value


def _language(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_LANGUAGE_LENGTH or not LANGUAGE_RE.match(value):
        raise _malformed("'language' must be a BCP 47 tag such as 'ja' or 'en'.")
    return value


def _answers(value: object) -> dict:
    if not isinstance(value, dict):
        raise _malformed("'answers' must be a JSON object.")
    return value


def _reply(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _malformed("'reply' must be text.")
    if len(value) > MAX_REPLY_LENGTH:
        raise _malformed(f"'reply' is longer than {MAX_REPLY_LENGTH} characters.")
    return value


def _base64(value: object, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise _malformed(f"'signature.{what}' must be base64 text.")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _malformed(f"'signature.{what}' is not valid base64.") from exc


def _signature(value: object) -> SubmittedSignature | None:
    """``{"cms": b64}`` or ``{"signature": b64, "certificate": b64, "chain": [b64, ...]}``."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _malformed("'signature' must be a JSON object (see the API documentation).")
    unknown = set(value) - {"cms", "signature", "certificate", "chain"}
    if unknown:
        raise _malformed(f"Unknown member(s) of 'signature': {', '.join(sorted(unknown))[:200]}.")
    if "cms" in value:
        if set(value) != {"cms"}:
            raise _malformed("Send either 'cms' or 'signature' with 'certificate', not both.")
        return SubmittedSignature(cms=_base64(value["cms"], "cms"))
    chain = value.get("chain", [])
    if not isinstance(chain, list) or len(chain) > 5:
        raise _malformed("'signature.chain' must be a list of at most 5 certificates.")
    return SubmittedSignature(
        signature=_base64(value.get("signature"), "signature"),
        certificate=_base64(value.get("certificate"), "certificate"),
        chain=tuple(_base64(item, "chain") for item in chain),
    )


def _read_json(request: HttpRequest, members: frozenset[str]) -> ApplicationRequest:
    document = parse_json(request.body)
    if not isinstance(document, dict):
        raise _malformed("The body must be a JSON object.")
    answers = _answers(document.get("answers"))
    unknown = set(document) - members
    if unknown:
        raise _malformed(f"Unknown member(s): {', '.join(sorted(unknown))[:200]}.")
    return ApplicationRequest(
        answers=answers,
        files={},
        language=_language(document.get("language")),
        signature=_signature(document.get("signature")),
        reply=_reply(document.get("reply")),
    )


def _read_multipart(request: HttpRequest, members: frozenset[str]) -> ApplicationRequest:
    unknown = set(request.POST) - members
    if unknown:
        raise _malformed(
            f"Unknown part(s): {', '.join(sorted(unknown))[:200]}. Send files with a file name, "
            "the answers as one part named 'answers'."
        )
    for name in members:
        if len(request.POST.getlist(name)) > 1:
            raise _malformed(f"Send the part '{name}' once.")
    raw = request.POST.get("answers")
    if raw is None:
        raise _malformed("Send the answers as a part named 'answers'.")
    texts = (raw, request.POST.get("language", ""), request.POST.get("reply", ""))
    if any(REPLACEMENT_CHARACTER in text for text in texts):
        # Django decodes text parts as UTF-8 with errors="replace": a part in Shift_JIS would
        # otherwise be stored as U+FFFD where the resident's name was.
        raise _malformed("Send the parts as UTF-8 text.")
    answers = _answers(parse_json(raw, what="JSON in 'answers'"))
    files = {name: request.FILES.getlist(name) for name in request.FILES}
    raw_signature = request.POST.get("signature")
    signature = _signature(parse_json(raw_signature, what="JSON in 'signature'")) if raw_signature else None
    return ApplicationRequest(
        answers=answers,
        files=files,
        language=_language(request.POST.get("language")),
        signature=signature,
        reply=_reply(request.POST.get("reply")),
    )


def read_application_request(request: HttpRequest, *, members: frozenset[str] = MEMBERS) -> ApplicationRequest:
    """Return the answers, files, language and signature of an application request.

    ``members`` are the names the body may have (a correction takes ``answers`` and ``reply``).
    """
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > max_request_bytes():
        raise RequestRefused(413, "payload-too-large")
    content_type = (request.content_type or "").lower()
    try:
        if content_type == "application/json":
            return _read_json(request, members)
        if content_type == "multipart/form-data":
            return _read_multipart(request, members)
    except (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent) as exc:
        raise RequestRefused(413, "payload-too-large", str(exc)) from exc
    except MultiPartParserError as exc:
        raise _malformed(str(exc)) from exc
    raise RequestRefused(415, "unsupported-media-type")


def idempotency_key_from(request: HttpRequest) -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip().strip('"')
    if not IDEMPOTENCY_KEY_RE.match(key):
        raise RequestRefused(400, "invalid-idempotency-key")
    return key
