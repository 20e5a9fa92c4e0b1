"""Resident pages for issued documents: download from the status page, and ask for a 受理証明書.

Both need the case the resident opened with receipt number and access code on this device
(see ``status.py``); any other document id is "not found", like one that does not exist.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from madoguchi.core.errors import NotFound
from madoguchi.payments.errors import NoPaymentSlip
from madoguchi.payments.services import payment_slip_request
from madoguchi.portal.resident_view import resident_page
from madoguchi.portal.views.errors import not_found, rate_limited
from madoguchi.portal.views.status import session_case
from madoguchi.signatures.documents.downloads import document_response
from madoguchi.signatures.documents.render import code_point
from madoguchi.signatures.documents.selectors import case_document_get
from madoguchi.signatures.documents.services import (
    SignaturesNotConfigured,
    UnprintableCharacters,
    document_receipt_request,
)


@require_GET
@resident_page
def document_download(request, document_id: int):
    case = session_case(request)
    if case is None:
        return not_found(request)
    try:
        document = case_document_get(case=case, document_id=document_id)
    except NotFound:
        return not_found(request)
    return document_response(document, receipt_number=case.receipt_number)


def _case_for_document_request(request):
    """(the resident's open case, None), or (None, the refusal) when there is no open case or
    this address asked too often."""
    case = session_case(request)
    if case is None:
        return None, not_found(request)
    if settings.MADOGUCHI_LOOKUP_RATE and is_ratelimited(
        request, group="documents", key="ip", rate=settings.MADOGUCHI_LOOKUP_RATE, increment=True
    ):
        return None, rate_limited(request)
    return case, None


def _cannot_issue_message(error: SignaturesNotConfigured | UnprintableCharacters) -> str:
    if isinstance(error, SignaturesNotConfigured):
        return _("This municipality does not issue signed documents online yet.")
    return _(
        "The certificate cannot be made: the document font has no glyph for %(characters)s. Please contact the municipality."
    ) % {"characters": ", ".join(code_point(c) for c in error.characters)}


@require_POST
@resident_page
def receipt_certificate(request):
    case, refused = _case_for_document_request(request)
    if refused:
        return refused
    try:
        document_receipt_request(case=case)
    except (SignaturesNotConfigured, UnprintableCharacters) as error:
        messages.error(request, _cannot_issue_message(error))
    else:
        messages.success(request, _("Your certificate of receipt is ready to download."))
    return redirect("portal:status")


@require_POST
@resident_page
def payment_slip(request):
    """Give the resident their 納付書 (issued the first time) and start the download."""
    case, refused = _case_for_document_request(request)
    if refused:
        return refused
    try:
        document = payment_slip_request(case=case)
    except NoPaymentSlip as error:
        messages.error(request, error.message)
    except (SignaturesNotConfigured, UnprintableCharacters) as error:
        messages.error(request, _cannot_issue_message(error))
    else:
        return document_response(document, receipt_number=case.receipt_number)
    return redirect("portal:status")
