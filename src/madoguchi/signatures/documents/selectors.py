"""Reads of issued documents: a case's list, one document for download, a document by its digest."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage

from madoguchi.cases.models import Case
from madoguchi.core.errors import NotFound
from madoguchi.signatures.config import SignaturesNotConfigured, municipality_signatures
from madoguchi.signatures.documents.kinds import document_title
from madoguchi.signatures.documents.verification import Verification, verify_pdf
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
    """Return one of ``case``'s documents; NotFound for any other (another case's looks the same)."""
    document = (
        IssuedDocument.objects.for_municipality(case.municipality).filter(case_id=case.pk, pk=document_id).first()
    )
    if document is None:
        raise NotFound
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


def resident_documents(*, case: Case, language: str) -> list[dict]:
    """The documents listed on the resident's status page: current versions only, titled in ``language``."""
    definition = case.procedure_version.definition
    return [
        {"document": document, "title": document_title(definition, document.kind, language)}
        for document in case_documents(case=case)
        if not document.superseded
    ]


@dataclass(frozen=True)
class VerificationReport:
    """A verdict with what the platform knows about the document: who issued it, for which case."""

    result: Verification
    municipality: Municipality | None = None
    document: IssuedDocument | None = None


def document_verification(*, data: bytes, validation_context=None) -> VerificationReport:
    """Verify ``data`` and, for an authentic document, find its municipality and issuance record."""
    result = verify_pdf(data, validation_context=validation_context)
    if not result.authentic:
        return VerificationReport(result)
    municipality = Municipality.objects.filter(code=result.municipality_code).first()
    document = document_find(municipality_code=result.municipality_code, sha256=result.sha256)
    return VerificationReport(result, municipality=municipality, document=document)


def case_document_verifications(*, case: Case) -> list[VerificationReport]:
    """Verify the stored current documents of ``case`` (the resident's look-up on the verification page)."""
    reports = []
    for document in case_documents(case=case):
        if document.superseded:
            continue
        with document_file(document=document) as handle:
            reports.append(document_verification(data=handle.read()))
    return reports


def documents_enabled(*, municipality: Municipality) -> bool:
    """Whether ``municipality`` can issue signed documents now (it has a signing key configured)."""
    try:
        municipality_signatures(municipality.code).signing_key  # noqa: B018 (raises if there is none)
    except SignaturesNotConfigured:
        return False
    return True
