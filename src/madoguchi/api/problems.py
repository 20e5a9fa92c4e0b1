"""RFC 9457 problem details: every API error has a type, a title in the client's
language, a status and, for invalid answers, one entry per field."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

PROBLEM_BASE = "https://madoguchi.example/problems/"

TITLES = {
    "validation-error": _("The application has invalid answers."),
    "malformed-request": _("The request body could not be read."),
    "unsupported-media-type": _("Send the request as application/json or multipart/form-data."),
    "payload-too-large": _("The request is too large."),
    "not-found": _("Not found."),
    "idempotency-conflict": _("This Idempotency-Key was already used with a different request."),
    "invalid-idempotency-key": _("The Idempotency-Key header must be 1 to 100 visible ASCII characters."),
    "rate-limited": _("Too many requests. Please wait a moment and try again."),
    "method-not-allowed": _("Method not allowed."),
    "server-error": _("An unexpected error occurred. Nothing was stored."),
    "unauthorized": _("A valid staff API token is required."),
    "illegal-transition": _("The case's current status does not allow this action."),
    "message-required": _("This action needs a message or reason."),
    "route-refused": _("The approval route does not allow this now."),
    "invalid-request": _("The request has invalid values."),
    "signature-rejected": _("The electronic signature was not accepted."),
    "signature-unavailable": _("Electronic signatures cannot be checked at the moment."),
    "conflict": _("The current state does not allow this request."),
    "storage-unavailable": _("Files cannot be stored safely at the moment. Nothing was stored; try again later."),
    "service-unavailable": _("The service is temporarily unavailable. Nothing was stored. Please try again later."),
}


def problem(
    status: int,
    kind: str,
    *,
    detail: str = "",
    code: str = "",
    errors: list[dict] | None = None,
    extensions: dict | None = None,
    headers: dict | None = None,
) -> JsonResponse:
    title = str(TITLES[kind])
    body: dict = {"type": PROBLEM_BASE + kind, "title": title, "status": status}
    if detail and detail != title:
        body["detail"] = detail
    if code:
        body["code"] = code
    if errors is not None:
        body["errors"] = errors
    body.update(extensions or {})
    response = JsonResponse(
        body, status=status, content_type="application/problem+json", json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
