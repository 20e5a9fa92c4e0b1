"""Re-ranker and per-language confidence on the labelled set (bench/assistant_eval/): fit and report.

Same set-up as bench/assistant_eval.py (its municipality, import, embeddings and query
vectors, cached in var/bench-assistant/). Everything is chosen on the DEVELOPMENT half:

* ``--fit`` fits ``reranking.WEIGHTS`` (pairwise logistic regression over the fused top 20 of
  the development questions detected as another language than Japanese) and prints them
  with the 5-fold cross-validated gain (bootstrap interval). It also fits, as an experiment
  that was **not** shipped, a confidence calibration of Japanese questions of their own
  (``confidence.FEATURES`` on the Japanese development questions; threshold from their
  cross-validated confidences), compares it cross-validated with the all-language one, and
  prints each language's own 95 % threshold on the development half;
* then, with the code's constants (or the ones just fitted), the TEST half is reported:
  nDCG@10 / SR@1 with the re-ranker on and off, per language, and the selective accuracy
  (curve, coverage at the threshold, unanswerable questions answered) of Japanese and of the
  other languages — with ``--fit`` also of the Japanese-only calibration.

``make bench-assistant-rerank``. A report, not a test: it exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR))
os.environ.setdefault("MADOGUCHI_VAR_DIR", str(REPO_DIR / "var" / "bench-assistant"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.conf.settings.dev")
os.environ.setdefault("MADOGUCHI_BASE_DIR", str(REPO_DIR))

from bench.assistant_eval_lib import EVAL_DIR, load_queries, measures  # noqa: E402

FOLDS = 5


def fold(query_id: str) -> int:
    """A fixed cross-validation fold of a development question (its translations share it)."""
    return hashlib.sha256(f"fold:{query_id}".encode()).digest()[0] % FOLDS


def first_right(query, ranked) -> bool:
    return bool(ranked) and query.relevant.get(ranked[0], 0) == 2


def area_under_selective_curve(confidences, rights) -> float:
    """Mean accuracy of the confident over every coverage (higher: the confidence orders better)."""
    order = np.argsort(-np.asarray(confidences), kind="stable")
    right = np.asarray(rights, dtype=float)[order]
    return float(np.mean(np.cumsum(right) / np.arange(1, len(right) + 1))) if len(right) else 0.0


def coverage_at(confidences, rights, target: float) -> float:
    from madoguchi.assistant.confidence import selective_curve

    return max((c for _t, c, a in selective_curve(confidences, rights) if a >= target), default=0.0)


def bootstrap(values: np.ndarray, draws: int = 2000) -> tuple[float, float]:
    """95 % interval of the mean of per-question differences."""
    rng = np.random.default_rng(0)
    means = [values[rng.integers(0, len(values), len(values))].mean() for _ in range(draws)]
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


EXTRA_FEATURES = {
    "query-term coverage by the entry (all / question terms)": ("coverage", "question_coverage"),
    "share of the query's terms known to the FAQ, number of terms": ("known_terms", "terms"),
    "first in the dense / lexical ranking": ("dense_first", "lexical_first"),
    "best question vs best passage cosine": ("dense_question", "dense_passage"),
    "lexical margin": ("lexical_margin",),
    "cosine gap to the fifth other entry": ("dense_gap5",),
    "all of the above": (),
}


def extra_features(retriever, text: str, vector, language: str, result) -> dict[str, float]:
    """Candidate features of the first entry beyond ``confidence.FEATURES`` (the ablation of --fit)."""
    from madoguchi.assistant.retrieval import RetrievalOptions

    first = retriever._position[result.hits[0].key]
    terms = list(dict.fromkeys(retriever.analyser.terms(text)))
    use_lexical = RetrievalOptions().weight(language)[1] > 0 and bool(terms)
    units = retriever._unit_terms_cache.setdefault(
        first, {t for unit in retriever._units(retriever.documents[first]) for t in unit}
    )
    dense = retriever.dense_raw(vector)
    lexical = retriever.lexical_raw(text)
    others = np.sort(np.delete(dense, first))[::-1]
    split = retriever.dense_by_kind(vector, np.array([first]))[0]

    def share(known) -> float:
        return sum(t in known for t in terms) / len(terms) if use_lexical else 0.0

    return {
        "coverage": share(units),
        "question_coverage": share(set(retriever._question_terms[first])),
        "known_terms": share(retriever._bm25.vocab_dict),
        "terms": float(np.log1p(len(terms))) if use_lexical else 0.0,
        "dense_first": float(int(np.argmax(dense)) == first),
        "lexical_first": float(use_lexical and lexical.max() > 0 and int(np.argmax(lexical)) == first),
        "dense_question": float(split[0]),
        "dense_passage": float(split[1]),
        "lexical_margin": result.features.get("lexical_margin", 0.0),
        "dense_gap5": float(dense[first] - others[min(4, len(others) - 1)]),
    }


def feature_ablation(retriever, every, prepared, japanese: list[int], labels: list[int]) -> None:
    """Each candidate feature set added to ``confidence.FEATURES``: fitted on every language's
    development questions (as confidence.py is), cross-validated, measured on the Japanese ones."""
    from madoguchi.assistant import confidence

    retriever._unit_terms_cache = {}
    rows = []
    for query, _ranked, result, language in every:
        text, _language, vector = prepared[(query.id, query.language)]
        rows.append({**result.features, **extra_features(retriever, text, vector, language, result)})
    every_extra = tuple(name for names in EXTRA_FEATURES.values() for name in names)
    print("  candidate features added to confidence.FEATURES (5-fold, Japanese dev): area, coverage at 95 % / 90 %")
    for label, names in (("confidence.FEATURES (released)", ()), *EXTRA_FEATURES.items()):
        chosen = (*confidence.FEATURES, *(names or (every_extra if label == "all of the above" else ())))
        values = [0.0] * len(japanese)
        for k in range(FOLDS):
            train = [i for i, (q, *_rest) in enumerate(every) if fold(q.id) != k]
            fitted = confidence.fit_logistic([[rows[i][n] for n in chosen] for i in train], [labels[i] for i in train])
            for j, i in enumerate(japanese):
                if fold(every[i][0].id) == k:
                    z = fitted[0] + sum(w * rows[i][n] for w, n in zip(fitted[1:], chosen, strict=True))
                    values[j] = 1.0 / (1.0 + np.exp(-z))
        rights = [labels[i] for i in japanese]
        print(f"    {label:62} {area_under_selective_curve(values, rights):.3f}   "
              f"{coverage_at(values, rights, 0.95):.3f} / {coverage_at(values, rights, 0.9):.3f}")  # fmt: skip


def prepare():
    """The eval municipality's retriever parts and every query's (scrubbed text, language, vector)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django_scopes import scope

    from bench.assistant_eval_setup import eval_municipality, prepared_queries
    from madoguchi.assistant.csvio import read_faq_csv
    from madoguchi.assistant.embedding import get_embedder
    from madoguchi.assistant.entry_vectors import faq_embeddings_update
    from madoguchi.assistant.importing import faq_import
    from madoguchi.assistant.index import kb_index, kb_vectors

    call_command("migrate", verbosity=0)
    municipality = eval_municipality()
    embedder = get_embedder()
    with scope(municipality=municipality):
        faq_import(municipality=municipality, rows=read_faq_csv((EVAL_DIR / "faq.csv").read_bytes()),
                   actor="bench:assistant-eval")  # fmt: skip
        faq_embeddings_update(municipality=municipality)
        index = kb_index(municipality=municipality)
        vectors = kb_vectors(municipality=municipality, entries=index.entries, with_kind=True)
    external = {pk: e.external_id for pk, e in index.entries.items()}
    queries = load_queries()
    prepared = prepared_queries(queries, embedder)
    return index.retriever.documents, vectors, external, embedder, queries, prepared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fit", action="store_true", help="fit on the development half and print the constants")
    args = parser.parse_args()
    Path(os.environ["MADOGUCHI_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    documents, vectors, external, embedder, queries, prepared = prepare()
    from madoguchi.assistant import confidence, reranking
    from madoguchi.assistant.models import JAPANESE
    from madoguchi.assistant.retrieval import HybridRetriever, RetrievalOptions
    from madoguchi.assistant.text import get_analyser

    def retriever(**options):
        return HybridRetriever(documents=documents, vectors=vectors, analyser=get_analyser(), embedder=embedder,
                               options=RetrievalOptions(**options))  # fmt: skip

    def run(r, subset):
        out = []
        for query in subset:
            text, language, vector = prepared[(query.id, query.language)]
            result = r.search_vector(text, vector, language=language, limit=10)
            out.append((query, [external[h.key] for h in result.hits], result, language))
        return out

    dev = [q for q in queries if q.half == "dev"]
    test = [q for q in queries if q.half == "test"]

    if args.fit:
        plain = retriever(rerank=False)
        print("re-ranker: 5-fold cross-validation on the development questions detected as not Japanese")
        candidates = {}
        for query in dev:
            text, language, vector = prepared[(query.id, query.language)]
            if language in JAPANESE:
                continue
            result = plain.search_vector(text, vector, language=language, limit=reranking.CANDIDATES)
            positions = np.array([plain._position[h.key] for h in result.hits])
            features = np.column_stack([[h.score for h in result.hits], plain.dense_by_kind(vector, positions)])
            grades = [query.relevant.get(external[h.key], 0) for h in result.hits]
            candidates[(query.id, query.language)] = (query, positions, features, grades)
        before, after = [], []
        for k in range(FOLDS):
            train = [(f, g) for q, _p, f, g in candidates.values() if fold(q.id) != k]
            weights = reranking.fit_pairwise(train)
            for query, positions, features, _g in candidates.values():
                if fold(query.id) == k and query.answerable:
                    order = reranking.reranked_order(np.arange(len(positions)), features, weights)
                    ranked = [external[documents[positions[i]].key] for i in order][:10]
                    first = [external[documents[p].key] for p in positions][:10]
                    before.append(measures([(query, first)]))
                    after.append(measures([(query, ranked)]))
        for name in ("ndcg", "sr1"):
            gains = np.array([a[name] - b[name] for a, b in zip(after, before, strict=True)])
            low, high = bootstrap(gains)
            print(f"  {name}: {np.mean([b[name] for b in before]):.3f} -> {np.mean([a[name] for a in after]):.3f} "
                  f"(gain {gains.mean():+.3f}, 95 % interval {low:+.3f} .. {high:+.3f}; {len(gains)} questions)")  # fmt: skip
        train = [(f, g) for _q, _p, f, g in candidates.values()]
        reranking.WEIGHTS = {k: round(v, 3) for k, v in reranking.fit_pairwise(train).items()}
        pairs = sum(sum(1 for a in g for b in g if a > b) for _f, g in train)
        print(f"WEIGHTS = {reranking.WEIGHTS}  # {len(train)} questions, {pairs} ordered pairs")

        print("\nJapanese confidence: 5-fold cross-validation on the Japanese development questions")
        released_retriever = retriever()
        every = run(released_retriever, dev)
        every_rows = [[r.features[n] for n in confidence.FEATURES] for _q, _r, r, _l in every]
        every_labels = [int(first_right(q, ranked)) for q, ranked, _r, _l in every]
        japanese = [i for i, (q, *_rest) in enumerate(every) if q.language == "ja"]
        feature_ablation(released_retriever, every, prepared, japanese, every_labels)
        rows = [every_rows[i] for i in japanese]
        labels = [every_labels[i] for i in japanese]
        # both calibrations cross-validated alike: the one of confidence.py was fitted on all of dev
        shared, held_out = [0.0] * len(japanese), [0.0] * len(japanese)
        for k in range(FOLDS):
            outside = [i for i, (q, *_rest) in enumerate(every) if fold(q.id) != k]
            for values, train in ((shared, outside), (held_out, [i for i in outside if i in set(japanese)])):
                fitted = confidence.fit_logistic([every_rows[i] for i in train], [every_labels[i] for i in train])
                coefficients = dict(zip(("bias", *confidence.FEATURES), fitted, strict=True))
                for j, i in enumerate(japanese):
                    if fold(every[i][0].id) == k:
                        features = dict(zip(confidence.FEATURES, every_rows[i], strict=True))
                        values[j] = confidence.fused_confidence(features, "ja", coefficients)
        for name, values in (("all-language calibration, cross-validated", shared),
                             ("Japanese calibration, cross-validated", held_out)):  # fmt: skip
            print(f"  {name}: area under the selective curve {area_under_selective_curve(values, labels):.3f}, "
                  f"coverage at 95 % {coverage_at(values, labels, 0.95):.3f}, at 90 % {coverage_at(values, labels, 0.9):.3f}")  # fmt: skip
        rng = np.random.default_rng(0)
        gains = []
        for _ in range(1000):
            idx = rng.integers(0, len(labels), len(labels))
            pick = [labels[i] for i in idx]
            gains.append(area_under_selective_curve([held_out[i] for i in idx], pick)
                         - area_under_selective_curve([shared[i] for i in idx], pick))  # fmt: skip
        print(f"  gain in area: {np.mean(gains):+.3f} (95 % interval {np.percentile(gains, 2.5):+.3f} .. "
              f"{np.percentile(gains, 97.5):+.3f})")  # fmt: skip
        fitted = confidence.fit_logistic(rows, labels)
        japanese_only = dict(zip(("bias", *confidence.FEATURES), fitted, strict=True))
        japanese_threshold = confidence.choose_threshold(held_out, labels)
        print(f"  Japanese-only calibration (not shipped): {({k: round(v, 3) for k, v in japanese_only.items()})}, "
              f"threshold {japanese_threshold:.3f}; {len(labels)} questions, {sum(labels)} right first")  # fmt: skip
        released = retriever()
        own_thresholds = {}
        for language in sorted({q.language for q in dev} - {"ja"}):
            subset = run(released, [q for q in dev if q.language == language])
            values = [r.confidence for _q, _r, r, _l in subset]
            rights = [first_right(q, ranked) for q, ranked, _r, _l in subset]
            own = confidence.choose_threshold(values, rights)
            own_thresholds[language] = own
            print(
                f"  {language:9} dev: {len(values)} questions, {sum(rights)} right first; own 95 % threshold {own:.3f}"
            )

    print("\nTEST half: nDCG@10 / SR@1 (ja = Japanese questions, other = the ten other languages)")
    configs = [
        ("released before (no re-ranker)", dict(rerank=False)),
        ("+ re-ranker (other languages)", {}),
    ]
    results = {}
    for name, options in configs:
        results[name] = run(retriever(**options), test)
        cells = []
        for is_ja in (True, False):
            m = measures([(q, r) for q, r, _s, _l in results[name] if (q.language == "ja") == is_ja])
            cells.append(f"{m['ndcg']:.3f} / {m['sr1']:.3f}")
        print(f"  {name:50} ja {cells[0]}   other {cells[1]}")
    old, new = results[configs[0][0]], results[configs[-1][0]]
    per_language = defaultdict(lambda: ([], []))
    for (q, r, _s, _l), (_q2, r2, _s2, _l2) in zip(old, new, strict=True):
        per_language[q.language][0].append((q, r))
        per_language[q.language][1].append((q, r2))
    print("  per language (before -> after): nDCG@10, SR@1")
    for language, (a, b) in per_language.items():
        ma, mb = measures(a), measures(b)
        print(f"    {language:9} {ma['ndcg']:.3f} -> {mb['ndcg']:.3f}   {ma['sr1']:.3f} -> {mb['sr1']:.3f}")

    def selective_report(name: str, rows) -> None:
        """rows: (confidence, threshold, first right, answerable) of one group of test questions."""
        sure = [ok for c, t, ok, _a in rows if c >= t]
        wrongly = sum(1 for c, t, _ok, answerable in rows if c >= t and not answerable)
        print(f"  {name}: coverage {len(sure) / len(rows):.3f} ({len(sure)}/{len(rows)}), "
              f"accuracy {sum(sure) / len(sure) if sure else 0:.3f}, unanswerable answered "
              f"{wrongly}/{sum(1 for row in rows if not row[3])}, "
              f"area {area_under_selective_curve([r[0] for r in rows], [r[2] for r in rows]):.3f}")  # fmt: skip
        curve = confidence.selective_curve([r[0] for r in rows], [r[2] for r in rows])
        points = []
        for target in (0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0):
            point = next((p for p in curve if p[1] >= target), curve[-1])
            points.append(f"{point[1]:.2f} -> {point[2]:.3f}")
        print("    curve (coverage -> accuracy): " + ", ".join(points))

    print("\nselective accuracy, TEST half (right = a grade-2 entry first; unanswerable answered = wrong)")
    for name, _options in configs:
        for group, members in (("ja", lambda q: q.language == "ja"), ("other", lambda q: q.language != "ja")):
            rows = [(s.confidence, s.threshold, first_right(q, r), q.answerable)
                    for q, r, s, _l in results[name] if members(q)]  # fmt: skip
            selective_report(f"{name} [{group}]", rows)
    if args.fit:
        rows = [(confidence.fused_confidence(s.features, "ja", japanese_only), japanese_threshold,
                 first_right(q, r), q.answerable) for q, r, s, _l in results[configs[-1][0]] if q.language == "ja"]  # fmt: skip
        selective_report("Japanese-only calibration (not shipped) [ja]", rows)
        print("  each language at the shared threshold vs at its own development threshold (not shipped):")
        for language, own in sorted(own_thresholds.items()):
            found = [(s.confidence, s.threshold, first_right(q, r)) for q, r, s, _l in results[configs[-1][0]]
                     if q.language == language]  # fmt: skip
            cells = []
            for label, pick in (("shared", lambda c, t: c >= t), (f"own {own:.3f}", lambda c, _t, own=own: c >= own)):
                sure = [ok for c, t, ok in found if pick(c, t)]
                cells.append(f"{label}: {len(sure)}/{len(found)} answered, {sum(sure)} right")
            print(f"    {language:9} " + "; ".join(cells))


if __name__ == "__main__":
    main()
