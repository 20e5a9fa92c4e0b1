"""Cases that come in many at a time: :func:`cases_import`.

Not every case starts as a resident's submission through a door. A municipality moving to
the platform brings its earlier years from the old system (過去分の移行), a counter may later
type in its paper applications, and the demo fills a city with three years of history. They
come in here, in bulk, and take the same steps as :func:`~madoguchi.cases.services.case_submit`:

- every record's answers are validated by ``procedures.answers.clean_answers`` against its
  procedure version, as of the day it was submitted;
- the case's fields are computed by :func:`~madoguchi.cases.services.case_fields` (department,
  due date in business days, search name, request fingerprint, access salt and hash);
- receipt numbers come from the same :class:`~madoguchi.cases.models.ReceiptCounter`: a batch
  reserves its numbers with one ``UPDATE … SET last = last + N RETURNING last`` per fiscal
  year, so numbers stay gap-free and a real submission afterwards takes the next one;
- the audit chain records each batch as one entry, ``cases.cases.imported``: how many, their
  receipt numbers, and a digest over every case's number and request fingerprint, so that
  the chain vouches for what was imported without holding any personal data.

What a submission does and an import does not: no ``submission_checking`` or
``case_submitted`` hook is published (an imported record brings no signature to verify and
nobody is to be told), no attachments are taken yet (a procedure that requires a file refuses
its records with ``file_required``), and no access code is shown to anyone (each case still
gets its own salt, so a code can be issued later).

A record may bring the state it is already in: its status, its closing time (exactly the
completed and withdrawn ones have one, as in :mod:`cases.workflow`) and its assignee
(active staff of the procedure's department, as :func:`cases.workflow.case_assign` requires).

**All or nothing.** The whole import is one transaction: a bad record stops the writing, the
remaining records are still checked so that one run reports up to :data:`MAX_PROBLEMS`
problems, and :class:`ImportInvalid` rolls everything back. Idempotency keys must be new: a
key already used in the municipality, or twice in the import, is a problem like any other.
Before the first record the counter of the current fiscal year is locked, so submissions wait
for the import to commit instead of deadlocking with it.

On PostgreSQL the cases are written with COPY (psycopg 3), elsewhere with ``bulk_create``;
``use_copy`` chooses. Numbers are given in the order the records come in: give them oldest
first. Everything the records of one procedure version share is looked up once per import.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from madoguchi.audit.services import audit_log
from madoguchi.cases.bulk import cases_analyze, cases_keys_present, cases_write
from madoguchi.cases.errors import ImportInvalid, RecordProblem
from madoguchi.cases.models import CaseStatus, Channel
from madoguchi.cases.services import (
    MAX_IDEMPOTENCY_KEY_LENGTH,
    case_fields,
    format_receipt_number,
    receipt_sequences_reserve,
)
from madoguchi.jp.wareki import fiscal_year
from madoguchi.procedures.answers import clean_answers
from madoguchi.procedures.errors import AnswersInvalid, FieldError
from madoguchi.procedures.models import ProcedureVersion
from madoguchi.tenants.models import Municipality, StaffMembership

BATCH_SIZE = 5_000
MAX_PROBLEMS = 100
STATUSES = frozenset(CaseStatus.values)
# If a status closes a case in cases.workflow (closed_at is set), it belongs here too.
CLOSED_STATUSES = frozenset({CaseStatus.COMPLETED, CaseStatus.WITHDRAWN})


@dataclass(frozen=True)
class ImportRecord:
    """One case to import: what was asked, when, under which key, and the state it is in."""

    procedure_version: ProcedureVersion
    answers: dict  # raw, as the resident gave them: they are validated and cleaned here
    submitted_at: datetime
    idempotency_key: str
    language: str = "ja"
    status: str = CaseStatus.SUBMITTED
    closed_at: datetime | None = None
    assignee_id: int | None = None


@dataclass(frozen=True)
class ImportResult:
    import_id: str  # the audit entries' object id: one per import, shared by its batches
    count: int
    batches: int
    receipts: dict[int, tuple[int, int]]  # fiscal year -> (first, last) sequence imported


@dataclass
class _Version:
    """What every record of one procedure version shares, looked up once per import."""

    version: ProcedureVersion
    definition: dict
    department_id: int | None
    assignees: frozenset[int] | None = None  # loaded when a record first names an assignee


class _Import:
    def __init__(self, *, municipality: Municipality, channel: str, actor: str, now: datetime, use_copy: bool):
        self.municipality = municipality
        self.channel = channel
        self.actor = actor
        self.now = now
        self.use_copy = use_copy
        self.import_id = uuid.uuid4().hex[:16]
        self.versions: dict[int, _Version] = {}
        self.problems: list[RecordProblem] = []
        self.count = 0
        self.batches = 0
        self.receipts: dict[int, tuple[int, int]] = {}

    @property
    def slugs(self) -> dict[int, str]:
        return {pk: facts.definition["slug"] for pk, facts in self.versions.items()}

    # --- one record --------------------------------------------------------------------------

    def _version(self, version: ProcedureVersion) -> _Version | None:
        facts = self.versions.get(version.pk)
        if facts is None:
            if version.municipality_id != self.municipality.pk:
                return None
            facts = _Version(version, version.definition, version.procedure.department_id)
            self.versions[version.pk] = facts
        return facts

    def _assignees(self, facts: _Version) -> frozenset[int]:
        if facts.assignees is None:
            members = StaffMembership.objects.for_municipality(self.municipality).filter(
                Q(department__isnull=True) | Q(department_id=facts.department_id)
            )
            facts.assignees = frozenset(
                get_user_model()
                .objects.filter(is_active=True, pk__in=members.values("user_id"))
                .values_list("pk", flat=True)
            )
        return facts.assignees

    def _state_problem(self, record: ImportRecord, facts: _Version) -> str | None:
        submitted = record.submitted_at
        if timezone.is_naive(submitted) or submitted > self.now:
            return "submitted_at_invalid"
        if record.status not in STATUSES:
            return "status_invalid"
        closed = record.closed_at
        if (closed is not None) != (record.status in CLOSED_STATUSES):
            return "closed_at_invalid"
        if closed is not None and (timezone.is_naive(closed) or not submitted <= closed <= self.now):
            return "closed_at_invalid"
        if record.assignee_id is not None and record.assignee_id not in self._assignees(facts):
            return "assignee_invalid"
        return None

    def build(self, index: int, record: ImportRecord) -> dict[str, Any] | None:
        """Return the fields of the case for ``record`` but its number, or None after noting its problem."""
        key = record.idempotency_key
        if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
            return self._refuse(index, "idempotency_key_invalid")
        facts = self._version(record.procedure_version)
        if facts is None:
            return self._refuse(index, "procedure_version_foreign")
        problem = self._state_problem(record, facts)
        if problem:
            return self._refuse(index, problem)
        try:
            clean = clean_answers(
                facts.definition,
                record.answers,
                today=timezone.localdate(record.submitted_at),
                language=record.language,
            )
        except AnswersInvalid as exc:
            return self._refuse(index, "answers_invalid", exc.errors)
        if self.problems:  # nothing more will be written: checking is enough
            return None
        fields = case_fields(
            procedure_version=facts.version,
            values=clean.values,
            submitted_at=record.submitted_at,
            language=record.language,
            channel=self.channel,
            idempotency_key=key,
        )
        fields.update(
            procedure_version_id=facts.version.pk,
            status=record.status,
            closed_at=record.closed_at,
            assignee_id=record.assignee_id,
        )
        return fields

    def _refuse(self, index: int, code: str, errors: list[FieldError] | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(RecordProblem(index, code, list(errors or [])))

    # --- one batch ---------------------------------------------------------------------------

    def keys_used(self, batch: list[tuple[int, dict]]) -> bool:
        """Note every key of ``batch`` used before (in the municipality, earlier in this import or
        in the batch itself); return True if there was one."""
        keys = [case["idempotency_key"] for _index, case in batch]
        # Earlier batches of this import are already in the table, in this transaction.
        used = cases_keys_present(municipality=self.municipality, keys=keys)
        seen: set[str] = set()
        found = False
        for index, case in batch:
            key = case["idempotency_key"]
            if key in used or key in seen:
                self._refuse(index, "idempotency_key_used")
                found = True
            seen.add(key)
        return found

    def write(self, batch: list[tuple[int, dict]]) -> None:
        """Number, store and audit one batch of cases."""
        cases = [case for _index, case in batch]
        by_year = Counter(case["fiscal_year"] for case in cases)
        next_sequence = {}
        for year in sorted(by_year):  # always the same order, so two writers cannot deadlock
            last = receipt_sequences_reserve(municipality=self.municipality, year=year, count=by_year[year])
            next_sequence[year] = last - by_year[year] + 1
            first = self.receipts.get(year, (next_sequence[year], 0))[0]
            self.receipts[year] = (first, last)
        digest = hashlib.sha256()
        for case in cases:
            year = case["fiscal_year"]
            case["sequence"] = next_sequence[year]
            next_sequence[year] += 1
            case["receipt_number"] = format_receipt_number(self.municipality, year, case["sequence"])
            digest.update(f"{case['receipt_number']} {case['request_fingerprint']}\n".encode())
        cases_write(municipality=self.municipality, cases=cases, use_copy=self.use_copy)
        self.count += len(cases)
        self.batches += 1
        audit_log(
            municipality=self.municipality,
            event="cases.cases.imported",
            actor=self.actor,
            object_type="case_import",
            object_id=self.import_id,
            payload={
                "batch": self.batches,
                "count": len(cases),
                "channel": self.channel,
                "receipts": [
                    {"fiscal_year": year, "first": first, "last": last}
                    for year, (first, last) in sorted(_ranges(cases).items())
                ],
                "procedures": dict(sorted(Counter(self.slugs[c["procedure_version_id"]] for c in cases).items())),
                # SHA-256 over "<receipt number> <request fingerprint>\n" of every case, in order.
                "fingerprints": digest.hexdigest(),
            },
        )


def _ranges(cases: list[dict]) -> dict[int, tuple[str, str]]:
    """Return the first and last receipt number per fiscal year of ``cases`` (numbered in order)."""
    ranges: dict[int, tuple[str, str]] = {}
    for case in cases:
        year, number = case["fiscal_year"], case["receipt_number"]
        ranges[year] = (ranges.get(year, (number,))[0], number)
    return ranges


def cases_import(
    *,
    municipality: Municipality,
    records: Iterable[ImportRecord],
    channel: str = Channel.IMPORT,
    actor: str,
    batch_size: int = BATCH_SIZE,
    use_copy: bool | None = None,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Validate, number and store ``records`` as cases of ``municipality``, all or nothing.

    Records are read once, as they come (a generator of a million is fine), and written
    ``batch_size`` at a time, each batch with its audit entry. Raise :class:`ImportInvalid`
    (nothing stored) if any record is refused. ``use_copy`` (default: on PostgreSQL) writes
    with COPY. ``progress`` is called with the number of cases written after each batch.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    now = now or timezone.now()
    if use_copy is None:
        use_copy = connection.vendor == "postgresql"
    if use_copy and connection.vendor != "postgresql":
        raise ValueError("COPY needs PostgreSQL")
    job = _Import(municipality=municipality, channel=channel, actor=actor, now=now, use_copy=use_copy)
    with transaction.atomic():
        # Submissions lock this counter first, then the audit head; taking it before anything
        # else makes them wait for the import instead of deadlocking with it.
        receipt_sequences_reserve(municipality=municipality, year=fiscal_year(timezone.localdate(now)), count=0)
        batch: list[tuple[int, dict]] = []
        for index, record in enumerate(records):
            case = job.build(index, record)
            if job.problems:
                batch = []  # nothing more is written; the rest is only checked
                if len(job.problems) >= MAX_PROBLEMS:
                    break
                continue
            batch.append((index, case))
            if len(batch) >= batch_size:
                if not job.keys_used(batch):
                    job.write(batch)
                    if progress:
                        progress(job.count)
                batch = []
        if batch and not job.problems and not job.keys_used(batch):
            job.write(batch)
            if progress:
                progress(job.count)
        if job.problems:
            raise ImportInvalid(job.problems)
        if connection.vendor == "postgresql" and job.count:
            # The queue's plans depend on the table's statistics; a large import changes them.
            transaction.on_commit(cases_analyze)
    return ImportResult(import_id=job.import_id, count=job.count, batches=job.batches, receipts=dict(job.receipts))
