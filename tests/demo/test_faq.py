"""The demo FAQ: every file imports through the assistant's import service (issue 4)."""

from __future__ import annotations

import pytest

from madoguchi.assistant.csvio import FaqRow
from madoguchi.assistant.models import FaqEntry, FaqTranslation
from madoguchi.demo.faq import _substitute, demo_faq_files, demo_faq_load
from madoguchi.demo.tenants import demo_tenants_load


@pytest.fixture
def city(db):
    """青葉市 without its procedure catalog (the FAQ needs none)."""
    return demo_tenants_load()[0]


def test_every_demo_faq_file_imports_with_its_placeholders_filled(city):
    assert demo_faq_files(), "no faq_csv/*.csv"
    result = demo_faq_load(municipality=city)
    assert result.created
    texts = list(FaqTranslation.objects.for_municipality(city).values_list("language", "question", "answer_html"))
    urls = set(FaqEntry.objects.for_municipality(city).values_list("source_url", flat=True))
    again = demo_faq_load(municipality=city)
    assert not any("{city}" in q + a or "{site}" in q + a or "{phone}" in q + a for _l, q, a in texts)
    assert all(url.startswith("https://www.city.aoba.example.jp/") for url in urls if url)
    assert again.created == [] and again.updated == []  # a second run changes nothing


def test_city_names_follow_the_row_language(db):
    minatogawa = demo_tenants_load()[1]
    row = FaqRow(
        line=2, id="x-1", question="{city}", answer="{phone}", language="ko", category="general", url="{site}/"
    )
    filled = _substitute(row, minatogawa)
    assert (filled.question, filled.answer, filled.url) == (
        "미나토가와시",
        minatogawa.contact_phone,
        "https://www.city.minatogawa.example.jp/",
    )
    assert _substitute(row.__class__(**{**row.__dict__, "language": "tl"}), minatogawa).question == "Minatogawa City"
