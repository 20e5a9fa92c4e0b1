"""Bulk import of a municipality's FAQ from CSV rows: all rows or none.

Rows are grouped by entry id and checked as a whole before anything is written — by the same
rules and limits as every other door (``validation.faq_entry_problems``), each problem put on
the line and column it comes from — then each entry goes through the same services as an edit
in the back office (``faq_entry_create`` / ``faq_entry_update``), so an unchanged entry makes
no new version and a changed one is versioned and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from madoguchi.assistant.categories import category_resolve
from madoguchi.assistant.csvio import FaqImportError, FaqRow
from madoguchi.assistant.entry_vectors import faq_embeddings_schedule
from madoguchi.assistant.models import EntryStatus, FaqEntry
from madoguchi.assistant.services import faq_entry_create, faq_entry_update
from madoguchi.assistant.validation import (
    FaqFieldError,
    FaqInvalid,
    TranslationIn,
    faq_entry_problems,
)
from madoguchi.jp.wareki import JapaneseInputError, parse_date
from madoguchi.tenants.models import Department, Municipality

# The services' field names as the file's columns.
COLUMN = {
    "external_id": "id",
    "source_url": "url",
    "procedure_slug": "procedure",
    "ja": "language",
    "source_updated": "updated",
}
SHARED_COLUMNS = ("category", "url", "department", "procedure", "status", "updated")

# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _on_lines(group: list[FaqRow], errors: list[FaqFieldError]) -> list[tuple[int, FaqFieldError]]:
    """Return each of an entry's problems on the line it comes from, named by its column.

    A language version's problem goes to that language's row; an entry's own (id, category,
    ...) to the entry's first row, which every other row repeats.
    """
    by_language = {row.language: row for row in group}
    located = []
    for error in errors:
        language, dot, part = error.field.rpartition(".")
        if dot and language in by_language:
            line, column = by_language[language].line, part
        elif error.field == "language" and error.params.get("value") in by_language:
            line, column = by_language[error.params["value"]].line, "language"
        else:
            line, column = group[0].line, COLUMN.get(error.field, error.field)
        located.append((line, FaqFieldError(column, error.code, error.params)))
    return located


def _updated(value: str) -> date | None:
    """Return the date of an ``updated`` cell (a CMS may add the time: it is dropped)."""
    if not value:
        return None
    return parse_date(value.replace("T", " ").split()[0])


def _translations(group: list[FaqRow]) -> dict[str, TranslationIn]:
    return {row.language: TranslationIn(row.question, row.answer) for row in group}


def _group_rows(municipality: Municipality, rows: list[FaqRow]) -> tuple[dict[str, list[FaqRow]], list]:
    """Return the rows by entry id and every problem as (line, error): the entry rules of
    :func:`~madoguchi.assistant.validation.faq_entry_problems`, and the file's own (rows of one
    id agree on the shared columns; one row per language)."""
    errors: list[tuple[int, FaqFieldError]] = []
    groups: dict[str, list[FaqRow]] = {}
    for row in rows:
        group = groups.setdefault(row.id, [])
        if group:
            first = group[0]
            for name in SHARED_COLUMNS:
                if getattr(row, name) != getattr(first, name):
                    errors.append((row.line, FaqFieldError(name, "differs_in_entry", {"line": first.line})))
            earlier = next((other for other in group if other.language == row.language), None)
            if earlier is not None:
                errors.append((row.line, FaqFieldError("language", "duplicate_language", {"line": earlier.line})))
                continue  # the entry is checked with its first row of the language
        group.append(row)
    departments = set(Department.objects.for_municipality(municipality).values_list("code", flat=True))
    for external_id, group in groups.items():
        first = group[0]
        try:
            _updated(first.updated)
        except JapaneseInputError:
            errors.append((first.line, FaqFieldError("updated", "invalid_date", {"value": first.updated[:40]})))
        problems = faq_entry_problems(
            external_id=external_id,
            category=first.category,
            translations={language: t.normalised() for language, t in _translations(group).items()},
            source_url=first.url,
            procedure_slug=first.procedure,
            status=first.status or EntryStatus.PUBLISHED,
            department=first.department,
            departments=departments,
            categories=None,  # created by the import
        )
        errors += _on_lines(group, problems)
    return groups, sorted(errors, key=lambda item: item[0])


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
    existing = {e.external_id: e for e in FaqEntry.objects.for_municipality(municipality).select_related("department")}
    with transaction.atomic():
        category_keys = category_resolve(
            municipality=municipality, texts=[group[0].category for group in groups.values()], actor=actor
        )
        for external_id, group in groups.items():
            first = group[0]
            category = category_keys[first.category]
            updated = _updated(first.updated)
            translations = _translations(group)
            entry = existing.get(external_id)
            status = first.status or EntryStatus.PUBLISHED
            try:
                if entry is None:
                    faq_entry_create(
                        municipality=municipality,
                        external_id=external_id,
                        category=category,
                        translations=translations,
                        department=first.department,
                        source_url=first.url,
                        procedure_slug=first.procedure,
                        status=status,
                        source_updated=updated,
                        actor=actor,
                        schedule_embeddings=False,
                    )
                    result.created.append(external_id)
                else:
                    entry.status = status
                    changed = faq_entry_update(
                        entry=entry,
                        actor=actor,
                        category=category,
                        department=first.department,
                        source_url=first.url,
                        procedure_slug=first.procedure,
                        translations=translations,
                        replace_translations=True,
                        source_updated=updated,
                        schedule_embeddings=False,
                    )
                    (result.updated if changed else result.unchanged).append(external_id)
            except FaqInvalid as exc:
                raise FaqImportError(_on_lines(group, exc.errors)) from exc
            if progress:
                progress(len(group))
        if schedule_embeddings and (result.created or result.updated):
            faq_embeddings_schedule(municipality=municipality)
    return result
