"""Finding the FAQ entry that answers a question: hybrid retrieval with a calibrated confidence.

Two signals are fused per entry:

* **lexical** — BM25 (bm25s) over Sudachi's normalised content words of the Japanese and
  やさしい日本語 question and answer of each entry (the question twice: it is what residents
  paraphrase). Saturated to [0, 1] as ``s / (s + LEXICAL_K)``.
* **dense** — the cosine between the e5 query vector and every stored passage vector of the
  entry (question and answer of every language version); the best one counts, rescaled from
  e5's narrow band ``[DENSE_FLOOR, DENSE_CEIL]`` to [0, 1]. This is what lets a Vietnamese or
  Korean question find a Japanese entry.

For a Japanese question both signals are weighted equally; for any other language the
lexical signal (only kanji overlap for Chinese) gets little weight. The confidence is a
logistic function of the fused top score and its margin over the runner-up, fitted on the
labelled queries in ``bench/assistant_queries.py`` (see docs/assistant.md for the numbers).

:class:`Retriever` is the interface; :class:`HybridRetriever` the default implementation.
It is built from plain data (:class:`Document`), so it knows nothing about the ORM.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from madoguchi.assistant.embedding import Embedder
from madoguchi.assistant.models import JAPANESE
from madoguchi.assistant.text import Analyser

LEXICAL_K = 6.0
DENSE_FLOOR = 0.78
DENSE_CEIL = 0.93
WEIGHTS = {"ja": (0.5, 0.5), "other": (0.85, 0.15)}  # (dense, lexical)
# confidence = sigmoid(A + B * top + C * margin); fitted by bench/assistant.py --calibrate
CALIBRATION = (-2.58, 5.49, 5.70)
CONFIDENT = 0.5


@dataclass(frozen=True)
class Document:
    """One searchable entry: its key and its texts by language (question, answer as plain text)."""

    key: int
    texts: dict[str, tuple[str, str]]


@dataclass(frozen=True)
class Hit:
    key: int
    score: float
    dense: float
    lexical: float


@dataclass
class SearchResult:
    hits: list[Hit]
    confidence: float
    top: float
    margin: float
    query_vector: np.ndarray | None = field(default=None, repr=False)

    @property
    def confident(self) -> bool:
        return bool(self.hits) and self.confidence >= CONFIDENT


class Retriever(Protocol):
    """Ranks a municipality's documents for a question."""

    def search(self, query: str, *, language: str, limit: int) -> SearchResult: ...


def confidence_of(top: float, margin: float) -> float:
    a, b, c = CALIBRATION
    return 1.0 / (1.0 + math.exp(-(a + b * top + c * margin)))


class HybridRetriever:
    """BM25 over Japanese terms fused with multilingual dense vectors (see the module docstring)."""

    def __init__(
        self,
        *,
        documents: list[Document],
        vectors: list[tuple[int, np.ndarray]],
        analyser: Analyser,
        embedder: Embedder,
    ) -> None:
        self.documents = documents
        self.analyser = analyser
        self.embedder = embedder
        self._position = {d.key: i for i, d in enumerate(documents)}
        self._bm25 = None
        corpus = []
        for document in documents:
            terms: list[str] = []
            for language in JAPANESE:
                if language in document.texts:
                    question, answer = document.texts[language]
                    question_terms = analyser.terms(question)
                    terms += question_terms + question_terms + analyser.terms(answer)
            corpus.append(terms or ["\u2205"])
        if documents:
            import bm25s

            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)
        rows = [(self._position[key], vector) for key, vector in vectors if key in self._position]
        self._row_document = np.array([row for row, _v in rows], dtype=np.int64)
        self._matrix = (
            np.vstack([v for _row, v in rows]).astype(np.float32)
            if rows
            else np.zeros((0, embedder.dim), dtype=np.float32)
        )

    def lexical_scores(self, query: str) -> np.ndarray:
        if self._bm25 is None:
            return np.zeros(len(self.documents), dtype=np.float32)
        terms = [t for t in self.analyser.terms(query) if t in self._bm25.vocab_dict]
        if not terms:
            return np.zeros(len(self.documents), dtype=np.float32)
        scores = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
        return scores / (scores + LEXICAL_K)

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        best = np.full(len(self.documents), -1.0, dtype=np.float32)
        if len(self._matrix):
            np.maximum.at(best, self._row_document, self._matrix @ query_vector)
        return np.clip((best - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR), 0.0, 1.0)

    def search(self, query: str, *, language: str, limit: int) -> SearchResult:
        """Return the best ``limit`` documents for ``query`` with the confidence of the first."""
        query_vector = self.embedder.embed_queries([query])[0]
        if not self.documents:
            return SearchResult(hits=[], confidence=0.0, top=0.0, margin=0.0, query_vector=query_vector)
        dense = self.dense_scores(query_vector)
        lexical = self.lexical_scores(query)
        w_dense, w_lexical = WEIGHTS["ja" if language in JAPANESE else "other"]
        fused = w_dense * dense + w_lexical * lexical
        order = np.argsort(-fused, kind="stable")[: max(limit, 2)]
        hits = [
            Hit(
                key=self.documents[i].key,
                score=float(fused[i]),
                dense=float(dense[i]),
                lexical=float(lexical[i]),
            )
            for i in order
        ]
        top = hits[0].score
        margin = top - (hits[1].score if len(hits) > 1 else 0.0)
        return SearchResult(
            hits=hits[:limit],
            confidence=confidence_of(top, margin),
            top=top,
            margin=margin,
            query_vector=query_vector,
        )
