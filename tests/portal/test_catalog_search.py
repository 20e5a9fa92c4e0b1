"""The catalog search finds procedures by their English words too (issue 12, item 11): titles,
summaries and keywords in both languages, on the Japanese and the English portal."""

from __future__ import annotations

import re

import pytest

from madoguchi.procedures.selectors import procedure_list
from madoguchi.procedures.services import catalog_search_terms


def found(client, query: str, language: str) -> list[str]:
    client.cookies["madoguchi_language"] = language
    page = client.get("/082015/", {"q": query}).content.decode()
    return sorted(set(re.findall(r'href="/082015/procedures/([a-z-]+)/"', page)))


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("garbage", ["sodai-gomi"], id="english-everyday-word-issue-12"),
        pytest.param("Trash", ["sodai-gomi"], id="english-synonym-any-case"),
        pytest.param("bulky garbage", ["sodai-gomi"], id="two-english-terms"),
        pytest.param("粗大ごみ", ["sodai-gomi"], id="japanese"),
        pytest.param("furniture", ["sodai-gomi"], id="english-summary-word"),
        pytest.param("juminhyo", ["juminhyo-copy"], id="romaji-without-macrons"),
        pytest.param("jūminhyō", ["juminhyo-copy"], id="romaji-with-macrons"),
        pytest.param("dogs", ["inu-shibo", "inu-toroku"], id="english-plural"),
        pytest.param("how do I register a puppy", ["inu-toroku"], id="english-stop-words"),
        pytest.param("daycare", ["hoikusho"], id="english-keyword"),
        pytest.param("proof of address", ["juminhyo-copy"], id="english-phrase"),
        pytest.param("passport", [], id="no-match"),
    ],
)
def test_the_catalog_search_finds_procedures_by_english_and_japanese_words(client, municipalities, query, expected, language):
    assert found(client, query, language) == expected


def test_the_english_portal_shows_the_english_title_of_what_garbage_finds(client, municipalities):
    client.cookies["madoguchi_language"] = "en"
    page = client.get("/082015/", {"q": "garbage"}).content.decode()
    assert "Booking a bulky waste collection" in page


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("Taxes", ["tax"]),
        ("nurseries", ["nursery"]),
        ("bus", ["bus"]),
        ("address", ["address"]),
        ("the", ["the"]),  # a query of stop words only is searched as it is
        ("ごみ の 処分", ["ゴミ", "ノ", "処分"]),
    ],
)
def test_catalog_search_terms(query, terms):
    assert catalog_search_terms(query) == terms


def test_procedure_list_searches_another_municipality_only_in_its_own_catalog(aoba, minatogawa):
    assert [p.slug for p in procedure_list(municipality=aoba, query="road occupancy")] == ["doro-senyo"]
    assert procedure_list(municipality=minatogawa, query="road occupancy") == []
