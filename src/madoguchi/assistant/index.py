"""The per-process search index of each municipality's published FAQ.

Building an index takes the entries, their texts and vectors from the database and
tokenises the Japanese texts (tens of milliseconds for a few hundred entries). It is kept
per process and municipality and reused while the knowledge base's revision *stamp* is the
one it was built from; checking that is one indexed single-row query per question, so an
edit on one app server is seen by every other on its next question. Nothing here is state
another server would need: a fresh process just builds its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db.models import Prefetch

from madoguchi.assistant.content import answer_text_from_html
from madoguchi.assistant.embedding import get_embedder, vector_from_bytes
from madoguchi.assistant.models import (
    EntryStatus,
    FaqCategory,
    FaqEmbedding,
    FaqEntry,
    FaqTranslation,
    KnowledgeBase,
    TextKind,
)
from madoguchi.assistant.passages import MAX_DENSE_PASSAGES
from madoguchi.assistant.retrieval import LEGACY, Document, HybridRetriever, RetrievalOptions, Retriever
from madoguchi.assistant.text import get_analyser
from madoguchi.tenants.models import Municipality


@dataclass(frozen=True)
class IndexedEntry:
    pk: int
    external_id: str
    category: str
    source_url: str
    procedure_slug: str
    department_name: str
    department_phone: str
    translations: dict[str, tuple[str, str, str]]  # language -> (question, answer HTML, answer text)


@dataclass(frozen=True)
class KbIndex:
    stamp: str
    model: str
    retriever: Retriever
    entries: dict[int, IndexedEntry]
    category_labels: dict[str, dict[str, str]]  # category key -> language -> label

    def category_label(self, key: str, language: str) -> str:
        labels = self.category_labels.get(key, {})
        return labels.get(language) or labels.get("ja") or key


_cache: dict[int, KbIndex] = {}
_lock = threading.Lock()


def kb_stamp(*, municipality: Municipality) -> str:
    """Return the knowledge base's current revision stamp ("" before its first entry)."""
    stamp = KnowledgeBase.objects.for_municipality(municipality).values_list("stamp", flat=True).first()
    return str(stamp) if stamp else ""


def kb_index(*, municipality: Municipality) -> KbIndex:
    """Return the index of ``municipality``'s published entries, rebuilt if the FAQ changed."""
    stamp = kb_stamp(municipality=municipality)
    embedder = get_embedder()
    cached = _cache.get(municipality.pk)
    if cached is not None and cached.stamp == stamp and cached.model == embedder.name:
        return cached
    with _lock:
        cached = _cache.get(municipality.pk)
        if cached is not None and cached.stamp == stamp and cached.model == embedder.name:
            return cached
        index = _build(municipality, stamp)
        _cache[municipality.pk] = index
        return index


def kb_index_clear() -> None:
    """Forget every cached index (tests; a process that switched databases)."""
    _cache.clear()


def kb_vectors(
    *,
    municipality: Municipality,
    entries: dict[int, IndexedEntry],
    kinds: tuple[str, ...] = ("q", "a"),
    with_kind: bool = False,
) -> list[tuple[int, np.ndarray] | tuple[int, np.ndarray, str]]:
    """The current vectors of ``entries`` as (entry pk, rows): one row a question, one per passage an answer.

    ``with_kind``: (entry pk, rows, kind) — the re-ranker tells question and passage cosines apart.
    """
    from madoguchi.assistant.entry_vectors import embedded_text_hash

    embedder = get_embedder()
    current_hashes = {}
    for entry in entries.values():
        for language, (question, _html, text) in entry.translations.items():
            current_hashes[(entry.pk, language, TextKind.QUESTION.value)] = embedded_text_hash(
                TextKind.QUESTION, question
            )
            current_hashes[(entry.pk, language, TextKind.ANSWER.value)] = embedded_text_hash(
                TextKind.ANSWER, text, question
            )
    return [
        # An answer stored when more passages were embedded (four, before) is read as its first
        # MAX_DENSE_PASSAGES rows: the rows a fresh import makes, so nothing is recomputed.
        (
            e.entry_id,
            rows[:MAX_DENSE_PASSAGES] if e.kind == TextKind.ANSWER else rows,
            *((e.kind,) if with_kind else ()),
        )
        for e in FaqEmbedding.objects.for_municipality(municipality).filter(
            model=embedder.name, entry_id__in=list(entries), kind__in=kinds
        )
        # a vector of a text since edited is not used: better no vector than a stale one
        if current_hashes.get((e.entry_id, e.language, e.kind)) == e.text_hash
        for rows in (vector_from_bytes(e.vector).reshape(-1, embedder.dim),)
    ]


def _build(municipality: Municipality, stamp: str) -> KbIndex:
    embedder = get_embedder()
    entries: dict[int, IndexedEntry] = {}
    queryset = (
        FaqEntry.objects.for_municipality(municipality)
        .filter(status=EntryStatus.PUBLISHED)
        .select_related("department")
        .prefetch_related(Prefetch("translations", queryset=FaqTranslation.objects.for_municipality(municipality)))
        .order_by("external_id")
    )
    for entry in queryset:
        department = entry.department
        entries[entry.pk] = IndexedEntry(
            pk=entry.pk,
            external_id=entry.external_id,
            category=entry.category,
            source_url=entry.source_url,
            procedure_slug=entry.procedure_slug,
            department_name=department.name if department else "",
            department_phone=department.phone if department else "",
            translations={
                t.language: (t.question, t.answer_html, answer_text_from_html(t.answer_html))
                for t in entry.translations.all()
            },
        )
    vectors = kb_vectors(municipality=municipality, entries=entries, with_kind=True)
    documents = [
        Document(key=e.pk, texts={lang: (q, text) for lang, (q, _h, text) in e.translations.items()})
        for e in entries.values()
    ]
    fusion = settings.MADOGUCHI_ASSISTANT_FUSION
    options = LEGACY if fusion == "legacy" else RetrievalOptions(fusion=fusion)
    retriever = HybridRetriever(
        documents=documents, vectors=vectors, analyser=get_analyser(), embedder=embedder, options=options
    )
    labels = {c.key: c.labels for c in FaqCategory.objects.for_municipality(municipality)}
    return KbIndex(stamp=stamp, model=embedder.name, retriever=retriever, entries=entries, category_labels=labels)
