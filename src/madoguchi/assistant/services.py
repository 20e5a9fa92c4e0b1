"""Writes of the assistant: the FAQ knowledge base, embeddings, questions, feedback, inquiries.

Every change to an entry goes through :func:`_faq_entry_save`, which compares the entry's
new content with its last version and, only if something changed, in one transaction:
saves the entry and its translations, appends an immutable :class:`FaqVersion`, writes an
audit entry (``assistant.faq.*``), moves the knowledge-base revision (so every process
rebuilds its index before the next question) and schedules the embedding job on commit.

For the back office (built on top of these): :func:`faq_entry_create`,
:func:`faq_entry_update`, :func:`faq_entry_publish`, :func:`faq_entry_unpublish`,
:func:`faq_draft_from_questions` (an unanswered-question group → a new draft entry) and
:func:`inquiry_answer`. The resident side: :func:`assistant_ask`, :func:`question_feedback`,
:func:`inquiry_create`. Bulk: :func:`faq_import` and :func:`faq_embeddings_update`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from madoguchi.assistant.content import answer_html_from_input, answer_text_from_html
from madoguchi.assistant.csvio import FaqImportError, FaqRow
from madoguchi.assistant.embedding import get_embedder, vector_to_bytes
from madoguchi.assistant.language import detect_language
from madoguchi.assistant.messages import message
from madoguchi.assistant.models import (
    LANGUAGES,
    Category,
    EntryStatus,
    FaqEmbedding,
    FaqEntry,
    FaqTranslation,
    FaqVersion,
    Feedback,
    Inquiry,
    InquiryStatus,
    KnowledgeBase,
    QuestionLog,
    TextKind,
)
from madoguchi.assistant.scrub import scrub
from madoguchi.audit.services import audit_log
from madoguchi.tenants.models import Department, Municipality

MAX_QUESTION_LENGTH = 500
MAX_ANSWER_LENGTH = 5000
EXTERNAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
URL_RE = re.compile(r"^https?://[^\s]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class FaqInvalid(Exception):
    """An entry cannot be saved; ``errors`` are reasons (English, for staff and logs)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class TranslationIn:
    """One language of an entry as written: the answer may be plain text or (allowed) HTML."""

    question: str
    answer: str


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


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _validate(
    *,
    external_id: str,
    category: str,
    translations: dict[str, tuple[str, str]],
    source_url: str,
    procedure_slug: str,
    status: str,
) -> list[str]:
    errors = []
    if not EXTERNAL_ID_RE.match(external_id or ""):
        errors.append("The id must be 1 to 64 letters, digits, '.', '_' or '-'.")
    if category not in Category.values:
        errors.append(f"Unknown category {category!r}; use one of {', '.join(Category.values)}.")
    if "ja" not in translations:
        errors.append("A Japanese (ja) version is required.")
    for language, (question, answer_html) in translations.items():
        if language not in LANGUAGES:
            errors.append(f"Unknown language {language!r}; use one of {', '.join(LANGUAGES)}.")
        if not question.strip():
            errors.append(f"The {language} question is empty.")
        elif len(question) > MAX_QUESTION_LENGTH:
            errors.append(f"The {language} question is longer than {MAX_QUESTION_LENGTH} characters.")
        if not answer_html.strip():
            errors.append(f"The {language} answer is empty.")
        elif len(answer_html) > MAX_ANSWER_LENGTH:
            errors.append(f"The {language} answer is longer than {MAX_ANSWER_LENGTH} characters.")
    if source_url and (len(source_url) > 500 or not URL_RE.match(source_url)):
        errors.append("The URL must start with http:// or https://.")
    if procedure_slug and not SLUG_RE.match(procedure_slug):
        errors.append(f"{procedure_slug!r} is not a procedure slug.")
    if status not in EntryStatus.values:
        errors.append("The status must be draft or published.")
    return errors


def _snapshot(
    *,
    external_id: str,
    category: str,
    department: Department | None,
    source_url: str,
    procedure_slug: str,
    status: str,
    translations: dict[str, tuple[str, str]],
) -> dict:
    return {
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


def _prepared(translations: dict[str, TranslationIn]) -> dict[str, tuple[str, str]]:
    return {
        language: (" ".join(t.question.split()), answer_html_from_input(t.answer))
        for language, t in translations.items()
    }


def _faq_entry_save(
    *,
    entry: FaqEntry,
    translations: dict[str, tuple[str, str]],
    actor: str,
    event: str,
    schedule_embeddings: bool = True,
) -> bool:
    """Save ``entry`` with ``translations`` as a new version if its content changed."""
    errors = _validate(
        external_id=entry.external_id,
        category=entry.category,
        translations=translations,
        source_url=entry.source_url,
        procedure_slug=entry.procedure_slug,
        status=entry.status,
    )
    if errors:
        raise FaqInvalid(errors)
    snapshot = _snapshot(
        external_id=entry.external_id,
        category=entry.category,
        department=entry.department,
        source_url=entry.source_url,
        procedure_slug=entry.procedure_slug,
        status=entry.status,
        translations=translations,
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
            faq_embeddings_schedule(municipality=municipality)
    return True


def _department(municipality: Municipality, code: str | None) -> Department | None:
    if not code:
        return None
    department = Department.objects.for_municipality(municipality).filter(code=code).first()
    if department is None:
        raise FaqInvalid([f"Unknown department {code!r}."])
    return department


def faq_entry_create(
    *,
    municipality: Municipality,
    external_id: str,
    category: str,
    translations: dict[str, TranslationIn],
    actor: str,
    department: Department | None = None,
    source_url: str = "",
    procedure_slug: str = "",
    status: str = EntryStatus.DRAFT,
    schedule_embeddings: bool = True,
) -> FaqEntry:
    """Create an entry (version 1). Raise :class:`FaqInvalid` if it is invalid or the id is taken."""
    if FaqEntry.objects.for_municipality(municipality).filter(external_id=external_id).exists():
        raise FaqInvalid([f"An entry with id {external_id!r} already exists."])
    entry = FaqEntry(
        municipality=municipality,
        external_id=external_id,
        category=category,
        department=department,
        source_url=source_url,
        procedure_slug=procedure_slug,
        status=status,
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


def faq_entry_update(
    *,
    entry: FaqEntry,
    actor: str,
    category: str = _UNSET,
    department: Department | None = _UNSET,
    source_url: str = _UNSET,
    procedure_slug: str = _UNSET,
    translations: dict[str, TranslationIn] | None = None,
    replace_translations: bool = False,
    schedule_embeddings: bool = True,
) -> bool:
    """Change ``entry``; return whether a new version was made (False if nothing changed).

    ``translations`` adds or replaces the given languages; with ``replace_translations``
    the languages not given are removed (ja can never be removed).
    """
    current = {
        t.language: (t.question, t.answer_html)
        for t in FaqTranslation.objects.for_municipality(entry.municipality).filter(entry=entry)
    }
    wanted = {} if replace_translations else dict(current)
    wanted.update(_prepared(translations or {}))
    for name, value in (
        ("category", category),
        ("department", department),
        ("source_url", source_url),
        ("procedure_slug", procedure_slug),
    ):
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


# ---------------------------------------------------------------------------------------------
# Embeddings


@dataclass(frozen=True)
class _Pending:
    entry_id: int
    language: str
    kind: str
    text: str
    text_hash: str


def _pending_embeddings(municipality: Municipality, model: str, kinds: Iterable[str]) -> list[_Pending]:
    have = {
        (e.entry_id, e.language, e.kind): e.text_hash
        for e in FaqEmbedding.objects.for_municipality(municipality)
        .filter(model=model)
        .only("entry_id", "language", "kind", "text_hash")
    }
    pending = []
    for t in FaqTranslation.objects.for_municipality(municipality).order_by("entry_id", "language"):
        texts = {TextKind.QUESTION: t.question, TextKind.ANSWER: answer_text_from_html(t.answer_html)}
        for kind in kinds:
            text = texts[kind]
            digest = _text_hash(text)
            if have.get((t.entry_id, t.language, kind)) != digest:
                pending.append(_Pending(t.entry_id, t.language, kind, text, digest))
    return pending


def faq_embeddings_missing(*, municipality: Municipality, kinds: Iterable[str] = ("q", "a")) -> int:
    """Return how many texts of ``municipality`` lack a current vector for the active model."""
    return len(_pending_embeddings(municipality, get_embedder().name, kinds))


def faq_embeddings_update(
    *,
    municipality: Municipality,
    kinds: Iterable[str] = ("q", "a"),
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 8,
) -> int:
    """Compute the missing or outdated passage vectors of ``municipality``; return how many.

    Incremental: a text whose hash and model match its stored vector is skipped. Each
    batch is committed on its own, so a long run can be interrupted and resumed, and the
    knowledge-base revision moves after each batch so answers use new vectors at once.
    ``progress(done, total)`` is called after each batch.
    """
    embedder = get_embedder()
    pending = _pending_embeddings(municipality, embedder.name, kinds)
    total = len(pending)
    if progress:
        progress(0, total)
    for start in range(0, total, batch_size):
        batch = pending[start : start + batch_size]
        vectors = embedder.embed_passages([p.text for p in batch])
        with transaction.atomic():
            for item, vector in zip(batch, vectors, strict=True):
                FaqEmbedding.objects.for_municipality(municipality).update_or_create(
                    municipality=municipality,
                    entry_id=item.entry_id,
                    language=item.language,
                    kind=item.kind,
                    model=embedder.name,
                    defaults={"text_hash": item.text_hash, "vector": vector_to_bytes(vector)},
                )
            kb_touch(municipality=municipality)
        if progress:
            progress(min(start + batch_size, total), total)
    return total


def faq_embeddings_schedule(*, municipality: Municipality, kinds: Iterable[str] = ("q", "a")) -> None:
    """Queue the embedding job for ``municipality`` once the current transaction commits."""
    from madoguchi.assistant.tasks import faq_embeddings_task

    kinds = list(kinds)
    transaction.on_commit(lambda: faq_embeddings_task.enqueue(municipality.pk, kinds))


# ---------------------------------------------------------------------------------------------
# Asking


@dataclass(frozen=True)
class AnswerView:
    """One entry as shown to a resident, in the language it is shown in."""

    external_id: str
    question: str
    answer_html: str
    answer_text: str
    language: str
    score: float
    source_url: str
    category: str
    category_label: str
    fallback: bool
    procedure_slug: str


@dataclass(frozen=True)
class Handoff:
    """Where a resident goes when the assistant is not sure: a department, or the city's number."""

    department: str
    phone: str
    inquiry: bool = True


@dataclass
class AskResult:
    question_id: uuid.UUID
    language: str
    confident: bool
    confidence: float
    answers: list[AnswerView]
    handoff: Handoff | None
    note: str = ""


def _answer_language(available: Iterable[str], language: str) -> str:
    available = set(available)
    if language in available:
        return language
    if language not in ("ja",) and "ja-x-easy" in available:
        return "ja-x-easy"
    return "ja"


def assistant_ask(
    *, municipality: Municipality, question: str, language: str | None = None, limit: int = 3
) -> AskResult:
    """Answer ``question`` from ``municipality``'s published FAQ and log it (scrubbed).

    The question is scrubbed of personal data first and searched as scrubbed, so what is
    logged is exactly what was searched. The first answer is the best entry in the
    resident's language, or its Japanese text (やさしい日本語 first for a non-Japanese
    resident) with a note; further answers are related entries. When the confidence is
    below the threshold, ``handoff`` names the responsible department and its phone.
    """
    from madoguchi.assistant.index import kb_index
    from madoguchi.procedures.selectors import procedure_list

    text = scrub(question.strip())
    language = language or detect_language(text)
    index = kb_index(municipality=municipality)
    result = index.retriever.search(text, language=language, limit=max(limit, 1))
    published = {p.slug for p in procedure_list(municipality=municipality)} if result.hits else set()
    answers = []
    for hit in result.hits[:limit]:
        entry = index.entries[hit.key]
        shown = _answer_language(entry.translations, language)
        q, answer_html, answer_text = entry.translations[shown]
        answers.append(
            AnswerView(
                external_id=entry.external_id,
                question=q,
                answer_html=answer_html,
                answer_text=answer_text,
                language=shown,
                score=round(hit.score, 4),
                source_url=entry.source_url,
                category=entry.category,
                category_label=str(Category(entry.category).label),
                fallback=shown != language,
                procedure_slug=entry.procedure_slug if entry.procedure_slug in published else "",
            )
        )
    confident = result.confident
    handoff = None
    if not confident:
        entry = index.entries[result.hits[0].key] if result.hits and result.hits[0].score > 0.2 else None
        if entry is not None and entry.department_name:
            handoff = Handoff(
                department=entry.department_name, phone=entry.department_phone or municipality.contact_phone
            )
        else:
            handoff = Handoff(department=municipality.name, phone=municipality.contact_phone)
    log = QuestionLog.objects.create(
        municipality=municipality,
        text=text[:MAX_QUESTION_LENGTH],
        language=language,
        entry_ids=[a.external_id for a in answers],
        score=round(result.top, 4),
        confidence=round(result.confidence, 4),
        confident=confident,
        vector=vector_to_bytes(result.query_vector) if result.query_vector is not None else b"",
        model=index.model,
    )
    note = message("fallback_note", language) if answers and answers[0].fallback else ""
    return AskResult(
        question_id=log.public_id,
        language=language,
        confident=confident,
        confidence=round(result.confidence, 4),
        answers=answers,
        handoff=handoff,
        note=note,
    )


class QuestionNotFound(Exception):
    pass


def _uuid(value: object) -> uuid.UUID | None:
    """Return ``value`` as a UUID, or None if it is not one (an id from outside is never trusted)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def question_feedback(*, municipality: Municipality, question_id: uuid.UUID | str, feedback: str) -> QuestionLog:
    """Record a resident's 役に立った / 役に立たなかった on an answer (the last one counts)."""
    if feedback not in Feedback.values:
        raise ValueError(feedback)
    public_id = _uuid(question_id)
    log = QuestionLog.objects.for_municipality(municipality).filter(public_id=public_id).first() if public_id else None
    if log is None:
        raise QuestionNotFound
    log.feedback = feedback
    log.save(update_fields=["feedback"])
    return log


# ---------------------------------------------------------------------------------------------
# Inquiries and unanswered questions


def inquiry_create(
    *,
    municipality: Municipality,
    question: str,
    email: str = "",
    language: str = "ja",
    question_id: uuid.UUID | str | None = None,
) -> Inquiry:
    """Hand a question to staff (status open). The e-mail address is optional."""
    question = question.strip()
    email = email.strip()
    if not question or len(question) > MAX_QUESTION_LENGTH * 4:
        raise FaqInvalid(["The question must be 1 to 2000 characters."])
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise FaqInvalid(["The e-mail address is not valid."])
    public_id = _uuid(question_id)
    log = QuestionLog.objects.for_municipality(municipality).filter(public_id=public_id).first() if public_id else None
    department = None
    if log is not None and log.entry_ids:
        entry = FaqEntry.objects.for_municipality(municipality).filter(external_id=log.entry_ids[0]).first()
        department = entry.department if entry and not log.confident else None
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            municipality=municipality,
            question=question,
            email=email,
            language=language if language in LANGUAGES else "ja",
            question_log=log,
            department=department,
        )
        audit_log(
            municipality=municipality,
            event="assistant.inquiry.created",
            actor="resident",
            object_type="assistant.inquiry",
            object_id=str(inquiry.public_id),
            payload={"language": inquiry.language, "email_given": bool(email)},
        )
    return inquiry


def inquiry_answer(*, inquiry: Inquiry, answer: str, actor: str) -> Inquiry:
    """Record staff's answer to an inquiry and close it (status answered)."""
    if not answer.strip():
        raise FaqInvalid(["The answer is empty."])
    with transaction.atomic():
        inquiry.answer = answer.strip()
        inquiry.answered_by = actor
        inquiry.answered_at = timezone.now()
        inquiry.status = InquiryStatus.ANSWERED
        inquiry.save(update_fields=["answer", "answered_by", "answered_at", "status"])
        audit_log(
            municipality=inquiry.municipality,
            event="assistant.inquiry.answered",
            actor=actor,
            object_type="assistant.inquiry",
            object_id=str(inquiry.public_id),
        )
    return inquiry


def faq_draft_from_questions(
    *,
    municipality: Municipality,
    question_ids: list[uuid.UUID | str],
    external_id: str,
    category: str,
    actor: str,
    department: Department | None = None,
) -> FaqEntry:
    """Turn a group of unanswered questions into a new draft entry and mark them as taken up.

    The draft's Japanese question is the group's first Japanese question (or its first
    question); its answer is a placeholder for staff to write. Other languages' questions
    become that language's question, with the same placeholder answer, so the entry is
    found by the very words residents used once it is written and published.
    """
    logs = list(QuestionLog.objects.for_municipality(municipality).filter(public_id__in=question_ids))
    if not logs:
        raise FaqInvalid(["No such questions."])
    placeholder = "（回答を記入してください）"
    by_language: dict[str, str] = {}
    for log in logs:
        by_language.setdefault(log.language, log.text)
    if "ja" not in by_language:
        by_language["ja"] = logs[0].text
    with transaction.atomic():
        entry = faq_entry_create(
            municipality=municipality,
            external_id=external_id,
            category=category,
            translations={lang: TranslationIn(q, placeholder) for lang, q in by_language.items() if lang in LANGUAGES},
            department=department,
            status=EntryStatus.DRAFT,
            actor=actor,
        )
        QuestionLog.objects.for_municipality(municipality).filter(pk__in=[log.pk for log in logs]).update(
            draft_entry=entry
        )
    return entry
