"""The evaluation's municipality, vector caches and latency run (used by bench/assistant_eval.py).

Called after ``django.setup()``; nothing here is imported by the application.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import time
from pathlib import Path

import numpy as np

EVAL_CODE = "082996"  # not a real municipality's code (the demo's are 082015 and 082023)
EVAL_NAME = "みどり野市"
LATENCY_CODE = "082988"


def _var() -> Path:
    return Path(os.environ["MADOGUCHI_VAR_DIR"])


def _municipality(code: str, name: str):
    from django_scopes import scopes_disabled

    from madoguchi.demo.tenants import demo_tenants_load
    from madoguchi.tenants.models import Municipality

    with scopes_disabled():
        found = Municipality.objects.filter(code=code).first()
        if found is not None:
            return found
        demo = demo_tenants_load()[0]
        return Municipality.objects.create(
            code=code, name=name, name_kana="みどりのし", prefecture=demo.prefecture, contact_phone="0120-000-000"
        )


def eval_municipality():
    """The municipality the labelled FAQ is imported into (made on the first run)."""
    return _municipality(EVAL_CODE, EVAL_NAME)


def cached_vectors(kind: str, texts: list[str], embed, embedder) -> dict[str, np.ndarray]:
    """Vectors of ``texts`` by ``embed``, kept in var/ between runs (keyed by model and text)."""
    path = _var() / f"eval-{kind}-vectors.npz"
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as data:
            known = {key: data[key] for key in data.files}

    def key(text: str) -> str:
        return hashlib.sha256(f"{embedder.name}\n{text}".encode()).hexdigest()

    missing = [t for t in dict.fromkeys(texts) if key(t) not in known]
    for start in range(0, len(missing), 32):
        batch = missing[start : start + 32]
        for text, vector in zip(batch, embed(batch), strict=True):
            known[key(text)] = vector
    if missing:
        np.savez(path, **known)
    return {t: known[key(t)] for t in texts}



def prepared_queries(queries, embedder) -> dict[tuple[str, str], tuple[str, str, np.ndarray]]:
    """(query id, language) → (scrubbed text, detected language, vector), as the API prepares a question."""
    from madoguchi.assistant.language import detect_language
    from madoguchi.assistant.scrub import scrub

    texts = {}
    for query in queries:
        text = scrub(query.text)
        texts[(query.id, query.language)] = (text, detect_language(text))
    vectors = cached_vectors("query", sorted({t for t, _l in texts.values()}), embedder.embed_queries, embedder)
    return {key: (text, language, vectors[text]) for key, (text, language) in texts.items()}

def whole_answer_vectors(entries, embedder):
    """The previous release's answer vectors (one per whole answer), and the time to make them.

    Returns ([(entry pk, vector)], (texts, seconds) or None when all came from the cache).
    Timed as the previous release embedded: ``embed_passages`` in batches of 8.
    """
    texts = {pk: [text for _q, _h, text in e.translations.values()] for pk, e in entries.items()}
    every = [t for ts in texts.values() for t in ts]
    started = time.perf_counter()
    cached_before = _var() / "eval-answer-vectors.npz"
    had = cached_before.exists()
    vectors = cached_vectors("answer", every, lambda batch: np.vstack(
        [embedder._run("passage", batch[i : i + 8]) for i in range(0, len(batch), 8)]), embedder)  # fmt: skip
    seconds = time.perf_counter() - started
    timing = None if had else (len(every), seconds)
    return [(pk, vectors[t]) for pk, ts in texts.items() for t in ts], timing


def latency(source, entries: int, questions: list[str]) -> None:
    """``assistant_ask`` p50/p95 on a copy of the FAQ repeated to about ``entries`` entries.

    The copies get the source's vectors (the texts are the same), so no embedding is needed;
    ranking among duplicates is meaningless, the time is what is measured. Both fusions.
    """
    from django.conf import settings
    from django_scopes import scope

    from bench.assistant_eval_lib import EVAL_DIR
    from madoguchi.assistant.answering import assistant_ask
    from madoguchi.assistant.csvio import read_faq_csv
    from madoguchi.assistant.index import kb_index, kb_index_clear
    from madoguchi.assistant.models import FaqEmbedding, FaqEntry
    from madoguchi.assistant.services import kb_touch

    target = _municipality(LATENCY_CODE, "ベンチ市")
    rows = read_faq_csv((EVAL_DIR / "faq.csv").read_bytes())
    copies = max(1, -(-entries // len(rows)))
    with scope(municipality=target):
        if FaqEntry.objects.for_municipality(target).count() != copies * len(rows):
            from dataclasses import replace

            from madoguchi.assistant.importing import faq_import

            FaqEntry.objects.for_municipality(target).delete()
            faq_import(municipality=target, actor="bench:latency", rows=[
                replace(row, id=f"{row.id}-{copy}") for copy in range(copies) for row in rows])  # fmt: skip
            with scope(municipality=source):
                by_id = {}
                for e in FaqEmbedding.objects.for_municipality(source).select_related("entry"):
                    by_id[(e.entry.external_id, e.language, e.kind)] = e
            targets = {e.external_id: e for e in FaqEntry.objects.for_municipality(target)}
            FaqEmbedding.objects.bulk_create([
                FaqEmbedding(municipality=target, entry=entry, language=e.language, kind=e.kind,
                             text_hash=e.text_hash, model=e.model, vector=e.vector)
                for external_id, entry in targets.items()
                for (source_id, _lang, _kind), e in by_id.items() if source_id == external_id.rsplit("-", 1)[0]
            ])  # fmt: skip
            kb_touch(municipality=target)
        for fusion in ("legacy", "combsum"):
            settings.MADOGUCHI_ASSISTANT_FUSION = fusion
            kb_index_clear()
            started = time.perf_counter()
            index = kb_index(municipality=target)
            build = time.perf_counter() - started
            for warm_up in ("warm up", "我想申请", questions[0]):
                assistant_ask(municipality=target, question=warm_up)
            times = []
            for question in questions:
                started = time.perf_counter()
                assistant_ask(municipality=target, question=question)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"ask latency, {fusion}, {len(index.entries)} entries, {len(times)} questions: "
                  f"p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms (index built in {build:.1f} s)")  # fmt: skip
        settings.MADOGUCHI_ASSISTANT_FUSION = "combsum"
        kb_index_clear()


def titled_passage_vectors(entries, embedder):
    """Vectors of each answer passage with its entry's question above it (an experiment)."""
    from madoguchi.assistant.passages import dense_passages

    texts = {
        pk: [f"{q}\n{p}" for q, _h, text in e.translations.values() for p in dense_passages(text)]
        for pk, e in entries.items()
    }
    every = [t for ts in texts.values() for t in ts]
    vectors = cached_vectors("titled", every, embedder.embed_passages, embedder)
    return [(pk, np.vstack([vectors[t] for t in ts])) for pk, ts in texts.items() if ts]
