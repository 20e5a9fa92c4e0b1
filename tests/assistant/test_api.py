"""The assistant API (issue 4): ask, feedback, inquiries; bad input is a 4xx problem document."""

from __future__ import annotations

import json
from types import SimpleNamespace

import django_ratelimit.core
import pytest

from madoguchi.assistant.models import Feedback, Inquiry, QuestionLog

ASK = "/api/v1/municipalities/{code}/assistant/ask"


def post(client, url, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type=content_type)


def assert_problem(response, status: int, kind: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/" + kind)
    assert body["status"] == status
    return body


def test_ask_answers_with_source_and_language(client, faq):
    response = post(
        client, ASK.format(code=faq.code), {"question": "Where can I get a copy of my juminhyo?", "limit": 2}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "en"
    assert body["confident"] is True and body["handoff"] is None
    best = body["answers"][0]
    assert best["id"] == "certificates-001"
    assert best["language"] == "en"
    assert best["source_url"].startswith("https://www.city.aoba.example.jp/")
    assert best["procedure"] == "juminhyo-copy"
    assert len(body["answers"]) == 2


def test_ask_with_a_language_tag_answers_in_that_language(client, faq):
    response = post(client, ASK.format(code=faq.code), {"question": "住民票の写し", "language": "ja-x-easy"})
    body = response.json()
    assert body["language"] == "ja-x-easy"
    assert body["answers"][0]["language"] == "ja-x-easy"


def test_ask_hands_over_when_not_confident(client, faq):
    body = post(client, ASK.format(code=faq.code), {"question": "宇宙旅行の補助金はありますか"}).json()
    assert body["confident"] is False
    assert body["handoff"]["phone"]
    assert body["handoff"]["inquiry_url"] == f"/api/v1/municipalities/{faq.code}/assistant/inquiries"


@pytest.mark.parametrize(
    ("body", "status", "kind", "field"),
    [
        ({"question": ""}, 422, "invalid-request", "question"),
        ({"question": "   "}, 422, "invalid-request", "question"),
        ({"question": "あ" * 501}, 422, "invalid-request", "question"),
        ({"question": 42}, 422, "invalid-request", "question"),
        ({}, 422, "invalid-request", "question"),
        ({"question": "ごみ", "language": "xx"}, 422, "invalid-request", "language"),
        ({"question": "ごみ", "language": 3}, 422, "invalid-request", "language"),
        ({"question": "ごみ", "limit": 0}, 422, "invalid-request", "limit"),
        ({"question": "ごみ", "limit": 11}, 422, "invalid-request", "limit"),
        ({"question": "ごみ", "limit": "3"}, 422, "invalid-request", "limit"),
        ({"question": "ごみ", "limit": True}, 422, "invalid-request", "limit"),
        ({"question": "ごみ", "extra": 1}, 400, "malformed-request", None),
        ([1, 2], 400, "malformed-request", None),
        ('{"question": "a", "question": "b"}', 400, "malformed-request", None),
        ('{"question": ', 400, "malformed-request", None),
        ('{"question": "\\ud800"}', 400, "malformed-request", None),
    ],
)
def test_ask_bad_input_is_a_problem_document(client, city, body, status, kind, field):
    problem = assert_problem(post(client, ASK.format(code=city.code), body), status, kind)
    if field:
        assert problem["errors"][0]["field"] == field


def test_ask_needs_json(client, city):
    assert_problem(
        post(client, ASK.format(code=city.code), "question=a", "application/x-www-form-urlencoded"),
        415,
        "unsupported-media-type",
    )


def test_ask_for_an_unknown_municipality_is_404(client, db):
    assert_problem(post(client, ASK.format(code="999999"), {"question": "ごみ"}), 404, "not-found")


def test_ask_with_get_is_405(client, city):
    assert_problem(client.get(ASK.format(code=city.code)), 405, "method-not-allowed")


def test_ask_is_rate_limited(client, aoba, settings, monkeypatch):
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1_900_000_020.0))
    settings.MADOGUCHI_ASSISTANT_RATE = "2/m"
    for _ in range(2):
        assert post(client, ASK.format(code=aoba.code), {"question": "ごみ"}).status_code == 200
    assert_problem(post(client, ASK.format(code=aoba.code), {"question": "ごみ"}), 429, "rate-limited")


def test_feedback_on_an_asked_question(client, faq, minatogawa):
    body = post(client, ASK.format(code=faq.code), {"question": "住民票の写し"}).json()
    url = f"/api/v1/municipalities/{faq.code}/assistant/questions/{body['question_id']}/feedback"
    response = post(client, url, {"feedback": "not_helpful"})
    assert response.status_code == 200
    assert QuestionLog.objects.for_municipality(faq).get().feedback == Feedback.NOT_HELPFUL
    assert_problem(post(client, url, {"feedback": "meh"}), 422, "invalid-request")
    other = f"/api/v1/municipalities/{minatogawa.code}/assistant/questions/{body['question_id']}/feedback"
    assert_problem(post(client, other, {"feedback": "helpful"}), 404, "not-found")
    unknown = f"/api/v1/municipalities/{faq.code}/assistant/questions/not-a-uuid/feedback"
    assert_problem(post(client, unknown, {"feedback": "helpful"}), 404, "not-found")


def test_inquiry_is_created_for_the_municipality(client, aoba, minatogawa):
    url = f"/api/v1/municipalities/{aoba.code}/assistant/inquiries"
    response = post(client, url, {"question": "粗大ごみの日を変えたい", "email": "a@example.jp", "language": "ja"})
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    assert Inquiry.objects.for_municipality(aoba).count() == 1
    assert Inquiry.objects.for_municipality(minatogawa).count() == 0
    assert_problem(post(client, url, {"question": "x", "email": "not-an-address"}), 422, "invalid-request")
    assert_problem(post(client, url, {"question": ""}), 422, "invalid-request")


def test_an_inquiry_refused_by_the_service_is_a_problem_listing_each_member(client, aoba):
    url = f"/api/v1/municipalities/{aoba.code}/assistant/inquiries"
    body = {"question": "あ" * 2001, "email": "not-an-address"}
    problem = assert_problem(post(client, url, body), 422, "invalid-request")
    assert problem["code"] == "inquiry_invalid"
    assert problem["errors"] == [
        {"field": "question", "code": "too_long", "message": "2000文字以内で入力してください。"},
        {"field": "email", "code": "invalid_email", "message": "正しいメールアドレスを入力してください。"},
    ]
    response = client.post(
        url, data=json.dumps(body), content_type="application/json", headers={"accept-language": "en"}
    )
    assert [e["message"] for e in response.json()["errors"]] == [
        "Enter at most 2000 characters.",
        "Enter a valid email address.",
    ]
    assert not Inquiry.objects.for_municipality(aoba).exists()


def test_a_question_refused_by_the_service_names_the_code_and_the_limit(client, city):
    problem = assert_problem(post(client, ASK.format(code=city.code), {"question": "あ" * 501}), 422, "invalid-request")
    assert (problem["code"], problem["errors"]) == (
        "question_invalid",
        [{"field": "question", "code": "too_long", "message": "500文字以内で入力してください。"}],
    )
    problem = assert_problem(post(client, ASK.format(code=city.code), {}), 422, "invalid-request")
    assert problem["errors"][0]["code"] == "required"


def test_assistant_endpoints_are_in_the_openapi_document(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    ask = paths["/api/v1/municipalities/{code}/assistant/ask"]["post"]
    assert set(ask["responses"]) >= {"200", "404", "422", "429"}
    assert ask["requestBody"]["content"]["application/json"]["schema"]["required"] == ["question"]
    assert "/api/v1/municipalities/{code}/assistant/questions/{question_id}/feedback" in paths
    assert "/api/v1/municipalities/{code}/assistant/inquiries" in paths


# --- the published FAQ as a list (listFaqEntries) ---------------------------------------------

FAQ_URL = "/api/v1/municipalities/082015/assistant/faq"


def test_the_faq_list_shows_published_entries_in_the_residents_language(client, faq):
    entries = client.get(FAQ_URL, {"limit": 100}, HTTP_ACCEPT_LANGUAGE="en").json()

    moving = next(e for e in entries if e["id"] == "moving-001")
    assert moving["language"] == "en"
    assert moving["fallback"] is False
    assert moving["category"] == "moving"
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)


def test_the_faq_list_falls_back_to_japanese_and_says_so(client, faq):
    entries = client.get(FAQ_URL, {"language": "ne", "limit": 100}).json()

    assert any(e["fallback"] and e["language"] in ("ja", "ja-x-easy") for e in entries)


def test_the_faq_list_is_paged_with_link_headers_and_revalidated_with_its_etag(client, faq):
    first = client.get(FAQ_URL, {"limit": 2})
    again = client.get(FAQ_URL, {"limit": 2}, HTTP_IF_NONE_MATCH=first["ETag"])

    assert len(first.json()) == 2
    assert 'rel="next"' in first["Link"]
    assert again.status_code == 304


def test_the_faq_list_filters_by_the_municipalitys_categories(client, faq):
    garbage = client.get(FAQ_URL, {"category": "garbage", "limit": 100, "language": "ja"}).json()

    assert garbage and {e["category"] for e in garbage} == {"garbage"}
    assert {e["category_label"] for e in garbage} == {"ごみ・リサイクル"}
    # a key the municipality does not have matches nothing; a too long one is refused
    assert client.get(FAQ_URL, {"category": "no-such"}).json() == []
    assert client.get(FAQ_URL, {"category": "c" * 65}).status_code == 400
