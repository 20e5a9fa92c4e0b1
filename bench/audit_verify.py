"""Audit chain verification throughput on PostgreSQL: entries per second and peak memory.

Creates a fresh bench database (``madoguchi_bench_audit``, dropped and recreated), runs the
migrations, creates one municipality and writes ``--entries`` chained audit entries for it
(default 1,000,000) straight into the table with COPY, in batches, hashing each with
``entry_digest`` exactly as ``audit_log`` does; the head and a few checkpoints are set to
match. Then it times ``audit_chain_verify`` over the whole chain and prints entries/s and the
process's peak resident memory, which must not grow with the chain (rows are streamed).

    .venv/bin/python bench/audit_verify.py                    # 1,000,000 entries
    .venv/bin/python bench/audit_verify.py --entries 200000 --keep

A report, not a test: it exits 0 unless something failed, and it never runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
SETTINGS = "madoguchi.conf.settings.bench"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "madoguchi_bench_audit"

PREFECTURE = {"code": "080004", "name": "茨城県", "name_kana": "イバラキケン"}
MUNICIPALITY = {"code": "082015", "name": "青葉市", "name_kana": "アオバシ"}
BATCH = 20_000
CHECKPOINTS = 10  # spread over the chain, as daily checkpoints would be
COLUMNS = (
    "municipality_id",
    "sequence",
    "event",
    "actor",
    "object_type",
    "object_id",
    "payload",
    "created_at",
    "previous_hash",
    "hash",
)


STARTED = time.monotonic()


def log(message: str) -> None:
    # Elapsed time, not the clock: django.setup() switches the process to TIME_ZONE midway.
    print(f"[bench +{time.monotonic() - STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def progress(done: int, total: int, started: float, label: str) -> None:
    width = 40
    filled = width * done // total if total else width
    rate = done / (time.perf_counter() - started or 1e-9)
    end = "\n" if done >= total else ""
    print(
        f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done:>10,}/{total:,} {rate:>10,.0f}/s",
        end=end,
        file=sys.stderr,
        flush=True,
    )


def recreate_database() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DATABASE)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(PG_DATABASE)))


def drop_database() -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PG_DATABASE)))


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    os.environ.setdefault("MADOGUCHI_BASE_DIR", str(REPO_DIR))
    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    import django

    django.setup()


def fill(entries: int):
    """Create the municipality and ``entries`` chained entries; return the municipality."""
    from django.db import connection, transaction

    from madoguchi.audit.chain import entry_digest
    from madoguchi.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEntry, AuditHead
    from madoguchi.tenants.models import Municipality, Prefecture

    prefecture = Prefecture.objects.create(**PREFECTURE)
    municipality = Municipality.objects.create(prefecture=prefecture, **MUNICIPALITY)
    checkpoint_every = max(1, entries // CHECKPOINTS)
    copy_sql = f"COPY {AuditEntry._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"
    start = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    previous_hash, checkpoints = GENESIS_HASH, []
    started = time.perf_counter()
    for first in range(1, entries + 1, BATCH):
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
            for sequence in range(first, min(first + BATCH, entries + 1)):
                content = {
                    "event": "cases.case.submitted",
                    "actor": "resident",
                    "object_type": "case",
                    "object_id": f"082015-2026-{sequence:06d}",
                    "payload": {
                        "procedure": "inkan-certificate",
                        "procedure_version": 1,
                        "channel": "portal",
                        "attachments": [],
                        "fingerprint": f"{sequence:064x}",
                    },
                    "created_at": start + timedelta(seconds=sequence, microseconds=sequence % 1_000_000),
                }
                digest = entry_digest(previous_hash=previous_hash, sequence=sequence, **content)
                copy.write_row(
                    (
                        municipality.pk,
                        sequence,
                        content["event"],
                        content["actor"],
                        content["object_type"],
                        content["object_id"],
                        json.dumps(content["payload"], ensure_ascii=False),
                        content["created_at"],
                        previous_hash,
                        digest,
                    )
                )
                previous_hash = digest
                if sequence % checkpoint_every == 0:
                    checkpoints.append((sequence, digest, content["created_at"]))
        progress(min(first + BATCH - 1, entries), entries, started, "write ")
    AuditHead.objects.for_municipality(municipality).create(
        municipality=municipality, sequence=entries, hash=previous_hash
    )
    AuditCheckpoint.objects.for_municipality(municipality).bulk_create(
        AuditCheckpoint(municipality=municipality, sequence=s, hash=h, created_at=c) for s, h, c in checkpoints
    )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {AuditEntry._meta.db_table}")
    log(f"wrote {entries:,} entries and {len(checkpoints)} checkpoints in {time.perf_counter() - started:.1f} s")
    return municipality


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="chain length (default 1,000,000)")
    parser.add_argument("--chunk-size", type=int, default=None, help="rows per fetch (default: the service's)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args(argv)
    if args.entries < 1:
        parser.error("--entries must be at least 1")

    log(f"fresh database {PG_DATABASE}, migrate")
    recreate_database()
    setup_django()
    try:
        from django.core.management import call_command

        from madoguchi.audit.verification import VERIFY_CHUNK_SIZE, audit_chain_verify

        call_command("migrate", verbosity=0, interactive=False)
        municipality = fill(args.entries)
        from django.db import connections

        connections.close_all()  # verify on a fresh connection, as the command would
        rss_before = peak_rss_mb()
        log(f"verifying {args.entries:,} entries")
        started = time.perf_counter()
        report = audit_chain_verify(municipality=municipality, chunk_size=args.chunk_size or VERIFY_CHUNK_SIZE)
        seconds = time.perf_counter() - started
        rate = report.entries / seconds if seconds else 0.0
        print(
            f"audit verify: {report.entries:,} entries in {seconds:.2f} s = {rate:,.0f} entries/s "
            f"({'OK' if report.ok else f'FAIL {report.problem}'}); "
            f"peak RSS {rss_before:.0f} MB before verify, {peak_rss_mb():.0f} MB after"
        )
        return 0 if report.ok else 1
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database()


if __name__ == "__main__":
    sys.exit(main())
