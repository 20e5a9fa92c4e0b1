"""The ``approval_route`` of a procedure definition: its schema and its semantic checks."""

from pathlib import Path

import pytest
import yaml

from madoguchi.approvals.routes import Delegation, next_lower_role, route_parse
from madoguchi.procedures.definition import DefinitionError, load_definition_file, parse_definition

CATALOG = Path(__file__).resolve().parents[2] / "catalog"

BASE = """\
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
      - {id: amount, type: yen, label: {ja: 金額, en: Amount}}
      - {id: note, type: text, label: {ja: 備考, en: Note}}
"""


def with_route(route: list[dict]) -> str:
    return BASE + yaml.safe_dump({"approval_route": route}, allow_unicode=True)


KIAN = {"id": "kian", "kind": "draft", "role": "clerk"}
SHINSA = {"id": "shinsa", "kind": "review", "role": "reviewer"}
KESSAI = {"id": "kessai", "kind": "decide", "role": "approver"}


def schema_refusal(route: list[dict]) -> DefinitionError:
    with pytest.raises(DefinitionError) as excinfo:
        parse_definition(with_route(route), source="sample.yaml")
    return excinfo.value


def semantic_refusal(route: list[dict]) -> DefinitionError:
    """Parsing (and so ``madoguchi catalog check``) refuses the route, naming its line."""
    with pytest.raises(DefinitionError) as excinfo:
        parse_definition(with_route(route), source="sample.yaml")
    assert excinfo.value.line > BASE.count("\n")  # within the approval_route
    return excinfo.value


def test_the_demo_catalog_defines_a_route_of_each_shape():
    routes = {path.stem: route_parse(load_definition_file(path)) for path in sorted(CATALOG.glob("*.yaml"))}
    assert [s.id for s in routes["inkan-certificate"]] == ["kian", "shinsa", "kessai"]
    assert routes["jido-teate"][2].departments == ("zeimu", "hoken")
    assert routes["doro-senyo"][-1].delegation == Delegation(role="reviewer", field="construction_cost", below=1000000)
    assert routes["juminhyo-copy"] is None


def test_a_definition_without_a_route_has_none():
    assert route_parse(parse_definition(BASE)) is None


def test_a_full_route_parses_with_department_defaults():
    definition = parse_definition(
        with_route(
            [
                KIAN,
                SHINSA,
                {"id": "aigi", "kind": "consult", "role": "reviewer", "departments": ["zeimu", "hoken"]},
                {**KESSAI, "delegation": {"role": "reviewer", "field": "amount", "below": 100000}},
            ]
        )
    )
    route = route_parse(definition)
    assert [s.kind for s in route] == ["draft", "review", "consult", "decide"]
    assert route[0].department_codes("shimin") == ["shimin"]
    assert route[2].department_codes("shimin") == ["zeimu", "hoken"]


def test_an_unknown_step_kind_is_refused_by_the_schema_with_its_line():
    error = schema_refusal([KIAN, {**SHINSA, "kind": "stamp"}, KESSAI])
    assert "approval_route/1/kind" in error.reason
    assert error.line == BASE.count("\n") + 6


def test_admin_is_not_a_route_role():
    assert "approval_route/2/role" in schema_refusal([KIAN, SHINSA, {**KESSAI, "role": "admin"}]).reason


def test_a_consult_step_needs_departments():
    assert (
        "approval_route/1"
        in schema_refusal([KIAN, {"id": "aigi", "kind": "consult", "role": "reviewer"}, KESSAI]).reason
    )


def test_only_a_consult_step_takes_several_departments():
    assert "approval_route/1" in schema_refusal([KIAN, {**SHINSA, "departments": ["zeimu"]}, KESSAI]).reason


def test_delegation_is_only_for_the_decide_step():
    assert "approval_route/1" in schema_refusal([KIAN, {**SHINSA, "delegation": {"role": "clerk"}}, KESSAI]).reason


def test_a_delegation_threshold_needs_its_field_and_the_field_its_threshold():
    assert (
        "approval_route/1/delegation"
        in schema_refusal([KIAN, {**KESSAI, "delegation": {"role": "reviewer", "field": "amount"}}]).reason
    )
    assert (
        "approval_route/1/delegation"
        in schema_refusal([KIAN, {**KESSAI, "delegation": {"role": "reviewer", "below": 5}}]).reason
    )


def test_duplicate_step_ids_are_refused():
    assert "duplicate step id 'shinsa'" in str(semantic_refusal([KIAN, SHINSA, SHINSA, KESSAI]))


def test_the_decide_step_must_come_last_and_only_once():
    assert "exactly one 'decide'" in str(semantic_refusal([KIAN, KESSAI, SHINSA]))
    assert "exactly one 'decide'" in str(semantic_refusal([KIAN, SHINSA]))
    assert "exactly one 'decide'" in str(semantic_refusal([KESSAI, {**KESSAI, "id": "kessai2"}]))


def test_a_draft_step_may_only_come_first():
    assert "'draft'" in str(semantic_refusal([SHINSA, KIAN, KESSAI]))


def test_delegation_must_go_to_a_lower_role():
    route = [KIAN, {**KESSAI, "role": "reviewer", "delegation": {"role": "reviewer"}}]
    assert "not lower" in str(semantic_refusal(route))


def test_delegation_on_a_field_that_is_not_an_amount_is_refused():
    route = [KIAN, {**KESSAI, "delegation": {"role": "reviewer", "field": "note", "below": 10}}]
    assert "'note'" in str(semantic_refusal(route))


def test_a_delegation_threshold_is_strictly_below_and_never_applies_to_an_unknown_amount():
    rule = Delegation(role="reviewer", field="cost", below=100000)
    assert rule.applies({"cost": 99999})
    assert not rule.applies({"cost": 100000})
    assert not rule.applies({})
    assert not rule.applies({"cost": True})
    assert Delegation(role="reviewer").applies({})


def test_the_next_lower_role_follows_the_ladder():
    assert [next_lower_role(r) for r in ("approver", "reviewer", "clerk")] == ["reviewer", "clerk", None]
