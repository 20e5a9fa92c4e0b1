"""The public verification page (/verify/): is this PDF a document a municipality issued, unmodified?

No sign-in: whoever was handed a document (a bank, a landlord, another office) can check it,
by uploading the PDF or, as the applicant, with the receipt number and access code. The
verdicts and what each one means are in ``signatures.documents.verification``.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import is_ratelimited

from madoguchi.cases.selectors import case_get_for_resident
from madoguchi.portal.views.errors import rate_limited
from madoguchi.signatures.documents import revisions, verification
from madoguchi.signatures.documents.selectors import case_document_verifications, document_verification

# Multipart overhead on top of the file itself, before a request is refused unread.
FORM_OVERHEAD_BYTES = 64 * 1024
VERDICTS = {
    verification.AUTHENTIC: (
        gettext_lazy("Authentic and unmodified"),
        gettext_lazy("This document was signed by the municipality below and has not been changed since."),
    ),
    verification.MODIFIED: (
        gettext_lazy("Modified after signing"),
        gettext_lazy(
            "This document was changed after it was signed, so its contents cannot be relied on. "
            "Ask the issuing municipality for the original."
        ),
    ),
    verification.UNTRUSTED: (
        gettext_lazy("Signed by someone else"),
        gettext_lazy("This PDF carries an electronic signature, but not one of a municipality on this service."),
    ),
    verification.UNSIGNED: (
        gettext_lazy("Not signed"),
        gettext_lazy("This PDF has no electronic signature, so nothing shows who made it or whether it was changed."),
    ),
}


def _max_bytes() -> int:
    return settings.MADOGUCHI_MAX_UPLOAD_BYTES


def _report_context(report) -> dict:
    result = report.result
    title, text = VERDICTS[result.verdict]
    # The municipality, its office and the signer (O, OU, CN), each once: 青葉市 市民課 青葉市長.
    names = [result.signer_organisation, result.signer_unit, result.signer_name]
    signer = " ".join(dict.fromkeys(name for name in names if name)) or result.signer
    return {
        "report": report,
        "verdict": result.verdict,
        "verdict_title": title,
        "verdict_text": text,
        "signer": signer,
        "changes": [revisions.LABELS[kind] for kind in result.changes],
        "permitted_additions": [revisions.LABELS[kind] for kind in result.permitted_additions],
    }


def verify(request):
    context: dict = {"error": "", "reports": [], "receipt_number": "", "max_mb": _max_bytes() // (1024 * 1024)}
    status = 200
    if request.method == "POST":
        if settings.MADOGUCHI_LOOKUP_RATE and is_ratelimited(
            request, group="verify", key="ip", rate=settings.MADOGUCHI_LOOKUP_RATE, increment=True
        ):
            return rate_limited(request)
        status = _verify_post(request, context)
    return render(request, "portal/verify.html", context, status=status)


def _verify_post(request, context: dict) -> int:
    too_large = _("The file is larger than %(mb)s MB. Upload the PDF document as you received it.") % {
        "mb": context["max_mb"]
    }
    if int(request.META.get("CONTENT_LENGTH") or 0) > _max_bytes() + FORM_OVERHEAD_BYTES:
        context["error"] = too_large
        return 413
    upload = request.FILES.get("document")
    if upload is not None:
        if upload.size > _max_bytes():
            context["error"] = too_large
            return 413
        report = document_verification(data=upload.read())
        if report.result.verdict == verification.NOT_PDF:
            context["error"] = _("This file is not a PDF. Upload the PDF document you received.")
            return 400
        context["reports"] = [_report_context(report)]
        return 200
    receipt_number = request.POST.get("receipt_number", "")[:40]
    context["receipt_number"] = receipt_number
    if not receipt_number:
        context["error"] = _("Choose a PDF file, or enter a receipt number and access code.")
        return 400
    case = case_get_for_resident(receipt_number=receipt_number, access_code=request.POST.get("access_code", "")[:40])
    if case is None:
        context["error"] = _("No application matches this receipt number and access code. Check both and try again.")
        return 404
    reports = case_document_verifications(case=case)
    if not reports:
        context["error"] = _("No documents have been issued for this application yet.")
        return 404
    context["reports"] = [_report_context(report) for report in reports]
    return 200
