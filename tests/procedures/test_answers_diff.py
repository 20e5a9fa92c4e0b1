"""What a 補正 changed, field by field (issue 12, item 8)."""

from tests.samples import ADDRESS

from madoguchi.procedures.answers import answers_diff
from madoguchi.procedures.selectors import procedure_get


def _inkan(aoba):
    return procedure_get(municipality=aoba, slug="inkan-certificate").current_version.definition


def test_only_changed_fields_are_listed_in_form_order_with_display_texts(aoba):
    before = {"phone": "029-200-1234", "birth_date": "1980-01-02", "copies": 1}
    after = {"phone": "090-1111-2222", "birth_date": "1980-01-03", "copies": 1}
    changes = answers_diff(_inkan(aoba), before, after, "ja")
    assert [c["id"] for c in changes] == ["birth_date", "phone"]
    assert changes[0]["before"].startswith("昭和55年1月2日") and changes[0]["after"].startswith("昭和55年1月3日")
    assert (changes[1]["before"], changes[1]["after"]) == ("029-200-1234", "090-1111-2222")


def test_an_answer_added_or_removed_shows_an_empty_side(aoba):
    changes = answers_diff(_inkan(aoba), {}, {"phone": "029-200-1234"}, "ja")
    assert changes == [{"id": "phone", "label": changes[0]["label"], "before": "", "after": "029-200-1234"}]


def test_the_residents_notation_is_shown_when_given(aoba):
    building = {**ADDRESS, "building": "青葉荘(2階)"}
    changes = answers_diff(
        _inkan(aoba),
        {"address": ADDRESS},
        {"address": building},
        "ja",
        entered_after={"address": {**building, "building": "青葉荘（2階）"}},
    )
    assert "青葉荘（2階）" in changes[0]["after"] and "青葉荘" not in changes[0]["before"]


def test_a_date_is_always_shown_in_full_whatever_was_typed(aoba):
    changes = answers_diff(
        _inkan(aoba), {}, {"birth_date": "1980-01-03"}, "ja", entered_after={"birth_date": "S55.1.3"}
    )
    assert changes[0]["after"] == "昭和55年1月3日（1980年1月3日）"
