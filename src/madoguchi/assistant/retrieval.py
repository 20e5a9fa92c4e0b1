"""Finding the FAQ entry that answers a question: hybrid retrieval with a calibrated confidence.

Two rankings of the entries are made and fused:

* **lexical** — BM25 (bm25s) over Sudachi's normalised content words of the Japanese and
  やさしい日本語 versions. Each entry is indexed as *units*: its question (counted twice: it is
  what residents paraphrase) with one passage of its answer (``passages.split_passages``);
  the entry's score is its best unit's, so a long answer's other sections do not dilute the
  one that answers. The question's terms are expanded with synonyms (``synonyms.py``) that
  count ``SYNONYM_WEIGHT`` as much.
* **dense** — the cosine between the e5 query vector and every stored vector of the entry
  (the question of every language version, and the first passages of each answer); the best
  one counts. This is what lets a Vietnamese or Korean question find a Japanese entry.

**Fusion** (``fusion="combsum"``, the default): each ranking's scores are min-max normalised
over its top ``FUSION_DEPTH`` entries and added with per-language weights (``FUSION_WEIGHTS``:
the lexical ranking helps where the question shares words with the Japanese entries). No
constant puts BM25 and cosines on one scale — the previous fusion (``fusion="legacy"``)
saturated BM25 with a hand-set constant and clipped cosines to a hand-set band. Reciprocal
rank fusion (``fusion="rrf"``: ``Σ w / (RRF_K + rank)``) is kept selectable; on the
development half it was no better (docs/assistant.md has the ablation), so the weight of the
lexical ranking was the one thing tuned, on that half.

For a question in another language than Japanese the fused top entries are then re-ranked
by a linear model of their fused score and best question and passage cosines
(``reranking.py``, fitted on the development half).

The confidence is a logistic function of features of the (re-ranked) first entry
(``confidence.py``), fitted on the development half of the labelled set
(bench/assistant_eval.py), with a threshold chosen so that
confident Japanese first answers are right ≥ 95 % (one for all languages so far).

:class:`Retriever` is the interface; :class:`HybridRetriever` the default implementation.
It is built from plain data (:class:`Document`), so it knows nothing about the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from madoguchi.assistant import confidence as calibration
from madoguchi.assistant import reranking
from madoguchi.assistant.embedding import Embedder
from madoguchi.assistant.models import JAPANESE
from madoguchi.assistant.passages import split_passages
from madoguchi.assistant.synonyms import SynonymExpander
from madoguchi.assistant.text import Analyser

# legacy fusion (``fusion="legacy"``): kept to be measured against, and selectable
LEXICAL_K = 6.0
DENSE_FLOOR = 0.78
DENSE_CEIL = 0.93
WEIGHTS = {"ja": (0.5, 0.5), "other": (0.85, 0.15)}  # (dense, lexical)
CALIBRATION = calibration.LEGACY_CALIBRATION
CONFIDENT = calibration.LEGACY_THRESHOLD

# the released fusion and its weights, chosen on the development half (docs/assistant.md)
FUSIONS = ("combsum", "rrf", "legacy")
RRF_K = 60.0
FUSION_DEPTH = 100  # ranks (rrf) and the normalisation's floor (combsum) look this deep
# (dense, lexical) per language: the lexical ranking helps Japanese most, Chinese by kanji, the
# others little (katakana loanwords and Latin names of the FAQ: NHK, PDF, ...)
FUSION_WEIGHTS = {"ja": (1.0, 1.0), "ja-x-easy": (1.0, 1.0), "zh-Hans": (1.0, 0.5), "zh-Hant": (1.0, 0.25)}
FUSION_OTHER = (1.0, 0.25)
SYNONYM_WEIGHT = 0.5
PRF_DOCS = 3
PRF_TERMS = 5
PRF_WEIGHT = 0.3


@dataclass(frozen=True)
class RetrievalOptions:
    """How a :class:`HybridRetriever` ranks; the defaults are the released algorithm."""

    fusion: str = "combsum"
    passages: bool = True  # lexical units per answer passage (else one text per entry)
    synonyms: bool = True
    prf: bool = False  # pseudo-relevance feedback on the lexical ranking
    readings: float = 0.0  # weight of a third ranking: BM25 over bigrams of the words' readings
    k: float = RRF_K
    weights: dict[str, tuple[float, float]] | None = None  # per language; None: FUSION_WEIGHTS
    rerank: bool = True  # re-rank the top entries of a question not in Japanese (reranking.py)

    def weight(self, language: str) -> tuple[float, float]:
        weights = FUSION_WEIGHTS if self.weights is None else self.weights
        return weights.get(language, weights.get("other", FUSION_OTHER))


LEGACY = RetrievalOptions(fusion="legacy", passages=False, synonyms=False)


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
    threshold: float = CONFIDENT
    features: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def confident(self) -> bool:
        return bool(self.hits) and self.confidence >= self.threshold


class Retriever(Protocol):
    """Ranks a municipality's documents for a question."""

    def search(self, query: str, *, language: str, limit: int) -> SearchResult: ...


def confidence_of(top: float, margin: float) -> float:
    """The legacy fusion's confidence (a logistic function of its top score and margin)."""
    return calibration.legacy_confidence(top, margin, CALIBRATION)


def rrf_scores(
    rankings: list[tuple[float, np.ndarray]], *, size: int, k: float, depth: int = FUSION_DEPTH
) -> np.ndarray:
    """Reciprocal rank fusion of ``(weight, scores)`` rankings over ``size`` items.

    An item is ranked in a list only if its score there is positive (a BM25 of 0 shares no
    term); ranks start at 1 and count to ``depth``. The result is normalised so that an item
    first in every weighted list scores 1.
    """
    fused = np.zeros(size, dtype=np.float64)
    total = sum(weight for weight, _scores in rankings if weight > 0)
    if not total:
        return fused
    for weight, scores in rankings:
        if weight <= 0:
            continue
        order = np.argsort(-scores, kind="stable")[:depth]
        order = order[scores[order] > 0]
        fused[order] += weight / (k + np.arange(1, len(order) + 1))
    return fused / (total / (k + 1))


def combsum_scores(rankings: list[tuple[float, np.ndarray]]) -> np.ndarray:
    """Weighted sum of each ranking's scores min-max normalised over its top ``FUSION_DEPTH``."""
    fused = np.zeros(len(rankings[0][1]), dtype=np.float64)
    total = sum(weight for weight, _scores in rankings if weight > 0)
    for weight, scores in rankings:
        if weight <= 0 or not len(scores):
            continue
        top = np.sort(scores)[::-1][:FUSION_DEPTH]
        high, low = float(top[0]), float(top[-1])
        if high <= 0 or high == low:
            continue
        fused += weight * np.clip((scores - low) / (high - low), 0.0, 1.0)
    return fused / total if total else fused


class HybridRetriever:
    """BM25 over Japanese terms fused with multilingual dense vectors (see the module docstring)."""

    def __init__(
        self,
        *,
        documents: list[Document],
        vectors: list[tuple[int, np.ndarray]],
        analyser: Analyser,
        embedder: Embedder,
        options: RetrievalOptions | None = None,
        synonyms: SynonymExpander | None = None,
    ) -> None:
        self.documents = documents
        self.analyser = analyser
        self.embedder = embedder
        self.options = options or RetrievalOptions()
        if self.options.fusion not in FUSIONS:
            raise ValueError(self.options.fusion)
        if synonyms is None and self.options.synonyms:
            from madoguchi.assistant.synonyms import get_synonyms

            synonyms = get_synonyms()
        self.synonyms = synonyms if self.options.synonyms else None
        self._position = {d.key: i for i, d in enumerate(documents)}
        self._languages = [frozenset(d.texts) for d in documents]
        self._bm25 = None
        corpus, unit_document = [], []
        for position, document in enumerate(documents):
            for terms in self._units(document):
                corpus.append(terms or ["\u2205"])
                unit_document.append(position)
        self._unit_document = np.array(unit_document, dtype=np.int64)
        self._question_terms = [self._document_question_terms(d) for d in documents]
        if documents:
            import bm25s

            self._bm25 = bm25s.BM25()
            self._bm25.index(corpus, show_progress=False)
        self._readings = None
        if documents and self.options.readings > 0 and hasattr(analyser, "reading_bigrams"):
            import bm25s

            reading_corpus, reading_unit = [], []
            for position, document in enumerate(documents):
                for text in self._unit_texts(document):
                    reading_corpus.append(analyser.reading_bigrams(text) or ["\u2205"])
                    reading_unit.append(position)
            self._readings = bm25s.BM25()
            self._readings.index(reading_corpus, show_progress=False)
            self._reading_unit = np.array(reading_unit, dtype=np.int64)
        rows, answer_rows = [], []
        # (entry key, rows) or (entry key, rows, kind): the kind ("q"/"a") feeds the re-ranker
        for key, vector, *kind in vectors:
            if key in self._position:
                for row in np.atleast_2d(vector):  # an answer's vector holds one row per passage
                    rows.append((self._position[key], row))
                    answer_rows.append(bool(kind) and kind[0] == "a")
        self._row_document = np.array([row for row, _v in rows], dtype=np.int64)
        self._row_answer = np.array(answer_rows, dtype=bool)
        self._matrix = (
            np.vstack([v for _row, v in rows]).astype(np.float32)
            if rows
            else np.zeros((0, embedder.dim), dtype=np.float32)
        )

    def _document_question_terms(self, document: Document) -> list[str]:
        terms: list[str] = []
        for language in JAPANESE:
            if language in document.texts:
                terms += self.analyser.terms(document.texts[language][0])
        return terms

    def _units(self, document: Document) -> list[list[str]]:
        """The entry's BM25 texts: one, or one per answer passage (the question in each)."""
        question_terms: list[str] = []
        answers: list[str] = []
        for language in JAPANESE:
            if language in document.texts:
                question, answer = document.texts[language]
                question_terms += self.analyser.terms(question)
                answers.append(answer)
        if not self.options.passages:
            return [question_terms + question_terms + [t for a in answers for t in self.analyser.terms(a)]]
        passages = [p for answer in answers for p in split_passages(answer)]
        if not passages:
            return [question_terms + question_terms]
        return [question_terms + question_terms + self.analyser.terms(p) for p in passages]

    def _unit_texts(self, document: Document) -> list[str]:
        """The texts of the entry's units (question twice and a passage), for the reading index."""
        questions = [document.texts[lang][0] for lang in JAPANESE if lang in document.texts]
        answers = [document.texts[lang][1] for lang in JAPANESE if lang in document.texts]
        passages = [p for a in answers for p in split_passages(a)] or [""]
        head = "\n".join(questions + questions)
        return [f"{head}\n{p}" for p in passages]

    def reading_raw(self, query: str) -> np.ndarray:
        """BM25 over reading bigrams, best unit per entry (zeros when the option is off)."""
        best = np.zeros(len(self.documents), dtype=np.float32)
        if self._readings is None:
            return best
        grams = [g for g in self.analyser.reading_bigrams(query) if g in self._readings.vocab_dict]
        if grams:
            np.maximum.at(best, self._reading_unit, np.asarray(self._readings.get_scores(grams), dtype=np.float32))
        return best

    def _bm25_scores(self, terms: list[str]) -> np.ndarray:
        best = np.zeros(len(self.documents), dtype=np.float32)
        terms = [t for t in terms if self._bm25 is not None and t in self._bm25.vocab_dict]
        if not terms:
            return best
        unit_scores = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
        np.maximum.at(best, self._unit_document, unit_scores)
        return best

    def lexical_raw(self, query: str) -> np.ndarray:
        """BM25 of the best unit of each entry (synonyms at ``SYNONYM_WEIGHT``)."""
        if self._bm25 is None:
            return np.zeros(len(self.documents), dtype=np.float32)
        terms = self.analyser.terms(query)
        scores = self._bm25_scores(terms)
        if self.synonyms is not None:
            extra = self.synonyms.expand(terms)
            if extra:
                scores = scores + SYNONYM_WEIGHT * self._bm25_scores(extra)
        return scores

    def lexical_scores(self, query: str) -> np.ndarray:
        scores = self.lexical_raw(query)
        return scores / (scores + LEXICAL_K)

    def dense_raw(self, query_vector: np.ndarray) -> np.ndarray:
        """The best cosine of each entry's vectors (−1 for an entry without any)."""
        best = np.full(len(self.documents), -1.0, dtype=np.float32)
        if len(self._matrix):
            np.maximum.at(best, self._row_document, self._matrix @ query_vector)
        return best

    def dense_by_kind(self, query_vector: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """(best question cosine, best passage cosine) of the entries at ``positions`` (−1: none)."""
        out = np.full((len(positions), 2), -1.0, dtype=np.float32)
        if not len(self._matrix):
            return out
        slot = np.full(len(self.documents), -1, dtype=np.int64)
        slot[positions] = np.arange(len(positions))
        mine = slot[self._row_document] >= 0
        rows = np.flatnonzero(mine)
        cosines = self._matrix[rows] @ query_vector
        np.maximum.at(out, (slot[self._row_document[rows]], self._row_answer[rows].astype(np.int64)), cosines)
        return out

    def _reranks(self, language: str, order: np.ndarray) -> bool:
        """Whether the re-ranker applies: a question not in Japanese, vectors of known kind, and
        none of the candidates written in the question's language — the regime it was fitted in
        (an FAQ in Japanese only). Where staff translated entries, a translated question's own
        cosine already speaks, and on the demo FAQ re-ranking lost 3 of 56 such questions."""
        if not self.options.rerank or language in JAPANESE or not self._row_answer.any():
            return False
        return not any(language in self._languages[i] for i in order[: reranking.CANDIDATES])

    def _rerank(self, order: np.ndarray, fused: np.ndarray, query_vector: np.ndarray) -> np.ndarray:
        head = order[: reranking.CANDIDATES]
        features = np.column_stack([fused[head], self.dense_by_kind(query_vector, head)])
        return reranking.reranked_order(order, features)

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        best = self.dense_raw(query_vector)
        return np.clip((best - DENSE_FLOOR) / (DENSE_CEIL - DENSE_FLOOR), 0.0, 1.0)

    def _feedback(self, query: str, fused: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        """Pseudo-relevance feedback: the top entries' most shared question terms, searched again."""
        top = np.argsort(-fused, kind="stable")[:PRF_DOCS]
        given = set(self.analyser.terms(query))
        counts: dict[str, int] = {}
        for position in top:
            for term in set(self._question_terms[position]) - given:
                counts[term] = counts.get(term, 0) + 1
        extra = [t for t, n in sorted(counts.items(), key=lambda item: -item[1]) if n > 1][:PRF_TERMS]
        if not extra:
            return lexical
        return lexical + PRF_WEIGHT * self._bm25_scores(extra)

    def search(self, query: str, *, language: str, limit: int) -> SearchResult:
        """Return the best ``limit`` documents for ``query`` with the confidence of the first."""
        query_vector = self.embedder.embed_queries([query])[0]
        return self.search_vector(query, query_vector, language=language, limit=limit)

    def search_vector(self, query: str, query_vector: np.ndarray, *, language: str, limit: int) -> SearchResult:
        """:meth:`search` with the query's vector given (the benchmark embeds each query once)."""
        if not self.documents:
            return SearchResult(hits=[], confidence=0.0, top=0.0, margin=0.0, query_vector=query_vector)
        if self.options.fusion == "legacy":
            return self._search_legacy(query, query_vector, language=language, limit=limit)
        dense = self.dense_raw(query_vector)
        lexical = self.lexical_raw(query)
        w_dense, w_lexical = self.options.weight(language)
        rankings = [(w_dense, dense + 1.0), (w_lexical, lexical)]  # +1: every cosine ranks
        if self._readings is not None and w_lexical > 0:
            rankings.append((self.options.readings * w_lexical, self.reading_raw(query)))
        fused = self._fuse(rankings)
        if self.options.prf and w_lexical > 0:
            lexical = self._feedback(query, fused, lexical)
            rankings[1] = (w_lexical, lexical)
            fused = self._fuse(rankings)
        order = np.lexsort((-dense, -fused))
        if self._reranks(language, order):
            order = self._rerank(order, fused, query_vector)
        order = order[: max(limit, 2)]
        saturated = lexical / (lexical + LEXICAL_K)
        hits = [
            Hit(key=self.documents[i].key, score=float(fused[i]), dense=float(dense[i]), lexical=float(saturated[i]))
            for i in order
        ]
        features = calibration.fused_features(
            fused=fused, dense=dense, lexical=saturated, order=order, lexical_weight=w_lexical
        )
        top = hits[0].score
        margin = top - (hits[1].score if len(hits) > 1 else 0.0)
        return SearchResult(
            hits=hits[:limit],
            confidence=calibration.fused_confidence(features, language),
            top=top,
            margin=margin,
            query_vector=query_vector,
            threshold=calibration.threshold(language, features),
            features=features,
        )

    def _fuse(self, rankings: list[tuple[float, np.ndarray]]) -> np.ndarray:
        if self.options.fusion == "rrf":
            return rrf_scores(rankings, size=len(self.documents), k=self.options.k)
        return combsum_scores(rankings)

    def _search_legacy(self, query: str, query_vector: np.ndarray, *, language: str, limit: int) -> SearchResult:
        dense = self.dense_scores(query_vector)
        lexical = self.lexical_scores(query)
        w_dense, w_lexical = WEIGHTS["ja" if language in JAPANESE else "other"]
        fused = w_dense * dense + w_lexical * lexical
        order = np.argsort(-fused, kind="stable")[: max(limit, 2)]
        hits = [
            Hit(key=self.documents[i].key, score=float(fused[i]), dense=float(dense[i]), lexical=float(lexical[i]))
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
            threshold=CONFIDENT,
            features={"top": top, "margin": margin},
        )
