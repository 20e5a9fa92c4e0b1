"""Reads of the assistant for the portal, the API and the back office.

Back office building blocks: :func:`faq_entry_list`, :func:`faq_entry_get`,
:func:`faq_versions`, :func:`unanswered_questions`, :func:`unanswered_groups` (similar
unanswered questions grouped, largest first — each group can become a draft with
``answering.faq_draft_from_questions``), :func:`inquiry_list`, :func:`inquiry_get`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from madoguchi.assistant.content import answer_text_from_html
from madoguchi.assistant.embedding import vector_from_bytes
from madoguchi.assistant.models import (
    FaqEntry,
    FaqTranslation,
    FaqVersion,
    Feedback,
    Inquiry,
    QuestionLog,
)
from madoguchi.tenants.models import Municipality

GROUP_THRESHOLD = 0.88


def faq_entry_list(
    *, municipality: Municipality, status: str = "", category: str = "", query: str = ""
) -> QuerySet[FaqEntry]:
    """Return ``municipality``'s entries (all statuses unless ``status``), with translations."""
    queryset = FaqEntry.objects.for_municipality(municipality).select_related("department")
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if query:
        matching = FaqTranslation.objects.for_municipality(municipality).filter(
            Q(question__icontains=query) | Q(answer_html__icontains=query)
        )
        queryset = queryset.filter(Q(external_id__icontains=query) | Q(pk__in=matching.values("entry_id")))
    translations = FaqTranslation.objects.for_municipality(municipality)
    return queryset.prefetch_related(Prefetch("translations", queryset=translations)).order_by("external_id")


def faq_entry_exists(*, municipality: Municipality, external_id: str) -> bool:
    return FaqEntry.objects.for_municipality(municipality).filter(external_id=external_id).exists()


def faq_entry_get(*, municipality: Municipality, external_id: str) -> FaqEntry:
    """Return the entry ``external_id`` of ``municipality`` or raise Http404."""
    entry = FaqEntry.objects.for_municipality(municipality).filter(external_id=external_id).first()
    if entry is None:
        raise Http404("Unknown FAQ entry")
    return entry


def faq_versions(*, entry: FaqEntry) -> QuerySet[FaqVersion]:
    """Return every version of ``entry``, oldest first (each an immutable snapshot)."""
    return FaqVersion.objects.for_municipality(entry.municipality).filter(entry=entry).order_by("number")


def faq_export_rows(*, municipality: Municipality) -> list[dict]:
    """Return the CSV rows (one per entry and language) of ``municipality``'s whole FAQ."""
    rows = []
    for entry in faq_entry_list(municipality=municipality):
        for t in sorted(entry.translations.all(), key=lambda t: (t.language != "ja", t.language)):
            rows.append(
                {
                    "id": entry.external_id,
                    "question": t.question,
                    "answer": answer_text_from_html(t.answer_html),
                    "language": t.language,
                    "category": entry.category,
                    "url": entry.source_url,
                    "department": entry.department.code if entry.department else "",
                    "procedure": entry.procedure_slug,
                    "status": entry.status,
                    "updated": entry.source_updated.isoformat() if entry.source_updated else "",
                }
            )
    return rows


def unanswered_questions(*, municipality: Municipality, since: datetime | None = None) -> QuerySet[QuestionLog]:
    """Return questions the assistant was not sure about or residents found unhelpful,
    not yet taken up into a draft entry, newest first."""
    queryset = QuestionLog.objects.for_municipality(municipality).filter(
        Q(confident=False) | Q(feedback=Feedback.NOT_HELPFUL), draft_entry__isnull=True
    )
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    return queryset.order_by("-created_at")


@dataclass
class QuestionGroup:
    """Similar unanswered questions; ``text`` is the one closest to the group's centre."""

    text: str
    questions: list[QuestionLog]
    languages: dict[str, int]

    @property
    def size(self) -> int:
        return len(self.questions)

    @property
    def question_ids(self) -> list[str]:
        return [str(q.public_id) for q in self.questions]


def group_vectors(vectors: list[np.ndarray], threshold: float = GROUP_THRESHOLD) -> list[list[int]]:
    """Greedy single-pass clustering: each vector joins the first group whose normalised
    centroid it is at least ``threshold`` similar to, else starts a group. Return index lists."""
    groups: list[list[int]] = []
    centroids: list[np.ndarray] = []
    for i, vector in enumerate(vectors):
        best, best_similarity = -1, threshold
        for g, centroid in enumerate(centroids):
            similarity = float(centroid @ vector)
            if similarity >= best_similarity:
                best, best_similarity = g, similarity
        if best < 0:
            groups.append([i])
            centroids.append(vector.copy())
        else:
            groups[best].append(i)
            total = np.sum([vectors[j] for j in groups[best]], axis=0)
            centroids[best] = total / (np.linalg.norm(total) or 1.0)
    return groups


def unanswered_groups(
    *,
    municipality: Municipality,
    since: datetime | None = None,
    threshold: float = GROUP_THRESHOLD,
    limit: int = 500,
) -> list[QuestionGroup]:
    """Return the unanswered questions (at most ``limit``, newest) grouped by meaning, largest first."""
    logs = [log for log in unanswered_questions(municipality=municipality, since=since)[:limit] if log.vector]
    vectors = [vector_from_bytes(log.vector) for log in logs]
    result = []
    for members in group_vectors(vectors, threshold):
        questions = [logs[i] for i in members]
        centre = np.sum([vectors[i] for i in members], axis=0)
        representative = max(members, key=lambda i: float(vectors[i] @ centre))
        result.append(
            QuestionGroup(
                text=logs[representative].text,
                questions=questions,
                languages=dict(Counter(q.language for q in questions)),
            )
        )
    return sorted(result, key=lambda g: -g.size)


def inquiry_list(*, municipality: Municipality, status: str = "") -> QuerySet[Inquiry]:
    """Return ``municipality``'s inquiries, newest first, optionally of one status."""
    queryset = Inquiry.objects.for_municipality(municipality).select_related("department")
    return queryset.filter(status=status) if status else queryset


def inquiry_get(*, municipality: Municipality, public_id: str) -> Inquiry:
    """Return the inquiry ``public_id`` of ``municipality`` or raise Http404."""
    from madoguchi.assistant.inquiries import _uuid

    valid = _uuid(public_id)
    inquiry = Inquiry.objects.for_municipality(municipality).filter(public_id=valid).first() if valid else None
    if inquiry is None:
        raise Http404("Unknown inquiry")
    return inquiry
