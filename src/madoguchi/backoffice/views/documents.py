"""Back-office views of a case's issued documents: download (audited) and re-issue (a new version).

The list itself is part of the case page (``cases._render_case``). A case outside the staff
member's reach, or a document of another case, is "not found" like everything else here.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.backoffice.views.cases import staff_page
from madoguchi.cases.selectors import case_get_for_staff
from madoguchi.signatures.documents.render import code_point
from madoguchi.signatures.documents.services import (
    DocumentHeld,
    DocumentNotAvailable,
    SignaturesNotConfigured,
    UnprintableCharacters,
    document_open_for_staff,
    document_reissue,
)
from madoguchi.signatures.models import DocumentKind


@staff_page
@require_GET
def case_document(request, receipt_number: str, document_id: int):
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    document, handle = document_open_for_staff(staff=request.staff, case=case, document_id=document_id)
    response = FileResponse(
        handle, as_attachment=True, filename=document.download_name(case.receipt_number), content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_page
@require_POST
def case_document_reissue(request, receipt_number: str, kind: str):
    if kind not in DocumentKind.values:
        raise Http404("Unknown document kind")
    case = case_get_for_staff(staff=request.staff, receipt_number=receipt_number)
    try:
        document = document_reissue(staff=request.staff, case=case, kind=kind)
    except DocumentNotAvailable:
        return _refused(request, case, _("This application has no decision this document could state."))
    except DocumentHeld as held:
        return _refused(request, case, held.message)
    except SignaturesNotConfigured:
        return _refused(
            request, case, _("No signing key is configured for this municipality, so no document was issued.")
        )
    except UnprintableCharacters as error:
        characters = ", ".join(code_point(c) for c in error.characters)
        return _refused(
            request,
            case,
            _("The document cannot be issued: the document font has no glyph for %(characters)s. "
              "Correct the data or ask the operator for a font that has it.") % {"characters": characters},
        )  # fmt: skip
    messages.success(request, _("Version %(version)s of the document was issued.") % {"version": document.version})
    return redirect("backoffice:case", receipt_number=case.receipt_number)


def _refused(request, case, message: str):
    context = {"error_title": _("The document was not issued"), "message": message, "case": case}
    return render(request, "backoffice/error.html", context, status=409)
