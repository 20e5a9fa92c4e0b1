"""Retrieval parts (issue 13): rank fusion, answer passages, synonym expansion, calibration."""

from __future__ import annotations

import numpy as np
import pytest

from madoguchi.assistant import confidence
from madoguchi.assistant.passages import MAX_DENSE_PASSAGES, dense_passages, split_passages
from madoguchi.assistant.retrieval import (
    LEGACY,
    Document,
    HybridRetriever,
    RetrievalOptions,
    combsum_scores,
    rrf_scores,
)
from madoguchi.assistant.synonyms import SynonymTable, get_synonyms
from madoguchi.assistant.text import get_analyser


class FlatEmbedder:
    """Every text the same vector: only the lexical ranking tells entries apart."""

    name = "flat"
    dim = 4

    def embed_queries(self, texts):
        return np.tile(np.array([1.0, 0, 0, 0], dtype=np.float32), (len(texts), 1))

    embed_passages = embed_queries


def retriever(documents, **options):
    return HybridRetriever(
        documents=documents, vectors=[], analyser=get_analyser(), embedder=FlatEmbedder(),
        options=RetrievalOptions(**options),
    )  # fmt: skip


# --- fusion


def test_rrf_puts_the_item_first_in_both_rankings_at_one():
    lexical = np.array([3.0, 0.0, 1.0])
    dense = np.array([0.9, 0.95, 0.1])
    fused = rrf_scores([(1.0, lexical), (1.0, dense)], size=3, k=60)
    assert np.argmax(fused) == 0  # first and second beats first only, and second and third
    assert fused[0] < 1.0
    alone = rrf_scores([(1.0, np.array([2.0, 1.0])), (1.0, np.array([0.9, 0.1]))], size=2, k=60)
    assert alone[0] == pytest.approx(1.0)


def test_rrf_ignores_items_without_score_and_unweighted_lists():
    fused = rrf_scores([(1.0, np.array([0.0, 0.0, 5.0])), (0.0, np.array([9.0, 0.0, 0.0]))], size=3, k=10)
    assert fused[0] == 0.0 and fused[1] == 0.0 and fused[2] == pytest.approx(1.0)


def test_rrf_weights_decide_between_disagreeing_rankings():
    lexical, dense = np.array([2.0, 1.0]), np.array([0.1, 0.9])
    assert np.argmax(rrf_scores([(1.0, lexical), (0.5, dense)], size=2, k=1)) == 0
    assert np.argmax(rrf_scores([(0.5, lexical), (1.0, dense)], size=2, k=1)) == 1


def test_combsum_puts_bm25_and_cosines_on_one_scale():
    bm25 = np.array([12.0, 6.0, 0.0])  # BM25 is unbounded
    cosine = np.array([1.80, 1.86, 1.85])  # shifted cosines sit in a narrow band
    fused = combsum_scores([(1.0, cosine), (1.0, bm25)])
    # each list is normalised to [0, 1] over its range: neither dominates by its scale
    assert fused == pytest.approx([(0.0 + 1.0) / 2, (1.0 + 0.5) / 2, (5 / 6 + 0.0) / 2])
    assert np.argmax(combsum_scores([(1.0, cosine), (0.1, bm25)])) == 1
    assert combsum_scores([(1.0, np.zeros(3)), (1.0, bm25)]) == pytest.approx([0.5, 0.25, 0.0])


# --- passages

LONG_ANSWER = (
    "住民票の写しは市民課の窓口で請求できます。\n\n"
    "■必要なもの\n・本人確認書類\n・手数料 1通300円\n\n"
    "■郵送で請求する場合\n請求書、定額小為替、返信用封筒を同封して送ってください。\n\n"
    "■受付時間\n平日 午前8時30分から午後5時15分まで"
)


def test_an_answer_is_split_at_its_headings():
    passages = split_passages(LONG_ANSWER)
    assert len(passages) == 4
    assert passages[0] == "住民票の写しは市民課の窓口で請求できます。"
    assert passages[1].startswith("■必要なもの") and "300円" in passages[1]
    assert passages[3].startswith("■受付時間")


def test_short_paragraphs_are_joined_and_long_ones_cut_at_sentence_ends():
    assert split_passages("一つ目です。\n\n二つ目です。") == ["一つ目です。\n二つ目です。"]
    long = "これは長い文です。" * 100  # 900 characters, no paragraph break
    passages = split_passages(long, limit=100)
    assert all(len(p) <= 100 for p in passages)
    assert all(p.endswith("。") for p in passages)
    assert "".join(passages) == long
    assert split_passages("") == []


def test_only_the_first_passages_get_a_vector():
    many = "\n\n".join(f"■見出し{i}\n本文{i}です。" for i in range(10))
    assert len(split_passages(many)) == 10
    assert dense_passages(many) == split_passages(many)[:MAX_DENSE_PASSAGES]
    assert dense_passages("") == [""]


def test_a_section_deep_in_a_long_answer_is_found_by_its_passage():
    filler = "\n\n".join(f"■案内{i}\n" + "窓口の場所と開庁時間と必要な持ち物のご案内です。" * 8 for i in range(6))
    documents = [
        Document(1, {"ja": ("証明書の請求", filler + "\n\n■郵送\n定額小為替を同封してください。")}),
        Document(
            2, {"ja": ("郵便で届く書類", "定額小為替や切手、はがき、封筒、用紙、返信先、宛名の書き方の案内です。")}
        ),
    ]
    question = "定額小為替"
    whole = retriever(documents, synonyms=False, passages=False).lexical_raw(question)
    with_passages = retriever(documents, synonyms=False).lexical_raw(question)
    # scored whole, the long answer's one relevant line is diluted by the rest; as a passage it is not
    assert whole[1] > whole[0]
    assert with_passages[0] > with_passages[1]


# --- synonyms


def test_synonyms_expand_to_the_other_members_of_a_group():
    table = SynonymTable([["引っ越し", "転居", "転入"]], get_analyser())
    assert set(table.expand(["引っ越し"])) == {"転居", "転入"}
    assert table.expand(["転居", "引っ越し"]) == ["転入"]
    assert table.expand(["ごみ"]) == []


def test_a_question_in_everyday_words_finds_the_entry_only_through_synonyms():
    documents = [
        Document(1, {"ja": ("転居届の出し方", "市内で住所が変わったときは14日以内に届け出てください。")}),
        Document(2, {"ja": ("犬の登録", "犬を飼い始めたら登録してください。")}),
    ]
    question = "引っ越ししたんだけど"
    assert "転居" in get_synonyms().expand(get_analyser().terms(question))
    assert retriever(documents, synonyms=False).lexical_raw(question).max() == 0.0
    found = retriever(documents).search(question, language="ja", limit=2)
    assert found.hits[0].key == 1 and found.hits[0].lexical > 0


# --- legacy fusion still selectable


def test_the_previous_fusion_is_selectable():
    documents = [Document(1, {"ja": ("転居届", "届け出てください。")}), Document(2, {"ja": ("犬", "登録")})]
    result = retriever(documents, fusion="legacy", passages=False, synonyms=False).search(
        "転居届", language="ja", limit=2
    )
    assert result.hits[0].key == 1 and result.threshold == confidence.LEGACY_THRESHOLD
    assert set(result.features) == {"top", "margin"}
    assert LEGACY.fusion == "legacy"
    with pytest.raises(ValueError):
        retriever(documents, fusion="sum")


# --- calibration


def test_logistic_fit_separates_what_is_separable():
    rows = [[x / 10, 0.0] for x in range(10)]
    labels = [0] * 5 + [1] * 5
    bias, w1, _w2 = confidence.fit_logistic(rows, labels, steps=3000)
    predicted = [int(bias + w1 * row[0] > 0) for row in rows]
    assert predicted == labels


def test_the_threshold_keeps_confident_answers_right_at_the_target():
    confidences = [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4]
    correct = [True, True, True, True, True, False, True, False]
    threshold = confidence.choose_threshold(confidences, correct, target=0.95)
    assert threshold == 0.7  # five of five right; at 0.6 it would be five of six
    assert confidence.choose_threshold([0.9, 0.8], [False, False]) > 0.9  # never: nothing confident
    curve = confidence.selective_curve(confidences, correct)
    assert [round(c, 3) for _t, c, _a in curve][:2] == [0.125, 0.25] and curve[-1][1] == 1.0
    assert curve[5][2] == pytest.approx(5 / 6)


# --- readings


def test_a_question_in_kana_finds_the_kanji_entry_by_its_reading():
    documents = [
        Document(1, {"ja": ("印鑑登録の方法", "市民課で登録できます。")}),
        Document(2, {"ja": ("犬の登録", "犬を飼い始めたら届け出てください。")}),
    ]
    question = "いんかんを つくりたい"
    assert retriever(documents, synonyms=False).lexical_raw(question).max() == 0.0
    with_readings = retriever(documents, synonyms=False, readings=1.0)
    scores = with_readings.reading_raw(question)
    assert scores[0] > 0 and scores[1] == 0
    assert with_readings.search(question, language="ja", limit=2).hits[0].key == 1


def test_features_of_a_question_sharing_no_word_with_the_faq_rest_on_the_vectors():
    dense = np.array([0.86, 0.84, 0.80])
    no_words = confidence.fused_features(
        fused=np.array([1.0, 0.6, 0.1]),
        dense=dense,
        lexical=np.zeros(3),
        order=np.array([0, 1, 2]),
        lexical_weight=0.25,
    )
    assert no_words["agree"] == 1.0 and no_words["lexical_top"] == 0.0
    assert no_words["dense_margin"] == pytest.approx(0.02) and no_words["has_vector"] == 1.0
    not_embedded = confidence.fused_features(
        fused=np.array([1.0, 0.2]), dense=np.array([-1.0, -1.0]), lexical=np.array([0.6, 0.1]),
        order=np.array([0, 1]), lexical_weight=1.0,
    )  # fmt: skip
    assert confidence.lexical_only(not_embedded)
    sure = confidence.fused_confidence({**not_embedded, "lexical_top": 0.9, "lexical_margin": 0.8}, "ja")
    assert sure > confidence.fused_confidence(not_embedded, "ja")
    assert confidence.threshold("ja", not_embedded) == confidence.THRESHOLDS["lexical"]
