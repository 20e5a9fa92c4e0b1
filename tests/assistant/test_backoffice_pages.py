"""The assistant's back-office pages (/staff/assistant/): staff edit the FAQ in versions,
a reviewer publishes, unanswered questions become draft entries, inquiries are answered —
each through the views as a signed-in staff member would, and never across municipalities."""

from __future__ import annotations

import pytest
from django.test import Client
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
    ("change", "field"),
    [
        ({"external_id": "moving-001"}, "external_id"),  # taken
        ({"external_id": "学童"}, "external_id"),
        ({"a-ja": ""}, "q-ja"),
        ({"a-en": ""}, "q-en"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
        ({"department": "kankyo"}, "department"),  # not one of the clerk's departments
        ({"category": "spaceflight"}, "category"),
    ],
)
def test_bad_entries_are_refused_with_a_message_and_nothing_is_saved(faq, change, field):
    before = FaqEntry.objects.for_municipality(faq).count()
    response = as_staff("aoba-clerk").post("/staff/assistant/new/", {**FORM, **change})
    assert response.status_code == 400
    assert f'href="#f-{field}"' in response.content.decode()
    assert FaqEntry.objects.for_municipality(faq).count() == before


def test_staff_of_another_department_may_read_but_not_change_an_entry(faq):
    clerk = as_staff("aoba-clerk")  # 市民課 and 子育て支援課, not 環境課
    assert clerk.get("/staff/assistant/entries/garbage-001/").status_code == 200
    response = clerk.post("/staff/assistant/entries/garbage-001/", {**FORM, "category": "garbage"})
    assert response.status_code == 404
    assert entry(faq, "garbage-001").version == 1


def test_unanswered_questions_become_a_draft_entry(faq):
    for question in ("宇宙飛行士になるにはどうすればいいですか", "宇宙飛行士になる方法を教えて"):
        result = assistant_ask(municipality=faq, question=question)
        assert not result.confident
    clerk = as_staff("aoba-clerk")
    html = clerk.get("/staff/assistant/unanswered/").content.decode()
    assert "宇宙飛行士" in html and 'data-testid="question-group"' in html
    ids = [str(q.public_id) for q in QuestionLog.objects.for_municipality(faq).filter(text__contains="宇宙飛行士")]
    form = {"question": ids, "external_id": "moving-099", "category": "moving", "department": "shimin"}
    response = clerk.post("/staff/assistant/unanswered/draft/", form)
    assert response.status_code == 302 and response["Location"].endswith("/staff/assistant/entries/moving-099/")
    draft = entry(faq, "moving-099")
    assert draft.status == EntryStatus.DRAFT
    assert "宇宙飛行士" not in clerk.get("/staff/assistant/unanswered/").content.decode()


def test_an_inquiry_is_answered_and_each_reading_is_audited(faq):
    inquiry = inquiry_create(municipality=faq, question="ペットの火葬について知りたい", email="taro@example.jp")
    clerk = as_staff("aoba-clerk")
    assert "ペットの火葬" in clerk.get("/staff/assistant/inquiries/").content.decode()
    url = f"/staff/assistant/inquiries/{inquiry.public_id}/"
    assert "taro@example.jp" in clerk.get(url).content.decode()
    assert clerk.post(url, {"answer": "  "}).status_code == 400
    assert clerk.post(url, {"answer": "環境課から電話でお伝えしました。"}).status_code == 302
    answered = Inquiry.objects.for_municipality(faq).get(pk=inquiry.pk)
    assert answered.status == InquiryStatus.ANSWERED and answered.answered_by == "staff:aoba-clerk"
    views = AuditEntry.objects.for_municipality(faq).filter(
        object_id=str(inquiry.public_id), event="assistant.inquiry.viewed"
    )
    assert views.count() == 2  # the reading and the page shown again with the refused answer


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
