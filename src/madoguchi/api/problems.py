"""RFC 9457 problem details: every API error has a type, a title in the client's language, a
status and, where it helps, a stable ``code`` and one entry per invalid field.

The ``type`` of a problem is a URL this server serves itself (``/problems/<kind>``): a page
that says, in Japanese and English, what the problem means and what to do about it. Every
kind a response can carry is listed in :data:`KINDS`; a test walks every domain refusal and
fails if its kind has no page here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, JsonResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemKind:
    slug: str
    statuses: tuple[int, ...]
    title: str | Promise
    meaning: str | Promise
    remedy: str | Promise


def _kinds(*kinds: ProblemKind) -> dict[str, ProblemKind]:
    return {kind.slug: kind for kind in kinds}


# If you add a kind (a DomainError subclass with a new ``kind``, or a new refusal of the API
# itself), add it here: its page is /problems/<slug>, and docs/api.md lists them all.
KINDS: dict[str, ProblemKind] = _kinds(
    ProblemKind(
        "malformed-request",
        (400,),
        _("The request could not be read."),
        _(
            "The body or a parameter is not what this operation takes: not JSON, not an object, an unknown member, "
            "a value of the wrong type or out of range."
        ),
        _("Correct the request as the detail says; sending it again unchanged will fail again."),
    ),
    ProblemKind(
        "invalid-idempotency-key",
        (400,),
        _("The Idempotency-Key header must be 1 to 100 visible ASCII characters."),
        _("The Idempotency-Key header is empty, too long or has characters other than visible ASCII."),
        _("Use a random identifier such as a UUID, and keep it for retries of the same request."),
    ),
    ProblemKind(
        "unauthorized",
        (401,),
        _("Valid credentials are required."),
        _(
            "The operation needs credentials that are missing, wrong, expired or revoked: a staff API token, an "
            "integrator credential, or the application's access code."
        ),
        _(
            "Send the credential the operation names (see the API documentation); ask your administrator for a "
            "new token or credential if yours was revoked."
        ),
    ),
    ProblemKind(
        "not-found",
        (404,),
        _("Not found."),
        _(
            "Nothing is there for you: it does not exist, or you may not see it. The two are answered alike on "
            "purpose, so that nobody can find out whether another person's application exists."
        ),
        _("Check the municipality code, procedure, receipt number and access code."),
    ),
    ProblemKind(
        "method-not-allowed",
        (405,),
        _("Method not allowed."),
        _("The path exists but does not take this HTTP method."),
        _("Use one of the methods in the Allow header."),
    ),
    ProblemKind(
        "conflict",
        (409,),
        _("The current state does not allow this request."),
        _("The request is understood, but what it refers to is not in a state that allows it."),
        _("Read the current state again before deciding what to do."),
    ),
    ProblemKind(
        "illegal-transition",
        (409,),
        _("The case's current status does not allow this action."),
        _(
            "The application's status does not allow this action now, e.g. withdrawing an application that was "
            "already decided, or answering a correction that nobody asked for."
        ),
        _("Read the application's status; the action may have been done already."),
    ),
    ProblemKind(
        "route-refused",
        (409, 422),
        _("The approval route does not allow this now."),
        _(
            "The approval route (電子決裁) refuses this step now; the code says why: route_incomplete, out_of_order, "
            "already_done or not_in_review."
        ),
        _("Read the route and act on the step that is open."),
    ),
    ProblemKind(
        "payload-too-large",
        (413,),
        _("The request is too large."),
        _("The body, or one of its files, is larger than this server accepts."),
        _("Send smaller files (see max_size_mb of each file part), or fewer at once."),
    ),
    ProblemKind(
        "unsupported-media-type",
        (415,),
        _("Send the request as application/json or multipart/form-data."),
        _("The body's Content-Type is not one this operation reads."),
        _("Send JSON, or multipart/form-data when there are files, as the operation declares."),
    ),
    ProblemKind(
        "validation-error",
        (422,),
        _("The application has invalid answers."),
        _(
            "One or more answers do not satisfy the procedure. errors[] has one entry per problem: the field (id "
            "or id.part), a stable code and a message in your language."
        ),
        _("Show each message next to its field and let the resident correct it; nothing was stored."),
    ),
    ProblemKind(
        "invalid-request",
        (422,),
        _("The request has invalid values."),
        _("A value is well-formed but not acceptable; errors[] or code names it."),
        _("Correct the value named in the problem and send the request again."),
    ),
    ProblemKind(
        "message-required",
        (422,),
        _("This action needs a message or reason."),
        _("A correction request, a rejection or a return (差戻し) must say why."),
        _("Send the reason in message."),
    ),
    ProblemKind(
        "idempotency-conflict",
        (422,),
        _("This Idempotency-Key was already used with a different request."),
        _("The same Idempotency-Key was sent before with other answers, files or another procedure."),
        _("Use a new key for a new application; repeat a key only to retry exactly the same request."),
    ),
    ProblemKind(
        "signature-rejected",
        (422,),
        _("The electronic signature was not accepted."),
        _(
            "The resident's signature does not verify: the code says why (e.g. bad_signature, untrusted, revoked, "
            "expired, wrong_key_usage, malformed)."
        ),
        _(
            "Sign exactly the bytes of the signing-content operation with the card's signing certificate, and send "
            "the same answers and files."
        ),
    ),
    ProblemKind(
        "documents-unavailable",
        (409,),
        _("This municipality does not issue signed documents online yet."),
        _("The municipality has no signing key configured, so it cannot issue or sign documents online."),
        _("Ask the municipality for the document at its counter."),
    ),
    ProblemKind(
        "rate-limited",
        (429,),
        _("Too many requests. Please wait a moment and try again."),
        _("Too many requests came from this client address (or this integrator credential) in a short time."),
        _("Wait for the number of seconds in Retry-After, then try again."),
    ),
    ProblemKind(
        "server-error",
        (500,),
        _("An unexpected error occurred. Nothing was stored."),
        _("The server failed unexpectedly. Nothing of the request was stored."),
        _("Try again later; if it persists, tell the platform operator the time of the request."),
    ),
    ProblemKind(
        "service-unavailable",
        (503,),
        _("The service is temporarily unavailable. Nothing was stored. Please try again later."),
        _("The platform cannot do this right now: the database or the rate-limit store cannot serve (a fail-over, "
          "an outage). Nothing was stored."),
        _("Send the same request again after the number of seconds in Retry-After."),
    ),
    ProblemKind(
        "storage-unavailable",
        (503,),
        _("Files cannot be stored safely at the moment. Nothing was stored; try again later."),
        _(
            "The platform cannot write files safely right now (a full disk, or the object storage is unreachable). "
            "Nothing was stored."
        ),
        _("Send the same request again after the number of seconds in Retry-After."),
    ),
    ProblemKind(
        "signature-unavailable",
        (503,),
        _("Electronic signatures cannot be checked at the moment."),
        _(
            "The platform cannot check signatures now (its revocation list is missing or out of date). The resident "
            "did nothing wrong."
        ),
        _("Send the same request again after the number of seconds in Retry-After."),
    ),
)

# The title of each kind (what tests and other doors look up).
TITLES = {slug: kind.title for slug, kind in KINDS.items()}


def problem_type(request: HttpRequest, kind: str) -> str:
    """Return the absolute URL of ``kind``'s page on the host the client called."""
    return request.build_absolute_uri(f"/problems/{kind}")


def problem(
    request: HttpRequest,
    status: int,
    kind: str,
    *,
    detail: str = "",
    code: str = "",
    errors: list[dict] | None = None,
    extensions: dict | None = None,
    headers: dict | None = None,
) -> JsonResponse:
    """Return the problem document of ``kind`` with ``status``."""
    title = str(KINDS[kind].title)
    body: dict = {"type": problem_type(request, kind), "title": title, "status": status}
    if detail and detail != title:
        body["detail"] = detail
    if code:
        body["code"] = code
    if errors is not None:
        body["errors"] = errors
    body.update(extensions or {})
    response = JsonResponse(
        body, status=status, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
