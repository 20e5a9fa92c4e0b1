"""Answering (issue 4): cross-lingual retrieval, fallback note, hand-off, tenancy, feedback,
inquiries, the question log and grouping of unanswered questions."""

from __future__ import annotations

import numpy as np
import pytest

from madoguchi.assistant.answering import (
    assistant_ask,
    faq_draft_from_questions,
    inquiry_answer,
    inquiry_create,
    question_feedback,
)
from madoguchi.assistant.entry_vectors import faq_embeddings_update
from madoguchi.assistant.models import EntryStatus, FaqTranslation, Feedback, Inquiry, InquiryStatus, QuestionLog
from madoguchi.assistant.selectors import (
    faq_entry_get,
    group_vectors,
    inquiry_get,
    inquiry_list,
    unanswered_groups,
    unanswered_questions,
)
from madoguchi.assistant.services import TranslationIn, faq_entry_unpublish, faq_entry_update

from .conftest import load_faq


def ask(municipality, question, **kwargs):
    return assistant_ask(municipality=municipality, question=question, **kwargs)


def ranked(municipality, result) -> list[str]:
    """The entries found for a question, best first, as logged."""
    return QuestionLog.objects.for_municipality(municipality).get(public_id=result.question_id).entry_ids


@pytest.fixture
def always_confident(monkeypatch):
    """Every first answer shown: for tests of how an answer is presented, not of the threshold."""
    from madoguchi.assistant import confidence

    monkeypatch.setattr(confidence, "THRESHOLDS", {"ja": 0.0, "lexical": 0.0})


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("住民票の写しが欲しい", "certificates-001"),
        ("燃えるゴミの日を教えて", "garbage-001"),
        ("ソファーを粗大ごみで捨てたい", "garbage-002"),
        ("児童手当の申請", "childcare-001"),
        ("地震の時の避難場所", "disaster-001"),
    ],
)
def test_assistant_ask_finds_the_japanese_entry(faq, question, expected):
    result = ask(faq, question)
    assert result.language == "ja"
    # the ranking (logged also when the resident is shown none) puts the entry first, and an
    # answer shown is never another one
    assert ranked(faq, result)[0] == expected
    assert [a.external_id for a in result.answers[:1]] in ([], [expected])


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        ("Tôi muốn đăng ký trợ cấp nuôi con khi em bé chào đời", "vi", "childcare-001"),
        ("When is the payment deadline for resident tax?", "en", "tax-001"),
        ("发生灾害时应该去哪里避难？", "zh-Hans", "disaster-001"),
        ("아이가 태어났어요. 아동수당은 어떻게 신청하나요?", "ko", "childcare-001"),
    ],
)
def test_assistant_ask_finds_japanese_entries_for_other_languages(faq, question, language, expected):
    result = ask(faq, question)
    assert result.language == language
    assert expected in ranked(faq, result)[:3]
    assert not result.answers or expected in [a.external_id for a in result.answers[:3]]


def test_an_answer_in_the_residents_language_when_translated(faq):
    result = ask(faq, "Which day do I put out burnable garbage?")
    best = result.answers[0]
    assert best.external_id == "garbage-001"
    assert best.language == "en" and not best.fallback
    assert result.note == ""


def test_the_japanese_text_with_a_note_when_not_translated(faq, always_confident):
    result = ask(faq, "Cuándo pago el impuesto de residente?", language="pt-BR")
    best = result.answers[0]
    assert best.language == "ja" and best.fallback
    assert result.note == "Ainda não há tradução; este é o texto em japonês."


def test_plain_japanese_is_preferred_for_a_foreign_resident(faq, always_confident):
    result = ask(faq, "Tôi muốn lấy bản sao phiếu cư trú (juminhyo)", language="vi")
    best = result.answers[0]
    assert best.external_id == "certificates-001"
    assert best.language == "ja-x-easy"
    assert result.note == "Chưa có bản dịch; đây là nội dung tiếng Nhật."


def test_an_answer_offers_its_published_procedure(faq):
    result = ask(faq, "住民票の写しはどこで取れますか。")
    assert result.answers[0].procedure_slug == "juminhyo-copy"
    assert result.answers[0].source_url == "https://www.city.aoba.example.jp/kurashi/juminhyo.html"


def test_a_confident_answer_has_no_handoff(faq):
    result = ask(faq, "住民票の写しはどこで取れますか。")
    assert result.confident is True
    assert result.handoff is None


def test_an_unsure_answer_hands_over_to_a_department_or_city_hall(faq):
    result = ask(faq, "宇宙旅行の補助金について知りたい")
    assert result.confident is False
    assert result.handoff is not None
    assert result.handoff.phone  # the department's phone, or the municipality's
    assert result.handoff.inquiry is True


def test_questions_never_reach_another_municipalitys_faq(faq, minatogawa):
    result = ask(minatogawa, "住民票の写しはどこで取れますか。")
    assert result.answers == []
    assert result.confident is False
    assert result.handoff.phone == minatogawa.contact_phone
    assert QuestionLog.objects.for_municipality(faq).count() == 0


def test_each_municipality_gets_its_own_entries(faq, minatogawa):
    load_faq(minatogawa)
    entry = faq_entry_get(municipality=minatogawa, external_id="tax-001")
    faq_entry_update(
        entry=entry,
        actor="test",
        translations={"ja": TranslationIn("住民税の納期はいつですか。", "港川市の住民税の納期は年4回です。")},
    )
    faq_embeddings_update(municipality=minatogawa)
    assert "港川市" in ask(minatogawa, "住民税の納期").answers[0].answer_text
    assert "港川市" not in ask(faq, "住民税の納期").answers[0].answer_text


def test_an_edit_is_answered_at_once_without_a_stale_index(faq):
    assert ask(faq, "住民税の納期").answers[0].external_id == "tax-001"
    entry = faq_entry_get(municipality=faq, external_id="tax-001")
    faq_entry_update(
        entry=entry,
        actor="test",
        translations={
            "ja": TranslationIn("住民税の納期はいつですか。", "納期は6月、8月、10月、1月の末日です（改定）。")
        },
    )
    assert "改定" in ask(faq, "住民税の納期").answers[0].answer_text
    faq_entry_unpublish(entry=faq_entry_get(municipality=faq, external_id="tax-001"), actor="test")
    assert "tax-001" not in [a.external_id for a in ask(faq, "住民税の納期").answers]


def test_the_question_log_is_scrubbed_and_records_the_result(faq):
    result = ask(faq, "田中太郎です。090-1234-5678。住民票の写しはどこで取れますか")
    log = QuestionLog.objects.for_municipality(faq).get(public_id=result.question_id)
    assert "田中" not in log.text and "090" not in log.text
    assert "[NAME]" in log.text and "[PHONE]" in log.text
    assert log.entry_ids[0] == "certificates-001"
    assert log.language == "ja"
    assert log.confidence == result.confidence
    assert len(np.frombuffer(log.vector, dtype="<f4")) == 384


def test_question_feedback_is_recorded_and_scoped(faq, minatogawa):
    result = ask(faq, "住民票の写しはどこで取れますか")
    question_feedback(municipality=faq, question_id=result.question_id, feedback=Feedback.NOT_HELPFUL)
    assert [q.public_id for q in unanswered_questions(municipality=faq)] == [result.question_id]
    from madoguchi.assistant.answering import QuestionNotFound

    with pytest.raises(QuestionNotFound):
        question_feedback(municipality=minatogawa, question_id=result.question_id, feedback=Feedback.HELPFUL)


def test_inquiries_are_created_open_and_answered_by_staff(faq, minatogawa):
    result = ask(faq, "宇宙旅行の補助金について知りたい")
    inquiry = inquiry_create(
        municipality=faq,
        question="宇宙旅行の補助金はありますか",
        email="resident@example.jp",
        language="ja",
        question_id=result.question_id,
    )
    assert inquiry.status == InquiryStatus.OPEN
    assert list(inquiry_list(municipality=faq, status=InquiryStatus.OPEN)) == [inquiry]
    assert list(inquiry_list(municipality=minatogawa)) == []
    inquiry_answer(
        inquiry=inquiry_get(municipality=faq, public_id=str(inquiry.public_id)),
        answer="ありません。",
        actor="staff:aoba-clerk",
    )
    assert Inquiry.objects.for_municipality(faq).get().status == InquiryStatus.ANSWERED


def test_group_vectors_groups_by_similarity():
    a = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    b = np.array([0.99, 0.14, 0.0], dtype=np.float32) / np.linalg.norm([0.99, 0.14, 0.0])
    c = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    assert group_vectors([a, c, b], threshold=0.9) == [[0, 2], [1]]


def test_unanswered_questions_are_grouped_and_become_a_draft(faq):
    for question in ["宇宙旅行の補助金はありますか", "宇宙旅行に補助金は出ますか", "Is there a subsidy for space travel?",
                     "市営プールの営業時間は", "市営プールは何時まで開いていますか"]:  # fmt: skip
        ask(faq, question)
    groups = unanswered_groups(municipality=faq)
    assert sum(g.size for g in groups) == 5
    biggest = groups[0]
    assert biggest.size >= 2
    entry = faq_draft_from_questions(
        municipality=faq,
        question_ids=biggest.question_ids,
        external_id="living-901",
        category="living",
        actor="staff:aoba-admin",
    )
    assert entry.status == EntryStatus.DRAFT
    assert FaqTranslation.objects.for_municipality(faq).filter(entry=entry).count() >= 1
    assert unanswered_questions(municipality=faq).count() == 5 - biggest.size
