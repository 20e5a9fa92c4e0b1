"""The resident API's correction (補正) takes the free-text reply beside the answers and keeps
the resident's notation as the portal does; the staff API shows staff the reply and what
changed, field by field, as the back office does (issue 12, item 8)."""

from __future__ import annotations

import json

import pytest
from tests.api.support import assert_problem, juminhyo_answers, post_with_id, status_url
from tests.api.test_staff_api import bearer, make_staff

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.models import Case, CaseEvent
from madoguchi.tenants.models import Role

REPLY = "電話番号を携帯電話に変えました。\n生年月日は和暦で書き直しました。"


@pytest.fixture
def staff(aoba):
    return bearer(make_staff(aoba, "reply-clerk", Role.CLERK, "shimin"))


@pytest.fixture
def created(client, aoba, staff):
    response = post_with_id(client, juminhyo_answers())
    assert response.status_code == 201, response.content
    body = response.json()
    asked = client.post(
        f"/api/v1/staff/cases/{body['receipt_number']}/actions",
        {"action": "request_correction", "message": "電話番号を確認してください。"},
        content_type="application/json",
        **staff,
    )
    assert asked.status_code == 200, asked.content
    return body


def correct(client, created, body, **extra):
    return client.post(
        f"{status_url(created['receipt_number'])}/correction",
        json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        HTTP_X_ACCESS_CODE=created["access_code"],
        **extra,
    )


def stored(aoba, created) -> Case:
    return Case.objects.for_municipality(aoba).get(receipt_number=created["receipt_number"])


def test_the_reply_and_the_residents_notation_are_kept_and_staff_see_the_changes(client, aoba, created, staff):
    answers = juminhyo_answers(phone="090-1234-5678", target_birth_date="昭和55年5月6日")

    response = correct(client, created, {"answers": answers, "reply": f"\u200b {REPLY} "})

    assert response.status_code == 200, response.content
    case = stored(aoba, created)
    # The clean answers, and the notation as the client sent it (the same date, written in 和暦).
    assert case.answers["target_birth_date"] == "1980-05-06"
    assert case.answers_entered["target_birth_date"] == "昭和55年5月6日"
    corrected = CaseEvent.objects.for_municipality(aoba).get(case=case, kind="corrected")
    assert corrected.message == REPLY  # invisible characters and outer blanks dropped, as on the portal
    audit = AuditEntry.objects.for_municipality(aoba).get(object_id=case.receipt_number, event="cases.case.corrected")
    assert audit.payload["has_reply"] is True
    assert REPLY in [notice["message"] for notice in response.json()["notices"]]

    detail = client.get(f"/api/v1/staff/cases/{case.receipt_number}", **staff).json()

    [correction] = detail["corrections"]
    assert (correction["version"], correction["reply"]) == (2, REPLY)
    assert [change["field"] for change in correction["changes"]] == ["phone"]  # the date means the same
    [phone] = correction["changes"]
    assert (phone["before"], phone["after"]) == ("0292001234", "090-1234-5678")
    assert phone["label"]


def test_a_multipart_correction_takes_the_reply_as_a_part(client, aoba, created):
    response = client.post(
        f"{status_url(created['receipt_number'])}/correction",
        {"answers": json.dumps(juminhyo_answers(), ensure_ascii=False), "reply": "変更はありません。"},
        HTTP_X_ACCESS_CODE=created["access_code"],
    )

    assert response.status_code == 200, response.content
    event = CaseEvent.objects.for_municipality(aoba).get(case=stored(aoba, created), kind="corrected")
    assert event.message == "変更はありません。"


def test_without_a_reply_the_correction_works_as_before_and_staff_see_no_change(client, aoba, created, staff):
    assert correct(client, created, {"answers": juminhyo_answers()}).status_code == 200

    detail = client.get(f"/api/v1/staff/cases/{created['receipt_number']}", **staff).json()

    assert [(c["reply"], c["changes"]) for c in detail["corrections"]] == [("", [])]


@pytest.mark.parametrize("reply", ["x" * 4001, 12, ["a"], {"text": "a"}])
def test_a_reply_too_long_or_not_text_is_refused_and_changes_nothing(client, aoba, created, reply):
    response = correct(client, created, {"answers": juminhyo_answers(phone="090-1234-5678"), "reply": reply})

    assert_problem(response, 400, "malformed-request")
    case = stored(aoba, created)
    assert (case.status, case.answers_version) == ("correction_requested", 1)


def test_a_reply_of_the_portals_limit_is_taken(client, aoba, created):
    assert correct(client, created, {"answers": juminhyo_answers(), "reply": "あ" * 4000}).status_code == 200
    event = CaseEvent.objects.for_municipality(aoba).get(case=stored(aoba, created), kind="corrected")
    assert len(event.message) == 4000


def test_a_submission_takes_no_reply(client, aoba):
    response = client.post(
        "/api/v1/municipalities/082015/procedures/juminhyo-copy/applications",
        json.dumps({"answers": juminhyo_answers(), "reply": "x"}),
        content_type="application/json",
    )

    assert_problem(response, 400, "malformed-request")


def test_another_municipality_sees_no_correction(client, created, minatogawa):
    other_city = bearer(make_staff(minatogawa, "reply-other-city", Role.ADMIN))
    assert correct(client, created, {"answers": juminhyo_answers(), "reply": REPLY}).status_code == 200

    assert_problem(client.get(f"/api/v1/staff/cases/{created['receipt_number']}", **other_city), 404, "not-found")


def test_the_document_declares_the_reply_and_the_corrections(client, db):
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert components["CorrectionIn"]["properties"]["reply"]["maxLength"] == 4000
    assert components["CorrectionMultipartIn"]["properties"]["reply"]["type"] == "string"
    assert "corrections" in components["CaseDetailOut"]["required"]
    assert {"version", "reply", "changes"} <= set(components["CorrectionOut"]["properties"])
