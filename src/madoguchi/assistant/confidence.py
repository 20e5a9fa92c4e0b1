"""How sure the assistant is of its first answer: a calibrated probability and a threshold.

A fusion says which entry is first, not how good a match it is (an off-topic question
also has a first entry), so the confidence looks at absolute evidence around the first
entry: its best cosine and how far it stands out from every other entry's, its BM25 (when
the language has a lexical ranking), whether both rankings agree on it, and its fused margin.
``sigmoid(bias + Σ coefficient · feature)`` is fitted by logistic regression (small L2) on
"the first answer is right (grade 2)" over the development half of the labelled set
(``bench/assistant_eval.py --calibrate``), unanswerable questions included as wrong.

The threshold is chosen on the same half as the lowest one at which confident Japanese first
answers are right at least ``TARGET_ACCURACY`` of the time (:func:`choose_threshold`); a
language with enough development questions of its own may get its own threshold, never below
Japanese's (forty questions are too few to trust a language more).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

# the previous release's calibration (fusion="legacy"): sigmoid(a + b·top + c·margin) ≥ 0.5
LEGACY_CALIBRATION = (-2.58, 5.49, 5.70)
LEGACY_THRESHOLD = 0.5

FEATURES = ("dense_top", "dense_margin", "lexical_top", "agree", "fused_margin")
# fitted by bench/assistant_eval.py --calibrate on the development half (see docs/assistant.md)
FUSED_CALIBRATION: dict[str, float] = {
    "bias": -5.461,
    "dense_top": 5.063,
    "dense_margin": 58.657,
    "lexical_top": 1.799,
    "agree": 0.074,
    "fused_margin": 0.808,
}
# While an imported FAQ is still being embedded (``import --async``) the first entry may have no
# vector yet: then only its BM25 and margin speak, with their own coefficients and threshold.
LEXICAL_FEATURES = ("lexical_top", "lexical_margin")
LEXICAL_CALIBRATION: dict[str, float] = {"bias": -6.464, "lexical_top": 10.701, "lexical_margin": 10.772}
# Each language's own development questions (40) never asked for a threshold above Japanese's,
# and a language's threshold is never set below it: so one threshold for all, for now.
THRESHOLDS: dict[str, float] = {"ja": 0.911, "lexical": 0.95}
TARGET_ACCURACY = 0.95
# Not confident, but the first entry is likely on the subject: the resident is handed to its
# department rather than to city hall's general number (off-topic questions score below).
HANDOFF_CONFIDENCE = 0.3


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


def legacy_confidence(top: float, margin: float, coefficients: Sequence[float] = LEGACY_CALIBRATION) -> float:
    a, b, c = coefficients
    return _sigmoid(a + b * top + c * margin)


def fused_features(
    *, fused: np.ndarray, dense: np.ndarray, lexical: np.ndarray, order: np.ndarray, lexical_weight: float
) -> dict[str, float]:
    """The confidence's features of the first entry ``order[0]`` of a fused ranking."""
    first = int(order[0])
    others = np.delete(dense, first)
    dense_top = float(dense[first])
    use_lexical = lexical_weight > 0 and float(lexical.max()) > 0  # no shared word: dense alone
    agree = int(np.argmax(dense)) == first and (not use_lexical or int(np.argmax(lexical)) == first)
    lexical_top = float(lexical[first]) if use_lexical else 0.0
    lexical_others = np.delete(lexical, first)
    return {
        "dense_top": dense_top,
        "dense_margin": dense_top - float(others.max()) if len(others) else dense_top,
        "lexical_top": lexical_top,
        "lexical_margin": lexical_top - float(lexical_others.max()) if use_lexical and len(lexical_others) else 0.0,
        "has_vector": 1.0 if dense_top > -1.0 else 0.0,
        "agree": 1.0 if agree else 0.0,
        "fused_margin": float(fused[first] - fused[int(order[1])]) if len(order) > 1 else float(fused[first]),
    }


def lexical_only(features: dict[str, float]) -> bool:
    """Whether the first entry has no vector yet (its FAQ is still being embedded)."""
    return features.get("has_vector", 1.0) == 0.0


def fused_confidence(features: dict[str, float], language: str, coefficients: dict[str, float] | None = None) -> float:
    if lexical_only(features) and coefficients is None:
        coefficients, names = LEXICAL_CALIBRATION, LEXICAL_FEATURES
    else:
        coefficients, names = (FUSED_CALIBRATION if coefficients is None else coefficients), FEATURES
    return _sigmoid(coefficients["bias"] + sum(coefficients[name] * features.get(name, 0.0) for name in names))


def threshold(language: str, features: dict[str, float] | None = None) -> float:
    if features is not None and lexical_only(features):
        return THRESHOLDS["lexical"]
    return THRESHOLDS.get(language, THRESHOLDS["ja"])


def fit_logistic(
    rows: Sequence[Sequence[float]], labels: Sequence[int], *, steps: int = 20000, rate: float = 0.5, l2: float = 1e-3
) -> list[float]:
    """Return [bias, w1, …] of sigmoid(bias + w·x) fitted by gradient descent on standardised x."""
    z, mean, scale = standardised_design(rows)
    y = np.asarray(labels, dtype=float)
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        w -= rate * (z.T @ (p - y) / len(y) + l2 * np.r_[0.0, w[1:]])
    bias, weights = raw_weights(w, mean, scale)
    return [bias, *weights]


def standardised_design(rows: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a column of ones beside the standardised ``rows``, their mean, their scale): the fits
    standardise so one step size (or one L2 weight) suits features of any unit."""
    x = np.asarray(rows, dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    return np.column_stack([np.ones(len(x)), (x - mean) / scale]), mean, scale


def raw_weights(w: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> tuple[float, list[float]]:
    """(bias, weights) on the raw features of ``w`` fitted on :func:`standardised_design`'s."""
    weights = w[1:] / scale
    return float(w[0] - (weights * mean).sum()), [float(v) for v in weights]


def choose_threshold(
    confidences: Sequence[float], correct: Sequence[bool], *, target: float = TARGET_ACCURACY
) -> float:
    """The lowest threshold at which the confident answers are right at least ``target`` of the time.

    Candidates are the observed confidences; with none reaching the target, the threshold is
    above every confidence (nothing is confident).
    """
    pairs = sorted(zip(confidences, correct, strict=True), key=lambda pair: -pair[0])
    best = max(confidences, default=1.0) + 1e-6
    right = 0
    for count, (value, ok) in enumerate(pairs, start=1):
        right += int(ok)
        # a threshold between equal confidences cannot split them: decide at the last of a tie
        if count < len(pairs) and pairs[count][0] == value:
            continue
        if right / count >= target:
            best = value
    return best


def selective_curve(confidences: Sequence[float], correct: Sequence[bool]) -> list[tuple[float, float, float]]:
    """(threshold, coverage, accuracy of the confident) at each distinct confidence, high to low."""
    pairs = sorted(zip(confidences, correct, strict=True), key=lambda pair: -pair[0])
    curve = []
    right = 0
    for count, (value, ok) in enumerate(pairs, start=1):
        right += int(ok)
        if count < len(pairs) and pairs[count][0] == value:
            continue
        curve.append((value, count / len(pairs), right / count))
    return curve
