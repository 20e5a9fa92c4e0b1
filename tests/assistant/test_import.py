"""Import and export of the FAQ CSV (issue 4): encodings, all-or-nothing, updates by id, versions."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from madoguchi.assistant.csvio import FaqImportError, read_faq_csv
from madoguchi.assistant.importing import faq_import
from madoguchi.assistant.models import EntryStatus, FaqEntry, FaqTranslation, FaqVersion
from madoguchi.assistant.selectors import faq_export_rows, faq_versions
from madoguchi.assistant.services import (
    FaqInvalid,
    TranslationIn,
    faq_entry_create,
    faq_entry_publish,
    faq_entry_unpublish,
    faq_entry_update,
)
from madoguchi.audit.models import AuditEntry
from madoguchi.audit.verification import audit_verify

from .conftest import DATA

HEADER = "id,question,answer,language,category,url\n"
ROW = "tax-009,住民税はいつ払いますか,年4回です。,ja,tax,https://www.city.aoba.example.jp/zei\n"


def entries(municipality) -> list[str]:
    return list(FaqEntry.objects.for_municipality(municipality).values_list("external_id", flat=True))


def test_read_faq_csv_accepts_utf8_with_bom():
    rows = read_faq_csv(b"\xef\xbb\xbf" + (HEADER + ROW).encode())
    assert rows[0].id == "tax-009" and rows[0].question == "住民税はいつ払いますか"


def test_read_faq_csv_accepts_cp932():
    rows = read_faq_csv((HEADER + ROW).encode("cp932"))
    assert rows[0].answer == "年4回です。"
    assert rows[0].line == 2


def test_read_faq_csv_counts_lines_of_multiline_cells():
    data = HEADER + 'a-1,"質問","一行目\n二行目",ja,tax,\n' + "a-2,q,a,ja,tax,\n"
    rows = read_faq_csv(data.encode())
    assert [r.line for r in rows] == [2, 4]


def test_read_faq_csv_refuses_a_wrong_header():
    with pytest.raises(FaqImportError) as caught:
        read_faq_csv(b"id,question,text\nx,y,z\n")
    line, error = caught.value.errors[0]
    assert (line, error.field, error.code, error.params) == (1, "header", "missing_columns", {"columns": "answer"})
    with translation.override("ja"):
        assert str(caught.value).startswith("line 1: header: 次の列がありません: answer")


def located(errors) -> list[tuple[int, str, str]]:
    return [(line, error.field, error.code) for line, error in errors]


def test_faq_import_reports_every_bad_row_by_line_and_imports_nothing(aoba):
    data = (
        HEADER
        + ROW
        + "tax-010,,answer,ja,tax,\n"  # line 3: empty question
        + "tax-011,q,a,xx,tax,\n"  # line 4: unknown language (and no ja row)
        + "tax-012,q,a,ja,"
        + "c" * 65
        + ",ftp://x\n"  # line 5: category and url
        + "tax-013,q,"
        + "あ" * 5001
        + ",ja,tax,\n"  # line 6: the answer is too long
        + "tax-013,q,a,en,moving,\n"  # line 7: a second category for the same id
        + "tax-013,q2,a2,en,tax,\n"  # line 8: a second English row
    )
    with pytest.raises(FaqImportError) as caught:
        faq_import(municipality=aoba, rows=read_faq_csv(data.encode()), actor="test")
    assert located(caught.value.errors) == [
        (3, "question", "required"),
        (4, "language", "japanese_required"),
        (4, "language", "unknown_language"),
        (5, "category", "too_long"),
        (5, "url", "invalid_url"),
        (6, "answer", "too_long"),
        (7, "category", "differs_in_entry"),
        (8, "language", "duplicate_language"),
    ]
    assert entries(aoba) == []


def test_faq_import_errors_are_worded_in_the_active_language(aoba):
    data = HEADER + "tax-012,q,a,ja,tax,ftp://x\n" + "tax-012,q," + "a" * 5001 + ",en,tax,ftp://x\n"
    rows = read_faq_csv(data.encode())
    with pytest.raises(FaqImportError) as caught:
        faq_import(municipality=aoba, rows=rows, actor="test")
    with translation.override("ja"):
        assert str(caught.value).startswith("line 2: url: ")
        assert str(caught.value).endswith("; line 3: answer: 5000文字以内で入力してください。")
    with translation.override("en"):
        assert caught.value.extensions()["errors"][-1] == {
            "line": 3,
            "field": "answer",
            "code": "too_long",
            "message": "Enter at most 5000 characters.",
        }


def test_faq_import_checks_departments_against_the_municipality(aoba):
    data = "id,question,answer,language,category,url,department\n" + "tax-009,q,a,ja,tax,,nowhere\n"
    with pytest.raises(FaqImportError) as caught:
        faq_import(municipality=aoba, rows=read_faq_csv(data.encode()), actor="test")
    assert located(caught.value.errors) == [(2, "department", "unknown_department")]
    result = faq_import(municipality=aoba, rows=read_faq_csv(data.replace("nowhere", "zeimu").encode()), actor="t")
    assert result.created == ["tax-009"]
    assert FaqEntry.objects.for_municipality(aoba).get().department.code == "zeimu"


def test_faq_import_needs_a_japanese_row(aoba):
    data = HEADER + "tax-009,When?,Four times a year.,en,tax,\n"
    with pytest.raises(FaqImportError) as caught:
        faq_import(municipality=aoba, rows=read_faq_csv(data.encode()), actor="test")
    assert located(caught.value.errors) == [(2, "language", "japanese_required")]
    with translation.override("ja"):
        assert str(caught.value) == "line 2: language: 日本語の質問と回答を入力してください。"


def test_faq_import_stores_answers_as_sanitised_html_with_lists(faq):
    t = FaqTranslation.objects.for_municipality(faq).get(entry__external_id="moving-001", language="ja")
    assert t.answer_html.startswith("<p>転入届は")
    assert "<ul><li>前の住所の市区町村が発行した転出証明書</li>" in t.answer_html


def test_faq_import_sanitises_html_answers(aoba):
    data = (
        HEADER
        + 'x-1,q,"<p onclick=""evil()"">ok<script>alert(1)</script> <a href=""javascript:x"">l</a></p>",ja,tax,\n'
    )
    faq_import(municipality=aoba, rows=read_faq_csv(data.encode()), actor="test")
    html = FaqTranslation.objects.for_municipality(aoba).get().answer_html
    assert "script" not in html and "onclick" not in html and "javascript" not in html
    assert html.startswith("<p>ok")


def test_reimport_updates_by_id_and_versions_only_what_changed(faq):
    rows = read_faq_csv((DATA / "faq.csv").read_bytes())
    result = faq_import(municipality=faq, rows=rows, actor="test")
    assert result.created == [] and result.updated == []
    assert len(result.unchanged) == 7
    changed = [
        r if r.id != "tax-001" else r.__class__(**{**r.__dict__, "answer": "年4回（6・8・10・1月）です。"})
        for r in rows
    ]
    result = faq_import(municipality=faq, rows=changed, actor="test")
    assert result.updated == ["tax-001"]
    entry = FaqEntry.objects.for_municipality(faq).get(external_id="tax-001")
    assert entry.version == 2
    assert [v.number for v in faq_versions(entry=entry)] == [1, 2]
    first = faq_versions(entry=entry).first()
    assert "6月・8月" in first.snapshot["translations"]["ja"]["answer_html"]


def test_every_change_is_an_audit_entry_and_the_chain_verifies(aoba):
    entry = faq_entry_create(
        municipality=aoba,
        external_id="general-001",
        category="general",
        translations={"ja": TranslationIn("開庁時間は？", "平日8時30分から17時15分です。")},
        actor="staff:aoba-admin",
    )
    assert entry.status == EntryStatus.DRAFT
    assert faq_entry_publish(entry=entry, actor="staff:aoba-admin") is True
    assert faq_entry_publish(entry=entry, actor="staff:aoba-admin") is False  # no change, no version
    faq_entry_update(
        entry=entry,
        actor="staff:aoba-admin",
        translations={"en": TranslationIn("Opening hours?", "Weekdays 8:30 to 17:15.")},
    )
    faq_entry_unpublish(entry=entry, actor="staff:aoba-admin")
    events = list(
        AuditEntry.objects.for_municipality(aoba)
        .filter(object_type="assistant.faqentry")
        .values_list("event", "payload__version")
    )
    versions = FaqVersion.objects.for_municipality(aoba).filter(entry=entry).count()
    assert audit_verify(municipality=aoba) is None
    assert events == [
        ("assistant.faq.created", 1),
        ("assistant.faq.published", 2),
        ("assistant.faq.updated", 3),
        ("assistant.faq.unpublished", 4),
    ]
    assert versions == 4


def test_faq_entry_create_refuses_a_duplicate_id_and_a_missing_japanese_version(faq):
    with pytest.raises(FaqInvalid):
        faq_entry_create(
            municipality=faq,
            external_id="tax-001",
            category="tax",
            translations={"ja": TranslationIn("q", "a")},
            actor="t",
        )
    with pytest.raises(FaqInvalid):
        faq_entry_create(
            municipality=faq,
            external_id="tax-002",
            category="tax",
            translations={"en": TranslationIn("q", "a")},
            actor="t",
        )


def test_export_round_trips_through_import(faq, minatogawa):
    rows = faq_export_rows(municipality=faq)
    assert {r["language"] for r in rows if r["id"] == "certificates-001"} == {"ja", "ja-x-easy", "en"}
    out = io.StringIO()
    call_command("assistant", "export", "--municipality", faq.code, stdout=out)
    exported = out.getvalue().encode()
    result = faq_import(municipality=minatogawa, rows=read_faq_csv(exported), actor="test")
    assert len(result.created) == 7
    again = faq_import(municipality=faq, rows=read_faq_csv(exported), actor="test")
    assert again.updated == [] and len(again.unchanged) == 7


def test_command_import_reports_bad_rows_and_exports_for_excel(aoba, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEADER + ROW + "tax-010,q,,ja,tax,\n").encode("cp932"))
    with translation.override("ja"), pytest.raises(CommandError, match="line 3: answer: この項目は必須です。"):
        call_command("assistant", "import", "--municipality", aoba.code, str(bad), verbosity=0)
    assert entries(aoba) == []
    good = tmp_path / "good.csv"
    good.write_bytes(b"\xef\xbb\xbf" + (HEADER + ROW).encode())
    out = io.StringIO()
    call_command("assistant", "import", "--municipality", aoba.code, str(good), "--async", stdout=out, verbosity=0)
    assert "1 created" in out.getvalue()
    target = tmp_path / "out.csv"
    call_command("assistant", "export", "--municipality", aoba.code, str(target), "--excel")
    data = target.read_bytes()
    assert data.startswith(
        b"\xef\xbb\xbfid,question,answer,language,category,url,department,procedure,status,updated\r\n"
    )


def test_command_refuses_an_unknown_municipality(db, tmp_path):
    with pytest.raises(CommandError, match="Unknown municipality"):
        call_command("assistant", "export", "--municipality", "999999")
