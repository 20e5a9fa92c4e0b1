"""Background jobs of the assistant (Django's task API; the django-tasks database queue by default).

Embedding a large FAQ is spread over the worker processes: :func:`faq_embeddings_task` looks
at what is missing and, when it is more than one chunk, queues one
:func:`faq_embeddings_chunk_task` per chunk of entries (about :data:`CHUNK_TEXTS` texts) on
the default queue, so every worker of that queue takes chunks, one engine per process. A chunk
recomputes what is still missing among its entries when it runs, so a chunk run twice (a job
queued twice, a worker that died and was requeued) costs nothing the second time, and an entry
edited meanwhile is embedded with its new text. Each stored batch moves the knowledge-base
stamp (in ``faq_embeddings_update``), so answers use the new vectors at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django_scopes import scope
from django_tasks import task

from madoguchi.tenants.models import Municipality

# Texts per chunk: about 10-20 s of one core, so two workers share the work evenly, a requeued
# chunk loses little, and the web processes rebuild their index a few dozen times at most.
CHUNK_TEXTS = 64


def embedding_chunks(pending: Iterable[tuple[int, int]], size: int | None = None) -> list[list[int]]:
    """Group (entry id, texts pending) into lists of entry ids of about ``size`` texts each.

    An entry is never split: its texts are found again by entry when the chunk runs.
    """
    size = size or CHUNK_TEXTS
    chunks: list[list[int]] = []
    current: list[int] = []
    count = 0
    for entry_id, texts in pending:
        current.append(entry_id)
        count += texts
        if count >= size:
            chunks.append(current)
            current, count = [], 0
    if current:
        chunks.append(current)
    return chunks


def faq_embeddings_enqueue(*, municipality: Municipality, kinds: Iterable[str] = ("q", "a")) -> tuple[int, int]:
    """Queue one chunk job per :data:`CHUNK_TEXTS` missing texts; return (texts, jobs)."""
    from madoguchi.assistant.entry_vectors import faq_embeddings_pending_entries

    kinds = list(kinds)
    pending = faq_embeddings_pending_entries(municipality=municipality, kinds=kinds)
    return sum(texts for _entry, texts in pending), _enqueue_chunks(municipality.pk, pending, kinds)


def _enqueue_chunks(municipality_id: int, pending: list[tuple[int, int]], kinds: list[str]) -> int:
    chunks = embedding_chunks(pending)
    for entry_ids in chunks:
        faq_embeddings_chunk_task.enqueue(municipality_id, entry_ids, kinds)
    return len(chunks)


@task()
def faq_embeddings_task(municipality_id: int, kinds: list[str] | None = None) -> int:
    """Compute the missing embeddings of one municipality's FAQ, here or spread over chunk jobs.

    Return how many texts were embedded here (0 when the work was queued as chunks).
    """
    from madoguchi.assistant.entry_vectors import faq_embeddings_pending_entries, faq_embeddings_update

    kinds = kinds or ["q", "a"]
    municipality = Municipality.objects.get(pk=municipality_id)
    with scope(municipality=municipality):
        pending = faq_embeddings_pending_entries(municipality=municipality, kinds=kinds)
        if sum(texts for _entry, texts in pending) <= CHUNK_TEXTS:  # an edit or two: not worth a hop
            return faq_embeddings_update(municipality=municipality, kinds=kinds)
        _enqueue_chunks(municipality_id, pending, kinds)
        return 0


@task()
def faq_embeddings_chunk_task(municipality_id: int, entry_ids: list[int], kinds: list[str]) -> int:
    """Compute the missing embeddings of some entries of one municipality; return how many."""
    from madoguchi.assistant.entry_vectors import faq_embeddings_update

    municipality = Municipality.objects.get(pk=municipality_id)
    with scope(municipality=municipality):
        return faq_embeddings_update(municipality=municipality, kinds=kinds, entry_ids=entry_ids)
