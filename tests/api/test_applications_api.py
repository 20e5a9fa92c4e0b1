"""Submitting applications (申請) through the API and looking up their status.

A submission answers with a receipt number (受付番号) and an access code; with both, and
only with both, a resident or their software can see the status. The same Idempotency-Key
with the same body is the same submission, so a client may retry after a timeout.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from tests.api.support import (
    JSON_ONLY_SLUG,
    agent_answers,
    assert_problem,
    body_of,
    json_only_answers,
    juminhyo_answers,
    pdf_bytes,
    pdf_upload,
    png_upload,
    post_json,
    post_with_id,
    status_url,
    stored_case,
)
from tests.samples import ADDRESS

from madoguchi.audit.models import AuditEntry
from madoguchi.cases.access import ALPHABET
from madoguchi.cases.models import Attachment, Case
from madoguchi.jp.wareki import fiscal_year

pytestmark = pytest.mark.django_db

ACCESS_CODE_RE = re.compile(f"^[{ALPHABET}]{{12}}$")


def current_fiscal_year() -> int:
    return fiscal_year(timezone.localdate())


def submitted(response) -> dict:
    assert response.status_code == 201, response.content[:800]
    return response.json()


def lookup(client, receipt_number: str, access_code: str | None, **extra):
    if access_code is not None:
        extra["HTTP_X_ACCESS_CODE"] = access_code
    return client.get(status_url(receipt_number), **extra)


# --- submit ---------------------------------------------------------------------------------------


def test_submit_json_returns_receipt_number_access_code_and_status(client, aoba):
    response = post_with_id(client, juminhyo_answers())

    body = submitted(response)
    receipt = f"082015-{current_fiscal_year()}-000001"
    assert body["receipt_number"] == receipt
    assert ACCESS_CODE_RE.match(body["access_code"])
    assert body["status"] == "submitted"
    assert body["procedure"] == "juminhyo-copy"
    assert body["procedure_version"] == 1
    assert body["status_url"] == f"/api/v1/applications/{receipt}"
    assert response["Location"] == body["status_url"]
    assert "Idempotent-Replayed" not in response


def test_submit_stores_the_case_for_the_municipality_through_the_api_channel(client, aoba):
    body = submitted(post_with_id(client, juminhyo_answers(), language="en"))

    case = stored_case(aoba, body["receipt_number"])
    assert case.status == "submitted"
    assert case.channel == "api"
    assert case.language == "en"
    assert case.procedure_version.definition["slug"] == "juminhyo-copy"
    assert case.access_code_hash != body["access_code"]
    assert body["access_code"] not in str(case.answers)


def test_submit_without_language_takes_accept_language(client, aoba):
    body = submitted(post_with_id(client, juminhyo_answers(), HTTP_ACCEPT_LANGUAGE="en"))

    assert stored_case(aoba, body["receipt_number"]).language == "en"


def test_submit_needs_no_csrf_token(aoba):
    client = Client(enforce_csrf_checks=True)

    assert post_with_id(client, juminhyo_answers()).status_code == 201


def test_submit_json_body_with_charset_and_byte_order_mark_is_accepted(client, aoba):
    body = b"\xef\xbb\xbf" + json.dumps({"answers": json_only_answers(client)}).encode()

    response = client.post(
        f"/api/v1/municipalities/082015/procedures/{JSON_ONLY_SLUG}/applications",
        body,
        content_type="application/json; charset=UTF-8",
    )

    assert submitted(response)["status"] == "submitted"


def test_submit_writes_audit_entry_without_personal_data(client, aoba):
    body = submitted(post_with_id(client, juminhyo_answers()))

    (entry,) = AuditEntry.objects.for_municipality(aoba).filter(event="cases.case.submitted")
    assert entry.object_type == "case"
    assert entry.object_id == body["receipt_number"]
    assert entry.actor == "api"
    assert entry.payload["procedure"] == "juminhyo-copy"
    assert entry.payload["channel"] == "api"
    assert "山田" not in str(entry.payload)
    assert "0292001234" not in str(entry.payload)


def test_submit_without_idempotency_key_twice_makes_two_cases(client, aoba):
    first = submitted(post_with_id(client, juminhyo_answers()))
    second = submitted(post_with_id(client, juminhyo_answers()))

    assert first["receipt_number"] != second["receipt_number"]
    assert Case.objects.for_municipality(aoba).count() == 2


# --- receipt numbers ------------------------------------------------------------------------------


def test_receipt_numbers_are_sequential_per_municipality_and_fiscal_year(client, aoba, minatogawa):
    year = current_fiscal_year()

    aoba_numbers = [submitted(post_with_id(client, juminhyo_answers()))["receipt_number"] for _ in range(3)]
    minatogawa_number = submitted(post_with_id(client, juminhyo_answers(), code="082023"))["receipt_number"]
    aoba_numbers.append(submitted(post_with_id(client, juminhyo_answers()))["receipt_number"])

    assert aoba_numbers == [f"082015-{year}-{n:06d}" for n in (1, 2, 3, 4)]
    assert minatogawa_number == f"082023-{year}-000001"
    case = stored_case(aoba, aoba_numbers[-1])
    assert (case.fiscal_year, case.sequence) == (year, 4)


def test_rejected_submission_uses_no_receipt_number(client, aoba):
    first = submitted(post_with_id(client, juminhyo_answers()))
    assert post_with_id(client, juminhyo_answers(copies=0)).status_code == 422

    second = submitted(post_with_id(client, juminhyo_answers()))

    assert [first["receipt_number"][-6:], second["receipt_number"][-6:]] == ["000001", "000002"]


# --- status lookup --------------------------------------------------------------------------------


def test_status_lookup_with_the_access_code_returns_the_status(client, aoba):
    created = submitted(post_with_id(client, juminhyo_answers()))

    response = lookup(client, created["receipt_number"], created["access_code"], HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["receipt_number"] == created["receipt_number"]
    assert body["status"] == "submitted"
    assert body["status_label"] == "Received"
    assert body["municipality"] == "082015"
    assert body["procedure"] == "juminhyo-copy"
    assert body["procedure_title"] == "Request for a copy of the residence record (jūminhyō)"
    assert body["procedure_version"] == 1
    assert body["submitted_at"] == created["submitted_at"]
    assert "answers" not in body
    assert "access_code" not in body


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(str.lower, id="lower-case"),
        pytest.param(lambda code: "-".join(code[i : i + 4] for i in (0, 4, 8)), id="hyphenated"),
        pytest.param(lambda code: "-".join(code[i : i + 4] for i in (0, 4, 8)).lower(), id="hyphenated-lower-case"),
        pytest.param(lambda code: f"  {code[:6]} {code[6:]}  ", id="spaces"),
        pytest.param(
            lambda code: code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}), id="full-width-characters"
        ),
    ],
)
def test_status_lookup_accepts_the_access_code_as_typed(client, aoba, typed):
    created = submitted(post_with_id(client, juminhyo_answers()))

    response = lookup(client, created["receipt_number"], typed(created["access_code"]))

    assert response.status_code == 200
    assert response.json()["receipt_number"] == created["receipt_number"]


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda number: number.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}), id="full-width"),
        pytest.param(lambda number: number.replace("-", "－"), id="full-width-hyphens"),
        pytest.param(lambda number: number.replace("-", "ー"), id="long-vowel-mark-for-hyphens"),
    ],
)
def test_status_lookup_accepts_the_receipt_number_as_typed(client, aoba, typed):
    created = submitted(post_with_id(client, juminhyo_answers()))

    response = lookup(client, typed(created["receipt_number"]), created["access_code"])

    assert response.status_code == 200
    assert response.json()["receipt_number"] == created["receipt_number"]


def test_status_lookup_with_a_wrong_code_is_404(client, aoba):
    created = submitted(post_with_id(client, juminhyo_answers()))
    wrong = "A" * 12 if created["access_code"] != "A" * 12 else "B" * 12

    assert_problem(lookup(client, created["receipt_number"], wrong), 404, "not-found")


def test_status_lookup_without_a_code_is_a_400_naming_the_header(client, aoba):
    created = submitted(post_with_id(client, juminhyo_answers()))

    body = assert_problem(lookup(client, created["receipt_number"], None), 400, "malformed-request")

    assert body["code"] == "access_code_required"
    assert_problem(lookup(client, created["receipt_number"], ""), 404, "not-found")


def test_status_lookup_answers_a_wrong_code_and_an_unknown_number_alike(client, aoba):
    created = submitted(post_with_id(client, juminhyo_answers()))
    unknown = created["receipt_number"][:-6] + "999999"

    wrong_code = lookup(client, created["receipt_number"], "WRONGCODE234")
    unknown_number = lookup(client, unknown, created["access_code"])

    assert (wrong_code.status_code, wrong_code.content) == (unknown_number.status_code, unknown_number.content)
    assert_problem(unknown_number, 404, "not-found")


def test_status_lookup_of_another_municipalitys_case_with_this_code_is_404(client, aoba, minatogawa):
    mine = submitted(post_with_id(client, juminhyo_answers()))
    theirs = submitted(post_with_id(client, juminhyo_answers(), code="082023"))

    assert_problem(lookup(client, theirs["receipt_number"], mine["access_code"]), 404, "not-found")
    assert lookup(client, theirs["receipt_number"], theirs["access_code"]).status_code == 200


def test_status_lookup_with_the_municipality_code_swapped_is_404(client, aoba, minatogawa):
    created = submitted(post_with_id(client, juminhyo_answers()))
    swapped = created["receipt_number"].replace("082015", "082023")

    assert_problem(lookup(client, swapped, created["access_code"]), 404, "not-found")


@pytest.mark.parametrize(
    ("receipt_number", "code"),
    [
        ("' OR 1=1 --", "' OR 1=1 --"),
        ("082015-2026-%", "%"),
        ("..%2F..%2Fetc%2Fpasswd", "X"),
        ("082015-2026-000001", "<script>alert(1)</script>"),
    ],
    ids=["sql", "like-wildcard", "path-traversal", "html"],
)
def test_status_lookup_of_garbage_is_404(client, aoba, receipt_number, code):
    submitted(post_with_id(client, juminhyo_answers()))

    assert_problem(lookup(client, receipt_number, code), 404, "not-found")


# --- attachments ----------------------------------------------------------------------------------


def test_multipart_with_pdf_stores_an_attachment_with_its_digest(client, aoba):
    content = pdf_bytes("委任状")

    response = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload("委任状.pdf", content)})

    case = stored_case(aoba, submitted(response)["receipt_number"])
    (attachment,) = Attachment.objects.for_municipality(aoba).filter(case=case, field_id="power_of_attorney")
    assert attachment.field_id == "power_of_attorney"
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(content)
    assert attachment.name == "委任状.pdf"
    with default_storage.open(attachment.storage_name) as stored:
        assert stored.read() == content
    assert case.answers["power_of_attorney"] == [
        {"name": "委任状.pdf", "content_type": "application/pdf", "size": len(content), "sha256": attachment.sha256}
    ]


@pytest.mark.parametrize(
    ("sent_name", "stored_name"),
    [
        pytest.param("../../etc/ｐａｓｓｗｄ 申請書.pdf", "passwd_申請書.pdf", id="path-and-full-width"),
        pytest.param("..／..／etc／ｐａｓｓｗｄ.pdf", "etcpasswd.pdf", id="full-width-slashes"),
        pytest.param("C:\\Users\\hanako\\委任状.pdf", "委任状.pdf", id="windows-path"),
        pytest.param("委任\u202efdp.pdf", "委任fdp.pdf", id="right-to-left-override"),
        pytest.param("委任状\x00.exe.pdf", "委任状.exe.pdf", id="null-byte"),
        pytest.param(".pdf", "attachment.pdf", id="extension-only"),
        pytest.param("委任状", "委任状.pdf", id="no-extension"),
        pytest.param("<img src=x onerror=alert(1)>.PDF", "img_srcx_onerroralert1.pdf", id="html"),
    ],
)
def test_attachment_name_is_sanitised(client, aoba, sent_name, stored_name):
    response = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload(sent_name)})

    case = stored_case(aoba, submitted(response)["receipt_number"])
    (attachment,) = Attachment.objects.for_municipality(aoba).filter(case=case, field_id="power_of_attorney")
    assert attachment.name == stored_name
    assert "/" not in attachment.name
    assert "\\" not in attachment.name


def test_attachment_name_is_shortened_keeping_the_extension(client, aoba):
    response = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload("長" * 300 + ".pdf")})

    case = stored_case(aoba, submitted(response)["receipt_number"])
    (attachment,) = Attachment.objects.for_municipality(aoba).filter(case=case, field_id="power_of_attorney")
    assert attachment.name == "長" * 116 + ".pdf"


def test_attachment_with_a_generic_declared_type_is_typed_by_its_content(client, aoba):
    upload = png_upload("scan.png", content_type="application/octet-stream")

    response = post_with_id(client, agent_answers(), {"power_of_attorney": upload})

    case = stored_case(aoba, submitted(response)["receipt_number"])
    assert Attachment.objects.for_municipality(aoba).get(case=case, field_id="power_of_attorney").content_type == "image/png"


def test_two_attachments_for_one_field_are_both_stored(client, aoba):
    uploads = [pdf_upload("1.pdf", pdf_bytes("page 1")), png_upload("2.png")]

    response = post_with_id(client, agent_answers(), {"power_of_attorney": uploads})

    case = stored_case(aoba, submitted(response)["receipt_number"])
    attachments = Attachment.objects.for_municipality(aoba).filter(case=case, field_id="power_of_attorney").order_by("name")
    assert [(a.name, a.content_type) for a in attachments] == [("1.pdf", "application/pdf"), ("2.png", "image/png")]


# --- idempotency ----------------------------------------------------------------------------------


def test_replay_with_the_same_key_and_body_returns_the_same_receipt_and_code(client, aoba):
    first = post_with_id(client, juminhyo_answers(), key="order-42")
    second = post_with_id(client, juminhyo_answers(), key="order-42")

    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert (second.json()["receipt_number"], second.json()["access_code"]) == (
        first.json()["receipt_number"],
        first.json()["access_code"],
    )


def test_replay_stores_nothing_new(client, aoba):
    submitted(post_with_id(client, juminhyo_answers(), key="order-42"))
    assert Case.objects.for_municipality(aoba).count() == 1
    audit_entries = AuditEntry.objects.for_municipality(aoba).count()

    post_with_id(client, juminhyo_answers(), key="order-42")

    assert Case.objects.for_municipality(aoba).count() == 1
    assert AuditEntry.objects.for_municipality(aoba).count() == audit_entries


def test_replayed_access_code_opens_the_status(client, aoba):
    submitted(post_with_id(client, juminhyo_answers(), key="order-42"))
    replay = submitted(post_with_id(client, juminhyo_answers(), key="order-42"))

    assert lookup(client, replay["receipt_number"], replay["access_code"]).status_code == 200


def test_replay_of_a_multipart_submission_returns_the_same_receipt(client, aoba):
    first = submitted(post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload()}, key="k-1"))
    second = post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload()}, key="k-1")

    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["receipt_number"] == first["receipt_number"]
    assert Attachment.objects.for_municipality(aoba).filter(field_id="power_of_attorney").count() == 1


def test_replay_with_a_different_body_is_an_idempotency_conflict(client, aoba):
    first = submitted(post_with_id(client, juminhyo_answers(), key="order-42"))
    audit_entries = AuditEntry.objects.for_municipality(aoba).count()

    response = post_with_id(client, juminhyo_answers(copies=2), key="order-42", HTTP_ACCEPT_LANGUAGE="en")

    body = assert_problem(response, 422, "idempotency-conflict")
    assert body["title"] == "This Idempotency-Key was already used with a different request."
    assert Case.objects.for_municipality(aoba).count() == 1
    assert stored_case(aoba, first["receipt_number"]).answers["copies"] == 1
    assert AuditEntry.objects.for_municipality(aoba).count() == audit_entries


def test_replay_with_a_different_file_is_an_idempotency_conflict(client, aoba):
    submitted(post_with_id(client, agent_answers(), {"power_of_attorney": pdf_upload()}, key="k-1"))

    response = post_with_id(
        client, agent_answers(), {"power_of_attorney": pdf_upload(content=pdf_bytes("v2"))}, key="k-1"
    )

    assert_problem(response, 422, "idempotency-conflict")
    assert Attachment.objects.for_municipality(aoba).filter(field_id="power_of_attorney").count() == 1


def test_same_key_for_another_procedure_is_an_idempotency_conflict(client, aoba):
    submitted(post_with_id(client, juminhyo_answers(), key="order-42"))
    response = post_json(client, json_only_answers(client), slug=JSON_ONLY_SLUG, key="order-42")

    assert_problem(response, 422, "idempotency-conflict")


def test_body_typed_differently_but_cleaning_to_the_same_answers_is_a_replay(client, aoba):
    name_in_hiragana = {"family": "山田", "given": "花子", "family_kana": "やまだ", "given_kana": "はなこ"}
    name_in_katakana = {"family": "山田", "given": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ"}
    first = submitted(post_with_id(client, juminhyo_answers(requester_name=name_in_hiragana), key="order-42"))

    second = post_with_id(client, juminhyo_answers(requester_name=name_in_katakana), key="order-42")

    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["receipt_number"] == first["receipt_number"]


def test_quotes_around_the_idempotency_key_are_ignored(client, aoba):
    first = submitted(post_with_id(client, juminhyo_answers(), key="order-42"))

    second = post_with_id(client, juminhyo_answers(), key='"order-42"')

    assert second.json()["receipt_number"] == first["receipt_number"]


def test_same_key_in_two_municipalities_makes_two_cases(client, aoba, minatogawa):
    mine = submitted(post_with_id(client, juminhyo_answers(), key="order-42"))
    theirs = submitted(post_with_id(client, juminhyo_answers(), code="082023", key="order-42"))

    assert mine["receipt_number"].startswith("082015-")
    assert theirs["receipt_number"].startswith("082023-")
    assert Case.objects.for_municipality(minatogawa).count() == 1


def test_idempotency_key_of_100_visible_ascii_characters_is_accepted(client, aoba):
    key = "".join(chr(0x21 + i % 94) for i in range(100))

    assert post_with_id(client, juminhyo_answers(), key=key).status_code == 201
    assert Case.objects.for_municipality(aoba).get().idempotency_key == key


# --- what is stored -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "令和8年4月1日",
        "R8.4.1",
        "r08/04/01",
        "令和８年４月１日",
        "2026/4/1",
        "2026年4月1日",
        "20260401",
        "西暦2026年4月1日",
    ],
)
def test_date_is_stored_in_iso_format(client, aoba, typed):
    response = post_with_id(client, juminhyo_answers(target_birth_date=typed))

    assert stored_case(aoba, submitted(response)["receipt_number"]).answers["target_birth_date"] == "2026-04-01"


@pytest.mark.parametrize(
    ("typed", "iso"), [("平成31年4月30日", "2019-04-30"), ("令和元年5月1日", "2019-05-01"), ("S55.5.6", "1980-05-06")]
)
def test_date_at_an_era_boundary_is_stored_in_iso_format(client, aoba, typed, iso):
    response = post_with_id(client, juminhyo_answers(target_birth_date=typed))

    assert stored_case(aoba, submitted(response)["receipt_number"]).answers["target_birth_date"] == iso


@pytest.mark.parametrize(
    ("changes", "path", "expected"),
    [
        pytest.param({"phone": "０２９２００１２３４"}, ("phone",), "0292001234", id="full-width-phone"),
        pytest.param({"phone": "+81 (0)29-200-1234"}, ("phone",), "0292001234", id="international-phone"),
        pytest.param({"phone": "＋８１９０１２３４５６７８"}, ("phone",), "09012345678", id="full-width-international"),
        pytest.param(
            {"target_address": {**juminhyo_answers()["target_address"], "postal_code": "〒３１０－００１５"}},
            ("target_address", "postal_code"),
            "3100015",
            id="full-width-postal-code",
        ),
        pytest.param(
            {"target_address": {**juminhyo_answers()["target_address"], "block": "２番３号"}},
            ("target_address", "block"),
            "2番3号",
            id="full-width-digits-in-address",
        ),
        pytest.param({}, ("requester_name", "family_kana"), "ヤマダ", id="hiragana-furigana"),
        pytest.param(
            {"requester_name": {"family": "山田", "given": "花子", "family_kana": "ﾔﾏﾀﾞ", "given_kana": "はなこ"}},
            ("requester_name", "family_kana"),
            "ヤマダ",
            id="half-width-katakana-furigana",
        ),
        pytest.param(
            {"requester_name": {"family": "髙橋", "given": "𠮷子", "family_kana": "タカハシ", "given_kana": "ヨシコ"}},
            ("requester_name", "family"),
            "髙橋",
            id="variant-kanji-in-name-kept",
        ),
        pytest.param(
            {"requester_name": {"family": "  山田\u3000", "family_kana": "やまだ"}},
            ("requester_name", "family"),
            "山田",
            id="spaces-around-name-trimmed",
        ),
        pytest.param({"email": "Hanako@EXAMPLE.JP"}, ("email",), "Hanako@example.jp", id="email-domain-lower-case"),
        pytest.param(
            {"email": "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ"}, ("email",), "hanako@example.jp", id="full-width-email"
        ),
        pytest.param({"copies": "２"}, ("copies",), 2, id="full-width-integer"),
        pytest.param({"copies": " 3 "}, ("copies",), 3, id="integer-as-text"),
        pytest.param({"notes": "ｱｲｳ  ＡＢＣ\t１２３"}, ("notes",), "アイウ ABC 123", id="text-nfkc-and-spaces"),
        pytest.param(
            {"notes": "一行目\r\n\r\n\r\n\r\n\r\n二行目  "}, ("notes",), "一行目\n\n\n二行目", id="textarea-line-breaks"
        ),
        pytest.param({"consent": "on"}, ("consent",), True, id="consent-from-checkbox"),
        pytest.param(
            {"include_items": ["honseki", "head_relationship"]},
            ("include_items",),
            ["head_relationship", "honseki"],
            id="multichoice-in-form-order",
        ),
        pytest.param({"include_items": "honseki"}, ("include_items",), ["honseki"], id="multichoice-single-string"),
        pytest.param({"relationship": " self "}, ("relationship",), "self", id="choice-trimmed"),
    ],
)
def test_input_is_stored_normalised(client, aoba, changes, path, expected):
    response = post_with_id(client, juminhyo_answers(**changes))

    value = stored_case(aoba, submitted(response)["receipt_number"]).answers
    for key in path:
        value = value[key]
    assert value == expected


def test_optional_answers_left_empty_are_not_stored(client, aoba):
    response = post_with_id(client, juminhyo_answers(notes="", email=None, include_items=[]))

    answers = stored_case(aoba, submitted(response)["receipt_number"]).answers
    assert {"notes", "email", "include_items"}.isdisjoint(answers)


def test_stored_answers_are_exactly_the_clean_answers(client, aoba):
    response = post_with_id(client, juminhyo_answers())

    answers = stored_case(aoba, submitted(response)["receipt_number"]).answers
    assert [item["name"] for item in answers.pop("identity_document")] == ["本人確認書類.pdf"]
    assert answers == {
        "requester_name": {"family": "山田", "given": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ"},
        "relationship": "self",
        "target_address": {
            "postal_code": "3100015",
            "prefecture": "茨城県",
            "city": "青葉市",
            "town": "中央一丁目",
            "block": "2番3号",
            "building": "",
        },
        "target_birth_date": "1980-05-06",
        "scope": "individual",
        "copies": 1,
        "purpose": "employment",
        "delivery_method": "counter",
        "phone": "0292001234",
        "consent": True,
    }


def test_created_response_is_json_not_problem(client, aoba):
    response = post_with_id(client, juminhyo_answers())

    assert response["Content-Type"].startswith("application/json")
    assert body_of(response)["status"] == "submitted"


def test_status_lookup_gives_the_fee_and_its_payment_state(client, aoba):
    created = submitted(post_with_id(client, juminhyo_answers(copies=2, delivery_method="postal", payment_method="slip",
                                                         mailing_address=dict(ADDRESS))))  # fmt: skip

    body = lookup(client, created["receipt_number"], created["access_code"]).json()

    assert body["fee"]["total"] == 600
    assert body["fee"]["method"] == "slip"
    assert body["fee"]["payment_state"] == "unpaid"
    assert body["fee"]["payment_number"].startswith(created["receipt_number"].replace("-", ""))


def test_status_lookup_of_an_exempt_application_has_nothing_to_pay(client, aoba):
    created = submitted(post_with_id(client, juminhyo_answers(purpose="pension")))

    body = lookup(client, created["receipt_number"], created["access_code"]).json()

    assert body["fee"] == {"total": 0, "method": "", "payment_state": "", "payment_number": ""}
