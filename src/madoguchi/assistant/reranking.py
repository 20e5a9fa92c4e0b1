"""Second stage: a linear re-ranker of the fused top entries for questions not in Japanese.

The fusion takes each entry's *best* cosine (question or answer passage). For a question in
another language the lexical ranking says little, and an entry whose question **and** answer
both match it is more often the right one than an entry with one close vector. The re-ranker
scores the fused top ``CANDIDATES`` by ``w · (fused score, best question cosine, best passage
cosine)`` and reorders them; the entries below keep their order.

The weights were fitted by pairwise logistic regression (for every pair of candidates of a
query with different grades, "the better graded one scores higher"; standardised features,
L2 = 10) on the development half of bench/assistant_eval/ — the questions detected as another
language than Japanese — by ``bench/assistant_rerank.py --fit``, which prints them and the
5-fold cross-validated gain. For Japanese questions (BM25 speaks) no feature set beat the
fusion beyond noise on that half, so they are not re-ranked (docs/assistant.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from madoguchi.assistant.confidence import raw_weights, standardised_design

CANDIDATES = 20
FEATURES = ("fused", "dense_question", "dense_passage")
# bench/assistant_rerank.py --fit, 2026-12-05, on the 3-passage/160-token vectors: 388 development
# questions, 8,187 ordered pairs (on the earlier 4-passage/256-token vectors: 1.568, 67.676, 65.154)
WEIGHTS: dict[str, float] = {"fused": 1.751, "dense_question": 67.13, "dense_passage": 64.121}
L2 = 10.0


def reranked_order(order: np.ndarray, features: np.ndarray, weights: dict[str, float] | None = None) -> np.ndarray:
    """``order`` with its first ``CANDIDATES`` entries sorted by the linear score (ties keep order).

    ``features`` holds one row of :data:`FEATURES` per entry of ``order[:CANDIDATES]``.
    """
    weights = WEIGHTS if weights is None else weights
    head = order[:CANDIDATES]
    scores = features[: len(head)] @ np.array([weights[name] for name in FEATURES])
    return np.concatenate([head[np.argsort(-scores, kind="stable")], order[CANDIDATES:]])


def fit_logistic_irls(
    rows: Sequence[Sequence[float]], labels: Sequence[int], *, l2: float = L2, steps: int = 30
) -> tuple[float, list[float]]:
    """(bias, weights) of sigmoid(bias + w·x) by Newton's method on standardised x with L2 on w."""
    z, mean, scale = standardised_design(rows)
    y = np.asarray(labels, dtype=float)
    w = np.zeros(z.shape[1])
    penalty = l2 * np.eye(z.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) + penalty @ w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty + 1e-9 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    return raw_weights(w, mean, scale)


def fit_pairwise(queries: Sequence[tuple[np.ndarray, Sequence[int]]], *, l2: float = L2) -> dict[str, float]:
    """Weights of :data:`FEATURES` from ``(candidate feature rows, grades)`` per query.

    Each pair of candidates with different grades gives two rows, the difference both ways.
    """
    rows, labels = [], []
    for features, grades in queries:
        for a, grade_a in enumerate(grades):
            for b, grade_b in enumerate(grades):
                if grade_a > grade_b:
                    rows += [features[a] - features[b], features[b] - features[a]]
                    labels += [1, 0]
    if not rows:
        return dict.fromkeys(FEATURES, 0.0)
    _bias, weights = fit_logistic_irls(rows, labels, l2=l2)
    return dict(zip(FEATURES, weights, strict=True))
