"""The municipality's published FAQ, as a list: public, cacheable (ETag), paged."""

from __future__ import annotations

from ninja import Query, Schema
from pydantic import Field

from madoguchi.api.assistant.router import router
from madoguchi.api.http import PageQuery, paginate, public_response
from madoguchi.api.openapi import IF_NONE_MATCH_PARAMETER, declare
from madoguchi.assistant.categories import category_labels
from madoguchi.assistant.language import supported_language
from madoguchi.assistant.models import EntryStatus
from madoguchi.assistant.selectors import faq_entry_list
from madoguchi.tenants.selectors import municipality_get


class FaqEntryOut(Schema):
    id: str
    category: str = Field(description="The municipality's category key; empty when the entry has none.")
    category_label: str = Field(description="The category's label in the language shown.")
    question: str
    answer_html: str
    language: str
    fallback: bool = Field(description="True when the entry has no text in the language asked for.")
    source_url: str
    procedure: str | None


class FaqQuery(Schema):
    category: str = Field("", max_length=64, description="A category key of the municipality.")
    language: str = Field("", max_length=35, description="BCP 47 tag; Accept-Language if omitted.")


def _shown(translations: dict, language: str) -> str:
    if language in translations:
        return language
    if language != "ja" and "ja-x-easy" in translations:
        return "ja-x-easy"
    return "ja"


@router.get(
    "/municipalities/{code}/assistant/faq",
    operation_id="listFaqEntries",
    summary="List the municipality's published FAQ",
    **declare(
        {200: list[FaqEntryOut], 304: None},
        [400, 404],
        headers={200: ["ETag", "Link"], 304: ["ETag"]},
        parameters=[IF_NONE_MATCH_PARAMETER],
    ),
)
def faq_list(request, code: str, page: Query[PageQuery], query: Query[FaqQuery]):
    """List the published FAQ entries in the resident's language (Japanese where there is none)."""
    municipality = municipality_get(code=code)
    language = supported_language(query.language or request.LANGUAGE_CODE) or "ja"
    entries = list(
        faq_entry_list(
            municipality=municipality,
            status=EntryStatus.PUBLISHED,
            category=query.category,
        )
    )
    chosen = paginate(request, entries, page)
    labels = category_labels(municipality=municipality, language=language)
    items = []
    for entry in chosen.items:
        translations = {t.language: t for t in entry.translations.all()}
        if not translations:
            continue
        shown = _shown(translations, language)
        text = translations.get(shown) or next(iter(translations.values()))
        items.append(
            {
                "id": entry.external_id,
                "category": entry.category,
                "category_label": labels.get(entry.category, entry.category),
                "question": text.question,
                "answer_html": text.answer_html,
                "language": text.language,
                "fallback": text.language != language,
                "source_url": entry.source_url,
                "procedure": entry.procedure_slug or None,
            }
        )
    return public_response(request, items, link=chosen.link)
