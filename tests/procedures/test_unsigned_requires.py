"""``unsigned_requires``: what an application must attach when it is not signed (issue 12, item 6).

The catalog loader checks the rule, the catalog check holds the 必要なもの wording to it, and the
procedure page states it before the form.
"""

from __future__ import annotations

import pytest
import yaml
from django.utils import translation
from tests.conftest import CATALOG_DIR, shipped_definition

from madoguchi.procedures.definition import DefinitionError, parse_definition
from madoguchi.procedures.errors import AnswersInvalid
from madoguchi.procedures.unsigned import unsigned_requirements_check
from madoguchi.procedures.wording import signature_statement

JUMINHYO = "juminhyo-copy.yaml"


def juminhyo_text(**changes) -> str:
    """The shipped 住民票の写し definition with top-level ``changes`` (None removes a key), as YAML."""
    definition = yaml.safe_load((CATALOG_DIR / JUMINHYO).read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            definition.pop(key, None)
        else:
            definition[key] = value
    return yaml.safe_dump(definition, allow_unicode=True, sort_keys=False)


def refusal(text: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as refused:
        parse_definition(text, source=JUMINHYO)
    return refused.value


@pytest.mark.parametrize("name", [JUMINHYO, "zei-shomei.yaml"])
def test_the_shipped_certificates_ask_an_unsigned_request_for_a_copy_of_photo_id(name):
    definition = shipped_definition(name)

    assert definition["signature"] == "optional"
    assert definition["unsigned_requires"] == ["identity_document"]


def test_the_id_copy_wording_without_the_rule_is_refused_naming_the_line_and_the_fix():
    error = refusal(juminhyo_text(unsigned_requires=None))

    assert "本人確認書類の写し（マイナンバーカードで電子署名しない場合）" in error.reason
    assert "unsigned_requires: [identity_document]" in error.reason
    assert error.line is not None


def test_the_rule_without_a_required_document_that_says_so_is_refused():
    definition = yaml.safe_load(juminhyo_text())
    definition["required_documents"][0]["name"] = {"ja": "本人確認書類の写し", "en": "A copy of photo ID"}

    error = refusal(yaml.safe_dump(definition, allow_unicode=True))

    assert "unsigned_requires/0: 'identity_document'" in error.reason


def test_the_condition_stated_in_one_language_only_is_refused():
    definition = yaml.safe_load(juminhyo_text())
    definition["required_documents"][0]["name"]["en"] = "A copy of photo ID"

    assert "but not in en" in refusal(yaml.safe_dump(definition, allow_unicode=True)).reason


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"signature": "required"}, "needs 'signature: optional'"),
        ({"signature": "none"}, "needs 'signature: optional'"),
        ({"unsigned_requires": ["phone"]}, "'phone' is not a file field"),
        ({"unsigned_requires": ["passport_scan"]}, "'passport_scan' is not a file field"),
        ({"unsigned_requires": ["power_of_attorney"]}, "'power_of_attorney' is 'required: true'"),
        ({"unsigned_requires": []}, "should be non-empty"),
    ],
    ids=["signature-required", "signature-none", "not-a-file", "unknown-field", "always-required", "empty"],
)
def test_a_rule_the_form_cannot_keep_is_refused_by_the_loader(changes, reason):
    assert reason in refusal(juminhyo_text(**changes)).reason


def test_the_catalog_check_command_names_the_file_and_the_line(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / JUMINHYO
    path.write_text(juminhyo_text(unsigned_requires=["phone"]), encoding="utf-8")

    with pytest.raises(CommandError, match=r"^juminhyo-copy\.yaml:\d+: unsigned_requires/0: 'phone' is not a file field"):
        call_command("catalog", "check", str(path))


def test_an_unsigned_application_without_the_copy_is_refused_naming_the_field():
    definition = shipped_definition(JUMINHYO)

    with pytest.raises(AnswersInvalid) as refused:
        unsigned_requirements_check(definition, {"relationship": "self"}, language="ja")

    (error,) = refused.value.errors
    assert (error.path, error.code) == ("identity_document", "sign_or_attach")
    with translation.override("ja"):
        assert error.message == "マイナンバーカードで電子署名するか、本人確認書類の写しを添付してください。"
    error = refused.value.errors[0].__class__(error.path, error.code, {"label": "Copy of photo ID"})
    with translation.override("en"):
        assert error.message == "Sign the application with your My Number Card, or attach copy of photo ID."


def test_an_unsigned_application_with_the_copy_passes():
    definition = shipped_definition(JUMINHYO)
    copy = [{"name": "id.pdf", "content_type": "application/pdf", "size": 1, "sha256": "0" * 64}]

    unsigned_requirements_check(definition, {"identity_document": copy}, language="ja")


def test_a_field_hidden_by_its_condition_is_not_required():
    definition = shipped_definition(JUMINHYO)
    for step in definition["steps"]:
        for field in step["fields"]:
            if field["id"] == "identity_document":
                field["show_if"] = {"field": "relationship", "equals": "agent"}

    unsigned_requirements_check(definition, {"relationship": "self"}, language="ja")
    with pytest.raises(AnswersInvalid):
        unsigned_requirements_check(definition, {"relationship": "agent"}, language="ja")


def test_the_procedure_page_states_the_rule_before_the_form_in_each_language():
    definition = shipped_definition(JUMINHYO)

    with translation.override("ja"):
        requirement, how = signature_statement(definition)
        assert requirement == "任意"
        assert how.startswith("マイナンバーカードで電子署名するか、本人確認書類の写しを添付してください。")
        assert "どちらもない申請は受け付けられません" in how
    with translation.override("en"):
        requirement, how = signature_statement(definition)
        assert requirement == "Optional"
        assert how.startswith("Sign the application with your My Number Card, or attach copy of photo ID.")


def test_an_optional_signature_without_the_rule_keeps_its_plain_statement():
    with translation.override("en"):
        _requirement, how = signature_statement(shipped_definition("tenshutsu.yaml"))

    assert how.endswith("You can also apply without signing.")
