"""Assistant benchmark on an independent labelled FAQ (bench/assistant_eval/, see its README).

``make bench-assistant`` runs this after bench/assistant.py. In its own SQLite database
(var/bench-assistant/) it imports ``faq.csv`` into a municipality of its own through the real
import service (``read_faq_csv`` + ``faq_import``, as ``madoguchi assistant import`` does),
embeds it (``faq_embeddings_update``) and asks every labelled query through the retriever of
the municipality's index and its confidence — what ``assistant_ask`` uses — after the same
scrubbing and language detection. It prints, on the TEST half of the queries (the
development half is for tuning and calibration; ``assistant_eval_lib.split_half``):

* nDCG@10 (gains 2/1), SR@1 (a grade-2 entry first), MRR@10 and recall@10 per language, for
  the released retrieval and the previous release's (``fusion="legacy"`` with one vector per
  whole answer) side by side, and the ablation of each component;
* the selective accuracy of confident Japanese first answers (answerable and unanswerable
  queries; a confident answer to an unanswerable one is wrong) and its curve;
* import and embedding texts/s, and ``assistant_ask`` latency p50/p95 at about 2,000 entries.

``--calibrate`` fits the confidence on the development half and prints what to copy into
``confidence.py``; ``--tune`` prints the development figures of a grid of fusion settings;
``--fresh`` drops the municipality's FAQ first so import and embedding are timed whole.
It is a report, not a test: it exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR))
os.environ.setdefault("MADOGUCHI_VAR_DIR", str(REPO_DIR / "var" / "bench-assistant"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.conf.settings.dev")
os.environ.setdefault("MADOGUCHI_BASE_DIR", str(REPO_DIR))

from bench.assistant_eval_lib import EVAL_DIR, load_queries, measures  # noqa: E402
from bench.assistant_eval_setup import (  # noqa: E402
    eval_municipality,
    latency,
    prepared_queries,
    titled_passage_vectors,
    whole_answer_vectors,
)

LANGUAGE_ORDER = ("ja", "ja-x-easy", "en", "zh-Hans", "zh-Hant", "ko", "vi", "pt-BR", "tl", "ne", "id")


def _order(language: str) -> int:
    return LANGUAGE_ORDER.index(language) if language in LANGUAGE_ORDER else len(LANGUAGE_ORDER)


def run(retriever, queries, prepared) -> list:
    """Each query's (query, ranked external ids, SearchResult), through ``search_vector``."""
    out = []
    for query in queries:
        text, language, vector = prepared[(query.id, query.language)]
        result = retriever.search_vector(text, vector, language=language, limit=10)
        out.append((query, [retriever.external[h.key] for h in result.hits], result))
    return out


def by_language(results, half: str) -> dict[str, dict[str, float]]:
    groups = defaultdict(list)
    for query, ranked, _result in results:
        if query.half == half:
            groups[query.language].append((query, ranked))
    return {language: measures(runs) for language, runs in groups.items()}


def first_right(query, ranked) -> bool:
    return bool(ranked) and query.relevant.get(ranked[0], 0) == 2


def selective(results, half: str, language: str = "ja"):
    """(confidences, rights, thresholds) of one language's queries of one half."""
    rows = [(r.confidence, first_right(q, ranked), r.threshold)
            for q, ranked, r in results if q.half == half and q.language == language]  # fmt: skip
    return [c for c, _ok, _t in rows], [ok for _c, ok, _t in rows], [t for _c, _ok, t in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--titled", action="store_true", help="also try passages embedded under their question")
    parser.add_argument("--only", help="run only the configurations whose name contains this (and the two compared)")
    parser.add_argument("--latency-entries", type=int, default=2000, help="0: skip the latency run")
    args = parser.parse_args()
    if not (EVAL_DIR / "faq.csv").exists():
        print("bench/assistant_eval/faq.csv is missing: nothing to measure")
        return
    Path(os.environ["MADOGUCHI_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django_scopes import scope

    from madoguchi.assistant import confidence
    from madoguchi.assistant.csvio import read_faq_csv
    from madoguchi.assistant.embedding import get_embedder
    from madoguchi.assistant.entry_vectors import faq_embeddings_update
    from madoguchi.assistant.importing import faq_import
    from madoguchi.assistant.index import kb_index, kb_vectors
    from madoguchi.assistant.models import FaqEntry
    from madoguchi.assistant.retrieval import LEGACY, HybridRetriever, RetrievalOptions
    from madoguchi.assistant.text import get_analyser

    call_command("migrate", verbosity=0)
    municipality = eval_municipality()
    embedder = get_embedder()
    with scope(municipality=municipality):
        if args.fresh:
            FaqEntry.objects.for_municipality(municipality).delete()
        rows = read_faq_csv((EVAL_DIR / "faq.csv").read_bytes())
        started = time.perf_counter()
        imported = faq_import(municipality=municipality, rows=rows, actor="bench:assistant-eval")
        seconds = time.perf_counter() - started
        print(f"import: {len(rows)} rows ({len(imported.created)} created, {len(imported.updated)} updated, "
              f"{len(imported.unchanged)} unchanged) in {seconds:.1f} s, {len(rows) / seconds:.0f} rows/s")  # fmt: skip
        started = time.perf_counter()
        count = faq_embeddings_update(municipality=municipality)
        if count:
            seconds = time.perf_counter() - started
            print(f"embedding (released: questions + answer passages, batches of 32): {count} texts in "
                  f"{seconds:.1f} s, {count / seconds:.2f} texts/s")  # fmt: skip
        index = kb_index(municipality=municipality)
        external = {pk: e.external_id for pk, e in index.entries.items()}
        documents = index.retriever.documents
        question_vectors = kb_vectors(municipality=municipality, entries=index.entries, kinds=("q",), with_kind=True)
        passage_vectors = kb_vectors(municipality=municipality, entries=index.entries, kinds=("a",), with_kind=True)
        whole, before = whole_answer_vectors(index.entries, embedder)
        if before:
            print(f"embedding (previous release: whole answers, batches of 8): {before[0]} texts in "
                  f"{before[1]:.1f} s, {before[0] / before[1]:.2f} texts/s")  # fmt: skip
        titled = titled_passage_vectors(index.entries, embedder) if args.titled else []
        rows_per_answer = [len(v) for _k, v, _kind in passage_vectors]
        print(f"{len(documents)} entries; answer vectors: {sum(rows_per_answer)} passages "
              f"({statistics.mean(rows_per_answer):.2f} per answer)")  # fmt: skip

        queries = load_queries()
        if not queries:
            print("no labelled queries yet (bench/assistant_eval/queries.jsonl)")
            return
        get_analyser().terms("準備")
        prepared = prepared_queries(queries, embedder)
        halves = defaultdict(int)
        for query in queries:
            halves[(query.half, query.language == "ja", query.answerable)] += 1
        print(f"{len(queries)} queries: Japanese dev {halves[('dev', True, True)]} answerable + "
              f"{halves[('dev', True, False)]} not, test {halves[('test', True, True)]} + "
              f"{halves[('test', True, False)]}; translations dev {halves[('dev', False, True)] + halves[('dev', False, False)]}, "
              f"test {halves[('test', False, True)] + halves[('test', False, False)]}")  # fmt: skip
        wrong = sum(1 for q in queries if prepared[(q.id, q.language)][1] not in (q.language, "ja"))
        print(f"language detection: {wrong} of {len(queries)} queries detected as another language")

        def retriever(options, vector_sets):
            r = HybridRetriever(documents=documents, vectors=[v for s in vector_sets for v in s],
                                analyser=get_analyser(), embedder=embedder, options=options)  # fmt: skip
            r.external = external
            return r

        released_name = "CombSUM + passages + synonyms (released)"
        legacy_name = "previous release (legacy fusion, whole answers)"
        lexical_name = "lexical only (embeddings still running)"
        passages = (question_vectors, passage_vectors)
        configs = [
            (legacy_name, LEGACY, (question_vectors, whole)),
            ("RRF (k=60)", RetrievalOptions(fusion="rrf", passages=False, synonyms=False), (question_vectors, whole)),
            ("CombSUM", RetrievalOptions(passages=False, synonyms=False), (question_vectors, whole)),
            ("CombSUM + lexical passages", RetrievalOptions(synonyms=False), (question_vectors, whole)),
            ("CombSUM + lexical and dense (titled) passages", RetrievalOptions(synonyms=False), passages),
            (released_name, RetrievalOptions(), passages),
            ("released + pseudo-relevance feedback", RetrievalOptions(prf=True), passages),
            ("released + reading bigrams (0.5)", RetrievalOptions(readings=0.5), passages),
            ("released, whole-answer vectors", RetrievalOptions(), (question_vectors, whole)),
            ("released + whole-answer vectors", RetrievalOptions(), (question_vectors, passage_vectors, whole)),
            ("RRF (k=60) + passages + synonyms", RetrievalOptions(fusion="rrf"), passages),
            ("legacy fusion + passages + synonyms", RetrievalOptions(fusion="legacy"), passages),
            (lexical_name, RetrievalOptions(), ()),
        ]  # fmt: skip
        if titled:
            configs += [
                ("released, titled passages", RetrievalOptions(), (question_vectors, titled)),
                ("legacy fusion + synonyms, titled passages", RetrievalOptions(fusion="legacy"),
                 (question_vectors, titled)),
            ]  # fmt: skip
        if args.only:
            configs = [c for c in configs if args.only in c[0] or c[0] in (legacy_name, released_name, lexical_name)]
        results = {}
        print("\nablation (nDCG@10 / SR@1; ja = Japanese, other = the ten other languages)")
        print(f"{'configuration':50} {'dev ja':>13} {'test ja':>13} {'dev other':>13} {'test other':>13}")
        for name, options, vector_sets in configs:
            results[name] = run(retriever(options, vector_sets), queries, prepared)
            cells = []
            for half in ("dev", "test"):
                for is_ja in (True, False):
                    m = measures(
                        [(q, r) for q, r, _s in results[name] if q.half == half and (q.language == "ja") == is_ja]
                    )
                    cells.append(f"{m['ndcg']:.3f}/{m['sr1']:.3f}")
            print(f"{name:50} {cells[0]:>13} {cells[2]:>13} {cells[1]:>13} {cells[3]:>13}")

        if args.tune:
            dev = [q for q in queries if q.half == "dev"]
            dev_ja = [q for q in dev if q.language == "ja"]
            vector_sets = (question_vectors, passage_vectors)
            print("\ntuning on dev, Japanese (nDCG@10 / SR@1): fusion, k, lexical weight")
            best = None
            grid = [("rrf", k, w) for k in (2.0, 5.0, 10.0, 20.0, 60.0) for w in (0.5, 0.75, 1.0, 1.5, 2.0)]
            grid += [("combsum", 60.0, w) for w in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)]
            for fusion, k, w in grid:
                options = RetrievalOptions(fusion=fusion, k=k, weights={"ja": (1.0, w)})
                m = measures([(q, r) for q, r, _s in run(retriever(options, vector_sets), dev_ja, prepared)])
                print(f"  {fusion:8} k={k:4.0f} w={w:4.2f}: {m['ndcg']:.3f} / {m['sr1']:.3f}")
                if best is None or m["ndcg"] > best[0]:
                    best = (m["ndcg"], fusion, k, w)
            _ndcg, fusion, k, w_ja = best
            print(f"best: {fusion} k={k} w={w_ja}; per language lexical weight (dev nDCG@10):")
            for language in sorted({q.language for q in dev} - {"ja"}, key=_order):
                subset = [q for q in dev if q.language == language]
                cells = []
                for w in (0.0, 0.25, 0.5, 1.0):
                    options = RetrievalOptions(fusion=fusion, k=k, weights={"ja": (1.0, w_ja), language: (1.0, w)})
                    m = measures([(q, r) for q, r, _s in run(retriever(options, vector_sets), subset, prepared)])
                    cells.append(f"w={w:.2f} {m['ndcg']:.3f}")
                print(f"  {language:10} " + "  ".join(cells))

        if args.calibrate:
            rows, labels = [], []
            for query, ranked, result in results[released_name]:
                if query.half == "dev":
                    rows.append([result.features[name] for name in confidence.FEATURES])
                    labels.append(int(first_right(query, ranked)))
            fitted = confidence.fit_logistic(rows, labels)
            fitted_on = (len(labels), sum(labels))
            confidence.FUSED_CALIBRATION = dict(zip(("bias", *confidence.FEATURES), fitted, strict=True))
            results[released_name] = run(retriever(RetrievalOptions(), (question_vectors, passage_vectors)),
                                         queries, prepared)  # fmt: skip
            rows, labels = [], []
            for query, ranked, result in results[lexical_name]:
                if query.half == "dev" and query.language == "ja":
                    rows.append([result.features[name] for name in confidence.LEXICAL_FEATURES])
                    labels.append(int(first_right(query, ranked)))
            fitted = confidence.fit_logistic(rows, labels)
            confidence.LEXICAL_CALIBRATION = dict(zip(("bias", *confidence.LEXICAL_FEATURES), fitted, strict=True))
            results[lexical_name] = run(retriever(RetrievalOptions(), ()), queries, prepared)
            conf, right, _t = selective(results[lexical_name], "dev", "ja")
            thresholds = {"lexical": round(confidence.choose_threshold(conf, right), 3)}
            confidence.THRESHOLDS = dict(thresholds, ja=0.5)
            results[lexical_name] = run(retriever(RetrievalOptions(), ()), queries, prepared)
            for language in sorted({q.language for q in queries}, key=_order):
                conf, right, _t = selective(results[released_name], "dev", language)
                if language == "ja" or len(conf) >= 30:
                    # never below Japanese's: 40 questions of a language are too few to trust less
                    own = round(confidence.choose_threshold(conf, right), 3)
                    thresholds[language] = max(own, thresholds.get("ja", 0.0))
            confidence.THRESHOLDS = thresholds
            results[released_name] = run(retriever(RetrievalOptions(), (question_vectors, passage_vectors)),
                                         queries, prepared)  # fmt: skip
            print(f"\nfitted on dev ({fitted_on[0]} queries, {fitted_on[1]} right first):")
            print(
                "FUSED_CALIBRATION = {"
                + ", ".join(f'"{k}": {v:.3f}' for k, v in confidence.FUSED_CALIBRATION.items())
                + "}"
            )
            print(
                "LEXICAL_CALIBRATION = {"
                + ", ".join(f'"{k}": {v:.3f}' for k, v in confidence.LEXICAL_CALIBRATION.items())
                + "}"
            )
            print(f"THRESHOLDS = {thresholds}")

        print("\nper language, TEST half: previous release -> released")
        print(f"{'language':10} {'n':>4} {'nDCG@10':>15} {'SR@1':>15} {'MRR':>15} {'recall@10':>15}")
        old, new = by_language(results[legacy_name], "test"), by_language(results[released_name], "test")
        for language in sorted(new, key=_order):
            o, n = old[language], new[language]
            cells = " ".join(f"{o[m]:.3f} -> {n[m]:.3f}" for m in ("ndcg", "sr1", "mrr", "recall"))
            print(f"{language:10} {n['n']:4} {cells}")

        print("\nselective accuracy, Japanese TEST half (answerable and unanswerable; right = grade 2 first)")
        for name in (legacy_name, released_name, lexical_name):
            conf, right, thresholds = selective(results[name], "test")
            confident = [ok for c, ok, t in zip(conf, right, thresholds, strict=True) if c >= t]
            accuracy = sum(confident) / len(confident) if confident else 0.0
            print(f"  {name}: threshold {thresholds[0]:.3f}: coverage {len(confident) / len(conf):.3f} "
                  f"({len(confident)}/{len(conf)}), accuracy {accuracy:.3f}")  # fmt: skip
            unanswerable = [(c, t) for (q, _r, s), c, t in zip(
                [x for x in results[name] if x[0].half == "test" and x[0].language == "ja"], conf, thresholds,
                strict=True) if not q.answerable]  # fmt: skip
            print(
                f"    unanswerable queries answered confidently: {sum(c >= t for c, t in unanswerable)}/{len(unanswerable)}"
            )
        conf, right, _t = selective(results[released_name], "test")
        print("  curve (released): coverage -> accuracy")
        curve = confidence.selective_curve(conf, right)
        for target in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
            point = next((p for p in curve if p[1] >= target), curve[-1])
            print(f"    coverage {point[1]:.2f}: accuracy {point[2]:.3f} (confidence ≥ {point[0]:.3f})")

        if args.latency_entries:
            latency(municipality, args.latency_entries,
                    [prepared[(q.id, q.language)][0] for q in queries if q.half == "test" and q.language == "ja"])  # fmt: skip


if __name__ == "__main__":
    main()
