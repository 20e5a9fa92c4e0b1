"""`madoguchi catalog check` refuses a definition whose texts contradict its own facts.

Each broken definition is the shipped file with one contradiction of issue 12 put back, so the
test shows the check catches the real mistakes, with the file line and what to fix.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from madoguchi.procedures.definition import DefinitionError, parse_definition
from madoguchi.procedures.wording import form_step_count, period_end, processing_period

CATALOG = Path(__file__).resolve().parents[2] / "catalog"


def shipped(name: str) -> str:
    return (CATALOG / name).read_text(encoding="utf-8")


def refused(text: str, name: str) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, source=name)
    return caught.value


def test_the_shipped_catalog_passes_the_check(capsys):
    call_command("catalog", "check")
    checked = [line for line in capsys.readouterr().out.splitlines() if line.endswith(": OK")]
    assert len(checked) == len(list(CATALOG.glob("*.yaml")))


def test_a_page_that_calls_the_signature_required_while_the_form_makes_it_optional_is_refused():
    text = shipped("inkan-certificate.yaml").replace("signature: required", "signature: optional")

    error = refused(text, "inkan-certificate.yaml")

    assert "eligibility/ja says the signature is required, but the definition has 'signature: optional'" in error.reason
    assert "マイナンバーカードの電子署名が必要です" in error.reason
    lines = shipped("inkan-certificate.yaml").splitlines()
    assert lines[lines.index("eligibility:") + 1] == "  ja: >-"
    assert error.line in (lines.index("eligibility:") + 2, lines.index("eligibility:") + 3)  # the ja text


def test_a_page_that_calls_a_required_signature_optional_is_refused():
    text = shipped("kaigo-nintei.yaml").replace(
        "結果は原則として", "電子署名は任意です。結果は原則として", 1
    )

    error = refused(text, "kaigo-nintei.yaml")

    assert "says the signature is optional, but the definition has 'signature: required'" in error.reason


def test_a_procedure_without_signatures_may_not_mention_one():
    text = shipped("sodai-gomi.yaml")
    text = re.sub(r"(summary:\n  ja: >-\n    )", r"\1電子署名で申請できます。", text, count=1)

    error = refused(text, "sodai-gomi.yaml")

    assert "mentions an electronic signature, but the definition has 'signature: none'" in error.reason


def test_a_required_document_without_an_upload_field_or_reason_is_refused():
    # 住民票 as it was: 本人確認書類の写し under 必要なもの, with no field to attach it.
    text = shipped("juminhyo-copy.yaml").replace("    upload: identity_document\n", "", 1)

    error = refused(text, "juminhyo-copy.yaml")

    assert error.reason.startswith("必要なもの '本人確認書類の写し（マイナンバーカードで電子署名しない場合）' has no upload field")
    assert "upload: FIELD_ID" in error.reason and "reason:" in error.reason
    assert str(error).startswith("juminhyo-copy.yaml:")


def test_a_required_document_naming_a_field_that_is_not_a_file_upload_is_refused():
    text = shipped("juminhyo-copy.yaml").replace("upload: identity_document", "upload: phone", 1)

    error = refused(text, "juminhyo-copy.yaml")

    assert "upload 'phone' is not a file field of this form" in error.reason
    assert "identity_document" in error.reason  # the fields it could name


def test_a_processing_period_in_other_days_than_the_definition_is_refused():
    # 要介護認定 as it was: 「30日以内」 in the summary, 30開庁日 in the facts.
    text = shipped("kaigo-nintei.yaml").replace("processing_period_unit: calendar_days\n", "", 1)

    error = refused(text, "kaigo-nintei.yaml")

    assert "summary/ja states a processing period that contradicts processing_period_days (30開庁日" in error.reason
    assert "30日以内にお知らせします" in error.reason


def test_a_processing_period_with_another_number_is_refused():
    text = shipped("doro-senyo.yaml").replace("processing_period_days: 14", "processing_period_days: 10", 1)

    error = refused(text, "doro-senyo.yaml")

    assert "contradicts processing_period_days (10開庁日" in error.reason


def test_a_deadline_for_the_resident_is_not_taken_for_the_processing_period():
    # 「30日以内に届け出てください」 is the resident's deadline (狂犬病予防法), not how long we take.
    parse_definition(shipped("inu-shibo.yaml"), source="inu-shibo.yaml")


def test_a_date_in_a_sentence_about_the_result_is_not_a_period():
    text = shipped("doro-senyo.yaml").replace(
        "許可まで標準で14開庁日かかります。", "許可まで標準で14開庁日かかります。4月1日以降の結果は郵送でお知らせします。", 1
    )
    assert "4月1日以降" in text
    parse_definition(text, source="doro-senyo.yaml")


def test_a_step_count_that_differs_from_the_step_bar_is_refused():
    text = shipped("inkan-certificate.yaml").replace(
        "印鑑登録をしているご本人の情報を入力してください。", "全3ステップです。印鑑登録をしているご本人の情報を入力してください。", 1
    )

    error = refused(text, "inkan-certificate.yaml")

    assert "states 3 steps, but the form has 4 (3 steps and the confirmation page)" in error.reason


def test_the_step_bar_counts_the_steps_and_the_confirmation_page():
    definition = parse_definition(shipped("inkan-certificate.yaml"))
    assert form_step_count(definition) == len(definition["steps"]) + 1 == 4


def test_the_check_command_fails_with_the_file_and_line(tmp_path):
    broken = tmp_path / "inkan-certificate.yaml"
    broken.write_text(shipped("inkan-certificate.yaml").replace("signature: required", "signature: optional"), "utf-8")

    with pytest.raises(CommandError, match=r"^inkan-certificate\.yaml:\d+: eligibility/ja says the signature is required"):
        call_command("catalog", "check", str(broken))


def test_a_calendar_day_period_ends_on_the_calendar_day():
    definition = parse_definition(shipped("kaigo-nintei.yaml"))
    assert processing_period(definition) == (30, "calendar_days")
    # 2026-06-15 (Mon) + 30 days, whatever falls on weekends and holidays in between.
    assert period_end(date(2026, 6, 15), *processing_period(definition)) == date(2026, 7, 15)
    assert period_end(date(2026, 6, 15), 3) == date(2026, 6, 18)  # business days by default
