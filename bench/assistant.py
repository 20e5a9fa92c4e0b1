"""Assistant benchmark: ask latency and recall on the demo FAQ; fits the confidence calibration.

``make bench-assistant`` runs this. It uses its own SQLite database in var/bench-assistant/
(created, migrated and loaded with the demo FAQ and its embeddings on the first run; later
runs reuse it and only embed what changed), then asks every labelled question of
bench/assistant_queries.py through ``assistant_ask`` and prints:

* latency p50/p99 of ``assistant_ask`` (scrub, language detection, retrieval, log write);
* recall@1 and recall@3 per language on the answerable questions;
* confidence quality: accuracy of "confident" (answerable and the first answer right, or
  not answerable and not confident) with the calibration in the code.

``--calibrate`` also fits the previous releases' calibration, ``retrieval.CALIBRATION``, of
``fusion="legacy"`` (logistic regression on the fused top score and its margin) and prints it.
The released confidence is fitted by ``bench/assistant_eval.py --calibrate`` on an independent
labelled FAQ, not on these questions.
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


def fit_logistic(features, labels, *, steps: int = 20000, rate: float = 0.5, l2: float = 1e-3):
    """Return (a, b, c) of sigmoid(a + b*x1 + c*x2) fitted by gradient descent."""
    import numpy as np

    x = np.column_stack([np.ones(len(features)), np.asarray(features, dtype=float)])
    y = np.asarray(labels, dtype=float)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) / len(y) + l2 * np.r_[0.0, w[1:]]
        w -= rate * gradient
    return tuple(float(v) for v in w)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calibrate", action="store_true", help="fit and print the confidence calibration")
    parser.add_argument("--municipality", default="082015")
    args = parser.parse_args()
    Path(os.environ["MADOGUCHI_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django_scopes import scope, scopes_disabled

    from bench.assistant_queries import QUERIES
    from madoguchi.assistant import confidence, retrieval
    from madoguchi.assistant.answering import assistant_ask
    from madoguchi.assistant.index import kb_index
    from madoguchi.assistant.management.commands.assistant import embed_with_progress
    from madoguchi.assistant.models import QuestionLog
    from madoguchi.assistant.text import get_analyser
    from madoguchi.demo.faq import demo_faq_load
    from madoguchi.demo.tenants import demo_tenants_load

    call_command("migrate", verbosity=0)
    with scopes_disabled():
        municipality = next(m for m in demo_tenants_load() if m.code == args.municipality)
    with scope(municipality=municipality):
        started = time.perf_counter()
        result = demo_faq_load(municipality=municipality)
        print(f"demo FAQ: {len(result.created)} created, {len(result.updated)} updated, "
              f"{len(result.unchanged)} unchanged in {time.perf_counter() - started:.1f} s")  # fmt: skip
        started = time.perf_counter()
        count = embed_with_progress(municipality)
        if count:
            seconds = time.perf_counter() - started
            print(f"embedded {count} texts in {seconds:.1f} s ({seconds / count * 1000:.0f} ms per text)")
        index = kb_index(municipality=municipality)
        known = {e.external_id for e in index.entries.values()}
        queries = [q for q in QUERIES if q[2] is None or q[2] in known]
        print(f"{len(index.entries)} published entries; {len(queries)} labelled questions "
              f"({len(QUERIES) - len(queries)} skipped: entry not in the FAQ)")  # fmt: skip
        get_analyser().terms("準備")
        # one-time loads (py3langid models for Latin and for Han text), not part of the figures
        for warm_up in ("warm up", "我想申请"):
            assistant_ask(municipality=municipality, question=warm_up)

        latencies, features, labels = [], [], []
        hits1, hits3, totals = defaultdict(int), defaultdict(int), defaultdict(int)
        confident_right = 0
        for question, language, expected in queries:
            started = time.perf_counter()
            answer = assistant_ask(municipality=municipality, question=question)
            latencies.append((time.perf_counter() - started) * 1000)
            # the ranking, also when the resident is shown none (not confident: the hand-off only)
            ids = QuestionLog.objects.for_municipality(municipality).get(public_id=answer.question_id).entry_ids
            search = index.retriever.search(question, language=answer.language, limit=3)
            features.append((search.top, search.margin))
            first_right = expected is not None and bool(ids) and ids[0] == expected
            labels.append(1 if first_right else 0)
            confident_right += int(answer.confident == first_right)
            if expected is not None:
                totals[language] += 1
                hits1[language] += int(first_right)
                hits3[language] += int(expected in ids[:3])
            if answer.language != language and not (language == "ja-x-easy" and answer.language == "ja"):
                print(f"  language: {question!r} detected as {answer.language}, labelled {language}")

        latencies.sort()
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, round(0.99 * (len(latencies) - 1)))]
        print(f"\nask latency over {len(latencies)} questions: p50 {p50:.0f} ms, p99 {p99:.0f} ms")
        print("\nlanguage     n  recall@1  recall@3")
        for language in sorted(totals, key=lambda lang: -totals[lang]):
            n = totals[language]
            print(f"{language:9} {n:4}  {hits1[language] / n:8.2f}  {hits3[language] / n:8.2f}")
        n = sum(totals.values())
        print(f"{'all':9} {n:4}  {sum(hits1.values()) / n:8.2f}  {sum(hits3.values()) / n:8.2f}")
        print(f"\nconfidence (confidence.py, threshold {confidence.threshold('ja')}): "
              f"'confident' matches 'first answer right' for {confident_right}/{len(queries)} "
              f"({confident_right / len(queries):.0%})")  # fmt: skip
        if args.calibrate:
            a, b, c = fit_logistic(features, labels)
            predicted = [int(retrieval.confidence_of(top, margin) >= retrieval.CONFIDENT) for top, margin in features]
            retrieval.CALIBRATION = (a, b, c)
            refit = [int(retrieval.confidence_of(top, margin) >= retrieval.CONFIDENT) for top, margin in features]
            old = sum(p == y for p, y in zip(predicted, labels, strict=True)) / len(labels)
            new = sum(p == y for p, y in zip(refit, labels, strict=True)) / len(labels)
            print(f"fitted CALIBRATION = ({a:.2f}, {b:.2f}, {c:.2f}): accuracy {new:.0%} (was {old:.0%}) "
                  f"on {len(labels)} questions, {sum(labels)} with the right first answer")  # fmt: skip
            for (top, margin), y in sorted(zip(features, labels, strict=True)):
                print(f"    top {top:.3f} margin {margin:.3f} right={y}")


if __name__ == "__main__":
    main()
