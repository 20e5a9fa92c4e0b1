from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.samples import ADDRESS, NAME, pdf_bytes, png_bytes

from madoguchi.procedures.answers import clean_answers
from madoguchi.procedures.definition import parse_definition
from madoguchi.procedures.errors import AnswersInvalid

TODAY = date(2026, 6, 15)

DEFINITION = parse_definition("""\
slug: everything
title: {ja: 全項目, en: Everything}
summary: {ja: 全ての型, en: All field types}
category: other
department: shimin
fee: {amount: 300}
processing_period_days: 3
steps:
  - id: one
    title: {ja: 一, en: One}
    fields:
      - {id: name, type: name, label: {ja: 氏名, en: Name}, required: true}
      - {id: kana, type: kana, label: {ja: カナ, en: Kana}}
      - {id: born, type: date, label: {ja: 生年月日, en: Birth date}, min_date: today-130y, max_date: today}
      - {id: moving, type: date, label: {ja: 異動日, en: Moving date}, min_date: today-14d, max_date: today+30d}
      - {id: postal, type: postal_code, label: {ja: 郵便番号, en: Postal code}}
      - {id: address, type: address, label: {ja: 住所, en: Address}}
      - {id: phone, type: phone, label: {ja: 電話, en: Phone}}
      - {id: email, type: email, label: {ja: メール, en: Email}}
      - {id: note, type: text, label: {ja: 備考, en: Note}, max_length: 10}
      - {id: long, type: textarea, label: {ja: 詳細, en: Details}}
  - id: two
    title: {ja: 二, en: Two}
    fields:
      - {id: copies, type: integer, label: {ja: 通数, en: Copies}, min: 1, max: 10}
      - {id: cost, type: yen, label: {ja: 費用, en: Cost}, max: 1000000}
      - id: purpose
        type: choice
        label: {ja: 目的, en: Purpose}
        required: true
        choices:
          - {value: work, label: {ja: 勤務先, en: Work}}
          - {value: other, label: {ja: その他, en: Other}}
      - id: purpose_other
        type: text
        label: {ja: その他の目的, en: Other purpose}
        required: true
        show_if: {field: purpose, equals: other}
      - id: items
        type: multichoice
        label: {ja: 項目, en: Items}
        choices:
          - {value: a, label: {ja: あ, en: A}}
          - {value: b, label: {ja: い, en: B}}
      - id: proof
        type: file
        label: {ja: 証明書, en: Proof}
        accept: [pdf, png]
        max_size_mb: 1
        max_files: 2
        show_if: {field: items, in: [b]}
        required: true
      - id: consent
        type: consent
        label: {ja: 同意, en: Consent}
        consent_text: {ja: 同意します, en: I agree}
""")

BASE = {"name": NAME, "purpose": "work", "consent": True}


def clean(raw, files=None, **kwargs):
    return clean_answers(DEFINITION, raw, files, today=TODAY, **kwargs)


def errors_of(raw, files=None):
    with pytest.raises(AnswersInvalid) as excinfo:
        clean(raw, files)
    return {e.path: e.code for e in excinfo.value.errors}


def test_minimal_valid_answers_are_cleaned():
    values = clean(BASE).values
    assert values["name"] == {"family": "山田", "given": "花子", "family_kana": "ヤマダ", "given_kana": "ハナコ"}
    assert values["purpose"] == "work"
    assert values["consent"] is True


def test_every_problem_is_reported_at_once():
    assert errors_of({"phone": "12", "email": "x"}) == {
        "name": "required",
        "phone": "invalid_phone",
        "email": "invalid_email",
        "purpose": "required",
        "consent": "required",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-04-01", "2026-04-01"),
        ("令和8年4月1日", "2026-04-01"),
        ("R8.4.1", "2026-04-01"),
        ("平成31年4月30日", "2019-04-30"),
        ("令和元年5月1日", "2019-05-01"),
        ("２０２６年４月１日", "2026-04-01"),
    ],
)
def test_dates_accept_western_and_japanese_era_forms(raw, expected):
    assert clean({**BASE, "born": raw}).values["born"] == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("令和0年1月1日", "invalid_date"),
        ("2026年2月30日", "invalid_date"),
        ("平成31年5月1日", "out_of_era"),
        ("令和1年4月30日", "out_of_era"),
        ("明日", "invalid_date"),
        ("2027-01-01", "date_too_late"),
        ("1890-01-01", "date_too_early"),
    ],
)
def test_impossible_or_out_of_range_dates_are_refused(raw, code):
    assert errors_of({**BASE, "born": raw}) == {"born": code}


def test_relative_date_bounds_follow_the_injected_clock():
    assert clean({**BASE, "moving": "2026-06-01"}).values["moving"] == "2026-06-01"
    assert errors_of({**BASE, "moving": "2026-05-31"}) == {"moving": "date_too_early"}
    assert errors_of({**BASE, "moving": "2026-07-16"}) == {"moving": "date_too_late"}


def test_input_is_normalised_before_validation():
    values = clean(
        {
            **BASE,
            "kana": "やまだ　はなこ",
            "postal": "〒３１０－００１５",
            "phone": "０２９－２００－１２３４",
            "email": "Hanako@Example.JP",
            "long": "一行目\r\n\r\n\r\n\r\n二行目　",
            "copies": "３",
            "cost": "１２，３４５円",
        }
    ).values
    assert values["kana"] == "ヤマダ ハナコ"
    assert values["postal"] == "3100015"
    assert values["phone"] == "029-200-1234"
    assert values["email"] == "Hanako@example.jp"
    assert values["long"] == "一行目\n\n\n二行目"
    assert values["copies"] == 3
    assert values["cost"] == 12345


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0292001234", "0292001234"),
        ("029-200-1234", "029-200-1234"),
        ("(029) 200-1234", "029-200-1234"),
        ("+81 90 1234 5678", "09012345678"),
        ("090ー1234ー5678", "090-1234-5678"),
    ],
)
def test_phone_numbers_keep_the_residents_grouping(typed, stored):
    assert clean({**BASE, "phone": typed}).values["phone"] == stored


def test_names_keep_characters_outside_jis_as_typed():
    name = {**NAME, "family": "𠮷田", "given": "髙﨑"}
    assert clean({**BASE, "name": name}).values["name"]["family"] == "𠮷田"
    assert clean({**BASE, "name": name}).values["name"]["given"] == "髙﨑"


def test_name_parts_report_their_own_errors():
    assert errors_of({**BASE, "name": {"family": "山田", "family_kana": "Yamada"}}) == {
        "name.family_kana": "not_katakana"
    }
    assert errors_of({**BASE, "name": {"family": "山田", "given": "花子", "family_kana": "ヤマダ"}}) == {
        "name.given_kana": "required"
    }


def test_address_needs_its_parts_and_a_real_prefecture():
    assert clean({**BASE, "address": ADDRESS}).values["address"]["postal_code"] == "3100015"
    assert errors_of({**BASE, "address": {**ADDRESS, "block": ""}}) == {"address.block": "required"}
    assert errors_of({**BASE, "address": {**ADDRESS, "prefecture": "江戸府"}}) == {
        "address.prefecture": "invalid_choice"
    }


def test_too_long_text_is_refused_with_the_limit():
    with pytest.raises(AnswersInvalid) as excinfo:
        clean({**BASE, "note": "あ" * 11})
    error = excinfo.value.errors[0]
    assert (error.code, error.params) == ("too_long", {"limit": 10})


@pytest.mark.parametrize(
    ("raw", "code"),
    [("0", "too_small"), ("11", "too_large"), ("1.5", "invalid_integer"), (True, "wrong_type"), ([], None)],
)
def test_integers_respect_type_and_bounds(raw, code):
    if code is None:
        assert "copies" not in clean({**BASE, "copies": raw}).values
    else:
        assert errors_of({**BASE, "copies": raw}) == {"copies": code}


def test_a_conditional_field_is_required_only_when_its_condition_holds():
    assert errors_of({**BASE, "purpose": "other"}) == {"purpose_other": "required"}
    assert clean({**BASE, "purpose": "other", "purpose_other": "留学"}).values["purpose_other"] == "留学"


def test_an_answer_to_a_hidden_conditional_field_is_dropped():
    assert "purpose_other" not in clean({**BASE, "purpose_other": "留学"}).values


def test_multichoice_keeps_definition_order_and_refuses_unknown_values():
    proof = [SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf")]
    assert clean({**BASE, "items": ["b", "a", "b"]}, {"proof": proof}).values["items"] == ["a", "b"]
    assert errors_of({**BASE, "items": ["c"]}) == {"items": "invalid_choice"}


def test_a_conditional_file_is_required_when_its_condition_holds():
    assert errors_of({**BASE, "items": ["b"]}) == {"proof": "file_required"}


def test_files_are_checked_by_their_content_and_named_safely():
    upload = SimpleUploadedFile("../../etc/申請 書.pdf", pdf_bytes(), "application/pdf")
    result = clean({**BASE, "items": ["b"]}, {"proof": [upload]})
    [attachment] = result.attachments
    assert attachment.content_type == "application/pdf"
    assert attachment.name == "申請_書.pdf"
    assert result.values["proof"][0]["sha256"] == attachment.sha256


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("scan.pdf", png_bytes(), "application/pdf"), "file_type_mismatch"),
        (SimpleUploadedFile("scan.png", png_bytes(), "application/pdf"), "file_type_mismatch"),
        (SimpleUploadedFile("scan.png", b"", "image/png"), "file_empty"),
        (SimpleUploadedFile("scan.gif", b"GIF89a" + b"\x00" * 20, "image/gif"), "file_type_not_allowed"),
        (SimpleUploadedFile("notes.pdf", b"just text, not a pdf", "application/pdf"), "file_type_not_allowed"),
        (SimpleUploadedFile("big.pdf", pdf_bytes() + b"%" * (1024 * 1024), "application/pdf"), "file_too_large"),
    ],
)
def test_bad_files_are_refused(upload, code):
    assert errors_of({**BASE, "items": ["b"]}, {"proof": [upload]}) == {"proof": code}


def test_too_many_files_are_refused():
    uploads = [SimpleUploadedFile(f"{i}.png", png_bytes(i + 1), "image/png") for i in range(3)]
    assert errors_of({**BASE, "items": ["b"]}, {"proof": uploads}) == {"proof": "too_many_files"}


def test_unknown_answers_are_refused():
    assert errors_of({**BASE, "favourite_colour": "blue"}) == {"favourite_colour": "unknown_field"}


def test_cleaning_is_idempotent():
    raw = {**BASE, "kana": "やまだ", "born": "R8.4.1", "address": ADDRESS, "cost": "1,000", "items": ["a"]}
    once = clean(raw).values
    assert clean(once).values == once


def test_one_step_is_validated_against_earlier_answers():
    result = clean(
        {"purpose": "other", "purpose_other": "留学", "consent": "on"}, step_ids={"two"}, previous={"name": NAME}
    )
    assert set(result.values) == {"purpose", "purpose_other", "consent"}
