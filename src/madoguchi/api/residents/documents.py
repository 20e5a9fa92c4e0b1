"""Issued documents: download, ask for a 受理証明書, and verify any PDF (public)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from madoguchi.api.http import enforce_rate
from madoguchi.api.integrators.auth import OPTIONAL, optional_integrator
from madoguchi.api.openapi import ACCESS_CODE_PARAMETER, BINARY_PDF, declare
from madoguchi.api.requests import RequestRefused
from madoguchi.api.residents import presenters
from madoguchi.api.residents.access import resident_case
from madoguchi.api.residents.router import router
from madoguchi.api.residents.schemas import IssuedDocumentOut, VerificationOut
from madoguchi.core.errors import Conflict, Invalid
from madoguchi.signatures.documents.downloads import document_response
from madoguchi.signatures.documents.kinds import document_title
from madoguchi.signatures.documents.render import code_point
from madoguchi.signatures.documents.selectors import case_document_get, document_verification
from madoguchi.signatures.documents.services import (
    SignaturesNotConfigured,
    UnprintableCharacters,
    document_receipt_request,
)

# Multipart overhead on top of the file itself, before a request is refused unread.
FORM_OVERHEAD_BYTES = 64 * 1024


class DocumentsUnavailable(Conflict):
    """The municipality has no signing key: it issues no documents online."""

    kind = "documents-unavailable"
    code = "documents_unavailable"
    message = _("This municipality does not issue signed documents online yet.")


class DocumentUnprintable(Invalid):
    """The applicant's name has a character the document font cannot draw."""

    code = "unprintable_characters"

    def __init__(self, characters: list[str]):
        super().__init__(
            _("The document cannot be made: the font has no glyph for %(characters)s. Please contact the municipality.")
            % {"characters": ", ".join(code_point(c) for c in characters)}
        )


@router.get(
    "/applications/{receipt_number}/documents/{document_id}",
    operation_id="downloadDocument",
    summary="Download an issued, signed document",
    url_name="application_document",
    tags=["documents"],
    **declare(
        {200: BINARY_PDF},
        [400, 401, 404, 429],
        headers={200: ["Content-Disposition", "X-Content-SHA256"]},
        parameters=[ACCESS_CODE_PARAMETER],
        security=OPTIONAL,
    ),
)
def download(request, receipt_number: str, document_id: int):
    """Download a document issued for the application: a PDF signed by the municipality (PAdES)."""
    case = resident_case(request, receipt_number)
    document = case_document_get(case=case, document_id=document_id)
    response = document_response(document, receipt_number=case.receipt_number)
    response["X-Content-SHA256"] = document.sha256
    return response


@router.post(
    "/applications/{receipt_number}/receipt-certificate",
    operation_id="requestReceiptCertificate",
    summary="Get the certificate of receipt (受理証明書)",
    tags=["documents"],
    **declare(
        {200: IssuedDocumentOut}, [400, 401, 404, 409, 422, 429], parameters=[ACCESS_CODE_PARAMETER], security=OPTIONAL
    ),
)
def receipt_certificate(request, receipt_number: str):
    """Return the application's certificate of receipt (受理証明書), issuing it the first time.

    Asking again returns the same document. 409 ``documents-unavailable`` when the
    municipality issues no signed documents online.
    """
    case = resident_case(request, receipt_number, group="documents")
    try:
        document = document_receipt_request(case=case)
    except SignaturesNotConfigured:
        raise DocumentsUnavailable from None
    except UnprintableCharacters as error:
        raise DocumentUnprintable(error.characters) from None
    definition = case.procedure_version.definition
    return presenters.document_out(case, document, document_title(definition, document.kind, get_language()))


VERIFY_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["document"],
                "properties": {
                    "document": {"type": "string", "format": "binary", "description": "The PDF as received."}
                },
            }
        },
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    },
}


def _uploaded_pdf(request) -> bytes:
    limit = settings.MADOGUCHI_MAX_UPLOAD_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + FORM_OVERHEAD_BYTES:
        raise RequestRefused(413, "payload-too-large")
    content_type = (request.content_type or "").lower()
    if content_type == "application/pdf":
        # Read the stream itself: request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE, below a PDF's limit.
        data = request.read(limit + 1)
    elif content_type == "multipart/form-data":
        try:
            upload = request.FILES.get("document")
        except (MultiPartParserError, RequestDataTooBig) as exc:
            raise RequestRefused(400, "malformed-request", str(exc)) from exc
        if upload is None:
            raise RequestRefused(400, "malformed-request", "Send the PDF as a file part named 'document'.")
        if upload.size > limit:
            raise RequestRefused(413, "payload-too-large")
        data = upload.read()
    else:
        raise RequestRefused(415, "unsupported-media-type")
    if len(data) > limit:
        raise RequestRefused(413, "payload-too-large")
    return data


@router.post(
    "/verifications",
    operation_id="verifyDocument",
    summary="Verify a PDF",
    tags=["documents"],
    **declare({200: VerificationOut}, [400, 401, 413, 415, 429], body=VERIFY_BODY, security=OPTIONAL),
)
def verify(request):
    """Tell whether a PDF is a document a municipality on this platform issued, unmodified.

    Public: whoever was handed a document (a bank, a landlord) may ask. The verdict is
    ``authentic``, ``modified``, ``untrusted``, ``unsigned`` or ``not_pdf``.
    """
    optional_integrator(request)
    enforce_rate(request, "verify", settings.MADOGUCHI_LOOKUP_RATE)
    return presenters.verification_out(document_verification(data=_uploaded_pdf(request)))
