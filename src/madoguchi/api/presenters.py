"""Turn domain objects into API response dictionaries in the request's language."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language

from madoguchi.cases.models import Case, CaseStatus
from madoguchi.procedures.definition import translated
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.schema_export import answers_json_schema, example_answers, file_parts
from madoguchi.signatures.documents.selectors import resident_documents
from madoguchi.tenants.models import Municipality


def municipality_out(m: Municipality) -> dict:
    p = m.prefecture
    return {
        "code": m.code,
        "name": m.name,
        "name_kana": m.name_kana,
        "name_en": m.name_en,
        "prefecture": {"code": p.code, "name": p.name, "name_kana": p.name_kana, "name_en": p.name_en},
    }


def procedure_summary_out(procedure: Procedure) -> dict:
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
    }


def procedure_detail_out(procedure: Procedure) -> dict:
    language = get_language()
    d = procedure.current_version.definition
    return {
        **procedure_summary_out(procedure),
        "definition": d,
        "answers_schema": answers_json_schema(d, language=language),
        "files": file_parts(d, language=language),
        "example": {"answers": example_answers(d)},
    }


def application_created_out(case: Case, access_code: str) -> dict:
    return {
        "receipt_number": case.receipt_number,
        "access_code": access_code,
        "status": case.status,
        "procedure": case.procedure_version.definition["slug"],
        "procedure_version": case.procedure_version.number,
        "submitted_at": case.submitted_at,
        "status_url": reverse("api-1.0.0:application_status", kwargs={"receipt_number": case.receipt_number}),
    }


def application_status_out(case: Case) -> dict:
    d = case.procedure_version.definition
    return {
        "receipt_number": case.receipt_number,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "municipality": case.municipality.code,
        "procedure": d["slug"],
        "procedure_title": translated(d["title"], get_language()),
        "procedure_version": case.procedure_version.number,
        "submitted_at": case.submitted_at,
        "updated_at": case.updated_at,
        "documents": [
            {
                "id": item["document"].pk,
                "kind": item["document"].kind,
                "title": item["title"],
                "version": item["document"].version,
                "issued_at": item["document"].issued_at,
                "sha256": item["document"].sha256,
                "size": item["document"].size,
                "url": reverse(
                    "api-1.0.0:application_document",
                    kwargs={"receipt_number": case.receipt_number, "document_id": item["document"].pk},
                ),
            }
            for item in resident_documents(case=case, language=get_language())
        ],
    }
