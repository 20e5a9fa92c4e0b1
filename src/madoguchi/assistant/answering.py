"""The resident side of the assistant: asking, feedback — and turning the questions it could
not answer into draft entries for staff. Inquiries (handing a question to staff) are in
``inquiries``; their functions stay importable from here.

:func:`assistant_ask` scrubs the question of personal data, searches the published FAQ
(``index.kb_index``), logs the scrubbed question with what was answered and how sure it was,
and hands over to the department or an inquiry when not confident.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import transaction

from madoguchi.assistant.confidence import HANDOFF_CONFIDENCE
from madoguchi.assistant.embedding import vector_to_bytes
from madoguchi.assistant.inquiries import _uuid, inquiry_answer, inquiry_create, inquiry_read
from madoguchi.assistant.language import detect_language
from madoguchi.assistant.messages import message
from madoguchi.assistant.models import (
    LANGUAGES,
    EntryStatus,
    FaqEntry,
    Feedback,
    QuestionLog,
)
from madoguchi.assistant.scrub import scrub
from madoguchi.assistant.services import faq_entry_create
from madoguchi.assistant.validation import (
    MAX_QUESTION_LENGTH,
    FaqFieldError,
    FaqInvalid,
    QuestionInvalid,
    TranslationIn,
    text_normalised,
    text_problems,
)
from madoguchi.core.errors import NotFound
from madoguchi.tenants.models import Department, Municipality

__all__ = ["assistant_ask", "faq_draft_from_questions", "inquiry_answer", "inquiry_create", "inquiry_read"]

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
    below the threshold there are no answers: ``handoff`` names the responsible department
    and its phone, and the resident may send an inquiry.
    Raise :class:`QuestionInvalid` for an empty question or one over ``MAX_QUESTION_LENGTH``.
    """
    from madoguchi.assistant.index import kb_index
    from madoguchi.procedures.selectors import procedure_list

    question = text_normalised(question)
    errors = text_problems("question", question, limit=MAX_QUESTION_LENGTH)
    if errors:
        raise QuestionInvalid(errors)
    text = scrub(question)
    language = language or detect_language(text)
    index = kb_index(municipality=municipality)
    result = index.retriever.search(text, language=language, limit=max(limit, 1))
    confident = result.confident
    published = {p.slug for p in procedure_list(municipality=municipality)} if confident and result.hits else set()
    answers = []
    # Not confident: no answer at all, on every door (API, chat, page). An unsure first answer
    # shown above "no reliable answer was found" is read as the answer (「市長の好きな食べ物は？」
    # → a 防災備蓄 entry); the resident gets the contact and the inquiry form instead. The hits
    # are still logged, for staff's unanswered questions and the inquiry's department.
    for hit in result.hits[:limit] if confident else ():
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
                category_label=index.category_label(entry.category, language),
                fallback=shown != language,
                procedure_slug=entry.procedure_slug if entry.procedure_slug in published else "",
            )
        )
    handoff = None
    if not confident:
        # the first entry's department only when that entry is at least plausible: an off-topic
        # question goes to city hall, not to whichever department's entry happened to be first
        plausible = result.hits and result.confidence >= HANDOFF_CONFIDENCE
        entry = index.entries[result.hits[0].key] if plausible else None
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
        entry_ids=[index.entries[hit.key].external_id for hit in result.hits[:limit]],
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


class QuestionNotFound(NotFound):
    code = "question_not_found"


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


def faq_draft_from_questions(
    *,
    municipality: Municipality,
    question_ids: list[uuid.UUID | str],
    external_id: str,
    category: str,
    actor: str,
    department: Department | str | None = None,
    departments_allowed: Collection[str] | None = None,
) -> FaqEntry:
    """Turn a group of unanswered questions into a new draft entry and mark them as taken up.

    The draft's Japanese question is the group's first Japanese question (or its first
    question); its answer is a placeholder for staff to write. Other languages' questions
    become that language's question, with the same placeholder answer, so the entry is
    found by the very words residents used once it is written and published.
    ``department`` and ``departments_allowed`` as for ``services.faq_entry_create``.
    Raise :class:`FaqInvalid`: ``("question", "questions_gone")`` when none of the questions
    is left to take up (another draft took them), or the entry's problems.
    """
    ids = [public_id for public_id in (_uuid(value) for value in question_ids) if public_id]
    logs = list(QuestionLog.objects.for_municipality(municipality).filter(public_id__in=ids, draft_entry__isnull=True))
    if not logs:
        raise FaqInvalid([FaqFieldError("question", "questions_gone")])
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
            departments_allowed=departments_allowed,
            status=EntryStatus.DRAFT,
            actor=actor,
        )
        QuestionLog.objects.for_municipality(municipality).filter(pk__in=[log.pk for log in logs]).update(
            draft_entry=entry
        )
    return entry
