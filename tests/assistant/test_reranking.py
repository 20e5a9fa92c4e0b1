"""The re-ranker of the fused top entries for questions not in Japanese (reranking.py)."""

from __future__ import annotations

import math

import numpy as np

from madoguchi.assistant import reranking
from madoguchi.assistant.retrieval import Document, HybridRetriever, RetrievalOptions
from madoguchi.assistant.text import get_analyser


class AxisEmbedder:
    """Every query is the first axis: a stored vector's cosine is its first component."""

    name = "axis"
    dim = 4

    def embed_queries(self, texts):
        return np.tile(np.array([1.0, 0, 0, 0], dtype=np.float32), (len(texts), 1))

    embed_passages = embed_queries


def at(cosine: float) -> np.ndarray:
    return np.array([[cosine, math.sqrt(1 - cosine**2), 0, 0]], dtype=np.float32)


DOCUMENTS = [
    Document(1, {"ja": ("犬の登録", "犬を飼い始めたら登録してください。")}),
    Document(2, {"ja": ("転入の届出", "引っ越してきたら14日以内に届け出てください。")}),
]
# entry 1: its question is the closest vector of all, its answer far; entry 2: both close
VECTORS = [(1, at(0.90), "q"), (1, at(0.60), "a"), (2, at(0.88), "q"), (2, at(0.87), "a")]


def retriever(**options):
    return HybridRetriever(
        documents=DOCUMENTS, vectors=VECTORS, analyser=get_analyser(), embedder=AxisEmbedder(),
        options=RetrievalOptions(**options),
    )  # fmt: skip


def test_dense_cosines_are_split_by_kind():
    split = retriever().dense_by_kind(np.array([1.0, 0, 0, 0], dtype=np.float32), np.array([1, 0]))
    assert np.allclose(split, [[0.88, 0.87], [0.90, 0.60]])


def test_a_question_in_another_language_prefers_the_entry_whose_question_and_answer_both_match():
    # the fusion takes each entry's best cosine: entry 1 (0.90) first
    assert [h.key for h in retriever(rerank=False).search("How do I register?", language="en", limit=2).hits] == [1, 2]
    # the re-ranker weighs question and passage cosines together: entry 2 (0.88 and 0.87)
    assert [h.key for h in retriever().search("How do I register?", language="en", limit=2).hits] == [2, 1]
    # no weights, no re-ranking: the learnt model is what moves it
    flat = dict.fromkeys(reranking.FEATURES, 0.0)
    order = reranking.reranked_order(np.array([0, 1]), np.array([[1.0, 0.90, 0.60], [0.0, 0.88, 0.87]]), flat)
    assert order.tolist() == [0, 1]


def test_japanese_questions_are_not_reranked():
    hits = retriever().search("登録の方法", language="ja", limit=2).hits
    assert [h.key for h in hits] == [
        h.key for h in retriever(rerank=False).search("登録の方法", language="ja", limit=2).hits
    ]


def test_an_faq_translated_into_the_questions_language_is_not_reranked():
    translated = [
        Document(1, {"ja": ("犬の登録", "登録してください。"), "en": ("Dog registration", "Register your dog.")}),
        DOCUMENTS[1],
    ]
    r = HybridRetriever(documents=translated, vectors=VECTORS, analyser=get_analyser(), embedder=AxisEmbedder())
    assert [h.key for h in r.search("How do I register?", language="en", limit=2).hits] == [1, 2]
    # a language no entry is written in: re-ranked as before
    assert [h.key for h in r.search("Como faço o registro?", language="pt-BR", limit=2).hits] == [2, 1]


def test_without_kinds_of_vectors_nothing_is_reranked():
    plain = HybridRetriever(
        documents=DOCUMENTS, vectors=[(k, v) for k, v, _kind in VECTORS], analyser=get_analyser(),
        embedder=AxisEmbedder(),
    )  # fmt: skip
    assert [h.key for h in plain.search("How do I register?", language="en", limit=2).hits] == [1, 2]


def test_only_the_top_candidates_are_reordered():
    order = np.arange(reranking.CANDIDATES + 5)
    features = np.zeros((reranking.CANDIDATES, len(reranking.FEATURES)))
    features[-1] = [1.0, 1.0, 1.0]
    reordered = reranking.reranked_order(order, features)
    assert reordered[0] == reranking.CANDIDATES - 1
    assert reordered[reranking.CANDIDATES :].tolist() == order[reranking.CANDIDATES :].tolist()


def test_pairwise_fit_learns_which_feature_orders_the_grades():
    rng = np.random.default_rng(0)
    queries = []
    for _ in range(30):
        features = rng.random((6, 3))
        grades = [2 if i == int(np.argmax(features[:, 2])) else 0 for i in range(6)]  # the passage cosine decides
        queries.append((features, grades))
    weights = reranking.fit_pairwise(queries, l2=1.0)
    assert weights["dense_passage"] > 5 * max(abs(weights["fused"]), abs(weights["dense_question"]))
