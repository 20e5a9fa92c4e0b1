"""The fee rule of a procedure and its computation (issue 12, item 3)."""

from pathlib import Path

import pytest
from django.utils import translation

from madoguchi.procedures.definition import DefinitionError, load_definition_file, parse_definition
from madoguchi.procedures.fees import fee_compute, fee_summary, yen_text

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def _catalog(slug):
    return load_definition_file(CATALOG / f"{slug}.yaml")


def _sample(fee: str, fields: str = "") -> str:
    return f"""\
slug: sample
title: {{ja: 見本, en: Sample}}
summary: {{ja: 見本, en: Sample}}
category: other
department: shimin
fee: {fee}
processing_period_days: 5
steps:
  - id: one
    title: {{ja: 一, en: One}}
    fields:
      - {{id: copies, type: integer, label: {{ja: 通数, en: Copies}}}}
      - {{id: name, type: text, label: {{ja: 名前, en: Name}}}}
      - id: purpose
        type: choice
        label: {{ja: 目的, en: Purpose}}
        choices:
          - {{value: pension, label: {{ja: 年金, en: Pension}}}}
          - {{value: other, label: {{ja: その他, en: Other}}}}
{fields}"""


def test_a_seal_certificate_costs_300_yen_per_copy():
    fee = fee_compute(_catalog("inkan-certificate"), {"copies": 2, "delivery_method": "counter"})

    assert (fee.unit_amount, fee.quantity, fee.total) == (300, 2, 600)
    assert fee.method == "counter"


def test_a_postal_request_pays_by_the_method_the_resident_chose():
    answers = {"copies": 1, "delivery_method": "postal", "payment_method": "postal_order"}

    assert fee_compute(_catalog("inkan-certificate"), answers).method == "postal_order"


def test_tax_certificates_are_charged_per_copy_of_each_type():
    answers = {"copies": 2, "certificate_types": ["income_taxation", "tax_payment"]}

    assert fee_compute(_catalog("zei-shomei"), answers).total == 1200


def test_a_residence_record_for_a_pension_claim_is_free_and_says_why():
    fee = fee_compute(_catalog("juminhyo-copy"), {"copies": 3, "purpose": "pension"})

    assert fee.total == 0
    assert not fee.payable
    assert fee.method == ""
    assert "年金" in fee.exemption["ja"]


def test_a_fixed_fee_ignores_the_answers():
    fee = fee_compute(_catalog("inu-toroku"), {})

    assert (fee.total, fee.method) == (3000, "counter")


def test_a_free_procedure_costs_nothing():
    assert fee_compute(_catalog("tenshutsu"), {}).total == 0


def test_no_copies_answered_yet_costs_nothing_rather_than_failing():
    assert fee_compute(_catalog("inkan-certificate"), {"copies": ""}).total == 0


@pytest.mark.parametrize(("language", "text"), [("ja", "1,200円"), ("en", "¥1,200")])
def test_yen_is_written_as_the_language_writes_it(language, text):
    assert yen_text(1200, language) == text


def test_the_summary_gives_the_total_and_the_breakdown_in_english():
    with translation.override("en"):
        summary = fee_summary(_catalog("inkan-certificate"), {"copies": 2}, "en")

    assert summary["total"] == "¥600"
    assert summary["breakdown"] == "¥300 × 2"
    assert summary["method_label"] == "Pay at the counter when you collect it"


def test_a_multiplier_that_is_not_a_number_field_is_refused_with_its_line():
    with pytest.raises(DefinitionError) as refused:
        parse_definition(_sample("{amount: 300, per: [name]}"), source="sample.yaml")

    assert "fee/per: 'name' must be an integer or multichoice field" in str(refused.value)
    assert refused.value.line == 6


def test_an_exemption_for_an_answer_that_is_not_a_choice_is_refused():
    rule = "{amount: 300, exempt_if: [{field: purpose, in: [tax], reason: {ja: 無料, en: Free}}]}"
    with pytest.raises(DefinitionError) as refused:
        parse_definition(_sample(rule), source="sample.yaml")

    assert "['tax'] are not choices of 'purpose'" in str(refused.value)


def test_a_method_field_offering_a_method_the_procedure_does_not_take_is_refused():
    rule = "{amount: 300, payment_methods: [counter], payment_method_field: purpose}"
    with pytest.raises(DefinitionError) as refused:
        parse_definition(_sample(rule), source="sample.yaml")

    assert "payment_method_field" in str(refused.value)


def test_an_unknown_payment_method_is_refused():
    with pytest.raises(DefinitionError) as refused:
        parse_definition(_sample("{amount: 300, payment_methods: [bitcoin]}"), source="sample.yaml")

    assert "payment_methods" in str(refused.value)


def test_the_demo_certificates_take_online_payment_beside_the_method_fixed_at_submission():
    for slug in ("inkan-certificate", "juminhyo-copy", "zei-shomei"):
        definition = _catalog(slug)
        assert definition["fee"]["payment_methods"][-1] == "online"
        assert fee_compute(definition, {"copies": 1, "certificate_types": ["income_taxation"]}).method == "counter"


def test_online_cannot_be_the_method_fixed_at_submission():
    with pytest.raises(DefinitionError) as refused:
        parse_definition(_sample("{amount: 300, payment_methods: [online, counter]}"), source="sample.yaml")

    assert "'online' cannot come first" in str(refused.value)


def test_online_is_not_a_choice_of_the_method_field():
    field = """      - id: how
        type: choice
        label: {ja: 支払方法, en: How}
        choices:
          - {value: counter, label: {ja: 窓口, en: Counter}}
          - {value: online, label: {ja: オンライン, en: Online}}
"""
    rule = "{amount: 300, payment_methods: [counter, online], payment_method_field: how}"
    with pytest.raises(DefinitionError) as refused:
        parse_definition(_sample(rule, field), source="sample.yaml")

    assert "'online' is not a choice" in str(refused.value)


@pytest.mark.parametrize(
    "note", ["{ja: オンライン決済もご利用いただけます。, en: Pay at the counter.}", "{ja: 窓口で。, en: You can pay online.}"]
)
def test_a_fee_note_may_not_promise_online_payment(note):
    rule = f"{{amount: 300, note: {note}, payment_methods: [counter, online]}}"
    with pytest.raises(DefinitionError) as refused:
        parse_definition(_sample(rule), source="sample.yaml")

    assert "do not promise online payment" in str(refused.value)
