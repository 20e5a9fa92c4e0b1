"""Bulk import of a municipality's FAQ from CSV rows: all rows or none.

Rows are grouped by entry id and checked as a whole before anything is written; then each
entry goes through the same save as an edit in the back office (``services._faq_entry_save``),
so an unchanged entry makes no new version and a changed one is versioned and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from madoguchi.assistant.csvio import FaqImportError, FaqRow
from madoguchi.assistant.models import (
    LANGUAGES,
    Category,
    EntryStatus,
    FaqEntry,
)
from madoguchi.assistant.services import (
    EXTERNAL_ID_RE,
    MAX_ANSWER_LENGTH,
    MAX_QUESTION_LENGTH,
    SLUG_RE,
    URL_RE,
    FaqInvalid,
    TranslationIn,
    faq_embeddings_schedule,
    faq_entry_create,
    faq_entry_update,
)
from madoguchi.tenants.models import Department, Municipality

# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _group_rows(municipality: Municipality, rows: list[FaqRow]) -> tuple[dict[str, list[FaqRow]], list]:
    errors: list[tuple[int, str]] = []
    groups: dict[str, list[FaqRow]] = {}
    departments = set(Department.objects.for_municipality(municipality).values_list("code", flat=True))
    for row in rows:
        problems = []
        if not EXTERNAL_ID_RE.match(row.id):
            problems.append("the id must be 1 to 64 letters, digits, '.', '_' or '-'")
        if row.language not in LANGUAGES:
            problems.append(f"unknown language {row.language!r}")
        if row.category not in Category.values:
            problems.append(f"unknown category {row.category!r}")
        if not row.question:
            problems.append("the question is empty")
        elif len(row.question) > MAX_QUESTION_LENGTH:
            problems.append(f"the question is longer than {MAX_QUESTION_LENGTH} characters")
        if not row.answer:
            problems.append("the answer is empty")
        elif len(row.answer) > MAX_ANSWER_LENGTH:
            problems.append(f"the answer is longer than {MAX_ANSWER_LENGTH} characters")
        if row.url and not URL_RE.match(row.url):
            problems.append("the url must start with http:// or https://")
        if row.department and row.department not in departments:
            problems.append(f"unknown department {row.department!r}")
        if row.procedure and not SLUG_RE.match(row.procedure):
            problems.append(f"{row.procedure!r} is not a procedure slug")
        if row.status and row.status not in EntryStatus.values:
            problems.append("the status must be draft or published")
        group = groups.setdefault(row.id, [])
        if group:
            first = group[0]
            for name in ("category", "url", "department", "procedure", "status"):
                if getattr(row, name) != getattr(first, name):
                    problems.append(f"{name} differs from line {first.line} of the same id")
            if any(other.language == row.language for other in group):
                problems.append(f"a second {row.language} row for id {row.id!r}")
        group.append(row)
        errors += [(row.line, problem) for problem in problems]
    for external_id, group in groups.items():
        if not any(row.language == "ja" for row in group):
            errors.append((group[0].line, f"id {external_id!r} has no ja row (Japanese is required)"))
    return groups, sorted(errors)


def faq_import(
    *,
    municipality: Municipality,
    rows: list[FaqRow],
    actor: str,
    schedule_embeddings: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Create or update entries from CSV rows, all or nothing.

    Raise :class:`FaqImportError` listing every bad row (by line) before writing anything.
    An entry whose content is unchanged keeps its version. Rows without ``status`` are
    published: an imported file is the municipality's approved content. Embeddings are
    left to the caller (:func:`faq_embeddings_update`) unless ``schedule_embeddings``.
    """
    groups, errors = _group_rows(municipality, rows)
    if errors:
        raise FaqImportError(errors)
    result = ImportResult()
    departments = {d.code: d for d in Department.objects.for_municipality(municipality)}
    existing = {e.external_id: e for e in FaqEntry.objects.for_municipality(municipality).select_related("department")}
    with transaction.atomic():
        for external_id, group in groups.items():
            first = group[0]
            translations = {row.language: TranslationIn(row.question, row.answer) for row in group}
            entry = existing.get(external_id)
            status = first.status or EntryStatus.PUBLISHED
            try:
                if entry is None:
                    faq_entry_create(
                        municipality=municipality,
                        external_id=external_id,
                        category=first.category,
                        translations=translations,
                        department=departments.get(first.department),
                        source_url=first.url,
                        procedure_slug=first.procedure,
                        status=status,
                        actor=actor,
                        schedule_embeddings=False,
                    )
                    result.created.append(external_id)
                else:
                    entry.status = status
                    changed = faq_entry_update(
                        entry=entry,
                        actor=actor,
                        category=first.category,
                        department=departments.get(first.department),
                        source_url=first.url,
                        procedure_slug=first.procedure,
                        translations=translations,
                        replace_translations=True,
                        schedule_embeddings=False,
                    )
                    (result.updated if changed else result.unchanged).append(external_id)
            except FaqInvalid as exc:
                raise FaqImportError([(first.line, error) for error in exc.errors]) from exc
            if progress:
                progress(len(group))
        if schedule_embeddings and (result.created or result.updated):
            faq_embeddings_schedule(municipality=municipality)
    return result
