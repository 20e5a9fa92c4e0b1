"""Measurements for docs/operations/sizing.md: database and media growth per case, per document."""

from __future__ import annotations

import os
from pathlib import Path

from reliability.instance import SuiteInstance
from reliability.report import Row


def database_bytes(suite: SuiteInstance) -> int:
    return suite.query("SELECT pg_database_size(current_database())")[0][0]


def media_bytes(root: Path) -> tuple[int, int]:
    """(bytes, files) under ``root``, by what the files hold (not the blocks they take)."""
    total = files = 0
    for directory, _dirs, names in os.walk(root):
        for name in names:
            total += os.stat(os.path.join(directory, name)).st_size
            files += 1
    return total, files


def measure(suite: SuiteInstance, *, database_before: int) -> list[Row]:
    cases = suite.query("SELECT count(*) FROM cases_case WHERE idempotency_key LIKE 'rel-%%'")[0][0]
    documents, document_bytes = suite.query("SELECT count(*), coalesce(sum(size), 0) FROM signatures_issueddocument")[0]
    attachments, attachment_bytes = suite.query("SELECT count(*), coalesce(sum(size), 0) FROM cases_attachment")[0]
    growth = database_bytes(suite) - database_before
    tables = suite.query(
        "SELECT relname, pg_total_relation_size(relid) FROM pg_catalog.pg_statio_user_tables ORDER BY 2 DESC LIMIT 6"
    )
    media, files = media_bytes(suite.suite.media_dir)
    per_thousand = growth / cases * 1000 if cases else 0
    return [
        Row("sizing", "cases stored in the fault phase", str(cases)),
        Row(
            "sizing",
            "database growth per 1,000 cases (all tables and indexes, incl. audit, events, tasks)",
            f"{per_thousand / 1e6:.1f} MB",
        ),
        Row("sizing", "largest tables", ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in tables)),
        Row(
            "sizing",
            "decision documents (signed PDF), mean size",
            f"{document_bytes / documents / 1e3:.0f} kB ({documents} documents)" if documents else "none",
        ),
        Row(
            "sizing",
            "attachments stored (this suite's PNGs are small; real scans are larger)",
            f"{attachments} rows, {attachment_bytes / 1e6:.1f} MB",
        ),
        Row("sizing", "media directory", f"{media / 1e6:.1f} MB in {files} files"),
    ]
