"""Generated demo cases: a municipality's queue filled with realistic applications, in bulk.

``madoguchi demo_cases --municipality 082015 --count 1000000`` fills a municipality that has
no cases yet with ``count`` applications spread over the past ``years`` (default 3) across its
published procedures, so that the queue, its filters and its search can be tried and measured
at the size of a real city (bench/queue.py). Each case looks like one that came through
:func:`~madoguchi.cases.services.case_submit` and was then worked on:

- answers are the procedure's example answers with a generated applicant (kanji name and
  フリガナ from lists of common names), and ``search_name`` is folded exactly as a real submit
  folds it;
- receipt numbers are numbered per fiscal year (年度) in order of submission, and the
  :class:`~madoguchi.cases.models.ReceiptCounter` of every fiscal year is set to the last one
  issued, so a real application submitted afterwards takes the next number;
- the due date is the submission plus the procedure's standard processing period in business
  days; older cases are mostly closed (completed or withdrawn, with ``closed_at``), recent ones
  open, and a few past their due date are still open (overdue), more of them the more recent;
- cases handled by staff are assigned to staff of the procedure's department.

These are benchmark fixtures, not history: no audit entries, case events, answer versions or
attachments are written for them (the audit chain stays as it was), and ``records dispose``
would treat the old closed ones as it treats any closed case. The command refuses a
municipality that already has cases, so it cannot run twice or mix with real applications; the
whole run is one transaction, so an interrupted run leaves nothing behind. On PostgreSQL the
rows are written with COPY, elsewhere with ``bulk_create``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from madoguchi.cases import access
from madoguchi.cases.models import Case, CaseStatus, Channel, ReceiptCounter
from madoguchi.cases.services import applicant_search_text, format_receipt_number, request_fingerprint
from madoguchi.jp.business_days import add_business_days
from madoguchi.jp.wareki import fiscal_year
from madoguchi.procedures.answers import AnswersInvalid, clean_answers
from madoguchi.procedures.definition import iter_fields
from madoguchi.procedures.models import Procedure
from madoguchi.procedures.schema_export import example_answers
from madoguchi.tenants.models import Municipality, StaffMembership

BATCH_SIZE = 5_000
IDEMPOTENCY_PREFIX = "demo-cases-"

# (kanji, katakana): common family and given names.
FAMILY_NAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"),
    ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"), ("小川", "オガワ"),
    ("前田", "マエダ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"),
    ("近藤", "コンドウ"), ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"),
    ("菅原", "スガワラ"), ("大野", "オオノ"), ("飯田", "イイダ"), ("海老原", "エビハラ"), ("額賀", "ヌカガ"),
]  # fmt: skip
GIVEN_NAMES = [
    ("花子", "ハナコ"), ("太郎", "タロウ"), ("一郎", "イチロウ"), ("陽菜", "ヒナ"), ("結衣", "ユイ"),
    ("蓮", "レン"), ("大翔", "ヒロト"), ("美咲", "ミサキ"), ("翔太", "ショウタ"), ("さくら", "サクラ"),
    ("健一", "ケンイチ"), ("直樹", "ナオキ"), ("由美子", "ユミコ"), ("恵子", "ケイコ"), ("隆", "タカシ"),
    ("誠", "マコト"), ("裕子", "ユウコ"), ("浩二", "コウジ"), ("明美", "アケミ"), ("和也", "カズヤ"),
    ("真由美", "マユミ"), ("拓也", "タクヤ"), ("愛", "アイ"), ("悠斗", "ユウト"), ("葵", "アオイ"),
    ("健太", "ケンタ"), ("智子", "トモコ"), ("修", "オサム"), ("久美子", "クミコ"), ("勇気", "ユウキ"),
    ("彩", "アヤ"), ("大輔", "ダイスケ"), ("千尋", "チヒロ"), ("茂", "シゲル"), ("幸子", "サチコ"),
    ("湊", "ミナト"), ("凛", "リン"), ("陽翔", "ハルト"), ("芽依", "メイ"), ("悟", "サトル"),
]  # fmt: skip
# Submissions by hour of day (an online counter is open at night too, but less used).
HOUR_WEIGHTS = [1, 1, 0, 0, 0, 1, 2, 4, 7, 10, 11, 10, 9, 10, 10, 9, 8, 7, 6, 6, 5, 4, 3, 2]


@dataclass(frozen=True)
class GeneratedCases:
    count: int
    first_submitted_at: datetime | None
    last_submitted_at: datetime | None
    counters: dict[int, int]  # fiscal year -> last receipt sequence


class MunicipalityHasCases(Exception):
    """Generated cases go only into a municipality without cases (so the command cannot run twice)."""


@dataclass(frozen=True)
class _Procedure:
    version_id: int
    department_id: int | None
    slug: str
    period: int
    answers: dict
    name_field: str | None
    assignees: tuple[int, ...]
    weight: float


def _procedures(municipality: Municipality, today: date) -> list[_Procedure]:
    members = list(StaffMembership.objects.for_municipality(municipality).values_list("department_id", "user_id"))
    result = []
    procedures = (
        Procedure.objects.for_municipality(municipality)
        .filter(current_version__isnull=False, is_published=True)
        .select_related("current_version")
        .order_by("slug")
    )
    for index, procedure in enumerate(procedures):
        definition = procedure.current_version.definition
        raw = example_answers(definition)
        try:  # stored as a real submit stores them (procedures with required files keep the example)
            answers = clean_answers(definition, raw, today=today).values
        except AnswersInvalid:
            answers = raw
        # The first name field answered, as applicant_search_text picks it.
        name_field = next(
            (spec["id"] for _s, spec in iter_fields(definition) if spec["type"] == "name" and spec["id"] in answers),
            None,
        )
        department = procedure.department_id
        assignees = tuple(sorted({user for dept, user in members if dept is None or dept == department}))
        result.append(
            _Procedure(
                version_id=procedure.current_version_id,
                department_id=department,
                slug=definition["slug"],
                period=int(definition.get("processing_period_days", 10)),
                answers=answers,
                name_field=name_field,
                assignees=assignees,
                # Certificates are asked for far more often than, say, a road permit.
                weight=1.0 / (1 + index % 4) * (4 if definition.get("category") == "certificates" else 1),
            )
        )
    return result


@cache
def _due(day: date, period: int) -> date:
    return add_business_days(day, period)


def _status(rng: random.Random, *, submitted: datetime, due: date, now: datetime) -> tuple[str, datetime | None]:
    """Return a plausible status and closing time for a case submitted at ``submitted``, due on ``due``."""
    today = timezone.localdate(now)
    if due >= today:  # still within its processing period
        roll = rng.random()
        if roll < 0.35:
            return CaseStatus.SUBMITTED, None
        if roll < 0.75:
            return CaseStatus.IN_REVIEW, None
        if roll < 0.83:
            return CaseStatus.CORRECTION_REQUESTED, None
        if roll < 0.93:
            return CaseStatus.APPROVED, None
        if roll < 0.95:
            return CaseStatus.REJECTED, None
        return CaseStatus.WITHDRAWN, submitted + timedelta(hours=rng.uniform(1, 72))
    days_late = (today - due).days
    # Past its due date: the longer ago, the more surely it is closed; a few stay open (overdue).
    still_open = 0.3 if days_late <= 14 else 0.05 if days_late <= 90 else 0.002
    if rng.random() < still_open:
        return rng.choice((CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.CORRECTION_REQUESTED)), None
    closed = submitted + timedelta(days=rng.uniform(0.2, max(1.0, (due - submitted.date()).days + 2)))
    closed = min(closed, now)
    if rng.random() < 0.04:
        return CaseStatus.WITHDRAWN, closed
    return CaseStatus.COMPLETED, closed


def _timestamps(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    """Return ``count`` submission times between ``start`` and ``end``, oldest first, busiest on weekday days."""
    days = max(1, (end.date() - start.date()).days + 1)
    day_weights = [0.35 if (start.date() + timedelta(days=d)).weekday() >= 5 else 1.0 for d in range(days)]
    chosen_days = rng.choices(range(days), weights=day_weights, k=count)
    hours = rng.choices(range(24), weights=HOUR_WEIGHTS, k=count)
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    stamps = []
    for day, hour in zip(chosen_days, hours, strict=True):
        stamp = midnight + timedelta(days=day, hours=hour, seconds=rng.random() * 3600)
        stamps.append(min(max(stamp, start), end))
    stamps.sort()
    return stamps


def demo_cases_generate(
    *,
    municipality: Municipality,
    count: int,
    years: float = 3.0,
    now: datetime | None = None,
    seed: int = 1,
    batch_size: int = BATCH_SIZE,
    use_copy: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> GeneratedCases:
    """Store ``count`` generated cases for ``municipality`` (which must have none); return a summary.

    Raise :class:`MunicipalityHasCases` if the municipality has cases, ``ValueError`` if it has no
    published procedure. ``use_copy`` (default: on PostgreSQL) writes with COPY instead of
    ``bulk_create``.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(seed)
    if use_copy is None:
        use_copy = connection.vendor == "postgresql"
    with transaction.atomic():
        # The counters of the municipality are locked first, so that no real submit can slip in meanwhile.
        list(ReceiptCounter.objects.for_municipality(municipality).select_for_update())
        if Case.objects.for_municipality(municipality).exists():
            raise MunicipalityHasCases(municipality.code)
        procedures = _procedures(municipality, today)
        if not procedures:
            raise ValueError(f"{municipality.code} has no published procedure: run `madoguchi demo` first")
        weights = [p.weight for p in procedures]
        start = now - timedelta(days=365 * years)
        stamps = _timestamps(rng, count, timezone.localtime(start), timezone.localtime(now))
        sequences: dict[int, int] = {}
        counters = {c.fiscal_year: c.last for c in ReceiptCounter.objects.for_municipality(municipality)}
        salt_base = rng.getrandbits(64)
        derived: dict[tuple, tuple[str, str, str]] = {}  # per run: primary keys differ between databases
        written = 0
        batch: list[tuple] = []
        for stamp in stamps:
            procedure = rng.choices(procedures, weights=weights)[0]
            day = stamp.date()
            year = fiscal_year(day)
            sequences[year] = sequence = sequences.get(year, counters.get(year, 0)) + 1
            receipt = format_receipt_number(municipality, year, sequence)
            answers = procedure.answers
            if procedure.name_field:
                family, family_kana = rng.choice(FAMILY_NAMES)
                given, given_kana = rng.choice(GIVEN_NAMES)
                name = {"family": family, "given": given, "family_kana": family_kana, "given_kana": given_kana}
                answers = {**answers, procedure.name_field: name}
            due = _due(day, procedure.period)
            status, closed_at = _status(rng, submitted=stamp, due=due, now=now)
            assignee = None
            if status != CaseStatus.SUBMITTED and procedure.assignees and rng.random() < 0.92:
                assignee = rng.choice(procedure.assignees)
            salt = f"{salt_base:016x}{written + len(batch):016x}"
            batch.append(
                (
                    procedure,
                    receipt,
                    year,
                    sequence,
                    salt,
                    status,
                    answers,
                    stamp,
                    due,
                    assignee,
                    closed_at or (stamp if status == CaseStatus.SUBMITTED else stamp + timedelta(hours=2)),
                    closed_at,
                    rng.random() < 0.15,
                )
            )
            if len(batch) >= batch_size:
                written += _write(municipality, batch, use_copy, derived)
                batch = []
                if progress:
                    progress(written, count)
        if batch:
            written += _write(municipality, batch, use_copy, derived)
            if progress:
                progress(written, count)
        for year, last in sequences.items():
            updated = (
                ReceiptCounter.objects.for_municipality(municipality).filter(fiscal_year=year).update(last=last)
            )
            if not updated:
                ReceiptCounter.objects.for_municipality(municipality).create(
                    municipality=municipality, fiscal_year=year, last=last
                )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Case._meta.db_table}")
    return GeneratedCases(
        count=written,
        first_submitted_at=stamps[0] if stamps else None,
        last_submitted_at=stamps[-1] if stamps else None,
        counters=dict(sorted(sequences.items())),
    )


COPY_COLUMNS = (
    "municipality_id",
    "procedure_version_id",
    "receipt_number",
    "fiscal_year",
    "sequence",
    "access_code_hash",
    "access_salt",
    "status",
    "answers",
    "language",
    "channel",
    "idempotency_key",
    "request_fingerprint",
    "submitted_at",
    "updated_at",
    "department_id",
    "due_date",
    "assignee_id",
    "search_name",
    "answers_version",
    "closed_at",
)


def _row(municipality: Municipality, item: tuple, derived: dict) -> tuple:
    (procedure, receipt, year, sequence, salt, status, answers, stamp, due, assignee, updated, closed, api) = item
    answers_json, fingerprint, search_name = _answers_derived(procedure, answers, derived)
    return (
        municipality.pk,
        procedure.version_id,
        receipt,
        year,
        sequence,
        access.hash_access_code(access.access_code_from_salt(salt)),
        salt,
        status,
        answers_json,
        "ja",
        Channel.API if api else Channel.PORTAL,
        f"{IDEMPOTENCY_PREFIX}{receipt}",
        fingerprint,
        stamp,
        updated,
        procedure.department_id,
        due,
        assignee,
        search_name,
        1,
        closed,
    )


def _answers_derived(procedure: _Procedure, answers: dict, cache: dict) -> tuple[str, str, str]:
    """Return the answers as JSON, their request fingerprint and the folded search name (memoised:
    answers differ only by the applicant's name, so a few thousand combinations cover every case)."""
    name = answers.get(procedure.name_field) if procedure.name_field else None
    key = (procedure.version_id, tuple(name.values()) if name else None)
    derived = cache.get(key)
    if derived is None:
        derived = (
            json.dumps(answers, ensure_ascii=False),
            request_fingerprint(procedure_slug=procedure.slug, answers=answers),
            applicant_search_text(_NAME_DEFINITION, {"applicant": name}) if name else "",
        )
        if len(cache) < 100_000:
            cache[key] = derived
    return derived


# A one-field definition: applicant_search_text folds the name exactly as a real submit does.
_NAME_DEFINITION = {"steps": [{"id": "s", "fields": [{"id": "applicant", "type": "name"}]}]}


def _write(municipality: Municipality, batch: list[tuple], use_copy: bool, derived: dict) -> int:
    rows = [_row(municipality, item, derived) for item in batch]
    if use_copy:
        sql = f"COPY {Case._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        Case.objects.for_municipality(municipality).bulk_create(
            [
                Case(**{**dict(zip(COPY_COLUMNS, row, strict=True)), "answers": item[6]})
                for row, item in zip(rows, batch, strict=True)
            ],
            batch_size=500,
        )
    return len(rows)
