"""Turn domain objects into API response dictionaries in the request's language."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy

from madoguchi.api.openapi import answers_component_name
from madoguchi.cases.models import Case, CaseStatus
from madoguchi.cases.selectors import case_public_events
from madoguchi.cases.workflow import TRANSITIONS
from madoguchi.payments.selectors import payment_display
from madoguchi.procedures.definition import translated
from madoguchi.procedures.fees import fee_compute
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.schema_export import answers_json_schema, example_answers, example_files, file_parts
from madoguchi.signatures.documents import revisions
from madoguchi.signatures.documents.selectors import resident_documents
from madoguchi.signatures.documents.verification import AUTHENTIC, MODIFIED, NOT_PDF, UNSIGNED, UNTRUSTED
from madoguchi.signatures.models import IssuedDocument
from madoguchi.tenants.models import Municipality

VERDICTS = {
    AUTHENTIC: (
        gettext_lazy("Authentic and unmodified"),
        gettext_lazy("This document was signed by the municipality below and has not been changed since."),
    ),
    MODIFIED: (
        gettext_lazy("Modified after signing"),
        gettext_lazy(
            "This document was changed after it was signed, so its contents cannot be relied on. "
            "Ask the issuing municipality for the original."
        ),
    ),
    UNTRUSTED: (
        gettext_lazy("Signed by someone else"),
        gettext_lazy("This PDF carries an electronic signature, but not one of a municipality on this service."),
    ),
    UNSIGNED: (
        gettext_lazy("Not signed"),
        gettext_lazy("This PDF has no electronic signature, so nothing shows who made it or whether it was changed."),
    ),
    NOT_PDF: (
        gettext_lazy("Not a PDF"),
        gettext_lazy("This file is not a PDF. Upload the PDF document you received."),
    ),
}


def municipality_out(m: Municipality) -> dict:
    p = m.prefecture
    return {
        "code": m.code,
        "name": m.name,
        "name_kana": m.name_kana,
        "name_en": m.name_en,
        "prefecture": {"code": p.code, "name": p.name, "name_kana": p.name_kana, "name_en": p.name_en},
    }


def procedure_summary_out(procedure: Procedure, municipality: Municipality) -> dict:
    language = get_language()
    d = procedure.current_version.definition
    fee = d["fee"]
    return {
        "slug": procedure.slug,
        "version": procedure.current_version.number,
        "title": translated(d["title"], language),
        "summary": translated(d["summary"], language),
        "category": d["category"],
        "life_events": d.get("life_events", []),
        "fee": {
            "amount": fee["amount"],
            "unit": translated(fee.get("unit"), language),
            "note": translated(fee.get("note"), language),
        },
        "processing_period_days": d["processing_period_days"],
        "signature": d.get("signature", "none"),
        "answers_component": answers_component_name(municipality.code, procedure.slug),
    }


def procedure_detail_out(procedure: Procedure, municipality: Municipality) -> dict:
    language = get_language()
    d = procedure.current_version.definition
    return {
        **procedure_summary_out(procedure, municipality),
        "definition": d,
        "answers_schema": answers_json_schema(d, language=language),
        "files": file_parts(d, language=language),
        "example": {"answers": (answers := example_answers(d)), "files": example_files(d, answers)},
    }


def application_created_out(case: Case, access_code: str) -> dict:
    return {
        "receipt_number": case.receipt_number,
        "access_code": access_code,
        "status": case.status,
        "channel": case.channel,
        "procedure": case.procedure_version.definition["slug"],
        "procedure_version": case.procedure_version.number,
        "submitted_at": case.submitted_at,
        "status_url": status_url(case),
    }


def status_url(case: Case) -> str:
    return reverse("api-1.0.0:application_status", kwargs={"receipt_number": case.receipt_number})


def document_out(case: Case, document: IssuedDocument, title: str) -> dict:
    return {
        "id": document.pk,
        "kind": document.kind,
        "title": title,
        "document_number": document.document_number,
        "version": document.version,
        "issued_at": document.issued_at,
        "sha256": document.sha256,
        "size": document.size,
        "url": reverse(
            "api-1.0.0:application_document",
            kwargs={"receipt_number": case.receipt_number, "document_id": document.pk},
        ),
    }


def application_status_out(case: Case) -> dict:
    d = case.procedure_version.definition
    language = get_language()
    return {
        "receipt_number": case.receipt_number,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "municipality": case.municipality.code,
        "procedure": d["slug"],
        "procedure_title": translated(d["title"], language),
        "procedure_version": case.procedure_version.number,
        "answers_version": case.answers_version,
        "submitted_at": case.submitted_at,
        "updated_at": case.updated_at,
        "can_correct": case.status in TRANSITIONS["correct"]["from"],
        "can_withdraw": case.status in TRANSITIONS["withdraw"]["from"],
        "notices": [
            {"kind": event.kind, "message": event.message, "created_at": event.created_at}
            for event in case_public_events(case=case)
            if event.message
        ],
        "documents": [
            document_out(case, item["document"], item["title"])
            for item in resident_documents(case=case, language=language)
        ],
        "fee": application_fee_out(case),
        "payment": application_payment_out(case),
    }


def application_fee_out(case: Case) -> dict:
    fee = fee_compute(case.procedure_version.definition, case.answers)
    payment = payment_display(case=case)
    return {
        "total": payment["payment"].amount if payment else fee.total,
        "method": payment["payment"].method if payment else fee.method,
        "payment_state": payment["state"] if payment else "",
        "payment_number": payment["number"] if payment else "",
    }


def application_payment_out(case: Case) -> dict | None:
    payment = payment_display(case=case)
    if payment is None:
        return None
    return {
        "state": payment["state"],
        "method": payment["payment"].method,
        "amount": payment["payment"].amount,
        "payment_number": payment["payment"].payment_number,
        "online_payment_available": payment["online_available"],
    }


def verification_out(report) -> dict:
    result = report.result
    title, explanation = VERDICTS[result.verdict]
    document = report.document
    return {
        "verdict": result.verdict,
        "title": str(title),
        "explanation": str(explanation),
        "sha256": result.sha256,
        "municipality": (
            {"code": report.municipality.code, "name": report.municipality.name} if report.municipality else None
        ),
        "document": (
            {
                "kind": document.kind,
                "title": document.title,
                "document_number": document.document_number,
                "version": document.version,
                "superseded": document.superseded,
                "receipt_number": document.case.receipt_number,
            }
            if document
            else None
        ),
        "signer": result.signer,
        "signer_organisation": result.signer_organisation,
        "signer_unit": result.signer_unit,
        "signer_name": result.signer_name,
        "signed_at": result.signed_at,
        "timestamped": result.timestamped,
        "revoked": result.revoked,
        "additions": [
            {"kind": kind, "label": str(revisions.LABELS[kind]), "permitted": kind in revisions.PERMITTED}
            for kind in result.additions
        ],
    }
