"""Copy the independent labelled set into bench/assistant_eval/ (run once when it is written).

The FAQ arrives as JSON Lines (``{"id", "category", "question", "answer", "url", "updated"}``,
one file per writer and part); it is written as ``faq.csv`` in the shape a municipal CMS
exports its FAQ page (番号, 質問, 回答, 分類, ページURL, 更新日), which ``madoguchi assistant
import`` reads by its header aliases, so the benchmark imports it through the real import.
Queries and translations are copied as they are (JSON Lines, sorted by id).

    .venv/bin/python bench/assistant_eval_convert.py SOURCE_DIR
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "assistant_eval"
HEADER = ("番号", "質問", "回答", "分類", "ページURL", "更新日")


def _jsonl(paths: list[Path]) -> list[dict]:
    return [
        json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def main(source: Path) -> None:
    OUT.mkdir(exist_ok=True)
    faq = sorted(_jsonl(sorted(source.glob("faq-[ab]-*.jsonl"))), key=lambda e: e["id"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for e in faq:
        writer.writerow(
            [e["id"], e["question"], e["answer"], e.get("category", ""), e.get("url", ""), e.get("updated", "")]
        )
    (OUT / "faq.csv").write_text(buffer.getvalue(), encoding="utf-8")
    print(f"faq.csv: {len(faq)} entries")
    for name in ("queries.jsonl", "queries-multilingual.jsonl"):
        path = source / name
        if not path.exists():
            print(f"{name}: not there yet")
            continue
        rows = sorted(_jsonl([path]), key=lambda r: (r["id"], r.get("lang", "")))
        (OUT / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: bench/assistant_eval_convert.py SOURCE_DIR (the writers' faq-*.jsonl and queries files)")
    main(Path(sys.argv[1]))
