"""Who signs an application (``signer`` in the catalog) and whose answers the signing certificate is
compared with (issue 12, item 9: a family member applying for 要介護認定 is not compared with the
insured person)."""

from __future__ import annotations

import pytest

from madoguchi.procedures.definition import DefinitionError, parse_definition
from madoguchi.procedures.selectors import procedure_get
from madoguchi.procedures.signer import signer_fields
from madoguchi.signatures.selectors import _typed_facts

INSURED = {"family": "青葉", "given": "太郎", "family_kana": "アオバ", "given_kana": "タロウ"}
DAUGHTER = {"family": "青葉", "given": "花子", "family_kana": "アオバ", "given_kana": "ハナコ"}


def _kaigo(aoba):
    return procedure_get(municipality=aoba, slug="kaigo-nintei").current_version.definition


def test_a_family_member_applying_is_compared_by_their_own_name_only(aoba):
    answers = {
        "insured_name": INSURED,
        "insured_birth_date": "1940-05-01",
        "applicant_relationship": "family",
        "applicant_name": DAUGHTER,
    }
    assert signer_fields(_kaigo(aoba), answers) == {"name": "applicant_name"}
    assert _typed_facts(_kaigo(aoba), answers) == {"name": "青葉 花子"}


def test_the_insured_person_applying_is_compared_in_full(aoba):
    answers = {
        "insured_name": INSURED,
        "insured_birth_date": "1940-05-01",
        "address": {"postal_code": "9800001", "prefecture": "宮城県", "city": "青葉市", "town": "中央1-2-3"},
        "applicant_relationship": "self",
    }
    assert signer_fields(_kaigo(aoba), answers) == {
        "name": "insured_name",
        "birth_date": "insured_birth_date",
        "address": "address",
    }
    assert _typed_facts(_kaigo(aoba), answers)["name"] == "青葉 太郎"


def test_without_a_signer_rule_the_first_name_address_and_birth_date_are_used(aoba):
    definition = procedure_get(municipality=aoba, slug="inkan-certificate").current_version.definition
    fields = signer_fields(definition, {})
    assert set(fields) == {"name", "birth_date", "address"}


BAD = """
slug: sample
title: {ja: 見本, en: Sample}
summary: {ja: 見本, en: Sample}
category: other
department: shimin
fee: {amount: 0}
processing_period_days: 5
signer:
  - name: note
steps:
  - id: one
    title: {ja: 一, en: One}
    fields:
      - {id: note, type: text, label: {ja: 名前, en: Name}}
"""


def test_a_signer_rule_naming_a_field_of_the_wrong_type_is_refused_with_its_line():
    with pytest.raises(DefinitionError) as refused:
        parse_definition(BAD, source="sample.yaml")
    assert "'note' is not a name field" in str(refused.value)
    assert refused.value.line == 10
