"""After the faults: does the database hold exactly what was acknowledged, and did every job finish?

Each check reads the database (or runs the product's own ``madoguchi … verify`` commands)
and gives rows of the table. "Lost", "corrupt", "stuck" and "duplicate" figures must be 0.
"""

from __future__ import annotations

import time
from collections import Counter

from reliability.faults import FaultLog
from reliability.instance import SuiteInstance, log
from reliability.ledger import Ledger
from reliability.report import Row

DOCUMENT_KINDS = ("approved", "rejected")
READY_STUCK_S = 120  # a documents task waiting longer than this after the catch-up is stuck
WORKER_STALE_S = 60


def wait_for_catch_up(suite: SuiteInstance, *, seconds: float) -> float:
    """Wait until every decided case has its document and no documents task is waiting or running."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        missing = _decided_without_document(suite)
        busy = suite.query(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE queue_name = 'documents' AND status IN ('READY', 'RUNNING')"
        )[0][0]
        if missing == 0 and busy == 0:
            break
        time.sleep(2)
    return time.monotonic() - began


def _decided_without_document(suite: SuiteInstance) -> int:
    return suite.query(
        "SELECT count(*) FROM cases_case c WHERE c.status IN ('approved', 'rejected') AND NOT EXISTS "
        "(SELECT 1 FROM signatures_issueddocument d WHERE d.case_id = c.id AND d.kind IN ('approved', 'rejected'))"
    )[0][0]


def submissions(suite: SuiteInstance, ledger: Ledger) -> list[Row]:
    answers = [a for a in ledger.snapshot() if a.kind == "submit"]
    acknowledged = ledger.acknowledged
    rows_by_key = {
        key: (receipt, answers_json, procedure)
        for key, receipt, answers_json, procedure in suite.query(
            "SELECT c.idempotency_key, c.receipt_number, c.answers, v.definition->>'slug' FROM cases_case c "
            "JOIN procedures_procedureversion v ON v.id = c.procedure_version_id WHERE c.idempotency_key LIKE 'rel-%%'"
        )
    }
    attachments = Counter()
    attachment_rows = suite.query(
        "SELECT c.idempotency_key, a.sha256, a.size FROM cases_attachment a JOIN cases_case c ON c.id = a.case_id "
        "WHERE c.idempotency_key LIKE 'rel-%%'"
    )
    digests: dict[str, set[str]] = {}
    for key, sha256, size in attachment_rows:
        digests.setdefault(key, set()).add(sha256)
        attachments["empty" if size == 0 else "ok"] += 1
    lost = mismatched = files_lost = 0
    for key, application in acknowledged.items():
        found = rows_by_key.get(key)
        if found is None or found[0] != application.receipt:
            lost += 1
            continue
        _receipt, stored, procedure = found
        names = {k: v for k, v in application.answers.items() if isinstance(v, dict) and "given_kana" in v}
        if procedure != application.procedure or any(
            (stored.get(k) or {}).get("family") != v["family"]
            or (stored.get(k) or {}).get("given_kana") != v["given_kana"]
            for k, v in names.items()
        ):
            mismatched += 1
        if application.attachment_sha256 and application.attachment_sha256 not in digests.get(key, set()):
            files_lost += 1
    unacknowledged_stored = len(set(rows_by_key) - set(acknowledged))
    duplicates = suite.query(
        "SELECT count(*) FROM (SELECT municipality_id, idempotency_key FROM cases_case "
        "GROUP BY 1, 2 HAVING count(*) > 1) d"
    )[0][0]
    gaps = suite.query(
        "SELECT count(*) FROM (SELECT municipality_id, fiscal_year FROM cases_case GROUP BY 1, 2 "
        "HAVING count(*) <> max(sequence) OR min(sequence) <> 1 OR count(DISTINCT sequence) <> count(*)) g"
    )[0][0]
    series = suite.query("SELECT count(DISTINCT (municipality_id, fiscal_year)) FROM cases_case")[0][0]
    statuses = Counter(a.status for a in answers)
    return [
        Row("submissions", "requests sent (every try, repeats included)", str(len(answers))),
        Row("submissions", "applications (Idempotency-Keys)", str(len(acknowledged) + len(ledger.pending))),
        Row("submissions", "201s received (first answers and replays)", str(statuses[201])),
        Row("submissions", "acknowledged applications", str(len(acknowledged))),
        Row(
            "submissions", "acknowledged only on a repeat with the same key (Idempotent-Replayed)", str(ledger.replays)
        ),
        Row.zero("submissions", "never acknowledged by the end of the drain", len(ledger.pending)),
        Row(
            "submissions",
            "receipts found in the database",
            f"{len(acknowledged) - lost} of {len(acknowledged)}",
            f"{len(acknowledged)} of {len(acknowledged)}",
            lost == 0,
        ),
        Row.zero("submissions", "lost (acknowledged, not in the database)", lost),
        Row.zero("submissions", "answers differ from what was sent", mismatched),
        Row(
            "submissions",
            "stored without an acknowledgement (answer lost on the way; the repeat would find it)",
            str(unacknowledged_stored),
        ),
        Row.zero("submissions", "duplicates (more than one case per Idempotency-Key)", duplicates),
        Row.zero("submissions", f"receipt-number series with a gap or repeat (of {series})", gaps),
        Row.zero("files", "acknowledged attachments missing from their case", files_lost),
        Row.zero("files", "attachment rows with size 0", attachments["empty"]),
    ]


def files_verify(suite: SuiteInstance) -> list[Row]:
    result = suite.madoguchi("files", "verify")
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    total = next((line for line in result.stdout.splitlines() if line.startswith("verified")), "")
    if result.returncode != 0 and not failed:
        log(f"files verify: {result.stderr[-800:]}")
    return [
        Row("files", "`madoguchi files verify`", total or result.stderr.strip()[-120:]),
        Row.zero(
            "files",
            "empty, missing or mismatched files (files verify)",
            len(failed) if failed else int(result.returncode != 0),
        ),
    ]


def documents(suite: SuiteInstance, ledger: Ledger, caught_up_s: float) -> list[Row]:
    decided = suite.query("SELECT count(*) FROM cases_case WHERE status IN ('approved', 'rejected')")[0][0]
    per_case = suite.query(
        "SELECT c.id, count(d.id) FROM cases_case c LEFT JOIN signatures_issueddocument d "
        "ON d.case_id = c.id AND d.kind IN ('approved', 'rejected') WHERE c.status IN ('approved', 'rejected') GROUP BY c.id"
    )
    missing = sum(1 for _case, count in per_case if count == 0)
    extra = sum(1 for _case, count in per_case if count > 1)
    issued = sum(count for _case, count in per_case)
    return [
        Row(
            "documents",
            "decisions (cases approved or rejected)",
            f"{decided} ({len(ledger.decided)} by the suite's staff)",
        ),
        Row("documents", "decision documents issued", str(issued), str(decided), issued == decided),
        Row.zero("documents", "decided cases without their document", missing),
        Row.zero("documents", "decided cases with more than one decision document", extra),
        Row("documents", "seconds the workers needed to catch up after the last fault", f"{caught_up_s:.0f}"),
    ]


def jobs(suite: SuiteInstance, faults: FaultLog) -> list[Row]:
    dead_running = suite.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult t WHERE t.status = 'RUNNING' AND NOT EXISTS "
        "(SELECT 1 FROM operations_workerheartbeat h WHERE h.worker_id = t.worker_ids ->> -1 "
        "AND h.last_seen_at > now() - make_interval(secs => %s))",
        [WORKER_STALE_S],
    )[0][0]
    ready_old = suite.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE queue_name = 'documents' AND status = 'READY' "
        "AND enqueued_at < now() - make_interval(secs => %s)",
        [READY_STUCK_S],
    )[0][0]
    failed = suite.query("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'")[0][0]
    requeued = suite.query("SELECT count(*) FROM audit_auditentry WHERE event = 'operations.task.requeued'")[0][0]
    return [
        Row("jobs", "documents worker killed (of which mid-task)", f"{faults.worker_kills} ({faults.killed_mid_task})"),
        Row("jobs", "tasks retaken by recovery (operations.task.requeued)", str(requeued)),
        Row.zero("jobs", "RUNNING tasks of a dead worker after the catch-up", dead_running),
        Row.zero("jobs", f"documents tasks READY for more than {READY_STUCK_S} s after the catch-up", ready_old),
        Row.zero("jobs", "FAILED tasks", failed),
    ]


def answers(ledger: Ledger, faults: FaultLog) -> list[Row]:
    snapshot = ledger.snapshot()
    errors = Counter((a.status, a.phase) for a in snapshot if a.status >= 500 or a.status == 0)
    by_status = Counter(a.status for a in snapshot if a.status >= 500 or a.status == 0)
    by_phase: dict[int, Counter] = {}
    for (status, phase), count in errors.items():
        by_phase.setdefault(status, Counter())[phase.rsplit("-", 1)[0] if phase[-1].isdigit() else phase] += count
    rows = []
    for status in sorted(by_status):
        label = "no answer (connection refused/reset/timeout)" if status == 0 else f"{status} answers"
        phases = ", ".join(f"{phase} {count}" for phase, count in by_phase[status].most_common())
        rows.append(Row("answers", label, f"{by_status[status]} ({phases})"))
    no_retry_after = sum(1 for a in snapshot if a.status == 503 and not a.retry_after)
    rows.append(Row.zero("answers", "500 answers", by_status.get(500, 0)))
    rows.append(Row.zero("answers", "429 answers", sum(1 for a in snapshot if a.status == 429)))
    rows.append(Row.zero("answers", "503 answers without Retry-After", no_retry_after))
    rows.append(Row.zero("answers", "unexpected answers (other 4xx, wrong replay)", sum(ledger.unexpected.values())))
    if faults.disk_full_window:
        full, freed = faults.disk_full_window
        inside = [a for a in snapshot if a.kind == "submit" and a.with_file and a.began >= full and a.ended <= freed]
        statuses = Counter(a.status for a in inside)
        rows.append(
            Row(
                "disk full",
                "submits with a file while full",
                ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())) or "none",
            )
        )
        rows.append(Row.zero("disk full", "submits with a file acknowledged while the disk was full", statuses[201]))
    if faults.read_only_window:
        on, off = faults.read_only_window
        inside = [a for a in snapshot if a.began >= on + 1 and a.ended <= off]
        for kind in ("submit", "status", "staff"):
            statuses = Counter(a.status for a in inside if a.kind == kind)
            rows.append(
                Row(
                    "read-only",
                    f"{kind} answers while read-only",
                    ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())) or "none",
                )
            )
        bad = sum(1 for a in inside if a.status in (429, 500))
        rows.append(Row.zero("read-only", "429 or 500 while read-only", bad))
    return rows


def chains(suite: SuiteInstance) -> list[Row]:
    audit = suite.madoguchi("audit", "verify")
    signatures = suite.madoguchi("signatures", "verify")
    last = lambda result: (result.stdout.strip().splitlines() or result.stderr.strip().splitlines() or [""])[-1][:100]  # noqa: E731
    return [
        Row.passes("chains", "`madoguchi audit verify`", audit.returncode == 0, last(audit)),
        Row.passes("chains", "`madoguchi signatures verify`", signatures.returncode == 0, last(signatures)),
    ]
