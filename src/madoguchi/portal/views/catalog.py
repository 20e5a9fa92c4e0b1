"""Resident pages: municipalities, a municipality's catalog, one procedure."""

from django.shortcuts import render
from django.utils.translation import get_language

from madoguchi.procedures.definition import translated
from madoguchi.procedures.models import CATEGORY_LABELS, LIFE_EVENT_LABELS
from madoguchi.procedures.selectors import procedure_categories, procedure_get, procedure_list
from madoguchi.procedures.wording import (
    processing_period_text,
    required_documents,
    signature_requirement,
    signature_statement,
)
from madoguchi.tenants.selectors import municipality_get, municipality_list


def procedure_card(procedure, language: str) -> dict:
    d = procedure.current_version.definition
    return {
        "slug": procedure.slug,
        "title": translated(d["title"], language),
        "summary": translated(d["summary"], language),
        "category": CATEGORY_LABELS.get(d["category"], d["category"]),
        "fee": d["fee"]["amount"],
        "fee_unit": translated(d["fee"].get("unit"), language),
        "days": d["processing_period_days"],
        "period": processing_period_text(d),
    }


def home(request):
    return render(request, "portal/home.html", {"municipalities": municipality_list()})


def catalog(request, code: str):
    municipality = municipality_get(code=code)
    query = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    if category not in CATEGORY_LABELS:
        category = ""
    language = get_language()
    procedures = procedure_list(municipality=municipality, query=query, category=category)
    return render(
        request,
        "portal/catalog.html",
        {
            "municipality": municipality,
            "query": query,
            "category": category,
            "categories": [
                (c, CATEGORY_LABELS[c]) for c in procedure_categories(municipality=municipality) if c in CATEGORY_LABELS
            ],
            "procedures": [procedure_card(p, language) for p in procedures],
        },
    )


def procedure_detail(request, code: str, slug: str):
    municipality = municipality_get(code=code)
    procedure = procedure_get(municipality=municipality, slug=slug)
    language = get_language()
    d = procedure.current_version.definition
    return render(
        request,
        "portal/procedure.html",
        {
            "municipality": municipality,
            "procedure": procedure,
            "card": procedure_card(procedure, language),
            "eligibility": translated(d.get("eligibility"), language),
            "fee_note": translated(d["fee"].get("note"), language),
            "documents": required_documents(d, language),
            "signature_mode": signature_requirement(d),
            "signature_statement": signature_statement(d),
            "life_events": [LIFE_EVENT_LABELS.get(e, e) for e in d.get("life_events", [])],
            "steps": [translated(step["title"], language) for step in d["steps"]],
            "department": procedure.department,
            "first_step": d["steps"][0]["id"],
        },
    )
