"""Who signs an application, as the procedure names them (署名者).

A resident's My Number card signature carries the signer's name, date of birth and address.
Staff compare them with the answers, but with *whose* answers depends on the procedure: a
要介護認定 is often applied for by a family member, who signs with their own card, so their
certificate must be compared with the applicant's fields, not with the insured person's.

A definition names the signer with ``signer``: a list of rules, the first whose ``when``
holds (a condition like ``show_if``; a rule without one always holds) names the field of each
fact to compare. A fact a rule does not name is not compared. Without ``signer``, the first
name and address fields and the first date field whose id mentions "birth" are used, as
before.
"""

from __future__ import annotations

from typing import Any

from madoguchi.procedures.answers import condition_holds
from madoguchi.procedures.definition import DefinitionProblem, iter_fields

# Fact → the field type that can hold it.
SIGNER_FACTS = {"name": "name", "birth_date": "date", "address": "address"}


def _default_fields(definition: dict) -> dict[str, str]:
    found: dict[str, str] = {}
    for _step, spec in iter_fields(definition):
        if spec["type"] == "name":
            found.setdefault("name", spec["id"])
        elif spec["type"] == "address":
            found.setdefault("address", spec["id"])
        elif spec["type"] == "date" and "birth" in spec["id"]:
            found.setdefault("birth_date", spec["id"])
    return found


def signer_fields(definition: dict, answers: dict[str, Any]) -> dict[str, str]:
    """Return ``{fact: field id}`` for the person who signs an application with ``answers``."""
    rules = definition.get("signer")
    if not rules:
        return _default_fields(definition)
    for rule in rules:
        if "when" not in rule or condition_holds({"show_if": rule["when"]}, answers):
            return {fact: rule[fact] for fact in SIGNER_FACTS if fact in rule}
    return {}


def check_signer(definition: dict) -> None:
    """Definition check: every field a signer rule names exists, has the fact's type, and
    every ``when`` refers to a choice field with those choices."""
    fields = {spec["id"]: spec for _step, spec in iter_fields(definition)}
    for index, rule in enumerate(definition.get("signer") or []):
        for fact, field_type in SIGNER_FACTS.items():
            if fact not in rule:
                continue
            spec = fields.get(rule[fact])
            if spec is None or spec["type"] != field_type:
                raise DefinitionProblem(
                    f"signer/{index}/{fact}: '{rule[fact]}' is not a {field_type} field of this procedure",
                    path=["signer", index, fact],
                )
        when = rule.get("when")
        if when:
            target = fields.get(when["field"])
            if target is None or target["type"] not in {"choice", "multichoice"}:
                raise DefinitionProblem(
                    f"signer/{index}/when: '{when['field']}' is not a choice field of this procedure",
                    path=["signer", index, "when"],
                )
            expected = when.get("in", [when.get("equals")])
            unknown = [v for v in expected if v not in {c["value"] for c in target["choices"]}]
            if unknown:
                raise DefinitionProblem(
                    f"signer/{index}/when: {unknown} are not choices of '{target['id']}'",
                    path=["signer", index, "when"],
                )
