"""The HTTP response of an issued document, the same for the status page and the API."""

from __future__ import annotations

from django.http import FileResponse

from madoguchi.signatures.documents.selectors import document_file
from madoguchi.signatures.models import IssuedDocument


def document_response(document: IssuedDocument, *, receipt_number: str) -> FileResponse:
    """A download (never shown inline) of the PDF exactly as it was signed."""
    response = FileResponse(
        document_file(document=document),
        as_attachment=True,
        filename=document.download_name(receipt_number),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
