"""The assistant's back-office pages (/staff/assistant/): staff edit the FAQ in versions,
a reviewer publishes, unanswered questions become draft entries, inquiries are answered —
each through the views as a signed-in staff member would, and never across municipalities."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.assistant.pages import parse
from tests.backoffice.casework import log_in_verified, user

from madoguchi.assistant.answering import assistant_ask, inquiry_create
from madoguchi.assistant.models import (
    EntryStatus,
    FaqEntry,
    FaqTranslation,
    FaqVersion,
    Inquiry,
    InquiryStatus,
    QuestionLog,
)
from madoguchi.audit.models import AuditEntry


def as_staff(username: str) -> Client:
    client = Client()
    log_in_verified(client, user(username))
    return client


def entry(municipality, external_id: str) -> FaqEntry:
    return FaqEntry.objects.for_municipality(municipality).get(external_id=external_id)


FORM = {
    "external_id": "childcare-050",
    "category": "childcare",
    "department": "kosodate",
    "source_url": "https://www.city.aoba.example.jp/kosodate/gakudo.html",
    "procedure_slug": "",
    "q-ja": "学童保育の申込みはいつからですか。",
    "a-ja": "毎年1月に翌年度の申込みを受け付けます。\n\n・申込書\n・就労証明書",
    "q-en": "When can I apply for after-school care?",
    "a-en": "Applications for the next school year are taken every January.",
}


def test_a_clerk_writes_an_entry_and_a_reviewer_publishes_it(faq):
    clerk = as_staff("aoba-clerk")
    assert clerk.get("/staff/assistant/new/").status_code == 200
    response = clerk.post("/staff/assistant/new/", FORM)
    assert response.status_code == 302
    created = entry(faq, "childcare-050")
    assert created.status == EntryStatus.DRAFT and created.version == 1
    html = clerk.get(response["Location"]).content.decode()
    assert "学童保育の申込みはいつからですか。" in html
    assert "/publish/" not in html  # a clerk may not publish
    assert clerk.post("/staff/assistant/entries/childcare-050/publish/").status_code == 404
    # An edit makes version 2; removing the English text removes that language.
    clerk.post("/staff/assistant/entries/childcare-050/", {**FORM, "q-en": "", "a-en": "", "a-ja": "毎年1月です。"})
    assert entry(faq, "childcare-050").version == 2
    languages = FaqTranslation.objects.for_municipality(faq).filter(entry__external_id="childcare-050")
    assert sorted(languages.values_list("language", flat=True)) == ["ja"]
    reviewer = as_staff("aoba-reviewer")
    assert reviewer.post("/staff/assistant/entries/childcare-050/publish/").status_code == 302
    assert entry(faq, "childcare-050").status == EntryStatus.PUBLISHED
    assert FaqVersion.objects.for_municipality(faq).filter(entry__external_id="childcare-050").count() == 3
    events = AuditEntry.objects.for_municipality(faq).filter(object_id="childcare-050").values_list("event", flat=True)
    assert list(events) == ["assistant.faq.created", "assistant.faq.updated", "assistant.faq.published"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"external_id": "moving-001"}, "external_id", "このIDの項目はすでにあります。"),
        ({"external_id": "学童"}, "external_id", "IDは英数字"),
        ({"a-ja": ""}, "a-ja", "この項目は必須です。"),
        ({"q-ja": "  "}, "q-ja", "この項目は必須です。"),
        ({"a-en": ""}, "a-en", "この項目は必須です。"),
        ({"a-ja": "あ" * 5001}, "a-ja", "5000文字以内で入力してください。"),
        ({"q-en": "a" * 501}, "q-en", "500文字以内で入力してください。"),
        ({"source_url": "javascript:alert(1)"}, "source_url", "https:// または http:// で始まるアドレス"),
        ({"department": "kankyo"}, "department", "あなたの所属課を選んでください。"),  # not the clerk's
        ({"department": ""}, "department", "この回答を担当する課を選んでください。"),
        ({"department": "nowhere"}, "department", "「nowhere」はこの自治体の課ではありません。"),
        ({"category": "spaceflight"}, "category", "「spaceflight」は分類ではありません。"),
        ({"procedure_slug": "Bad Slug"}, "procedure_slug", "手続の識別子"),
    ],
)
def test_bad_entries_are_refused_next_to_the_field_in_japanese_and_nothing_is_saved(faq, change, field, message):
    before = FaqEntry.objects.for_municipality(faq).count()
    response = as_staff("aoba-clerk").post("/staff/assistant/new/", {**FORM, **change})
    assert response.status_code == 400
    page = parse(response)
    assert message in page[f"f-{field}-error"].text
    control = page[f"f-{field}"]
    assert control.attrs["aria-invalid"] == "true"
    assert f"f-{field}-error" in control.attrs["aria-describedby"].split()
    links = dict(page.summary_links())
    assert message in links[f"#f-{field}"]
    assert FaqEntry.objects.for_municipality(faq).count() == before


def test_the_form_keeps_what_was_written_and_shows_every_problem_at_once(faq):
    response = as_staff("aoba-clerk").post(
        "/staff/assistant/new/", {**FORM, "external_id": "bad id", "a-ja": "", "a-en": "", "q-vi": "Câu hỏi"}
    )
    page = parse(response)
    assert [href for href, _text in page.summary_links()] == ["#f-external_id", "#f-a-ja", "#f-a-en", "#f-a-vi"]
    assert dict(page.summary_links())["#f-a-en"] == "回答 (English): この項目は必須です。"
    assert page["f-q-vi"].attrs["value"] == "Câu hỏi"
    assert page["f-q-ja"].attrs["value"] == FORM["q-ja"]
    assert response.content.decode().count('<details class="bo-version bo-translation" open>') == 2


def test_a_refused_edit_changes_nothing_and_shows_the_errors_on_the_entry(faq):
    clerk = as_staff("aoba-clerk")
    clerk.post("/staff/assistant/new/", FORM)
    response = clerk.post("/staff/assistant/entries/childcare-050/", {**FORM, "a-ja": "あ" * 5001})
    assert response.status_code == 400
    assert "5000文字以内で入力してください。" in response.content.decode()
    assert entry(faq, "childcare-050").version == 1


def test_form_errors_follow_the_staff_members_language(faq):
    client = as_staff("aoba-clerk")
    response = client.post("/staff/assistant/new/", {**FORM, "a-ja": ""}, headers={"accept-language": "en"})
    assert parse(response)["f-a-ja-error"].text == "This item is required."


def test_staff_of_another_department_may_read_but_not_change_an_entry(faq):
    clerk = as_staff("aoba-clerk")  # 市民課 and 子育て支援課, not 環境課
    assert clerk.get("/staff/assistant/entries/garbage-001/").status_code == 200
    response = clerk.post("/staff/assistant/entries/garbage-001/", {**FORM, "category": "garbage"})
    assert response.status_code == 404
    assert entry(faq, "garbage-001").version == 1


def ask_unanswerable(municipality) -> list[str]:
    for question in ("宇宙飛行士になるにはどうすればいいですか", "宇宙飛行士になる方法を教えて"):
        result = assistant_ask(municipality=municipality, question=question)
        assert not result.confident
    return [
        str(q.public_id) for q in QuestionLog.objects.for_municipality(municipality).filter(text__contains="宇宙飛行士")
    ]


def test_unanswered_questions_become_a_draft_entry(faq):
    ids = ask_unanswerable(faq)
    clerk = as_staff("aoba-clerk")
    html = clerk.get("/staff/assistant/unanswered/").content.decode()
    assert "宇宙飛行士" in html and 'data-testid="question-group"' in html
    form = {"question": ids, "external_id": "moving-099", "category": "moving", "department": "shimin"}
    response = clerk.post("/staff/assistant/unanswered/draft/", form)
    assert response.status_code == 302 and response["Location"].endswith("/staff/assistant/entries/moving-099/")
    draft = entry(faq, "moving-099")
    assert draft.status == EntryStatus.DRAFT
    assert "宇宙飛行士" not in clerk.get("/staff/assistant/unanswered/").content.decode()
    # The same group posted again (a second tab): its questions are taken up already.
    response = clerk.post("/staff/assistant/unanswered/draft/", {**form, "external_id": "moving-100"})
    assert response.status_code == 400
    assert parse(response).by_class["error-summary"][0].text.count("これらの質問はすでに取り上げられたか") == 1
    assert not FaqEntry.objects.for_municipality(faq).filter(external_id="moving-100").exists()


def test_a_refused_draft_shows_the_errors_next_to_the_groups_fields(faq):
    ids = ask_unanswerable(faq)
    form = {"question": ids, "external_id": "moving-001", "category": "moving", "department": "kankyo"}
    response = as_staff("aoba-clerk").post("/staff/assistant/unanswered/draft/", form)
    assert response.status_code == 400
    page = parse(response)
    assert page["f-id-1-error"].text == "このIDの項目はすでにあります。"
    assert page["f-id-1"].attrs["value"] == "moving-001"
    assert page["f-id-1"].attrs["aria-describedby"] == "f-id-1-error"
    assert page["f-department-1-error"].text == "あなたの所属課を選んでください。"
    assert dict(page.summary_links()) == {
        "#f-id-1": "新しい項目のID: このIDの項目はすでにあります。",
        "#f-department-1": "担当課: あなたの所属課を選んでください。",
    }
    assert QuestionLog.objects.for_municipality(faq).filter(draft_entry__isnull=False).count() == 0


def test_an_inquiry_is_answered_and_each_reading_is_audited(faq):
    inquiry = inquiry_create(municipality=faq, question="ペットの火葬について知りたい", email="taro@example.jp")
    clerk = as_staff("aoba-clerk")
    assert "ペットの火葬" in clerk.get("/staff/assistant/inquiries/").content.decode()
    url = f"/staff/assistant/inquiries/{inquiry.public_id}/"
    assert "taro@example.jp" in clerk.get(url).content.decode()
    refused = clerk.post(url, {"answer": "  "})
    assert refused.status_code == 400
    page = parse(refused)
    assert page["f-answer-error"].text == "この項目は必須です。"
    assert "f-answer-error" in page["f-answer"].attrs["aria-describedby"].split()
    assert dict(page.summary_links()) == {"#f-answer": "回答: この項目は必須です。"}
    too_long = clerk.post(url, {"answer": "あ" * 5001})
    assert parse(too_long)["f-answer-error"].text == "5000文字以内で入力してください。"
    assert parse(too_long)["f-answer"].text == "あ" * 5001  # kept to shorten, not cut
    assert clerk.post(url, {"answer": "環境課から電話でお伝えしました。"}).status_code == 302
    answered = Inquiry.objects.for_municipality(faq).get(pk=inquiry.pk)
    assert answered.status == InquiryStatus.ANSWERED and answered.answered_by == "staff:aoba-clerk"
    again = as_staff("aoba-reviewer").post(url, {"answer": "二度目の回答"})
    assert again.status_code == 409
    assert "このお問い合わせには回答済みです。" in parse(again).by_class["error-summary"][0].text
    assert Inquiry.objects.for_municipality(faq).get(pk=inquiry.pk).answer == "環境課から電話でお伝えしました。"
    views = AuditEntry.objects.for_municipality(faq).filter(
        object_id=str(inquiry.public_id), event="assistant.inquiry.viewed"
    )
    assert views.count() == 4  # the reading and the page shown again with each refusal
    events = AuditEntry.objects.for_municipality(faq).filter(object_id=str(inquiry.public_id))
    assert events.filter(event="assistant.inquiry.answered").count() == 1


def test_another_municipality_finds_none_of_it(faq, minatogawa):
    inquiry = inquiry_create(municipality=faq, question="質問です")
    other = as_staff("minatogawa-admin")
    assert "moving-001" not in other.get("/staff/assistant/").content.decode()
    for method, path in [
        ("get", "/staff/assistant/entries/moving-001/"),
        ("post", "/staff/assistant/entries/moving-001/"),
        ("post", "/staff/assistant/entries/moving-001/unpublish/"),
        ("get", f"/staff/assistant/inquiries/{inquiry.public_id}/"),
        ("post", f"/staff/assistant/inquiries/{inquiry.public_id}/"),
    ]:
        response = other.post(path, FORM) if method == "post" else other.get(path)
        assert response.status_code == 404, (method, path)
    assert entry(faq, "moving-001").status == EntryStatus.PUBLISHED
    assert Inquiry.objects.for_municipality(faq).get(pk=inquiry.pk).status == InquiryStatus.OPEN
