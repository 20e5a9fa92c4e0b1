"""Silence when unsure (issue 13, item 2, in part): a question the FAQ cannot answer gets no
answer body — only 「確かな回答が見つかりませんでした」, the contact and the inquiry form — and
the API, the chat (which renders the API's answer) and the page without JavaScript agree."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from tests.assistant.pages import parse

from madoguchi.assistant.answering import assistant_ask
from madoguchi.assistant.models import QuestionLog

# Questions no municipal FAQ answers, in several languages. Not used to set any threshold.
OFF_TOPIC = [
    ("市長の好きな食べ物は？", "ja"),
    ("明日の天気はどうですか", "ja"),
    ("おすすめのラーメン屋を教えて", "ja"),
    ("サッカーのワールドカップはいつですか", "ja"),
    ("What is the capital of France?", "en"),
    ("Món ăn yêu thích của thị trưởng là gì?", "vi"),
]


@pytest.mark.parametrize(("question", "language"), OFF_TOPIC)
def test_an_off_topic_question_gets_no_answer_only_the_hand_over(faq, question, language):
    result = assistant_ask(municipality=faq, question=question)
    assert result.language == language
    assert result.confident is False
    assert result.answers == [] and result.note == ""
    assert result.handoff is not None and result.handoff.phone and result.handoff.inquiry


def test_what_was_found_is_still_logged_for_staff(faq):
    result = assistant_ask(municipality=faq, question="市長の好きな食べ物は？")
    log = QuestionLog.objects.for_municipality(faq).get(public_id=result.question_id)
    assert log.confident is False
    assert log.entry_ids  # the nearest entries, for the unanswered-questions page


def test_the_api_abstains_the_same(client, faq):
    response = client.post(
        f"/api/v1/municipalities/{faq.code}/assistant/ask",
        data=json.dumps({"question": "市長の好きな食べ物は？"}),
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert body["confident"] is False and body["answers"] == [] and body["note"] is None
    assert body["handoff"]["phone"] and body["handoff"]["inquiry_url"].endswith("/assistant/inquiries")


def test_the_page_without_javascript_shows_no_answer_body(faq):
    response = Client().get(f"/{faq.code}/assistant/", {"q": "市長の好きな食べ物は？"})
    html = response.content.decode()
    page = parse(response)
    assert "answer__body" not in html and "related-title" not in html
    assert "確かな回答が見つかりませんでした。" in page.by_class["handoff"][0].text
    assert page["inquiry-question"].text == "市長の好きな食べ物は？"
    assert "inquiry-email" in html


def test_a_confident_answer_is_still_shown(faq):
    response = Client().get(f"/{faq.code}/assistant/", {"q": "住民票の写しはどこで取れますか。"})
    html = response.content.decode()
    assert "answer__body" in html and "確かな回答が見つかりませんでした" not in html


@pytest.mark.parametrize(
    ("question", "department"),
    [
        ("What is the capital of France?", None),  # nothing plausible: city hall
        ("おすすめのラーメン屋を教えて", None),
        ("ソファーを捨てたい", "環境課"),  # unsure, but the first entry is on the subject
    ],
)
def test_the_hand_over_names_a_department_only_for_a_plausible_entry(faq, question, department):
    result = assistant_ask(municipality=faq, question=question)
    assert result.confident is False and result.handoff is not None
    assert result.handoff.department == (department or faq.name)
