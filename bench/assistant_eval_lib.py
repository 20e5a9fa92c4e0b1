"""The labelled set of bench/assistant_eval/ and its measures (used by bench/assistant_eval.py).

Queries are split into a development half (to tune and calibrate on) and a test half (to
report) by the SHA-256 of their id, so the split is fixed, independent of order, and a
translated query falls in the half of the Japanese one it translates.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parent / "assistant_eval"


@dataclass(frozen=True)
class Query:
    id: str
    language: str  # as labelled (ja for the original queries)
    text: str
    style: str
    relevant: dict[str, int]  # entry id -> 2 (answers it) or 1 (partly); {}: unanswerable

    @property
    def half(self) -> str:
        return split_half(self.id)

    @property
    def answerable(self) -> bool:
        return bool(self.relevant)


def split_half(query_id: str) -> str:
    """ "dev" or "test", fixed by the id's hash."""
    return "dev" if hashlib.sha256(query_id.encode()).digest()[0] % 2 == 0 else "test"


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_queries(directory: Path = EVAL_DIR) -> list[Query]:
    """The Japanese queries with their labels, and their translations with the same labels."""
    labelled = {row["id"]: row for row in _jsonl(directory / "queries.jsonl") if "relevant" in row}
    queries = [
        Query(row["id"], "ja", row["text"], row.get("style", ""), {k: int(v) for k, v in row["relevant"].items()})
        for row in labelled.values()
    ]
    for row in _jsonl(directory / "queries-multilingual.jsonl"):
        base = labelled.get(row["id"])
        if base is not None and row.get("lang") != "ja":
            queries.append(
                Query(
                    row["id"],
                    row["lang"],
                    row["text"],
                    base.get("style", ""),
                    {k: int(v) for k, v in base["relevant"].items()},
                )
            )
    return queries


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """nDCG@k with the grades as gains (2 answers, 1 partly)."""
    dcg = sum(relevant.get(key, 0) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def success_at_1(ranked: list[str], relevant: dict[str, int]) -> float:
    """1 when the first entry answers the question (grade 2)."""
    return 1.0 if ranked and relevant.get(ranked[0], 0) == 2 else 0.0


def reciprocal_rank(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    for i, key in enumerate(ranked[:k]):
        if relevant.get(key, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    wanted = {key for key, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def measures(runs: list[tuple[Query, list[str]]]) -> dict[str, float]:
    """Mean nDCG@10, SR@1, MRR@10 and recall@10 over the answerable queries of ``runs``."""
    answerable = [(q, ranked) for q, ranked in runs if q.answerable]
    if not answerable:
        return {"n": 0, "ndcg": 0.0, "sr1": 0.0, "mrr": 0.0, "recall": 0.0}
    n = len(answerable)
    return {
        "n": n,
        "ndcg": sum(ndcg(r, q.relevant) for q, r in answerable) / n,
        "sr1": sum(success_at_1(r, q.relevant) for q, r in answerable) / n,
        "mrr": sum(reciprocal_rank(r, q.relevant) for q, r in answerable) / n,
        "recall": sum(recall(r, q.relevant) for q, r in answerable) / n,
    }
