"""`import --async` (issue 13): the assistant answers from BM25 while the embeddings are queued."""

from __future__ import annotations

import numpy as np
from tests.assistant.conftest import DATA

from madoguchi.assistant.answering import assistant_ask
from madoguchi.assistant.csvio import read_faq_csv
from madoguchi.assistant.entry_vectors import faq_embeddings_update
from madoguchi.assistant.importing import faq_import
from madoguchi.assistant.models import FaqEmbedding, QuestionLog


def test_a_just_imported_faq_is_searched_lexically_before_its_embeddings(aoba):
    faq_import(municipality=aoba, rows=read_faq_csv((DATA / "faq.csv").read_bytes()), actor="test")
    assert not FaqEmbedding.objects.for_municipality(aoba).exists()

    # found by BM25 alone; shown only when BM25 alone is sure enough (LEXICAL_CALIBRATION: rarely)
    for question in ("住民票の写しはどこで取れますか", "住民票の写しが欲しい"):
        result = assistant_ask(municipality=aoba, question=question)
        logged = QuestionLog.objects.for_municipality(aoba).get(public_id=result.question_id)
        assert logged.entry_ids[0] == "certificates-001"
        assert [a.external_id for a in result.answers[:1]] in ([], ["certificates-001"])
    unsure = assistant_ask(municipality=aoba, question="市長の好きな食べ物は？")
    assert not unsure.confident and unsure.answers == []

    faq_embeddings_update(municipality=aoba)
    after = assistant_ask(municipality=aoba, question="住民票の写しはどこで取れますか")
    assert after.confident and after.answers[0].external_id == "certificates-001"


def test_answer_vectors_hold_one_row_per_titled_passage(faq):
    from madoguchi.assistant.embedding import get_embedder, vector_from_bytes
    from madoguchi.assistant.entry_vectors import embedded_texts
    from madoguchi.assistant.passages import dense_passages
    from madoguchi.assistant.services import faq_entry_create
    from madoguchi.assistant.validation import TranslationIn

    sections = "\n\n".join(f"■手続き{i}\n" + "窓口で申請書を出してください。" * 20 for i in range(6))
    entry = faq_entry_create(
        municipality=faq, external_id="long-001", category="",
        translations={"ja": TranslationIn("長い回答の質問", sections)}, actor="test",
    )  # fmt: skip
    faq_embeddings_update(municipality=faq)
    vector = FaqEmbedding.objects.for_municipality(faq).get(entry=entry, language="ja", kind="a").vector
    rows = vector_from_bytes(vector).reshape(-1, get_embedder().dim)
    passages = dense_passages(sections)
    assert len(rows) == len(passages) == 3  # six sections, the first three embedded
    texts = embedded_texts("a", sections, "長い回答の質問")
    assert texts[0].startswith("長い回答の質問\n■手続き0")
    assert np.allclose(rows, get_embedder().embed_passages(texts), atol=1e-5)


def test_an_answer_vector_stored_with_more_passages_is_read_as_its_first_three(faq):
    """A vector of the previous release (four passages) is not recomputed: the index takes its first rows."""
    from madoguchi.assistant.embedding import get_embedder, vector_to_bytes
    from madoguchi.assistant.entry_vectors import embedded_texts, faq_embeddings_missing
    from madoguchi.assistant.index import kb_index, kb_vectors
    from madoguchi.assistant.passages import split_passages
    from madoguchi.assistant.services import faq_entry_create
    from madoguchi.assistant.validation import TranslationIn

    sections = "\n\n".join(f"■手続き{i}\n" + "窓口で申請書を出してください。" * 20 for i in range(6))
    entry = faq_entry_create(
        municipality=faq, external_id="long-002", category="",
        translations={"ja": TranslationIn("四つの節の質問", sections)}, actor="test", status="published",
    )  # fmt: skip
    faq_embeddings_update(municipality=faq)
    stored = FaqEmbedding.objects.for_municipality(faq).get(entry=entry, language="ja", kind="a")
    four = get_embedder().embed_passages(embedded_texts("a", sections, "四つの節の質問", passages=4))
    assert len(split_passages(sections)) == 6 and len(four) == 4
    stored.vector = vector_to_bytes(four)  # as the previous release stored it
    stored.save(update_fields=["vector"])

    assert faq_embeddings_missing(municipality=faq) == 0  # same hash: nothing to recompute
    entries = kb_index(municipality=faq).entries
    rows = dict(kb_vectors(municipality=faq, entries=entries, kinds=("a",)))[entry.pk]
    assert rows.shape == (3, get_embedder().dim)
    assert np.allclose(rows, four[:3])
