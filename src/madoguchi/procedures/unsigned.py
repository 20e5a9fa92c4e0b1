"""What an application must carry when the resident does not sign it (``unsigned_requires``).

A certificate such as 住民票の写し is issued only to someone whose identity the municipality
has checked (住民基本台帳法12条). Online, the My Number card's signature proves it; a resident who
does not sign proves it with a copy of a photo ID instead. The definition says so once:

.. code-block:: yaml

    signature: optional
    unsigned_requires: [identity_document]   # file fields an unsigned application must attach

The procedure page states the rule (:func:`madoguchi.procedures.wording.signature_statement`),
the catalog check holds the 必要なもの wording to it (:mod:`madoguchi.procedures.consistency`),
and every submit enforces it: the signatures app, which decides whether an application is
signed, calls :func:`unsigned_requirements_check` for an unsigned one, so the portal, the API
and any other door that goes through ``case_submit`` refuse it alike. Imported records
(``cases.imports``) bring no signature and are not held to it, as they are not to ``signature``.
"""

from __future__ import annotations

from typing import Any

from madoguchi.procedures.answers import condition_holds
from madoguchi.procedures.definition import DefinitionProblem, iter_fields, translated
from madoguchi.procedures.errors import AnswersInvalid, FieldError
from madoguchi.procedures.fields import is_empty

# The FieldError code of a file an unsigned application lacks (API ``errors[].code``).
SIGN_OR_ATTACH = "sign_or_attach"


def unsigned_required_fields(definition: dict) -> list[dict]:
    """The file fields (specs, in form order) that an unsigned application must attach."""
    wanted = set(definition.get("unsigned_requires") or [])
    return [spec for _step, spec in iter_fields(definition) if spec["id"] in wanted]


def unsigned_missing_fields(definition: dict, values: dict[str, Any]) -> list[dict]:
    """The ``unsigned_requires`` fields that clean ``values`` lack: what signing would replace.

    A field hidden by its ``show_if`` is not asked for, so it is not required either.
    """
    return [
        spec
        for spec in unsigned_required_fields(definition)
        if condition_holds(spec, values) and is_empty(values.get(spec["id"]))
    ]


def unsigned_missing_error(spec: dict, language: str) -> FieldError:
    """「マイナンバーカードで電子署名するか、本人確認書類の写しを添付してください」 for the field ``spec``."""
    return FieldError(spec["id"], SIGN_OR_ATTACH, {"label": translated(spec["label"], language)})


def unsigned_requirements_check(definition: dict, values: dict[str, Any], *, language: str) -> None:
    """Raise AnswersInvalid naming each ``unsigned_requires`` file missing from clean ``values``.

    Called for an application that carries no signature.
    """
    errors = [unsigned_missing_error(spec, language) for spec in unsigned_missing_fields(definition, values)]
    if errors:
        raise AnswersInvalid(errors)


def check_unsigned_requires(definition: dict) -> None:
    """Definition check: the rule needs ``signature: optional`` and names optional file fields."""
    names = definition.get("unsigned_requires")
    if not names:
        return
    mode = definition.get("signature", "none")
    if mode != "optional":
        raise DefinitionProblem(
            f"unsigned_requires needs 'signature: optional' (it says what an unsigned application must "
            f"attach), but the definition has 'signature: {mode}'",
            path=["unsigned_requires"],
        )
    fields = {spec["id"]: spec for _step, spec in iter_fields(definition)}
    for index, name in enumerate(names):
        spec = fields.get(name)
        if spec is None or spec["type"] != "file":
            files = sorted(f for f, s in fields.items() if s["type"] == "file")
            raise DefinitionProblem(
                f"unsigned_requires/{index}: '{name}' is not a file field of this procedure "
                f"(file fields: {', '.join(files) or 'none'})",
                path=["unsigned_requires", index],
            )
        if spec.get("required"):
            raise DefinitionProblem(
                f"unsigned_requires/{index}: '{name}' is 'required: true', so every application attaches it "
                "whether signed or not: drop 'required' or take it out of unsigned_requires",
                path=["unsigned_requires", index],
            )
