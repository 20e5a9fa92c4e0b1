"""Reads of issued documents: a case's list, one document for download, a document by its digest."""

from __future__ import annotations

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import Http404

from madoguchi.cases.models import Case
from madoguchi.signatures.models import IssuedDocument
from madoguchi.tenants.models import Municipality


def case_documents(*, case: Case) -> list[IssuedDocument]:
    """Every document issued for ``case``, the current version of each kind first, newest first."""
    return list(
        IssuedDocument.objects.for_municipality(case.municipality)
        .filter(case_id=case.pk)
        .order_by("superseded", "-issued_at", "-id")
    )


def case_document_get(*, case: Case, document_id: int) -> IssuedDocument:
    """Return one of ``case``'s documents; Http404 for any other (another case's looks the same)."""
    document = (
        IssuedDocument.objects.for_municipality(case.municipality).filter(case_id=case.pk, pk=document_id).first()
    )
    if document is None:
        raise Http404("No such document")
    return document


def document_file(*, document: IssuedDocument) -> File:
    return default_storage.open(document.storage_name, "rb")


def document_find(*, municipality_code: str, sha256: str) -> IssuedDocument | None:
    """The issued document with exactly these bytes, if ``municipality_code`` issued it."""
    municipality = Municipality.objects.filter(code=municipality_code).first()
    if municipality is None:
        return None
    return (
        IssuedDocument.objects.for_municipality(municipality)
        .select_related("case")
        .filter(sha256=sha256)
        .order_by("-issued_at")
        .first()
    )
