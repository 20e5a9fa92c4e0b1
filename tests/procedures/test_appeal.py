"""教示 terms per procedure (issue #12): the mayor by default, the prefecture's 介護保険審査会 for
要介護認定 with its ruling before any suit; placeholders checked by `madoguchi catalog check`."""

from __future__ import annotations

import pytest

from madoguchi.procedures.appeal import appeal_notice, appeal_terms
from madoguchi.procedures.definition import DefinitionError, parse_definition
from madoguchi.procedures.selectors import procedure_get


def _definition(municipality, slug):
    return procedure_get(municipality=municipality, slug=slug).current_version.definition


def test_by_default_the_mayor_hears_the_review_within_3_months_and_a_suit_lies_within_6(aoba):
    terms = appeal_terms(definition=_definition(aoba, "inkan-certificate"), municipality=aoba)

    assert (terms.review_body, terms.review_months, terms.suit_months) == ("青葉市長", 3, 6)
    assert (terms.defendant, terms.representative, terms.review_first) == ("青葉市", "青葉市長", False)


def test_a_care_need_certification_goes_to_the_prefectures_appeal_board_before_any_suit(aoba):
    definition = _definition(aoba, "kaigo-nintei")

    terms = appeal_terms(definition=definition, municipality=aoba)
    review, suit = appeal_notice(definition=definition, municipality=aoba, language="ja")

    assert terms.review_body == "茨城県介護保険審査会" and terms.review_first
    assert "3か月以内に、茨城県介護保険審査会に対して審査請求をすることができます" in review
    assert "審査請求に対する裁決を経た後でなければ提起することができません" in suit
    assert "青葉市を被告として（訴訟において青葉市を代表する者は青葉市長となります。）" in suit


def test_the_english_notice_names_the_board_and_the_municipality_in_english(aoba):
    review, suit = appeal_notice(definition=_definition(aoba, "kaigo-nintei"), municipality=aoba, language="en")

    assert "by the Long-Term Care Insurance Appeal Board of Ibaraki within 3 months" in review
    assert "only after the ruling (裁決)" in suit and "against Aoba City" in suit


def test_the_municipality_named_is_the_one_deciding(minatogawa):
    terms = appeal_terms(definition=_definition(minatogawa, "inkan-certificate"), municipality=minatogawa)

    assert (terms.review_body, terms.defendant) == ("港川市長", "港川市")


def test_configured_periods_are_printed(aoba):
    definition = {**_definition(aoba, "inkan-certificate"), "appeal": {"review_months": 2, "suit_months": 4}}

    review, suit = appeal_notice(definition=definition, municipality=aoba, language="ja")

    assert "起算して2か月以内に、青葉市長に対して" in review and "起算して4か月以内に" in suit


MINIMAL = """
slug: sample
title: {ja: 見本, en: Sample}
summary: {ja: 見本, en: Sample}
category: other
department: shimin
fee: {amount: 0}
processing_period_days: 5
appeal:
  review_body: {ja: "{prefecture}{board}", en: "the board"}
steps:
  - id: one
    title: {ja: 一, en: One}
    fields:
      - {id: name, type: text, label: {ja: 名前, en: Name}}
"""


def test_an_unknown_placeholder_in_the_review_body_is_refused_with_its_line():
    with pytest.raises(DefinitionError) as refused:
        parse_definition(MINIMAL, source="sample.yaml")

    assert "unknown placeholder '{board}'" in str(refused.value)
    assert refused.value.line == 10  # the review_body line
