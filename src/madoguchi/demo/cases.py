"""Generated demo cases: a municipality's queue filled with three years of realistic history.

``madoguchi demo_cases --municipality 082015 --count 1000000`` fills a municipality that has
no cases yet with ``count`` applications spread over the past ``years`` (default 3) across its
published procedures, so that the queue, its filters and its search can be tried and measured
at the size of a real city (bench/staff_queue.py). This module only makes up the records —
who applied, when, and what became of each — and hands them to
:func:`madoguchi.cases.imports.cases_import`, the way any bulk of cases comes in:

- answers are the procedure's example answers, dated as of the day of submission, with a
  generated applicant (kanji name and フリガナ from lists of common names); the import
  validates them as a submission would;
- submissions are busier on weekdays and in office hours; older cases are mostly closed
  (completed or withdrawn, with ``closed_at``), recent ones open, and a few past their due date
  are still open (overdue), more of them the more recent;
- cases handled by staff are assigned to staff of the procedure's department.

Receipt numbers, due dates, search names, the counters and the audit entries (one per batch,
``cases.cases.imported``) are the import's. The cases come in on the ``import`` channel: they
are generated history, and the channel says so. Procedures whose example needs a file are
left out, as the import takes no attachments yet. No case events, answer versions or
attachments are written, and ``records dispose`` would treat the old closed cases as it treats
any closed case. The command refuses a municipality that already has cases, so it cannot run
twice or mix with real applications; the whole run is one transaction, so an interrupted run
leaves nothing behind.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from madoguchi.cases.imports import BATCH_SIZE, ImportRecord, cases_import
from madoguchi.cases.models import Case, CaseStatus, Channel, ReceiptCounter
from madoguchi.cases.services import due_date
from madoguchi.procedures.answers import clean_answers
from madoguchi.procedures.definition import iter_fields
from madoguchi.procedures.errors import AnswersInvalid
from madoguchi.procedures.fields import resolve_date_bound
from madoguchi.procedures.models import Procedure, ProcedureVersion
from madoguchi.procedures.schema_export import example_answers
from madoguchi.tenants.models import Municipality, StaffMembership

ACTOR = "demo"

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
    version: ProcedureVersion
    period: int
    period_unit: str
    answers: dict  # the example answers, without the dates that depend on the day
    dates: tuple[dict, ...]  # the date fields answered, re-dated per day of submission
    name_field: str | None
    assignees: tuple[int, ...]
    weight: float


def _example_date(spec: dict, day: date) -> str:
    """The example a date field gives (``DateType.example``), as of ``day`` instead of today."""
    earliest = resolve_date_bound(spec.get("min_date"), day)
    latest = resolve_date_bound(spec.get("max_date"), day)
    candidate = latest or day
    if earliest and candidate < earliest:
        candidate = earliest
    if earliest and latest:
        candidate = earliest + (latest - earliest) / 2
    return candidate.isoformat()


def _procedures(municipality: Municipality, today: date) -> list[_Procedure]:
    members = list(StaffMembership.objects.for_municipality(municipality).values_list("department_id", "user_id"))
    result = []
    procedures = (
        Procedure.objects.for_municipality(municipality)
        .filter(current_version__isnull=False, is_published=True)
        .select_related("current_version__procedure")
        .order_by("slug")
    )
    for index, procedure in enumerate(procedures):
        version = procedure.current_version
        definition = version.definition
        answers = example_answers(definition)
        try:
            clean_answers(definition, answers, today=today)
        except AnswersInvalid:
            continue  # it needs a file: the import takes none yet
        dates = tuple(spec for _s, spec in iter_fields(definition) if spec["type"] == "date" and spec["id"] in answers)
        # The first name field answered, as applicant_search_text picks it.
        name_field = next(
            (spec["id"] for _s, spec in iter_fields(definition) if spec["type"] == "name" and spec["id"] in answers),
            None,
        )
        department = procedure.department_id
        assignees = tuple(sorted({user for dept, user in members if dept is None or dept == department}))
        result.append(
            _Procedure(
                version=version,
                period=int(definition["processing_period_days"]),
                period_unit=definition.get("processing_period_unit", "business_days"),
                answers=answers,
                dates=dates,
                name_field=name_field,
                assignees=assignees,
                # Certificates are asked for far more often than, say, a road permit.
                weight=1.0 / (1 + index % 4) * (4 if definition.get("category") == "certificates" else 1),
            )
        )
    return result


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
        return CaseStatus.WITHDRAWN, min(submitted + timedelta(hours=rng.uniform(1, 72)), now)
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


def _records(
    rng: random.Random, procedures: list[_Procedure], stamps: list[datetime], now: datetime
) -> Iterator[ImportRecord]:
    cum_weights = list(itertools.accumulate(p.weight for p in procedures))
    dated: dict[tuple[int, date], dict] = {}  # (version, day) -> example answers as of that day
    for index, stamp in enumerate(stamps):
        procedure = rng.choices(procedures, cum_weights=cum_weights)[0]
        day = timezone.localdate(stamp)
        answers = dated.get((procedure.version.pk, day))
        if answers is None:
            answers = {**procedure.answers, **{spec["id"]: _example_date(spec, day) for spec in procedure.dates}}
            dated[(procedure.version.pk, day)] = answers
        if procedure.name_field:
            family, family_kana = rng.choice(FAMILY_NAMES)
            given, given_kana = rng.choice(GIVEN_NAMES)
            name = {"family": family, "given": given, "family_kana": family_kana, "given_kana": given_kana}
            answers = {**answers, procedure.name_field: name}
        status, closed_at = _status(rng, submitted=stamp, due=due_date(day, procedure.period, procedure.period_unit), now=now)
        assignee = None
        if status != CaseStatus.SUBMITTED and procedure.assignees and rng.random() < 0.92:
            assignee = rng.choice(procedure.assignees)
        yield ImportRecord(
            procedure_version=procedure.version,
            answers=answers,
            submitted_at=stamp,
            idempotency_key=f"demo-cases-{index}",
            status=status,
            closed_at=closed_at,
            assignee_id=assignee,
        )


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
    """Import ``count`` generated cases into ``municipality`` (which must have none); return a summary.

    Raise :class:`MunicipalityHasCases` if the municipality has cases, ``ValueError`` if it has no
    published procedure the import can take. ``use_copy`` is the import's (default: COPY on
    PostgreSQL).
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    now = now or timezone.now()
    rng = random.Random(seed)
    with transaction.atomic():
        # The counters of the municipality are locked first, so that no real submit can slip in meanwhile.
        list(ReceiptCounter.objects.for_municipality(municipality).select_for_update())
        if Case.objects.for_municipality(municipality).exists():
            raise MunicipalityHasCases(municipality.code)
        procedures = _procedures(municipality, timezone.localdate(now))
        if not procedures:
            raise ValueError(f"{municipality.code} has no published procedure: run `madoguchi demo` first")
        start = now - timedelta(days=365 * years)
        stamps = _timestamps(rng, count, timezone.localtime(start), timezone.localtime(now))
        result = cases_import(
            municipality=municipality,
            records=_records(rng, procedures, stamps, now),
            channel=Channel.IMPORT,
            actor=ACTOR,
            batch_size=batch_size,
            use_copy=use_copy,
            now=now,
            progress=(lambda done: progress(done, count)) if progress else None,
        )
    return GeneratedCases(
        count=result.count,
        first_submitted_at=stamps[0],
        last_submitted_at=stamps[-1],
        counters={year: last for year, (_first, last) in sorted(result.receipts.items())},
    )
