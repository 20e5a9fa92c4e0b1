import re
from pathlib import Path

import pytest

from madoguchi.procedures.definition import DefinitionError, load_definition_file, parse_definition

CATALOG = Path(__file__).resolve().parents[2] / "catalog"

VALID = """\
slug: sample
title: {ja: 見本, en: Sample}
summary: {ja: 見本の手続, en: A sample procedure}
category: other
department: shimin
fee: {amount: 0}
processing_period_days: 5
steps:
  - id: main
    title: {ja: 入力, en: Input}
    fields:
      - id: kind
        type: choice
        label: {ja: 種類, en: Kind}
        choices:
          - {value: a, label: {ja: A, en: A}}
          - {value: other, label: {ja: その他, en: Other}}
      - id: detail
        type: text
        label: {ja: 詳細, en: Detail}
        show_if: {field: kind, equals: other}
"""


@pytest.mark.parametrize("path", sorted(CATALOG.glob("*.yaml")), ids=lambda p: p.name)
def test_every_catalog_file_is_a_valid_definition(path):
    definition = load_definition_file(path)
    assert definition["slug"] == path.stem


def test_demo_catalog_covers_the_required_variety():
    definitions = [load_definition_file(p) for p in CATALOG.glob("*.yaml")]
    fields = [[f for s in d["steps"] for f in s["fields"]] for d in definitions]
    assert len(definitions) >= 10
    assert sum(any(f["type"] == "file" for f in fs) for fs in fields) >= 3
    assert sum(any("show_if" in f for f in fs) for fs in fields) >= 3
    assert sum(any(f["type"] == "date" for f in fs) for fs in fields) >= 2


def test_a_valid_definition_parses():
    assert parse_definition(VALID)["slug"] == "sample"


def refusal(text: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as excinfo:
        parse_definition(text, source="sample.yaml")
    return excinfo.value


def test_broken_yaml_is_refused_with_its_line():
    error = refusal(VALID.replace("fee: {amount: 0}", "fee: {amount: 0"))
    assert error.source == "sample.yaml"
    assert error.line is not None
    assert "YAML" in error.reason


def test_a_schema_violation_is_refused_with_file_line_and_reason():
    error = refusal(VALID.replace("processing_period_days: 5", "processing_period_days: five"))
    assert error.line == 7
    assert "processing_period_days" in error.reason
    assert str(error).startswith("sample.yaml:7: ")


def test_an_unknown_field_type_is_refused_at_its_line():
    error = refusal(VALID.replace("type: text", "type: signature_pad"))
    assert error.line == 19
    assert "signature_pad" in error.reason


def test_a_missing_english_translation_is_refused():
    error = refusal(VALID.replace("title: {ja: 見本, en: Sample}", "title: {ja: 見本}"))
    assert error.line == 2
    assert "'en' is a required property" in error.reason


def test_a_condition_on_an_unknown_field_is_refused():
    error = refusal(VALID.replace("show_if: {field: kind", "show_if: {field: nothing"))
    assert error.line == 21
    assert "nothing" in error.reason


def test_a_condition_on_an_unknown_choice_value_is_refused():
    error = refusal(VALID.replace("equals: other}", "equals: maybe}"))
    assert "maybe" in error.reason


def test_duplicate_field_ids_are_refused():
    error = refusal(VALID.replace("- id: detail", "- id: kind"))
    assert "duplicate field id 'kind'" in error.reason
    assert error.line == 18


def test_a_file_that_is_not_a_mapping_is_refused():
    assert "mapping" in refusal("- just\n- a list\n").reason


def _japanese_texts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ja" and isinstance(value, str):
                yield value
            else:
                yield from _japanese_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _japanese_texts(item)


@pytest.mark.parametrize("path", sorted(CATALOG.glob("*.yaml")), ids=lambda p: p.name)
def test_japanese_catalog_texts_have_no_stray_spaces_from_line_folding(path):
    stray = [text for text in _japanese_texts(load_definition_file(path)) if re.search(r"[。、）」] \S", text)]
    assert stray == []
