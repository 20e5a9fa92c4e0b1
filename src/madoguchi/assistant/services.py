"""Writes of the assistant's knowledge base: FAQ entries, their versions and embeddings.

Every change to an entry goes through :func:`_faq_entry_save`, which compares the entry's
new content with its last version and, only if something changed, in one transaction:
saves the entry and its translations, appends an immutable :class:`FaqVersion`, writes an
audit entry (``assistant.faq.*``), moves the knowledge-base revision (so every process
rebuilds its index before the next question) and schedules the embedding job on commit.

What an entry may be is checked before anything is written, by the rules and limits of
``validation`` (:func:`~madoguchi.assistant.validation.faq_entry_problems`): a refusal is
:class:`FaqInvalid` listing every problem by field and code, whichever door the entry came
through.

Building blocks: :func:`faq_entry_create`, :func:`faq_entry_update`,
:func:`faq_entry_publish`, :func:`faq_entry_unpublish`; the vectors are kept by
``entry_vectors`` (:func:`~madoguchi.assistant.entry_vectors.faq_embeddings_update`);
the back office writes through ``authoring`` (the staff member's rights, then these). Bulk
import is in ``importing`` (:func:`faq_import`); the resident side — asking, feedback,
inquiries, and unanswered questions → draft entries — in ``answering``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F

from madoguchi.assistant.content import answer_html_from_input
from madoguchi.assistant.models import (
    EntryStatus,
    FaqCategory,
    FaqEmbedding,
    FaqEntry,
    FaqTranslation,
    FaqVersion,
    KnowledgeBase,
)

# Limits and rules live in ``validation``; the limits stay importable from here for older callers.
from madoguchi.assistant.validation import MAX_ANSWER_LENGTH as MAX_ANSWER_LENGTH
from madoguchi.assistant.validation import MAX_QUESTION_LENGTH as MAX_QUESTION_LENGTH
from madoguchi.assistant.validation import FaqFieldError, FaqInvalid, TranslationIn, faq_entry_problems
from madoguchi.audit.services import audit_log
from madoguchi.tenants.models import Department, Municipality

# ---------------------------------------------------------------------------------------------
# Knowledge-base revision


def kb_touch(*, municipality: Municipality) -> None:
    """Move ``municipality``'s knowledge-base revision (call inside the change's transaction)."""
    updated = KnowledgeBase.objects.for_municipality(municipality).update(
        revision=F("revision") + 1, stamp=uuid.uuid4()
    )
    if not updated:
        KnowledgeBase.objects.for_municipality(municipality).get_or_create(
            municipality=municipality, defaults={"revision": 1}
        )


# ---------------------------------------------------------------------------------------------
# Entries


def _snapshot(
    *,
    external_id: str,
    category: str,
    department: Department | None,
    source_url: str,
    procedure_slug: str,
    status: str,
    translations: dict[str, tuple[str, str]],
    source_updated: date | None = None,
) -> dict:
    snapshot = {
        "id": external_id,
        "category": category,
        "department": department.code if department else "",
        "url": source_url,
        "procedure": procedure_slug,
        "status": status,
        "translations": {
            language: {"question": q, "answer_html": a} for language, (q, a) in sorted(translations.items())
        },
    }
    if source_updated:  # only when known, so the versions of entries without one stay as they were
        snapshot["updated"] = source_updated.isoformat()
    return snapshot


def _prepared(translations: Mapping[str, TranslationIn]) -> dict[str, tuple[str, str]]:
    """Return (question, answer HTML) per language of checked, normalised translations."""
    return {language: (t.question, answer_html_from_input(t.answer)) for language, t in translations.items()}


def _faq_entry_save(
    *,
    entry: FaqEntry,
    translations: dict[str, tuple[str, str]],
    actor: str,
    event: str,
    schedule_embeddings: bool = True,
) -> bool:
    """Save ``entry`` with ``translations`` as a new version if its content changed.

    The caller has checked the content (:func:`~madoguchi.assistant.validation.faq_entry_problems`).
    """
    snapshot = _snapshot(
        external_id=entry.external_id,
        category=entry.category,
        department=entry.department,
        source_url=entry.source_url,
        procedure_slug=entry.procedure_slug,
        status=entry.status,
        translations=translations,
        source_updated=entry.source_updated,
    )
    municipality = entry.municipality
    with transaction.atomic():
        if entry.pk:
            last = FaqVersion.objects.for_municipality(municipality).filter(entry=entry).order_by("-number").first()
            if last is not None and last.snapshot == snapshot:
                return False
        entry.version += 1
        entry.save()
        existing = {t.language: t for t in FaqTranslation.objects.for_municipality(municipality).filter(entry=entry)}
        for language, (question, answer_html) in translations.items():
            current = existing.pop(language, None)
            if current is None:
                FaqTranslation.objects.create(
                    municipality=municipality,
                    entry=entry,
                    language=language,
                    question=question,
                    answer_html=answer_html,
                )
            elif (current.question, current.answer_html) != (question, answer_html):
                current.question, current.answer_html = question, answer_html
                current.save(update_fields=["question", "answer_html"])
        for stale in existing.values():
            stale.delete()
        FaqEmbedding.objects.for_municipality(municipality).filter(entry=entry).exclude(
            language__in=list(translations)
        ).delete()
        FaqVersion.objects.create(
            municipality=municipality, entry=entry, number=entry.version, snapshot=snapshot, actor=actor
        )
        audit_log(
            municipality=municipality,
            event=event,
            actor=actor,
            object_type="assistant.faqentry",
            object_id=entry.external_id,
            payload={"version": entry.version, "status": entry.status, "languages": sorted(translations)},
        )
        kb_touch(municipality=municipality)
        if schedule_embeddings:
            from madoguchi.assistant.entry_vectors import faq_embeddings_schedule

            faq_embeddings_schedule(municipality=municipality)
    return True


def _department_lookup(
    municipality: Municipality, department: Department | str | None
) -> tuple[str, Department | None]:
    """Return the code of ``department`` (a Department or a code) and the municipality's department."""
    if isinstance(department, Department):
        if department.municipality_id == municipality.pk:
            return department.code, department
        department = department.code
    if not department:
        return "", None
    return department, Department.objects.for_municipality(municipality).filter(code=department).first()


def faq_entry_create(
    *,
    municipality: Municipality,
    external_id: str,
    category: str,
    translations: Mapping[str, TranslationIn],
    actor: str,
    department: Department | str | None = None,
    departments_allowed: Collection[str] | None = None,
    source_url: str = "",
    procedure_slug: str = "",
    status: str = EntryStatus.DRAFT,
    source_updated: date | None = None,
    schedule_embeddings: bool = True,
) -> FaqEntry:
    """Create an entry (version 1) from what was written.

    ``department`` is a Department or a department code ("" or None: none);
    ``departments_allowed`` limits the codes the writer may choose (see
    :func:`~madoguchi.assistant.validation.faq_entry_problems`). Raise :class:`FaqInvalid`
    with every problem, including ``("external_id", "taken")``; nothing is saved then.
    """
    translations = {language: t.normalised() for language, t in translations.items()}
    code, found = _department_lookup(municipality, department)
    errors = faq_entry_problems(
        external_id=external_id,
        category=category,
        translations=translations,
        source_url=source_url,
        procedure_slug=procedure_slug,
        status=status,
        department=code,
        departments={found.code} if found else (),
        departments_allowed=departments_allowed,
        categories=_category_keys(municipality, category),
    )
    if (
        not any(error.field == "external_id" for error in errors)
        and FaqEntry.objects.for_municipality(municipality).filter(external_id=external_id).exists()
    ):
        errors.insert(0, FaqFieldError("external_id", "taken"))
    if errors:
        raise FaqInvalid(errors)
    entry = FaqEntry(
        municipality=municipality,
        external_id=external_id,
        category=category,
        department=found,
        source_url=source_url,
        procedure_slug=procedure_slug,
        status=status,
        source_updated=source_updated,
    )
    _faq_entry_save(
        entry=entry,
        translations=_prepared(translations),
        actor=actor,
        event="assistant.faq.created",
        schedule_embeddings=schedule_embeddings,
    )
    return entry


_UNSET: Any = object()


def _category_keys(municipality: Municipality, category: str) -> set[str]:
    """Return the municipality's category keys (to check ``category`` against; none needed for "")."""
    if not category:
        return set()
    return set(FaqCategory.objects.for_municipality(municipality).values_list("key", flat=True))


def faq_entry_update(
    *,
    entry: FaqEntry,
    actor: str,
    category: str = _UNSET,
    department: Department | str | None = _UNSET,
    departments_allowed: Collection[str] | None = None,
    source_url: str = _UNSET,
    procedure_slug: str = _UNSET,
    translations: Mapping[str, TranslationIn] | None = None,
    replace_translations: bool = False,
    source_updated: date | None = _UNSET,
    schedule_embeddings: bool = True,
) -> bool:
    """Change ``entry``; return whether a new version was made (False if nothing changed).

    ``translations`` adds or replaces the given languages; with ``replace_translations``
    the languages not given are removed (so ``ja`` must be given). ``department`` and
    ``departments_allowed`` as for :func:`faq_entry_create`. Raise :class:`FaqInvalid` with
    every problem; the entry is left as it was then.
    """
    municipality = entry.municipality
    given = {language: t.normalised() for language, t in (translations or {}).items()}
    code, found = (None, None) if department is _UNSET else _department_lookup(municipality, department)
    errors = faq_entry_problems(
        external_id=None,
        category=None if category is _UNSET else category,
        translations=given,
        japanese_required=replace_translations,
        source_url=None if source_url is _UNSET else source_url,
        procedure_slug=None if procedure_slug is _UNSET else procedure_slug,
        status=entry.status,
        department=code,
        departments={found.code} if found else (),
        departments_allowed=departments_allowed,
        categories=None if category is _UNSET else _category_keys(municipality, category),
    )
    if errors:
        raise FaqInvalid(errors)
    current = {
        t.language: (t.question, t.answer_html)
        for t in FaqTranslation.objects.for_municipality(municipality).filter(entry=entry)
    }
    wanted = {} if replace_translations else dict(current)
    wanted.update(_prepared(given))
    if department is not _UNSET:
        entry.department = found
    changes = (
        ("category", category),
        ("source_url", source_url),
        ("procedure_slug", procedure_slug),
        ("source_updated", source_updated),
    )
    for name, value in changes:
        if value is not _UNSET:
            setattr(entry, name, value)
    return _faq_entry_save(
        entry=entry,
        translations=wanted,
        actor=actor,
        event="assistant.faq.updated",
        schedule_embeddings=schedule_embeddings,
    )


def _faq_entry_set_status(*, entry: FaqEntry, status: str, actor: str, event: str) -> bool:
    current = {
        t.language: (t.question, t.answer_html)
        for t in FaqTranslation.objects.for_municipality(entry.municipality).filter(entry=entry)
    }
    entry.status = status
    return _faq_entry_save(entry=entry, translations=current, actor=actor, event=event, schedule_embeddings=False)


def faq_entry_publish(*, entry: FaqEntry, actor: str) -> bool:
    """Make ``entry`` answerable (a new version; False if it already was published)."""
    return _faq_entry_set_status(
        entry=entry, status=EntryStatus.PUBLISHED, actor=actor, event="assistant.faq.published"
    )


def faq_entry_unpublish(*, entry: FaqEntry, actor: str) -> bool:
    """Withdraw ``entry`` from answers (a new version; False if it was a draft already)."""
    return _faq_entry_set_status(entry=entry, status=EntryStatus.DRAFT, actor=actor, event="assistant.faq.unpublished")
