"""Applications: submit, the bytes to sign, status, answering a correction (補正), withdrawing.

Every operation calls the service the portal calls, so a rule cannot hold on the pages and
not here. Reaching an application takes its receipt number and access code (``access.py``).
"""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from madoguchi.api.app import api
from madoguchi.api.http import enforce_rate
from madoguchi.api.integrators.auth import OPTIONAL, optional_integrator
from madoguchi.api.openapi import ACCESS_CODE_PARAMETER, IDEMPOTENCY_KEY_PARAMETER, application_body, declare
from madoguchi.api.requests import CORRECTION_MEMBERS, idempotency_key_from, read_application_request
from madoguchi.api.residents import presenters
from madoguchi.api.residents.access import resident_case
from madoguchi.api.residents.router import router
from madoguchi.api.residents.schemas import (
    ApplicationCreatedOut,
    ApplicationStatusOut,
    OnlinePaymentIn,
    OnlinePaymentOut,
    WithdrawalIn,
)
from madoguchi.cases import workflow
from madoguchi.cases.models import Channel
from madoguchi.cases.selectors import case_current_uploads
from madoguchi.cases.services import case_submit
from madoguchi.observability.metrics import submission_counted
from madoguchi.payments.online import payment_online_begin, return_address_check
from madoguchi.procedures.definition import iter_fields
from madoguchi.procedures.selectors import procedure_version_for_submit
from madoguchi.signatures import services as signature_services

SUBMIT_PROBLEMS = [400, 401, 404, 413, 415, 422, 429, 503]
LOOKUP_PROBLEMS = [400, 401, 404, 429]


def _actor(request) -> str:
    integrator = getattr(request, "integrator", None)
    return f"integrator:{integrator.client_id}" if integrator else "api"


@router.post(
    "/municipalities/{code}/procedures/{slug}/applications",
    operation_id="submitApplication",
    summary="Submit an application",
    tags=["applications"],
    **declare(
        {201: ApplicationCreatedOut},
        SUBMIT_PROBLEMS,
        headers={201: ["Location", "Idempotent-Replayed"]},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        body=application_body("ApplicationIn", "ApplicationMultipartIn"),
        security=OPTIONAL,
    ),
)
def submit(request, code: str, slug: str):
    """Submit an application; answer with the receipt number and the access code (shown once).

    JSON, or multipart with one part per file. The answers follow the procedure's
    ``Answers_<code>_<slug>`` schema; a procedure with ``signature: required`` needs the
    resident's ``signature`` over the bytes of ``computeSigningContent``. With the same
    ``Idempotency-Key`` and body, the first answer is repeated (``Idempotent-Replayed``).
    """
    optional_integrator(request, municipality_code=code)
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
        actor=_actor(request),
        signature=body.signature,
    )
    created = presenters.application_created_out(result.case, result.access_code)
    response = api.create_response(request, created, status=201)
    response["Location"] = created["status_url"]
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@router.post(
    "/municipalities/{code}/procedures/{slug}/applications/signing-content",
    operation_id="computeSigningContent",
    summary="Get the exact bytes a resident signs",
    tags=["applications"],
    **declare(
        {200: dict},
        SUBMIT_PROBLEMS,
        headers={200: ["X-Content-SHA256"]},
        body=application_body("ApplicationIn", "ApplicationMultipartIn"),
        security=OPTIONAL,
    ),
)
def signing_content(request, code: str, slug: str):
    """Validate answers (and files) like a submit and return the exact bytes the resident signs.

    Sign these bytes as they are (docs/signatures.md), then submit the same answers and
    files with the ``signature``.
    """
    optional_integrator(request, municipality_code=code)
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


@router.get(
    "/applications/{receipt_number}",
    operation_id="getApplicationStatus",
    summary="Get an application's status, notices and documents",
    url_name="application_status",
    tags=["applications"],
    **declare({200: ApplicationStatusOut}, LOOKUP_PROBLEMS, parameters=[ACCESS_CODE_PARAMETER], security=OPTIONAL),
)
def status(request, receipt_number: str):
    """Return an application's status, the municipality's notices to the applicant and its documents."""
    return presenters.application_status_out(resident_case(request, receipt_number))


def _file_fields(case) -> list[str]:
    return [spec["id"] for _step, spec in iter_fields(case.procedure_version.definition) if spec["type"] == "file"]


@router.post(
    "/applications/{receipt_number}/correction",
    operation_id="answerCorrection",
    summary="Answer a correction request (補正)",
    tags=["applications"],
    **declare(
        {200: ApplicationStatusOut},
        [400, 401, 404, 409, 413, 415, 422, 429, 503],
        parameters=[ACCESS_CODE_PARAMETER],
        body=application_body("CorrectionIn", "CorrectionMultipartIn"),
        security=OPTIONAL,
    ),
)
def correction(request, receipt_number: str):
    """Answer a correction request (補正) with the whole corrected answers and, optionally, a
    free-text ``reply`` (what was changed and why); the receipt number stays.

    Validated exactly as on the portal, and the answers as the client sent them are kept as
    the resident's notation, as the portal keeps what was typed. A file field without a part
    keeps the files already attached to it. 409 unless the status is ``correction_requested``.
    """
    case = resident_case(request, receipt_number, group="submit")
    body = read_application_request(request, members=CORRECTION_MEMBERS)
    files = {
        field: body.files.get(field) or case_current_uploads(case=case, field_id=field) for field in _file_fields(case)
    }
    corrected = workflow.case_correct(case=case, answers=body.answers, files=files, reply=body.reply)
    return presenters.application_status_out(corrected)


@router.post(
    "/applications/{receipt_number}/withdrawal",
    operation_id="withdrawApplication",
    summary="Withdraw an application (取下げ)",
    tags=["applications"],
    **declare(
        {200: ApplicationStatusOut},
        [400, 401, 404, 409, 422, 429],
        parameters=[ACCESS_CODE_PARAMETER],
        security=OPTIONAL,
    ),
)
def withdrawal(request, receipt_number: str, body: WithdrawalIn):
    """Withdraw the application (取下げ), optionally saying why. 409 once it is decided."""
    case = resident_case(request, receipt_number, group="submit")
    return presenters.application_status_out(workflow.case_resident_withdraw(case=case, message=body.message))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@router.post(
    "/applications/{receipt_number}/payment/online",
    operation_id="startOnlinePayment",
    summary="Start paying the fee online",
    tags=["applications"],
    **declare({200: OnlinePaymentOut}, [400, 401, 404, 409, 422, 429, 503], parameters=[ACCESS_CODE_PARAMETER],
              security=OPTIONAL),
)  # fmt: skip
def start_online_payment(request, receipt_number: str, body: OnlinePaymentIn):
    """Create the payment at the municipality's payment provider; send the resident to ``payment_url``.

    The fee counts as paid only once the provider confirms it to the municipality (its signed
    webhook), never because the resident came back to ``success_url``: read ``payment.state``
    with getApplicationStatus. Calling it again before paying returns the same page. 409 when
    online payment is not offered (``online_payment_available`` is false) or nothing is left to
    pay; 503 when the provider cannot be reached (nothing changed).
    """
    case = resident_case(request, receipt_number, group="submit")
    portal = request.build_absolute_uri("/")
    allowed = [_origin(portal), *([_origin(settings.MADOGUCHI_PUBLIC_URL)] if settings.MADOGUCHI_PUBLIC_URL else []),
               *settings.CORS_ALLOWED_ORIGINS]  # fmt: skip
    success = body.success_url or request.build_absolute_uri(reverse("portal:payment_return"))
    cancel = body.cancel_url or request.build_absolute_uri(reverse("portal:payment_cancel"))
    checkout = payment_online_begin(
        case=case,
        success_url=return_address_check(success, allowed_origins=allowed),
        cancel_url=return_address_check(cancel, allowed_origins=allowed),
        now=timezone.now(),
    )
    return {"payment_url": checkout.url, "payment": presenters.application_payment_out(case)}
