"""The assistant's rules and limits, checked by the services for every door: each refusal is
a field, a stable code and a message in the reader's language (ja first, en too)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.utils import translation
from tests.backoffice.casework import staff

from madoguchi.assistant import authoring
from madoguchi.assistant.answering import (
    assistant_ask,
    faq_draft_from_questions,
    inquiry_answer,
    inquiry_create,
    inquiry_read,
)
from madoguchi.assistant.models import FaqEntry, FaqTranslation, Inquiry, InquiryStatus, QuestionLog
from madoguchi.assistant.services import faq_entry_create, faq_entry_update
from madoguchi.assistant.validation import (
    MAX_ANSWER_LENGTH,
    MAX_QUESTION_LENGTH,
    MESSAGES,
    FaqFieldError,
    FaqInvalid,
    InquiryAlreadyAnswered,
    InquiryInvalid,
    QuestionInvalid,
    TranslationIn,
)
from madoguchi.audit.models import AuditEntry

JA = TranslationIn("開庁時間は？", "平日8時30分から17時15分です。")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def create(municipality, **change):
    values = {
        "municipality": municipality,
        "external_id": "general-050",
        "category": "general",
        "translations": {"ja": JA},
        "actor": "staff:aoba-admin",
        **change,
    }
    return faq_entry_create(**values)


def refusal(call) -> list[tuple[str, str, dict]]:
    with pytest.raises(FaqInvalid) as caught:
        call()
    return [(error.field, error.code, error.params) for error in caught.value.errors]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"external_id": ""}, ("external_id", "required", {})),
        ({"external_id": "学童"}, ("external_id", "invalid_id", {})),
        ({"external_id": "-starts-with-a-dash"}, ("external_id", "invalid_id", {})),
        ({"category": "c" * 65}, ("category", "too_long", {"limit": 64})),
        ({"category": "spaceflight"}, ("category", "unknown_category", {"value": "spaceflight"})),
        ({"translations": {"ja": TranslationIn("", "a")}}, ("ja.question", "required", {})),
        ({"translations": {"ja": TranslationIn("q", "  \r\n ")}}, ("ja.answer", "required", {})),
        (
            {"translations": {"ja": TranslationIn("q" * (MAX_QUESTION_LENGTH + 1), "a")}},
            ("ja.question", "too_long", {"limit": MAX_QUESTION_LENGTH}),
        ),
        (
            {"translations": {"ja": JA, "en": TranslationIn("q", "a" * (MAX_ANSWER_LENGTH + 1))}},
            ("en.answer", "too_long", {"limit": MAX_ANSWER_LENGTH}),
        ),
        ({"translations": {"en": TranslationIn("q", "a")}}, ("ja", "japanese_required", {})),
        (
            {"translations": {"ja": JA, "xx": TranslationIn("q", "a")}},
            ("language", "unknown_language", {"value": "xx"}),
        ),
        ({"source_url": "javascript:alert(1)"}, ("source_url", "invalid_url", {})),
        ({"source_url": "https://x.example/" + "a" * 500}, ("source_url", "too_long", {"limit": 500})),
        ({"procedure_slug": "Not A Slug"}, ("procedure_slug", "invalid_procedure", {"value": "Not A Slug"})),
        ({"status": "archived"}, ("status", "unknown_status", {})),
        ({"department": "nowhere"}, ("department", "unknown_department", {"value": "nowhere"})),
        ({"department": "kankyo", "departments_allowed": {"shimin"}}, ("department", "department_not_yours", {})),
        ({"department": "", "departments_allowed": {"shimin"}}, ("department", "department_required", {})),
    ],
)
def test_faq_entry_create_refuses_each_problem_by_field_and_code_and_saves_nothing(aoba, change, expected):
    errors = refusal(lambda: create(aoba, **change))
    field, code, params = expected
    assert [(f, c) for f, c, _p in errors] == [(field, code)]
    assert params.items() <= errors[0][2].items()
    assert not FaqEntry.objects.for_municipality(aoba).exists()


def test_faq_entry_create_refuses_a_taken_id_with_the_other_problems(faq):
    errors = refusal(lambda: create(faq, external_id="tax-001", category="nonsense"))
    assert [(f, c) for f, c, _p in errors] == [("external_id", "taken"), ("category", "unknown_category")]


def test_every_problem_of_an_entry_is_reported_at_once(aoba):
    errors = refusal(
        lambda: create(
            aoba,
            external_id="bad id",
            category="?",
            translations={"ja": TranslationIn("", ""), "en": TranslationIn("q", "")},
        )
    )
    assert [(f, c) for f, c, _p in errors] == [
        ("external_id", "invalid_id"),
        ("category", "unknown_category"),
        ("ja.question", "required"),
        ("ja.answer", "required"),
        ("en.answer", "required"),
    ]


def test_the_answer_limit_counts_the_text_as_written_with_line_breaks_once(aoba):
    # 5000 characters with CRLF line breaks, as a browser sends a textarea: accepted.
    lines = ["あ" * 99] * 50
    answer = "\r\n".join(lines)
    assert len(answer.replace("\r\n", "\n")) == MAX_ANSWER_LENGTH - 1 and len(answer) > MAX_ANSWER_LENGTH
    create(aoba, translations={"ja": TranslationIn("質問", answer + "い")})
    stored = FaqTranslation.objects.for_municipality(aoba).get()
    assert stored.answer_html.count("<br>") == 49
    errors = refusal(
        lambda: create(aoba, external_id="general-051", translations={"ja": TranslationIn("q", answer + "いう")})
    )
    assert errors == [("ja.answer", "too_long", {"limit": MAX_ANSWER_LENGTH})]


def test_a_refused_update_leaves_the_entry_as_it_was(faq):
    entry = FaqEntry.objects.for_municipality(faq).get(external_id="tax-001")
    before = (entry.category, entry.version, entry.source_url)
    errors = refusal(
        lambda: faq_entry_update(
            entry=entry,
            actor="t",
            category="nonsense",
            source_url="ftp://x",
            translations={"en": TranslationIn("When?", "")},
        )
    )
    assert [(f, c) for f, c, _p in errors] == [
        ("category", "unknown_category"),
        ("source_url", "invalid_url"),
        ("en.answer", "required"),
    ]
    assert (entry.category, entry.version, entry.source_url) == before
    entry.refresh_from_db()
    assert (entry.category, entry.version, entry.source_url) == before


def test_an_update_replacing_the_languages_must_keep_japanese(faq):
    entry = FaqEntry.objects.for_municipality(faq).get(external_id="tax-001")
    errors = refusal(
        lambda: faq_entry_update(
            entry=entry, actor="t", translations={"en": TranslationIn("q", "a")}, replace_translations=True
        )
    )
    assert errors == [("ja", "japanese_required", {})]


def test_messages_follow_the_language_with_their_parameters():
    too_long = FaqFieldError("en.answer", "too_long", {"limit": MAX_ANSWER_LENGTH})
    category = FaqFieldError("category", "unknown_category", {"value": "x", "choices": "tax, moving"})
    with translation.override("ja"):
        assert too_long.message == "5000文字以内で入力してください。"
        assert FaqFieldError("ja.question", "required").message == "この項目は必須です。"
        assert FaqFieldError("external_id", "taken").message == "このIDの項目はすでにあります。"
        assert category.message == "「x」は分類ではありません。次のいずれかを使ってください: tax, moving"
    with translation.override("en"):
        assert too_long.message == "Enter at most 5000 characters."
        assert FaqFieldError("external_id", "taken").message == "An entry with this id already exists."
        assert category.message == "“x” is not a category. Use one of: tax, moving."


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_code_has_a_japanese_message_with_its_parameters_filled(code):
    params = {name: "7" for name in PLACEHOLDER.findall(str(MESSAGES[code]))}
    error = FaqFieldError("field", code, params)
    with translation.override("en"):
        english = error.message
    with translation.override("ja"):
        japanese = error.message
    assert japanese != english and "%(" not in japanese and "%(" not in english
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", japanese), japanese


def test_faq_invalid_is_an_invalid_request_whose_extensions_list_the_fields():
    error = FaqInvalid([FaqFieldError("ja.answer", "required"), FaqFieldError("external_id", "taken")])
    assert (error.status, error.kind, error.code) == (422, "invalid-request", "faq_invalid")
    with translation.override("en"):
        assert error.extensions() == {
            "errors": [
                {"field": "ja.answer", "code": "required", "message": "This item is required."},
                {"field": "external_id", "code": "taken", "message": "An entry with this id already exists."},
            ]
        }


def test_a_staff_member_limited_to_departments_must_choose_one_of_them(aoba):
    clerk = staff("aoba-clerk")  # 市民課 and 子育て支援課
    common = {
        "external_id": "moving-050",
        "category": "moving",
        "source_url": "",
        "procedure_slug": "",
        "translations": {"ja": JA},
    }
    for department, code in (("", "department_required"), ("kankyo", "department_not_yours")):
        errors = refusal(lambda d=department: authoring.faq_entry_create_by_staff(staff=clerk, department=d, **common))
        assert errors == [("department", code, {})]
    entry = authoring.faq_entry_create_by_staff(staff=clerk, department="shimin", **common)
    assert entry.department.code == "shimin" and entry.version == 1
    admin = staff("aoba-admin")  # every department: an entry may have none
    entry = authoring.faq_entry_create_by_staff(staff=admin, department="", **{**common, "external_id": "moving-051"})
    assert entry.department is None


# ---------------------------------------------------------------------------------------------
# Residents' questions and inquiries, and staff's answers


def test_assistant_ask_refuses_an_empty_or_too_long_question(aoba):
    for question, code in (("   ", "required"), ("あ" * (MAX_QUESTION_LENGTH + 1), "too_long")):
        with pytest.raises(QuestionInvalid) as caught:
            assistant_ask(municipality=aoba, question=question)
        assert [(e.field, e.code) for e in caught.value.errors] == [("question", code)]
    assert not QuestionLog.objects.for_municipality(aoba).exists()


@pytest.mark.parametrize(
    ("question", "email", "expected"),
    [
        ("", "", [("question", "required")]),
        ("あ" * 2001, "", [("question", "too_long")]),
        ("質問", "not-an-address", [("email", "invalid_email")]),
        ("", "a@b", [("question", "required"), ("email", "invalid_email")]),
    ],
)
def test_inquiry_create_refuses_bad_input_by_field(aoba, question, email, expected):
    with pytest.raises(InquiryInvalid) as caught:
        inquiry_create(municipality=aoba, question=question, email=email)
    assert [(e.field, e.code) for e in caught.value.errors] == expected
    assert not Inquiry.objects.for_municipality(aoba).exists()


def test_inquiry_answer_records_the_answer_once_with_an_audit_entry(aoba):
    inquiry = inquiry_create(municipality=aoba, question="ペットの火葬について知りたい")
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    for answer, code in (("  \r\n", "required"), ("あ" * (MAX_ANSWER_LENGTH + 1), "too_long")):
        with pytest.raises(InquiryInvalid) as caught:
            inquiry_answer(inquiry=inquiry, answer=answer, actor="staff:aoba-clerk", now=now)
        assert [(e.field, e.code) for e in caught.value.errors] == [("answer", code)]
    inquiry_answer(inquiry=inquiry, answer=" 電話でお伝えしました。 ", actor="staff:aoba-clerk", now=now)
    stored = Inquiry.objects.for_municipality(aoba).get(pk=inquiry.pk)
    assert (stored.status, stored.answer, stored.answered_at) == (InquiryStatus.ANSWERED, "電話でお伝えしました。", now)
    with pytest.raises(InquiryAlreadyAnswered) as caught:
        inquiry_answer(inquiry=inquiry, answer="二度目", actor="staff:aoba-reviewer", now=now)
    assert (caught.value.status, caught.value.code) == (409, "inquiry_already_answered")
    with translation.override("ja"):
        assert str(caught.value.message) == "このお問い合わせには回答済みです。"
    assert Inquiry.objects.for_municipality(aoba).get(pk=inquiry.pk).answer == "電話でお伝えしました。"
    events = AuditEntry.objects.for_municipality(aoba).filter(object_id=str(inquiry.public_id))
    assert list(events.values_list("event", "actor")) == [
        ("assistant.inquiry.created", "resident"),
        ("assistant.inquiry.answered", "staff:aoba-clerk"),
    ]


def test_inquiry_read_audits_each_reading(aoba, minatogawa):
    inquiry = inquiry_create(municipality=aoba, question="質問です")
    assert inquiry_read(municipality=aoba, public_id=str(inquiry.public_id), actor="staff:aoba-clerk") == inquiry
    viewed = AuditEntry.objects.for_municipality(aoba).filter(event="assistant.inquiry.viewed")
    assert list(viewed.values_list("actor", "object_id")) == [("staff:aoba-clerk", str(inquiry.public_id))]
    from django.http import Http404

    with pytest.raises(Http404):
        inquiry_read(municipality=minatogawa, public_id=str(inquiry.public_id), actor="staff:minatogawa-admin")


def test_questions_taken_up_into_a_draft_cannot_make_a_second_one(faq):
    for question in ("宇宙飛行士になるにはどうすればいいですか", "宇宙飛行士になる方法を教えて"):
        assistant_ask(municipality=faq, question=question)
    ids = [str(q.public_id) for q in QuestionLog.objects.for_municipality(faq).filter(text__contains="宇宙飛行士")]
    draft = {"question_ids": ids, "category": "moving", "actor": "t", "department": "shimin"}
    faq_draft_from_questions(municipality=faq, external_id="moving-098", **draft)
    errors = refusal(lambda: faq_draft_from_questions(municipality=faq, external_id="moving-099", **draft))
    assert errors == [("question", "questions_gone", {})]
    errors = refusal(
        lambda: faq_draft_from_questions(municipality=faq, external_id="moving-099", **{**draft, "question_ids": ["x"]})
    )
    assert errors == [("question", "questions_gone", {})]
    assert not FaqEntry.objects.for_municipality(faq).filter(external_id="moving-099").exists()
