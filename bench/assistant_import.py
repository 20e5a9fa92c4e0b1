"""A real timed import of a 1,786-entry FAQ: ``madoguchi assistant import --async`` and two workers.

``make bench-assistant-import`` runs this. In a fresh SQLite database of its own
(var/bench-assistant-import/) it writes the workload of ``bench/assistant_embed.py`` (the
evaluation FAQ grown to ``--entries`` entries, long answers included) as a CMS-shaped CSV, then
times, as an operator would run them:

1. ``madoguchi assistant import --municipality … faq.csv --async`` (the rows, then the chunk
   jobs queued; from here the FAQ is searched by its words);
2. ``--workers`` × ``madoguchi db_worker --queue-name default --batch`` (each takes chunk jobs
   until none is left, then exits), started when the import returns;

until every text has its vector ("fully searchable"). It prints the wall-clock times, the CPU
time of the commands (their processes' own accounting), and the load average sampled every
few seconds: the machine may be shared, so the wall time is only what it was under that load.
It is a report, not a test: it exits 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
VAR_DIR = REPO_DIR / "var" / "bench-assistant-import"
sys.path.insert(0, str(REPO_DIR))
sys.path.insert(0, str(REPO_DIR / "src"))
os.environ["MADOGUCHI_VAR_DIR"] = str(VAR_DIR)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.conf.settings.dev")
os.environ.setdefault("MADOGUCHI_BASE_DIR", str(REPO_DIR))

CODE = "082979"  # not a real municipality's code


def write_csv(path: Path, pairs: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["番号", "質問", "回答"])
        for number, (question, answer) in enumerate(pairs, start=1):
            writer.writerow([f"F{number:04d}", question, answer])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--faq-dir", help="FAQ the workload is built from (default bench/assistant_eval)")
    parser.add_argument("--entries", type=int, default=1786)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    VAR_DIR.mkdir(parents=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django_scopes import scope

    from bench.assistant_embed import faq_rows, workload
    from bench.assistant_eval_setup import _municipality
    from madoguchi.assistant.entry_vectors import faq_embeddings_missing

    call_command("migrate", verbosity=0)
    municipality = _municipality(CODE, "インポート市")
    path = VAR_DIR / "faq.csv"
    pairs = workload(faq_rows(args.faq_dir), args.entries)
    write_csv(path, pairs)
    madoguchi = [str(Path(sys.executable).parent / "madoguchi")]  # the venv's command, as an operator runs it
    loads = [os.getloadavg()[0]]
    print(f"{len(pairs)} entries; {args.workers} workers; cores {os.cpu_count()}; load average at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)  # fmt: skip

    started = time.perf_counter()
    subprocess.run([*madoguchi, "assistant", "import", "--municipality", CODE, str(path), "--async"],
                   check=True)  # fmt: skip
    imported = time.perf_counter() - started
    with scope(municipality=municipality):
        missing_at_import = faq_embeddings_missing(municipality=municipality)
    print(f"rows imported and chunk jobs queued in {imported:.1f} s ({missing_at_import} texts without a vector)",
          flush=True)  # fmt: skip
    worker = [*madoguchi, "db_worker", "--queue-name", "default", "--batch", "--no-reload", "--no-startup-delay"]
    workers = [subprocess.Popen(worker, stdout=subprocess.DEVNULL) for _ in range(args.workers)]
    try:
        while any(w.poll() is None for w in workers):
            time.sleep(5)
            loads.append(os.getloadavg()[0])
    finally:
        for w in workers:
            if w.poll() is None:
                w.terminate()
                w.wait()
    searchable = time.perf_counter() - started
    with scope(municipality=municipality):
        missing = faq_embeddings_missing(municipality=municipality)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    print(f"fully searchable after {searchable:.1f} s ({searchable / 60:.2f} min) wall; texts still missing: {missing}")
    print(
        f"CPU time of the import and the workers: {cpu:.1f} s; over {args.workers} cores: {cpu / args.workers / 60:.2f} min"
    )
    print(f"load average (1 min) sampled every 5 s: min {min(loads):.2f}, mean {sum(loads) / len(loads):.2f}, "
          f"max {max(loads):.2f}; at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip


if __name__ == "__main__":
    main()
