"""Messages that name the field and say why (issue 12, item 7): from the definition's labels,
in the resident's language; the API's codes stay what they were."""

from datetime import date

import pytest
from django.utils import translation

from madoguchi.procedures.answers import clean_answers
from madoguchi.procedures.errors import AnswersInvalid
from madoguchi.procedures.person_fields import AddressField

TODAY = date(2026, 12, 5)
DEFINITION = {
    "steps": [
        {
            "id": "s",
            "title": {"ja": "申請者", "en": "Applicant"},
            "fields": [
                {"id": "name", "type": "name", "label": {"ja": "氏名", "en": "Name"}, "required": True},
                {"id": "born", "type": "date", "label": {"ja": "生年月日", "en": "Date of birth"},
                 "required": True, "min_date": "today-130y", "max_date": "today-15y"},
                {"id": "kind", "type": "choice", "label": {"ja": "区分", "en": "Category"}, "required": True,
                 "choices": [{"value": "a", "label": {"ja": "A", "en": "A"}}]},
                {"id": "note", "type": "text", "label": {"ja": "備考", "en": "Note"}},
            ],
        }
    ]
}  # fmt: skip


def errors_for(raw: dict, language: str) -> dict[str, tuple[str, str]]:
    with translation.override(language), pytest.raises(AnswersInvalid) as excinfo:
        clean_answers(DEFINITION, raw, today=TODAY, language=language)
    with translation.override(language):
        return {e.path: (e.code, e.message) for e in excinfo.value.errors}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ja",
            {
                "name": "氏名を入力してください。",
                "born": "生年月日を入力してください。",
                "kind": "区分を選んでください。",
            },
        ),
        ("en", {"name": "Enter name.", "born": "Enter date of birth.", "kind": "Choose category."}),
    ],
)
def test_a_missing_answer_is_named_by_its_label(language, expected):
    errors = errors_for({}, language)
    assert {path: message for path, (_code, message) in errors.items()} == expected
    assert {code for code, _message in errors.values()} == {"required"}  # the API's code is unchanged


@pytest.mark.parametrize(
    ("language", "family", "family_kana"),
    [
        ("ja", "氏名（姓）を入力してください。", "氏名（姓・フリガナ）を入力してください。"),
        ("en", "Enter the family name in “Name”.", "Enter the family name (katakana) in “Name”."),
    ],
)
def test_every_missing_part_is_named_with_its_field(language, family, family_kana):
    errors = errors_for({"name": {"given": "花子", "given_kana": "ハナコ"}, "born": "S55.1.2", "kind": "a"}, language)
    assert errors == {"name.family": ("required", family), "name.family_kana": ("required", family_kana)}


def test_every_missing_part_of_an_address_is_reported_at_once():
    address = {"postal_code": "310-0015", "prefecture": "茨城県", "city": "", "town": "", "block": "1"}
    definition = {"steps": [{"id": "s", "title": {"ja": "s"}, "fields": [
        {"id": "home", "type": "address", "label": {"ja": "住所", "en": "Address"}, "required": True}]}]}  # fmt: skip
    with translation.override("ja"), pytest.raises(AnswersInvalid) as excinfo:
        clean_answers(definition, {"home": address}, today=TODAY, language="ja")
    with translation.override("ja"):
        assert [(e.path, e.message) for e in excinfo.value.errors] == [
            ("home.city", "住所（市区町村）を入力してください。"),
            ("home.town", "住所（町名・字）を入力してください。"),
        ]


@pytest.mark.parametrize(
    ("typed", "language", "message"),
    [
        ("令和7年2月30日", "ja", "2月30日はありません。"),
        ("令和7年2月30日", "en", "There is no 30 February."),
        ("2025-02-29", "ja", "2025年に2月29日はありません（うるう年ではありません）。"),
        ("令和7年2月29日", "en", "There is no 29 February in 令和7年 (2025): it is not a leap year."),
        ("2026-13-01", "ja", "13月はありません。月は1から12で入力してください。"),
        ("平成31年5月1日", "ja", "平成31年5月1日はありません（元号が変わっています）。令和元年5月1日のことですか。"),
        # The limit (15 years ago) in the calendar the resident typed in, never ISO.
        ("令和7年1月1日", "ja", "平成23年12月5日以前の日付を入力してください。"),
        ("2025-01-01", "ja", "2011年12月5日以前の日付を入力してください。"),
        ("2025-01-01", "en", "Enter a date on or before 5 December 2011."),
        ("R7.1.1", "en", "Enter a date on or before H23.12.5 (5 December 2011)."),
    ],
)
def test_a_wrong_date_says_why(typed, language, message):
    errors = errors_for({"name": {"family": "山田", "family_kana": "ヤマダ"}, "born": typed, "kind": "a"}, language)
    assert errors["born"][1] == message


def test_generic_messages_keep_their_text():
    errors = errors_for({"name": {"family": "山田", "family_kana": "ヤマダ"}, "born": "昨日", "kind": "a"}, "ja")
    assert errors["born"] == ("invalid_date", "正しい日付を入力してください（例：2026-04-01、令和8年4月1日）。")


ROMAJI = {
    "postal_code": "3100015",
    "prefecture": "茨城県",
    "city": "Aoba",
    "town": "Chuo",
    "block": "1-2-3",
    "building": "",
}
KANJI = {**ROMAJI, "city": "青葉市", "town": "中央一丁目", "block": "2番3号", "building": "青葉ハイツ101"}


@pytest.mark.parametrize(
    ("value", "language", "shown"),
    [
        (ROMAJI, "en", "〒310-0015 Ibaraki, Aoba, Chuo, 1-2-3"),
        (ROMAJI, "ja", "〒310-0015 茨城県 Aoba Chuo 1-2-3"),
        (KANJI, "ja", "〒310-0015 茨城県青葉市中央一丁目2番3号 青葉ハイツ101"),
        (KANJI, "en", "〒310-0015 Ibaraki, 青葉市, 中央一丁目, 2番3号, 青葉ハイツ101"),
    ],
)
def test_an_address_is_never_glued_to_its_prefecture(value, language, shown):
    assert AddressField().display({}, value, language) == shown
