"""Fixtures of the assistant tests: a small multilingual FAQ imported through the real
services, embedded with the real e5 model (memoised per session: each text once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from madoguchi.assistant.csvio import read_faq_csv
from madoguchi.assistant.entry_vectors import faq_embeddings_update
from madoguchi.assistant.importing import faq_import
from madoguchi.assistant.index import kb_index_clear

DATA = Path(__file__).resolve().parent / "data"
EMBEDDER = "tests.assistant.embedder.MemoisedE5"


@pytest.fixture(autouse=True)
def _assistant_settings(settings):
    settings.MADOGUCHI_ASSISTANT_EMBEDDER = EMBEDDER
    kb_index_clear()
    yield
    kb_index_clear()


def load_faq(municipality, path: Path = DATA / "faq.csv") -> None:
    faq_import(municipality=municipality, rows=read_faq_csv(path.read_bytes()), actor="test")
    faq_embeddings_update(municipality=municipality)


@pytest.fixture
def faq(aoba):
    """青葉市 with the test FAQ (published, embedded)."""
    load_faq(aoba)
    return aoba


@pytest.fixture
def city(db):
    """青葉市 without its procedure catalog (for tests that never reach an answer)."""
    from madoguchi.demo.tenants import demo_tenants_load

    return demo_tenants_load()[0]
