"""The stored vectors of FAQ entries: which texts are embedded, which lack a current vector, and
computing them (by the embedding job, ``tasks``, or the ``assistant`` command).

A vector is stored with the hash of the text it was made from (:func:`embedded_text_hash`), so
an edited entry's old vector is never used (``index.kb_vectors``) and is redone here. Each
batch moves the knowledge-base revision (``services.kb_touch``), so answers use new vectors
at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from django.db import transaction

from madoguchi.assistant.content import answer_text_from_html
from madoguchi.assistant.embedding import get_embedder, vector_to_bytes
from madoguchi.assistant.models import FaqEmbedding, FaqTranslation, TextKind
from madoguchi.assistant.passages import MAX_DENSE_PASSAGES, dense_passages
from madoguchi.assistant.services import kb_touch
from madoguchi.tenants.models import Municipality


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class _Pending:
    entry_id: int
    language: str
    kind: str
    texts: list[str]  # one for a question, the answer's passages for an answer
    text_hash: str


# An answer is embedded as passages (one vector row each, ``passages.dense_passages``), each
# under its entry's question, which names the topic a passage alone often does not (measured:
# docs/assistant.md). The scheme is part of the hash, so vectors made before it are redone.
# How many passages get a vector is not: fewer passages are the first rows of more, and the
# index reads a stored answer's first MAX_DENSE_PASSAGES rows (``index.kb_vectors``).
PASSAGE_SCHEME = "passages-v2-titled"


def embedded_texts(kind: str, text: str, question: str = "", *, passages: int = MAX_DENSE_PASSAGES) -> list[str]:
    """The texts embedded for ``text`` of ``kind``: a question itself, an answer's first ``passages`` titled."""
    if kind != TextKind.ANSWER:
        return [text]
    return [f"{question}\n{passage}" if question else passage for passage in dense_passages(text, limit=passages)]


def embedded_text_hash(kind: str, text: str, question: str = "") -> str:
    """The hash a vector of ``text`` of ``kind`` is stored with (and checked against)."""
    if kind != TextKind.ANSWER:
        return _text_hash(text)
    return _text_hash(f"{PASSAGE_SCHEME}\n{question}\n{text}")


def _pending_embeddings(
    municipality: Municipality, model: str, kinds: Iterable[str], entry_ids: Collection[int] | None = None
) -> list[_Pending]:
    embeddings = FaqEmbedding.objects.for_municipality(municipality).filter(model=model)
    translations = FaqTranslation.objects.for_municipality(municipality)
    if entry_ids is not None:
        embeddings = embeddings.filter(entry_id__in=list(entry_ids))
        translations = translations.filter(entry_id__in=list(entry_ids))
    have = {
        (e.entry_id, e.language, e.kind): e.text_hash
        for e in embeddings.only("entry_id", "language", "kind", "text_hash")
    }
    pending = []
    for t in translations.order_by("entry_id", "language"):
        texts = {TextKind.QUESTION: t.question, TextKind.ANSWER: answer_text_from_html(t.answer_html)}
        for kind in kinds:
            text = texts[kind]
            digest = embedded_text_hash(kind, text, t.question)
            if have.get((t.entry_id, t.language, kind)) != digest:
                pending.append(_Pending(t.entry_id, t.language, kind, embedded_texts(kind, text, t.question), digest))
    return pending


def faq_embeddings_missing(*, municipality: Municipality, kinds: Iterable[str] = ("q", "a")) -> int:
    """Return how many texts of ``municipality`` lack a current vector for the active model."""
    return len(_pending_embeddings(municipality, get_embedder().name, kinds))


def faq_embeddings_update(
    *,
    municipality: Municipality,
    kinds: Iterable[str] = ("q", "a"),
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 32,
    entry_ids: Collection[int] | None = None,
) -> int:
    """Compute the missing or outdated passage vectors of ``municipality``; return how many texts.

    Incremental: a text whose hash and model match its stored vector is skipped, so running
    it again, or twice at once, does no harm. ``entry_ids`` limits it to those entries (one
    chunk of :func:`~madoguchi.assistant.tasks.faq_embeddings_task`). Each batch (about
    ``batch_size`` passages, the engine's batch) is committed on its own, so a long run can be
    interrupted and resumed, and the knowledge-base revision moves after each batch so answers
    use new vectors at once. ``progress(done, total)`` is called after each batch, in texts.
    """
    embedder = get_embedder()
    pending = _pending_embeddings(municipality, embedder.name, kinds, entry_ids)
    total = len(pending)
    if progress:
        progress(0, total)
    done = 0
    while done < total:
        batch, passages = [], 0
        while done + len(batch) < total and (not batch or passages < batch_size):
            item = pending[done + len(batch)]
            batch.append(item)
            passages += len(item.texts)
        vectors = embedder.embed_passages([text for item in batch for text in item.texts])
        rows, row = [], 0
        for item in batch:
            rows.append(
                FaqEmbedding(
                    municipality=municipality,
                    entry_id=item.entry_id,
                    language=item.language,
                    kind=item.kind,
                    model=embedder.name,
                    text_hash=item.text_hash,
                    vector=vector_to_bytes(vectors[row : row + len(item.texts)]),
                )
            )
            row += len(item.texts)
        with transaction.atomic():
            # An upsert: two workers on the same texts (a job queued twice) both succeed.
            FaqEmbedding.objects.for_municipality(municipality).bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["entry", "language", "kind", "model"],
                update_fields=["text_hash", "vector"],
            )
            kb_touch(municipality=municipality)
        done += len(batch)
        if progress:
            progress(done, total)
    return total


def faq_embeddings_pending_entries(
    *, municipality: Municipality, kinds: Iterable[str] = ("q", "a")
) -> list[tuple[int, int]]:
    """Return (entry id, texts without a current vector) of each entry that has such texts."""
    counts: dict[int, int] = {}
    for item in _pending_embeddings(municipality, get_embedder().name, kinds):
        counts[item.entry_id] = counts.get(item.entry_id, 0) + 1
    return list(counts.items())


def faq_embeddings_schedule(*, municipality: Municipality, kinds: Iterable[str] = ("q", "a")) -> None:
    """Queue the embedding job for ``municipality`` once the current transaction commits."""
    from madoguchi.assistant.tasks import faq_embeddings_task

    kinds = list(kinds)
    transaction.on_commit(lambda: faq_embeddings_task.enqueue(municipality.pk, kinds))
